"""Live updates: open queue, reader and claim pages poll `claims:live` every few seconds for what
colleagues changed since the page's cursor."""

from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from claims import selectors
from claims.views.claims import get_claim
from claims.views.common import bad_request_response
from claims.views.queue import queue_params

LIVE_VIEWS = ("queue", "reader", "claim")


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _queue_changes(request, latest: dict, changes) -> dict:
    """The queue's rows that changed (of those the page shows) and, after a decision, the counters."""
    shown = {int(i) for i in request.GET.get("ids", "").split(",")[:500] if i.isdigit() and len(i) < 19}
    ids = [pk for pk in latest if pk in shown]
    rows = selectors.claim_queue_rows(ids=ids) if ids else []
    for row in rows:
        row.live_change = latest[row.pk].text
    # The counters' links keep the page's filters (live.js sends them as `filters`).
    filter_params = queue_params(QueryDict(request.GET.get("filters", "")[:2000]))
    context = {"rows": rows, "filter_params": filter_params, "next_url": reverse("claims:queue")}
    if any(c.kind == "decision" for c in changes):
        context.update(counts=selectors.status_counts(), oob_counters=True)
    return context


@require_GET
def live(request):
    """What changed since the page's cursor (polled every few seconds by open pages): rows, highlights
    or the claim's status and history, out of band, and the poller itself with the next cursor."""
    view = request.GET.get("view", "")
    since = selectors.LiveCursor.parse(request.GET.get("since", ""))
    if view not in LIVE_VIEWS or since is None:
        return bad_request_response(request, "Live updates need a view and a cursor.")
    article, claim_pk = _int_param(request, "article"), _int_param(request, "claim")
    result = selectors.live_changes(
        since=since,
        user_id=request.user.pk,
        article=article if view == "reader" else None,
        claim=claim_pk if view == "claim" else None,
    )
    latest: dict[int, selectors.LiveChange] = {change.claim_id: change for change in result.changes}
    context = {
        "live": result.cursor,
        "live_view": view,
        "live_article": article,
        "live_claim": claim_pk,
        "live_new": (_int_param(request, "new") or 0) + result.new_claims,
        "changes": list(latest.values()),
    }
    if view == "queue":
        context.update(_queue_changes(request, latest, result.changes))
    elif view == "claim" and claim_pk is not None and latest.get(claim_pk):
        claim = get_claim(claim_pk)
        context.update(claim=claim, decisions=selectors.claim_decisions(claim=claim), claim_changed=latest[claim_pk])
    return render(request, "claims/includes/live.html", context)
