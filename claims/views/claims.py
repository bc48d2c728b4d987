"""The claim page (`claim_detail`: GET, and POST for its actions: assign, unassign, change the
source, edit the span; the corroboration actions are in views/corroboration.py) and the reader's
side panel for one claim (`claim_panel`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from claims import selectors
from claims.forms import SourceChoiceForm, SpanForm
from claims.models import Claim, Source
from claims.selectors.corroboration import claim_corroboration
from claims.services import claim_assign, claim_update, source_create, source_find
from claims.views.common import analysts_post, bad_request_response, next_url, posted_action, see_other

UNKNOWN_SOURCE = "No source has this name or alias. Tick “Create a new source” to add it."


def get_claim(pk: int) -> Claim:
    try:
        return selectors.claim_detail(pk=pk)
    except Claim.DoesNotExist:
        raise Http404("No such claim.")


def chosen_source(form, actor) -> Source | None:
    """The source the form names (name or alias), created when asked; None if unknown."""
    name = form.cleaned_data["source_name"]
    source = source_find(name=name)
    if source is None and form.cleaned_data.get("create"):
        source = source_create(name=name, kind=form.cleaned_data["kind"], actor=actor)
    return source


def _claim_page(request, claim: Claim, *, status: int = 200, **forms):
    before, text, after = selectors.claim_context(claim=claim)
    context = {
        "claim": claim,
        "before": before,
        "highlight": text,
        "after": after,
        "decisions": selectors.claim_decisions(claim=claim),
        "history": selectors.claim_history(claim=claim),
        "aliases": claim.source.aliases.order_by("name"),
        "span_form": forms.get("span_form") or SpanForm(initial={"start": claim.start, "end": claim.end}),
        "live": selectors.live_start(),
        "source_form": forms.get("source_form") or SourceChoiceForm(initial={"source_name": claim.source.name}),
        "next_url": claim.get_absolute_url(),
        "corroboration": claim_corroboration(claim=claim),
    }
    return render(request, "claims/claim_detail.html", context, status=status)


# --- the claim page's actions: each takes the request and the claim, and answers -------------


def _assign(request, claim: Claim, *, assign: bool = True):
    claim_assign(claim=claim, assignee=request.user if assign else None, actor=request.user)
    messages.success(request, "Assigned to you." if assign else "Unassigned.")
    return see_other(next_url(request, claim.get_absolute_url()))


def _unassign(request, claim: Claim):
    return _assign(request, claim, assign=False)


def _change_source(request, claim: Claim):
    form = SourceChoiceForm(request.POST)
    if form.is_valid():
        try:
            source = chosen_source(form, request.user)
        except ValidationError as error:
            form.add_error("source_name", error)
        else:
            if source is None:
                form.add_error("source_name", UNKNOWN_SOURCE)
            else:
                claim_update(claim=claim, actor=request.user, source=source)
                messages.success(request, f"Source changed to {source.name}.")
                return see_other(claim.get_absolute_url())
    return _claim_page(request, claim, status=400, source_form=form)


def _edit_span(request, claim: Claim):
    form = SpanForm(request.POST)
    if form.is_valid():
        try:
            claim_update(
                claim=claim, actor=request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Span updated.")
            return see_other(claim.get_absolute_url())
    return _claim_page(request, claim, status=400, span_form=form)


CLAIM_ACTIONS = {"assign": _assign, "unassign": _unassign, "source": _change_source, "span": _edit_span}


@require_http_methods(["GET", "POST"])
@analysts_post
def claim_detail(request, pk: int, action: str = ""):
    """The claim page; a POST runs the action its submit button names (`action`), or the one the
    older per-action URLs (claims:claim_assign, claim_source, claim_span) stand for."""
    claim = get_claim(pk)
    if request.method == "GET":
        return _claim_page(request, claim)
    handler = posted_action(request, CLAIM_ACTIONS, default=action)
    if handler is None:
        return bad_request_response(request, "Choose assign, unassign, change source or edit span.")
    return handler(request, claim)


# --- the reader's side panel -------------------------------------------------------------------


def panel_context(pk: int) -> dict:
    claim = get_claim(pk)
    return {
        "claim": claim,
        "aliases": [a.name for a in claim.source.aliases.order_by("name") if a.name != claim.source.name],
        "track": selectors.source_track_record(source=claim.source_id),
        "latest": selectors.claim_latest_decision(claim_id=claim.pk),
        "corroboration": claim_corroboration(claim=claim),  # "also reported by", credibility (issue 15)
    }


@require_GET
def claim_panel(request, pk: int):
    """The reader's side panel for one claim: its source, wording, status and the decide controls.
    Without htmx (a plain link), the claim page itself."""
    if not request.htmx:
        return see_other(reverse("claims:claim_detail", kwargs={"pk": pk}))
    context = panel_context(pk)
    context["next_url"] = request.GET.get("next", "")
    return render(request, "claims/includes/claim_panel.html", context)
