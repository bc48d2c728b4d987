from django.urls import path
from django.views.decorators.http import require_POST

from claims.views import articles, claims, corroboration, dashboard, decisions, export, imports, live, queue, sources

app_name = "claims"

# Pages that handle their own actions (the submit button's `action`) also keep the older per-action
# URLs, each standing for one action: POST only.
claim_action = require_POST(claims.claim_detail)
source_action = require_POST(sources.source_detail)
corroboration_action = corroboration.corroboration_action

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("imports/<int:pk>/", imports.import_job, name="import_job"),
    path("imports/<int:pk>/progress/", imports.import_job_progress, name="import_job_progress"),
    path("queue/", queue.queue, name="queue"),
    path("queue/decide/", decisions.bulk_decide, name="bulk_decide"),
    path("queue/decide/", decisions.bulk_decide, name="bulk_set_status"),  # the older name
    path("claims/export/", export.export_download, name="export"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/status/", decisions.decide, name="decide"),
    path("claims/<int:pk>/status/", decisions.decide, name="set_status"),  # the older name (docs/interfaces.md)
    path("claims/<int:pk>/panel/", claims.claim_panel, name="claim_panel"),
    path("live/", live.live, name="live"),
    path("claims/<int:pk>/assign/", claim_action, name="claim_assign"),  # action: assign or unassign
    path("claims/<int:pk>/source/", claim_action, {"action": "source"}, name="claim_source"),
    path("claims/<int:pk>/span/", claim_action, {"action": "span"}, name="claim_span"),
    # corroboration (issue 15)
    path("claims/<int:pk>/cluster/", corroboration_action, {"action": "cluster"}, name="cluster_action"),
    path("claims/<int:pk>/cluster/merge/", corroboration_action, {"action": "merge"}, name="cluster_merge"),
    path("claims/<int:pk>/cluster/decide/", corroboration_action, {"action": "decide"}, name="cluster_decide"),
    path("claims/<int:pk>/credibility/", corroboration_action, {"action": "credibility"}, name="claim_credibility"),
    path(
        "claims/<int:pk>/contradictions/<int:link>/",
        corroboration_action,
        {"action": "contradiction"},
        name="contradiction",
    ),
    path("articles/", articles.article_list, name="article_list"),
    path("articles/<int:pk>/", articles.article_detail, name="article_detail"),
    path("articles/<int:pk>/claims/", articles.claim_add, name="claim_add"),
    path("sources/", sources.source_list, name="source_list"),
    path("sources/autocomplete/", sources.source_autocomplete, name="source_autocomplete"),
    path("sources/<int:pk>/", sources.source_detail, name="source_detail"),
    path("sources/<int:pk>/edit/", source_action, {"action": "edit"}, name="source_edit"),
    path("sources/<int:pk>/merge/", source_action, {"action": "merge"}, name="source_merge"),
]
