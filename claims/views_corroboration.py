"""Corroboration actions on the claim page: confirm, split and merge clusters, confirm or dismiss a
contradiction, override credibility, and decide a whole cluster ("apply to all N").

POST only, Analysts only (checked here and again in the services); each answers a redirect (303)
back to the claim page with a message, so every action works without JavaScript.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from claims.forms import MAX_ID, form_errors_text
from claims.models import Claim, Status
from claims.models.corroboration import ClaimContradiction, ContradictionState
from claims.roles import user_can_decide
from claims.services import NOTE_MAX_CHARS, StaleVersionError, decisions
from claims.services.corroboration import (
    cluster_confirm,
    cluster_member_ids,
    cluster_merge,
    cluster_split,
    contradiction_set_state,
    credibility_override,
)
from claims.views import _bad_request, _forbidden, _next_url, _see_other


class ClusterActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("confirm", "Confirm"), ("confirm_one", "Confirm this link"), ("split", "Split")]
    )


class MergeForm(forms.Form):
    other = forms.IntegerField(min_value=1, max_value=MAX_ID, label="Claim number")


class ContradictionForm(forms.Form):
    state = forms.ChoiceField(
        choices=[(ContradictionState.CONFIRMED, "Confirm"), (ContradictionState.DISMISSED, "Dismiss")]
    )


class CredibilityForm(forms.Form):
    value = forms.ChoiceField(
        choices=[("", "Use the suggestion"), *((str(n), str(n)) for n in range(1, 7))], required=False
    )
    note = forms.CharField(required=False, max_length=2000, strip=True)


class ClusterDecisionForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    note = forms.CharField(required=False, max_length=NOTE_MAX_CHARS, strip=True)


def _analyst_only(request):
    if not user_can_decide(request.user):
        return _forbidden(request, "Only analysts may change clusters and credibility. Your account can only read.")
    return None


@require_POST
def cluster_action(request, pk: int):
    """Confirm the claim's cluster (or just its link), or split the claim out of it."""
    if denied := _analyst_only(request):
        return denied
    claim = get_object_or_404(Claim.objects.only("id"), pk=pk)
    form = ClusterActionForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, f"Nothing changed. {form_errors_text(form)}")
    action = form.cleaned_data["action"]
    try:
        if action == "split":
            cluster_split(claim=claim, actor=request.user)
            messages.success(request, f"Claim {claim.pk} is no longer linked to the others.")
        else:
            n = cluster_confirm(claim=claim, actor=request.user, whole_cluster=action == "confirm")
            messages.success(request, f"{n} link{'s' if n != 1 else ''} confirmed.")
    except ValidationError as error:
        return _bad_request(request, " ".join(error.messages))
    except PermissionDenied as error:
        return _forbidden(request, str(error))
    return _see_other(_next_url(request, claim.get_absolute_url()))


@require_POST
def cluster_merge_view(request, pk: int):
    """This claim is the same claim as claim #other: one cluster."""
    if denied := _analyst_only(request):
        return denied
    claim = get_object_or_404(Claim.objects.only("id"), pk=pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, f"Nothing merged. {form_errors_text(form)}")
    other = Claim.objects.only("id").filter(pk=form.cleaned_data["other"]).first()
    if other is None:
        return _bad_request(request, f"Nothing merged: there is no claim {form.cleaned_data['other']}.")
    try:
        cluster_merge(claim=claim, into=other, actor=request.user)
    except ValidationError as error:
        return _bad_request(request, f"Nothing merged. {' '.join(error.messages)}")
    messages.success(request, f"Claim {claim.pk} and claim {other.pk} are now one cluster.")
    return _see_other(_next_url(request, claim.get_absolute_url()))


@require_POST
def contradiction_view(request, pk: int, link: int):
    if denied := _analyst_only(request):
        return denied
    claim = get_object_or_404(Claim.objects.only("id"), pk=pk)
    contradiction = get_object_or_404(ClaimContradiction, pk=link)
    form = ContradictionForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, f"Nothing changed. {form_errors_text(form)}")
    contradiction_set_state(contradiction=contradiction, state=form.cleaned_data["state"], actor=request.user)
    done = "dismissed" if form.cleaned_data["state"] == ContradictionState.DISMISSED else "confirmed"
    messages.success(request, f"Contradiction {done}.")
    return _see_other(_next_url(request, claim.get_absolute_url()))


@require_POST
def credibility_view(request, pk: int):
    if denied := _analyst_only(request):
        return denied
    claim = get_object_or_404(Claim.objects.only("id"), pk=pk)
    form = CredibilityForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, f"Credibility not changed. {form_errors_text(form)}")
    value = int(form.cleaned_data["value"]) if form.cleaned_data["value"] else None
    credibility_override(claim=claim, value=value, actor=request.user, note=form.cleaned_data["note"])
    messages.success(request, f"Credibility set to {value}." if value else "Credibility follows the suggestion again.")
    return _see_other(_next_url(request, claim.get_absolute_url()))


@require_POST
def cluster_decide(request, pk: int):
    """Apply one decision to every claim in the cluster: one VerificationStatus each, one
    transaction; the versions the analyst saw (`v<id>` fields) are checked claim by claim."""
    if denied := _analyst_only(request):
        return denied
    claim = get_object_or_404(Claim.objects.only("id"), pk=pk)
    form = ClusterDecisionForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, f"Nothing recorded. {form_errors_text(form)}")
    ids = cluster_member_ids(claim_id=claim.pk)
    versions = {i: int(v) for i in ids if (v := request.POST.get(f"v{i}", "")).isdigit() and len(v) < 10}
    next_url = _next_url(request, claim.get_absolute_url())
    status = form.cleaned_data["status"]
    try:
        recorded = decisions.cluster_decide(
            claim=claim, status=status, analyst=request.user, note=form.cleaned_data["note"], versions=versions
        )
    except StaleVersionError as stale:
        messages.error(
            request,
            f"Nothing recorded: claim {stale.claim.pk} was decided by someone else since you loaded the page "
            f"(now {Status(stale.claim.status).label}). Check it and decide again.",
        )
        return _see_other(next_url)
    except ValidationError as error:
        return _bad_request(request, f"Nothing recorded. {' '.join(error.messages)}")
    except PermissionDenied as error:
        return _forbidden(request, str(error))
    messages.success(request, f"{len(recorded)} claims in the cluster marked {Status(status).label}.")
    return _see_other(next_url)
