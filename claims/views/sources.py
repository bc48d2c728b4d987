"""Sources: the list, the name autocomplete every source field shares, and the source page (GET,
and POST for its staff actions: edit, merge)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from claims import selectors
from claims.forms import ListForm, SourceEditForm, SourceMergeForm, form_errors_text
from claims.models import Source
from claims.services import source_find, source_merge, source_update
from claims.views.common import bad_request_response, posted_action, see_other, staff_post

# The name comes from whichever field asked: a claim's source, an affiliation, a merge, a filter.
AUTOCOMPLETE_FIELDS = ("q", "source_name", "affiliation", "other", "publisher_name")


@require_GET
def source_list(request):
    form = ListForm(request.GET)
    if not form.is_valid():
        return bad_request_response(request, f"Invalid parameters. {form_errors_text(form)}")
    page_no = form.cleaned_data.get("page") or 1
    rows, has_more = selectors.source_list(q=form.cleaned_data.get("q") or "", page=page_no)
    context = {"sources": rows, "has_more": has_more, "page_no": page_no, "form": form}
    return render(request, "claims/source_list.html", context)


@require_GET
def source_autocomplete(request):
    q = next((request.GET[k] for k in AUTOCOMPLETE_FIELDS if request.GET.get(k)), "")
    if len(q) > 300 or "\x00" in q:
        return bad_request_response(request, "The name is too long or not text.")
    return render(request, "claims/source_list.html#options", {"options": selectors.source_autocomplete(q=q)})


def _source_page(request, source: Source, *, status: int = 200, **forms):
    context = {
        "source": source,
        "aliases": source.aliases.order_by("name"),
        "members": source.members.only("id", "name").order_by("name")[:50],
        "track": selectors.source_track_record(source=source),
        "claims": selectors.source_claims(source=source),
        "edit_form": forms.get("edit_form")
        or SourceEditForm(
            initial={
                "kind": source.kind,
                "reliability": source.reliability,
                "affiliation": source.affiliation.name if source.affiliation else "",
                "notes": source.notes,
            }
        ),
        "merge_form": forms.get("merge_form") or SourceMergeForm(),
        "grade_history": selectors.source_grade_history(source=source),
    }
    return render(request, "claims/source_detail.html", context, status=status)


def _edit(request, source: Source):
    form = SourceEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        affiliation = source_find(name=data["affiliation"]) if data["affiliation"] else None
        if data["affiliation"] and affiliation is None:
            form.add_error("affiliation", "No source has this name or alias.")
        else:
            try:
                source_update(
                    source=source,
                    actor=request.user,
                    kind=data["kind"],
                    reliability=data["reliability"],
                    affiliation=affiliation,
                    notes=data["notes"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Source saved.")
                return see_other(source.get_absolute_url())
    return _source_page(request, source, status=400, edit_form=form)


def _merge(request, source: Source):
    """Merge another source into this one: first a page showing what moves, then, confirmed, the merge."""
    form = SourceMergeForm(request.POST)
    if form.is_valid():
        other_id = form.cleaned_data["other_id"]
        # The confirmation names the exact source previewed; the first step finds it by name.
        other = Source.objects.filter(pk=other_id).first() if other_id else source_find(name=form.cleaned_data["other"])
        if other is None:
            form.add_error("other", "No source has this name or alias (any more).")
        elif other.pk == source.pk:
            form.add_error("other", "That is this source.")
        elif not form.cleaned_data["confirm"]:
            preview = selectors.source_merge_preview(keep=source, merge=other)
            return render(request, "claims/source_merge_confirm.html", {"preview": preview})
        else:
            source_merge(keep=source, merge=other, actor=request.user)
            messages.success(request, f"Merged “{other.name}” into “{source.name}”.")
            return see_other(source.get_absolute_url())
    return _source_page(request, source, status=400, merge_form=form)


SOURCE_ACTIONS = {"edit": _edit, "merge": _merge}


@require_http_methods(["GET", "POST"])
@staff_post
def source_detail(request, pk: int, action: str = ""):
    """The source page; a POST (staff only) runs the action its submit button names (`action`), or
    the one the older per-action URLs (claims:source_edit, claims:source_merge) stand for."""
    source = get_object_or_404(Source.objects.select_related("affiliation"), pk=pk)
    if request.method == "GET":
        return _source_page(request, source)
    handler = posted_action(request, SOURCE_ACTIONS, default=action)
    if handler is None:
        return bad_request_response(request, "Choose edit or merge.")
    return handler(request, source)
