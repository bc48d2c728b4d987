"""Corroboration actions on the claim page: confirm or split the claim's cluster, merge it with
another claim, confirm or dismiss a contradiction, override credibility, and decide the whole
cluster ("apply to all N").

One view, `corroboration_action`: each URL (claims:cluster_action, cluster_merge, contradiction,
claim_credibility, cluster_decide) names its action. POST only, Analysts only; each answers a
redirect (303) back with a message, so every action works without JavaScript.
"""

from collections.abc import Callable
from typing import NamedTuple

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from claims.forms import (
    ClusterActionForm,
    ClusterDecisionForm,
    ClusterMergeForm,
    ContradictionForm,
    CredibilityForm,
    form_errors_text,
)
from claims.models import Claim, Status
from claims.models.corroboration import ClaimContradiction, ContradictionState
from claims.services import StaleVersionError, decisions
from claims.services.corroboration import (
    cluster_confirm,
    cluster_member_ids,
    cluster_merge,
    cluster_split,
    contradiction_set_state,
    credibility_override,
)
from claims.views.common import analysts_post, bad_request_response, message_of, next_url, see_other, versions_seen


class Action(NamedTuple):
    form: type[django_forms.Form]
    refused: str  # how a 400 for it starts
    run: Callable  # (request, claim, cleaned data, link id) -> the success message


def _cluster(request, claim: Claim, data: dict, link) -> str:
    """Confirm the claim's cluster (or just its link), or split the claim out of it."""
    if data["action"] == "split":
        cluster_split(claim=claim, actor=request.user)
        return f"Claim {claim.pk} is no longer linked to the others."
    n = cluster_confirm(claim=claim, actor=request.user, whole_cluster=data["action"] == "confirm")
    return f"{n} link{'s' if n != 1 else ''} confirmed."


def _merge(request, claim: Claim, data: dict, link) -> str:
    """This claim is the same claim as claim #other: one cluster."""
    other = data["other"]
    cluster_merge(claim=claim, into=other, actor=request.user)
    return f"Claim {claim.pk} and claim {other.pk} are now one cluster."


def _contradiction(request, claim: Claim, data: dict, link) -> str:
    contradiction = get_object_or_404(ClaimContradiction, pk=link)
    contradiction_set_state(contradiction=contradiction, state=data["state"], actor=request.user)
    return f"Contradiction {'dismissed' if data['state'] == ContradictionState.DISMISSED else 'confirmed'}."


def _credibility(request, claim: Claim, data: dict, link) -> str:
    value = data["value"]
    credibility_override(claim=claim, value=value, actor=request.user, note=data["note"])
    return f"Credibility set to {value}." if value else "Credibility follows the suggestion again."


def _decide_cluster(request, claim: Claim, data: dict, link) -> str:
    """One decision for every claim in the cluster: one VerificationStatus each, one transaction;
    the versions the analyst saw (`v<id>` fields) are checked claim by claim."""
    versions = versions_seen(request, cluster_member_ids(claim_id=claim.pk))
    recorded = decisions.cluster_decide(
        claim=claim, status=data["status"], analyst=request.user, note=data["note"], versions=versions
    )
    return f"{len(recorded)} claims in the cluster marked {Status(data['status']).label}."


ACTIONS = {
    "cluster": Action(ClusterActionForm, "Nothing changed.", _cluster),
    "merge": Action(ClusterMergeForm, "Nothing merged.", _merge),
    "contradiction": Action(ContradictionForm, "Nothing changed.", _contradiction),
    "credibility": Action(CredibilityForm, "Credibility not changed.", _credibility),
    "decide": Action(ClusterDecisionForm, "Nothing recorded.", _decide_cluster),
}


@require_POST
@analysts_post
def corroboration_action(request, pk: int, action: str, link: int | None = None):
    """Run the corroboration action the URL names on claim `pk` (`link`: a contradiction's id)."""
    claim = get_object_or_404(Claim.objects.only("id"), pk=pk)
    spec = ACTIONS[action]
    form = spec.form(request.POST)
    if not form.is_valid():
        return bad_request_response(request, f"{spec.refused} {form_errors_text(form)}")
    back = next_url(request, claim.get_absolute_url())
    try:
        message = spec.run(request, claim, form.cleaned_data, link)
    except StaleVersionError as stale:
        messages.error(
            request,
            f"Nothing recorded: claim {stale.claim.pk} was decided by someone else since you loaded the page "
            f"(now {Status(stale.claim.status).label}). Check it and decide again.",
        )
        return see_other(back)
    except ValidationError as error:
        return bad_request_response(request, f"{spec.refused} {message_of(error)}")
    messages.success(request, message)
    return see_other(back)
