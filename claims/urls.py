from django.urls import path

from claims import views, views_corroboration, views_export, views_imports

app_name = "claims"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("imports/<int:pk>/", views_imports.import_job, name="import_job"),
    path("imports/<int:pk>/progress/", views_imports.import_job_progress, name="import_job_progress"),
    path("queue/", views.queue, name="queue"),
    path("queue/decide/", views.bulk_set_status, name="bulk_set_status"),
    path("claims/export/", views_export.export_download, name="export"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/status/", views.set_status, name="set_status"),
    path("claims/<int:pk>/panel/", views.claim_panel, name="claim_panel"),
    path("live/", views.live, name="live"),
    path("claims/<int:pk>/assign/", views.claim_assign_view, name="claim_assign"),
    path("claims/<int:pk>/source/", views.claim_change_source, name="claim_source"),
    path("claims/<int:pk>/span/", views.claim_edit_span, name="claim_span"),
    # corroboration (issue 15)
    path("claims/<int:pk>/cluster/", views_corroboration.cluster_action, name="cluster_action"),
    path("claims/<int:pk>/cluster/merge/", views_corroboration.cluster_merge_view, name="cluster_merge"),
    path("claims/<int:pk>/cluster/decide/", views_corroboration.cluster_decide, name="cluster_decide"),
    path("claims/<int:pk>/credibility/", views_corroboration.credibility_view, name="claim_credibility"),
    path("claims/<int:pk>/contradictions/<int:link>/", views_corroboration.contradiction_view, name="contradiction"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("articles/<int:pk>/claims/", views.claim_add, name="claim_add"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/autocomplete/", views.source_autocomplete, name="source_autocomplete"),
    path("sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("sources/<int:pk>/edit/", views.source_edit, name="source_edit"),
    path("sources/<int:pk>/merge/", views.source_merge_view, name="source_merge"),
]
