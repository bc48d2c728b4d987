"""Decisions from the pages: one claim (`decide`: the queue's panel, the reader's panel, the claim
page, a conflict's "apply anyway") and the queue's ticked claims (`bulk_decide`).

With htmx each answers the fragment of the region that asked; without it, a redirect (303) back with
a message, so a decision also works without JavaScript.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims import selectors
from claims.forms import BulkDecisionForm, DecisionForm, form_errors_text
from claims.models import Claim, Status
from claims.services import DecisionUnchangedError, StaleVersionError, claim_decide, claims_decide
from claims.views.claims import get_claim, panel_context
from claims.views.common import (
    analysts_post,
    bad_request_response,
    message_of,
    next_url,
    see_other,
    versions_seen,
)
from claims.views.queue import params_of

# Who answers a decision: the htmx target names the page region that asked (HX-Target).
PANEL_TARGET = "claim-panel"  # the reader's side panel
CLAIM_PAGE_TARGET = "claim-decide"  # the claim page's decide region


def _fragment(request, claim_pk: int, *, next_url: str, status: int = 200, **extra):
    """The fragment for the region that asked (HX-Target): the reader's panel, the claim page's
    decide region, or (the default) the queue row with the counters and the panel's message."""
    target = request.htmx.target if request.htmx else ""
    context = {"next_url": next_url, **extra}
    if target == PANEL_TARGET:
        context.update(panel_context(claim_pk))
        template = "claims/includes/claim_panel.html"
    elif target == CLAIM_PAGE_TARGET:
        claim = get_claim(claim_pk)
        # The cluster's "apply to all" form sits outside the region: its copy of this claim's version
        # is swapped out of band, or the next "apply to all" would be refused as stale.
        context.update(
            claim=claim,
            decisions=selectors.claim_decisions(claim=claim),
            in_cluster=selectors.claim_has_cluster_mates(claim_id=claim.pk),
            oob=True,
        )
        template = "claims/claim_detail.html#decide"
    else:
        context.update(
            c=selectors.claim_queue_rows(ids=[claim_pk])[0],
            counts=selectors.status_counts(),
            filter_params=params_of(next_url),
            oob=True,
        )
        template = "claims/queue.html#decided"
    response = render(request, template, context, status=status)
    response["X-Verifier-Decision"] = extra.get("decision_outcome", "")
    return response


def _answer(request, claim_pk: int, *, next_url: str, outcome: str, message: str, flash):
    """Recorded or unchanged: the fragment with htmx, else the message and a redirect back."""
    if not request.htmx:
        flash(request, message)
        return see_other(next_url)
    return _fragment(request, claim_pk, next_url=next_url, decision_outcome=outcome, decision_message=message)


def _stale(request, claim: Claim, data: dict, stale: StaleVersionError, *, next_url: str):
    """409: what the colleague decided (with their note) beside what was tried, to apply anyway."""
    latest = selectors.claim_latest_decision(claim_id=claim.pk)
    current = stale.claim
    conflict = {
        "claim_id": claim.pk,
        "version": current.version,
        "status": data["status"],
        "label": Status(data["status"]).label,
        "note": data["note"],
        "evidence_url": data["evidence_url"],
        "by": latest.analyst.username if latest else "someone",
        "at": latest.created_at if latest else None,
        "their_label": current.shown_status_label,
        "their_note": latest.note if latest else "",
    }
    if not request.htmx:
        context = {"c": selectors.claim_queue_rows(ids=[claim.pk])[0], "conflict": conflict, "next_url": next_url}
        return render(request, "claims/conflict.html", context, status=409)
    message = f"Not saved: claim {claim.pk} was changed by {conflict['by']} to {conflict['their_label']}."
    return _fragment(
        request,
        claim.pk,
        next_url=next_url,
        status=409,
        conflict=conflict,
        decision_outcome="conflict",
        decision_message=message,
    )


@require_POST
@analysts_post
def decide(request, pk: int):
    """Record a decision (`claims:decide`, alias `claims:set_status`: docs/interfaces.md): the asking
    region's fragment with htmx, 409 + the current state when stale; a no-op records nothing."""
    claim = get_object_or_404(Claim.objects.only("id", "version", "status"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return bad_request_response(request, f"Decision not recorded. {form_errors_text(form)}")
    data = form.cleaned_data
    back = next_url(request, reverse("claims:queue"))
    label = Status(data["status"]).label
    # One key per form and status: a second click on the same button replays, another button decides anew.
    key = f"form:{data['idempotency_key']}:{data['status']}" if data["idempotency_key"] else None
    try:
        claim_decide(
            claim=claim,
            status=data["status"],
            analyst=request.user,
            note=data["note"],
            evidence_url=data["evidence_url"],
            expected_version=data["version"],
            idempotency_key=key,
        )
    except StaleVersionError as stale:
        return _stale(request, claim, data, stale, next_url=back)
    except DecisionUnchangedError:
        message = f"Claim {claim.pk} is already {label}: nothing recorded."
        return _answer(request, claim.pk, next_url=back, outcome="unchanged", message=message, flash=messages.info)
    except ValidationError as error:
        return bad_request_response(request, f"Decision not recorded. {message_of(error)}")
    message = f"Claim {claim.pk} marked {label}."
    return _answer(request, claim.pk, next_url=back, outcome="recorded", message=message, flash=messages.success)


def _bulk_answer(request, ids: list[int], *, next_url: str, message: str, flash, status: int = 200):
    """The message in the bulk bar and every row again (out of band) with htmx; else a redirect."""
    if not request.htmx:
        flash(request, message)
        return see_other(next_url)
    context = {
        "rows": selectors.claim_queue_rows(ids=ids),
        "next_url": next_url,
        "counts": selectors.status_counts(),
        "filter_params": params_of(next_url),
        "oob": True,
        "message": message,
    }
    return render(request, "claims/queue.html#bulk_done", context, status=status)


@require_POST
@analysts_post
def bulk_decide(request):
    """Decide the selected claims in one request; each gets its own VerificationStatus."""
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        if "ids" in form.errors and not request.POST.getlist("ids"):
            return bad_request_response(request, "Select at least one claim first.")
        return bad_request_response(request, f"Nothing recorded. {form_errors_text(form)}")
    ids, status = form.cleaned_data["ids"], form.cleaned_data["status"]
    claims = list(Claim.objects.only("id", "version", "status").filter(pk__in=ids))
    missing = sorted(set(ids) - {c.pk for c in claims})
    if missing:
        return bad_request_response(request, f"Nothing recorded: no claim {', '.join(map(str, missing))}.")
    back = next_url(request, reverse("claims:queue"))
    label = Status(status).label
    try:
        recorded = claims_decide(
            claims=claims,
            status=status,
            analyst=request.user,
            note=form.cleaned_data["note"],
            versions=versions_seen(request, ids),
        )
    except StaleVersionError as stale:
        message = (
            f"Nothing recorded: claim {stale.claim.pk} was decided by someone else since you loaded it "
            f"(now {Status(stale.claim.status).label}). Its row is refreshed; check it and decide again."
        )
        return _bulk_answer(request, ids, next_url=back, message=message, flash=messages.error, status=409)
    except ValidationError as error:
        return bad_request_response(request, f"Nothing recorded. {message_of(error)}")
    n = len(recorded)
    message = f"{n} claim{'s' if n != 1 else ''} marked {label}."
    if n < len(claims):
        message += f" {len(claims) - n} already {label}: nothing recorded for them."
    return _bulk_answer(request, ids, next_url=back, message=message, flash=messages.success)
