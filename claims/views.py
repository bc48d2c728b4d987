"""Web views. Function views: parse the request, call a service or selector, render.

Every write checks the user's role here and again in the service. With htmx a view answers the
fragment it changed; without it, a redirect (303) back, so every action also works without JavaScript.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from claims import selectors
from claims.forms import (
    AssignForm,
    BulkDecisionForm,
    ClaimAddForm,
    DecisionForm,
    ListForm,
    QueueFilterForm,
    SourceChoiceForm,
    SourceEditForm,
    SourceMergeForm,
    SpanForm,
    form_errors_text,
)
from claims.models import Article, Claim, Source, Status
from claims.roles import user_can_decide
from claims.selectors.corroboration import claim_corroboration
from claims.services import (
    DecisionUnchangedError,
    StaleVersionError,
    claim_assign,
    claim_create,
    claim_decide,
    claim_update,
    claims_decide,
    source_create,
    source_find,
    source_merge,
    source_update,
)

QUEUE_PARAMS = (
    "status",
    "source",
    "article",
    "q",
    "assignee",
    "hedged",
    "language",
    "sort",
    "publisher",
    "from",
    "to",
    "hint",
    "credibility",
    "collapse",
)
# Who answers a decision: the htmx target names the page region that asked (HX-Target).
PANEL_TARGET = "claim-panel"  # the reader's side panel
CLAIM_PAGE_TARGET = "claim-decide"  # the claim page's decide region


@login_not_required
@require_GET
def healthz(request):
    """Liveness: answers without touching the database or the session."""
    return HttpResponse("ok", content_type="text/plain")


def bad_request(request, exception=None):
    """handler400: say what was wrong with the request (too many files, fields or bytes), not just 400."""
    if isinstance(exception, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        message = (
            f"Too many files in one upload: at most {limit} at a time. Upload them in batches, or put them "
            "in a .zip archive and upload that one file."
        )
    elif isinstance(exception, TooManyFieldsSent):
        message = f"Too many form fields in one request (at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})."
    elif isinstance(exception, RequestDataTooBig):
        message = f"The request is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes (not counting files)."
    else:
        message = "Bad request: the server could not read it."
    return render(request, "claims/error.html", {"message": message, "status": 400}, status=400)


# --- helpers -----------------------------------------------------------------------------------


def _error(request, message: str, status: int):
    """A clear error: plain text for htmx (shown in the page's alert region), a page otherwise."""
    if request.htmx:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return render(request, "claims/error.html", {"message": message, "status": status}, status=status)


def _bad_request(request, message: str):
    return _error(request, message, 400)


def _forbidden(request, message: str):
    return _error(request, message, 403)


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _next_url(request, default: str) -> str:
    """The `next` field or parameter when it points into this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _queue_params(query: QueryDict, resolved: dict | None = None) -> QueryDict:
    """Only the queue's filter parameters that are set (no page or cursor): links and pushed URLs.

    `resolved` holds ids the filter form found for names (`source_name` -> `source`): the URL keeps
    the id, so a link names one source whatever its aliases.
    """
    params = QueryDict(mutable=True)
    for name in QUEUE_PARAMS:
        value = (resolved or {}).get(name) or query.get(name, "").strip()
        if value and not (name == "sort" and value == "newest"):  # the default stays out of URLs
            params[name] = str(value)
    return params


def _params_of(url: str) -> QueryDict:
    return _queue_params(QueryDict(urlsplit(url).query))


def _message_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- dashboard ---------------------------------------------------------------------------------


@require_GET
def dashboard(request):
    context = {
        "counts": selectors.status_counts(),
        "mine": selectors.my_assigned_claims(user=request.user),
        "recent": selectors.recent_decisions(),
        "undecided_articles": selectors.articles_most_undecided(),
        "can_decide": user_can_decide(request.user),
        "filter_params": QueryDict(),
    }
    return render(request, "claims/dashboard.html", context)


# --- queue -------------------------------------------------------------------------------------


def _queue_context(request, filters, filter_params: QueryDict, next_url: str) -> dict:
    return {
        # Read only if the template shows the counters ("load more" does not).
        "counts": SimpleLazyObject(selectors.status_counts),
        "can_decide": user_can_decide(request.user),
        "filter_params": filter_params,
        "next_url": next_url,
        "filters": filters,
    }


@require_GET
def queue(request):
    """The triage queue: filters in the URL, keyset "load more" (`after`) or 1-based `page`."""
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, f"Invalid queue parameters. {form_errors_text(form)}")
    filters = form.to_filters(request.user)
    after, page_no = form.cleaned_data.get("after"), form.cleaned_data.get("page")
    page = selectors.claim_queue(filters=filters, after=after, page=page_no)
    filter_params = _queue_params(request.GET, {"source": filters.source, "publisher": filters.publisher})
    canonical = reverse("claims:queue") + (f"?{filter_params.urlencode()}" if filter_params else "")
    context = _queue_context(request, filters, filter_params, request.get_full_path())
    context.update(
        form=form,
        page=page,
        canonical_url=canonical,
        source_filter=Source.objects.only("id", "name").filter(pk=filters.source).first() if filters.source else None,
        publisher_filter=Source.objects.only("id", "name").filter(pk=filters.publisher).first()
        if filters.publisher
        else None,
        article_filter=Article.objects.only("id", "title").filter(pk=filters.article).first()
        if filters.article
        else None,
        statuses=Status.choices,
    )
    if not (request.htmx and request.htmx.target == "queue-body"):
        context["live"] = selectors.live_start()
    template = "claims/queue.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#more" if request.htmx.target == "queue-body" else "#results"
    response = render(request, template, context)
    if request.htmx and template.endswith("#results"):
        response["HX-Push-Url"] = canonical
    patch_vary_headers(response, ["HX-Request"])
    return response


def _decision_response(request, claim_pk: int, *, next_url: str, status: int = 200, **extra):
    """The fragment for the region that asked (HX-Target): the reader's panel, the claim page's
    decide region, or (the default) the queue row with the counters and the panel's message."""
    target = request.htmx.target if request.htmx else ""
    context = {"can_decide": True, "next_url": next_url, **extra}
    if target == PANEL_TARGET:
        context.update(_panel_context(claim_pk))
        template = "claims/includes/claim_panel.html"
    elif target == CLAIM_PAGE_TARGET:
        claim = _get_claim(claim_pk)
        context.update(claim=claim, decisions=selectors.claim_decisions(claim=claim), oob=True)
        template = "claims/claim_detail.html#decide"
    else:
        context.update(
            c=selectors.claim_queue_rows(ids=[claim_pk])[0],
            counts=selectors.status_counts(),
            filter_params=_params_of(next_url),
            oob=True,
        )
        template = "claims/queue.html#decided"
    response = render(request, template, context, status=status)
    response["X-Verifier-Decision"] = extra.get("decision_outcome", "")
    return response


@require_POST
def set_status(request, pk: int):
    """Record a decision (CONTRACT.md): the asking region's fragment with htmx, 409 + the current
    state (and what was tried) when stale; a decision that changes nothing records nothing."""
    if not user_can_decide(request.user):
        return _forbidden(request, "Only analysts may decide on claims. Your account can only read.")
    claim = get_object_or_404(Claim.objects.only("id", "version", "status"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, f"Decision not recorded. {form_errors_text(form)}")
    data = form.cleaned_data
    next_url = _next_url(request, reverse("claims:queue"))
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
        latest = selectors.claim_latest_decision(claim_id=claim.pk)
        current = stale.claim
        conflict = {
            "claim_id": claim.pk,
            "version": current.version,
            "status": data["status"],
            "label": label,
            "note": data["note"],
            "evidence_url": data["evidence_url"],
            "by": latest.analyst.username if latest else "someone",
            "at": latest.created_at if latest else None,
            "their_label": current.shown_status_label,
            "their_note": latest.note if latest else "",
        }
        message = f"Not saved: claim {claim.pk} was changed by {conflict['by']} to {conflict['their_label']}."
        if not request.htmx:
            context = {
                "c": selectors.claim_queue_rows(ids=[claim.pk])[0],
                "conflict": conflict,
                "can_decide": True,
                "next_url": next_url,
                "stale_version": stale.claim.version,
            }
            return render(request, "claims/conflict.html", context, status=409)
        return _decision_response(
            request,
            claim.pk,
            next_url=next_url,
            status=409,
            conflict=conflict,
            decision_outcome="conflict",
            decision_message=message,
        )
    except DecisionUnchangedError:
        message = f"Claim {claim.pk} is already {label}: nothing recorded."
        if not request.htmx:
            messages.info(request, message)
            return _see_other(next_url)
        return _decision_response(
            request, claim.pk, next_url=next_url, decision_outcome="unchanged", decision_message=message
        )
    except ValidationError as error:
        return _bad_request(request, f"Decision not recorded. {_message_of(error)}")
    except PermissionDenied as error:
        return _forbidden(request, str(error))
    message = f"Claim {claim.pk} marked {label}."
    if request.htmx:
        return _decision_response(
            request, claim.pk, next_url=next_url, decision_outcome="recorded", decision_message=message
        )
    messages.success(request, message)
    return _see_other(next_url)


@require_POST
def bulk_set_status(request):
    """Decide the selected claims in one request; each gets its own VerificationStatus."""
    if not user_can_decide(request.user):
        return _forbidden(request, "Only analysts may decide on claims. Your account can only read.")
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        if "ids" in form.errors and not request.POST.getlist("ids"):
            return _bad_request(request, "Select at least one claim first.")
        return _bad_request(request, f"Nothing recorded. {form_errors_text(form)}")
    ids = form.cleaned_data["ids"]
    claims = list(Claim.objects.only("id", "version", "status").filter(pk__in=ids))
    missing = sorted(set(ids) - {c.pk for c in claims})
    if missing:
        return _bad_request(request, f"Nothing recorded: no claim {', '.join(map(str, missing))}.")
    status = form.cleaned_data["status"]
    # The versions the analyst saw (one hidden `v<id>` field per queue row): a claim decided by
    # someone else meanwhile stops the whole bulk decision instead of silently overriding it.
    versions = {pk: int(v) for pk in ids if (v := request.POST.get(f"v{pk}", "")).isdigit() and len(v) < 10}
    next_url = _next_url(request, reverse("claims:queue"))
    try:
        recorded = claims_decide(
            claims=claims, status=status, analyst=request.user, note=form.cleaned_data["note"], versions=versions
        )
    except StaleVersionError as stale:
        message = (
            f"Nothing recorded: claim {stale.claim.pk} was decided by someone else since you loaded it "
            f"(now {Status(stale.claim.status).label}). Its row is refreshed; check it and decide again."
        )
        if not request.htmx:
            messages.error(request, message)
            return _see_other(next_url)
        context = {
            "rows": selectors.claim_queue_rows(ids=ids),
            "can_decide": True,
            "next_url": next_url,
            "counts": selectors.status_counts(),
            "filter_params": _params_of(next_url),
            "oob": True,
            "message": message,
        }
        return render(request, "claims/queue.html#bulk_done", context, status=409)
    except ValidationError as error:
        return _bad_request(request, f"Nothing recorded. {_message_of(error)}")
    except PermissionDenied as error:
        return _forbidden(request, str(error))
    n = len(recorded)
    message = f"{n} claim{'s' if n != 1 else ''} marked {Status(status).label}."
    if n < len(claims):
        message += f" {len(claims) - n} already {Status(status).label}: nothing recorded for them."
    if request.htmx:
        context = {
            "rows": selectors.claim_queue_rows(ids=ids),
            "can_decide": True,
            "next_url": next_url,
            "counts": selectors.status_counts(),
            "filter_params": _params_of(next_url),
            "oob": True,
            "message": message,
        }
        return render(request, "claims/queue.html#bulk_done", context)
    messages.success(request, message)
    return _see_other(next_url)


# --- claim detail ------------------------------------------------------------------------------


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
        "can_decide": user_can_decide(request.user),
        "statuses": Status.choices,
        "span_form": forms.get("span_form") or SpanForm(initial={"start": claim.start, "end": claim.end}),
        "live": selectors.live_start(),
        "source_form": forms.get("source_form") or SourceChoiceForm(initial={"source_name": claim.source.name}),
        "next_url": request.path,
        "corroboration": claim_corroboration(claim=claim),
    }
    return render(request, "claims/claim_detail.html", context, status=status)


def _get_claim(pk: int) -> Claim:
    try:
        return selectors.claim_detail(pk=pk)
    except Claim.DoesNotExist:
        raise Http404("No such claim.")


@require_GET
def claim_detail(request, pk: int):
    return _claim_page(request, _get_claim(pk))


@require_POST
def claim_assign_view(request, pk: int):
    if not user_can_decide(request.user):
        return _forbidden(request, "Only analysts may assign claims.")
    claim = get_object_or_404(Claim, pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, "Choose assign or unassign.")
    assign = form.cleaned_data["action"] == "assign"
    claim_assign(claim=claim, assignee=request.user if assign else None, actor=request.user)
    messages.success(request, "Assigned to you." if assign else "Unassigned.")
    return _see_other(_next_url(request, claim.get_absolute_url()))


def _chosen_source(form, actor) -> Source | None:
    """The source the form names (name or alias), created when asked; None if unknown."""
    name = form.cleaned_data["source_name"]
    source = source_find(name=name)
    if source is None and form.cleaned_data.get("create"):
        source = source_create(name=name, kind=form.cleaned_data["kind"], actor=actor)
    return source


@require_POST
def claim_change_source(request, pk: int):
    if not user_can_decide(request.user):
        return _forbidden(request, "Only analysts may edit claims.")
    claim = _get_claim(pk)
    form = SourceChoiceForm(request.POST)
    if form.is_valid():
        try:
            source = _chosen_source(form, request.user)
        except ValidationError as error:
            form.add_error("source_name", error)
        else:
            if source is None:
                form.add_error("source_name", "No source has this name or alias. Tick “Create a new source” to add it.")
            else:
                claim_update(claim=claim, actor=request.user, source=source)
                messages.success(request, f"Source changed to {source.name}.")
                return _see_other(claim.get_absolute_url())
    return _claim_page(request, claim, status=400, source_form=form)


@require_POST
def claim_edit_span(request, pk: int):
    if not user_can_decide(request.user):
        return _forbidden(request, "Only analysts may edit claims.")
    claim = _get_claim(pk)
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
            return _see_other(claim.get_absolute_url())
    return _claim_page(request, claim, status=400, span_form=form)


# --- articles ----------------------------------------------------------------------------------


@require_GET
def article_list(request):
    form = ListForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, f"Invalid parameters. {form_errors_text(form)}")
    page_no = form.cleaned_data.get("page") or 1
    rows, has_more = selectors.article_list(page=page_no, q=form.cleaned_data.get("q") or "")
    context = {"articles": rows, "has_more": has_more, "page_no": page_no, "form": form}
    return render(request, "claims/article_list.html", context)


def _reader_context(request, article: Article) -> dict:
    claims = selectors.article_claims(article=article)
    return {
        "article": article,
        "claims": claims,
        "segments": selectors.article_segments(body=article.body, claims=claims),
        "can_decide": user_can_decide(request.user),
    }


@require_GET
def article_detail(request, pk: int):
    article = get_object_or_404(Article.objects.select_related("publisher"), pk=pk)
    context = _reader_context(request, article)
    context["add_form"] = ClaimAddForm(initial={"kind": "organization"})
    context["live"] = selectors.live_start()
    return render(request, "claims/article_detail.html", context)


def _locate(body: str, start: int, end: int, text: str) -> tuple[int, int] | None:
    """The span the reader meant: [start:end] if it holds `text`, else the nearest exact `text`."""
    if not text or body[start:end] == text:
        return (start, end) if 0 <= start < end <= len(body) else None
    best, i = None, body.find(text)
    while i >= 0:
        if best is None or abs(i - start) < abs(best - start):
            best = i
        i = body.find(text, i + 1)
    return None if best is None else (best, best + len(text))


@require_POST
def claim_add(request, pk: int):
    """Add a claim over a selection in the reader (created_by = you)."""
    if not user_can_decide(request.user):
        return _forbidden(request, "Only analysts may add claims.")
    article = get_object_or_404(Article.objects.select_related("publisher"), pk=pk)
    form = ClaimAddForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, f"Claim not added. {form_errors_text(form)}")
    data = form.cleaned_data
    span = _locate(article.body, data["start"], data["end"], data["text"])
    if span is None:
        return _bad_request(request, "Claim not added: the selection does not match the article text.")
    try:
        source = _chosen_source(form, request.user)
        if source is None:
            return _bad_request(
                request, "Claim not added: no source has this name or alias. Tick “Create a new source” to add it."
            )
        claim = claim_create(
            article=article,
            start=span[0],
            end=span[1],
            source=source,
            actor=request.user,
            via=data["via"],
            hedged=data["hedged"],
        )
    except ValidationError as error:
        return _bad_request(request, f"Claim not added. {_message_of(error)}")
    if request.htmx:
        context = _reader_context(request, article)
        context["added"] = claim
        return render(request, "claims/article_detail.html#reader", context)
    messages.success(request, "Claim added.")
    return _see_other(f"{article.get_absolute_url()}#claim-{claim.pk}")


# --- sources -----------------------------------------------------------------------------------


@require_GET
def source_list(request):
    form = ListForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, f"Invalid parameters. {form_errors_text(form)}")
    page_no = form.cleaned_data.get("page") or 1
    rows, has_more = selectors.source_list(q=form.cleaned_data.get("q") or "", page=page_no)
    context = {"sources": rows, "has_more": has_more, "page_no": page_no, "form": form}
    return render(request, "claims/source_list.html", context)


@require_GET
def source_autocomplete(request):
    # The name comes from whichever field asked: a claim's source, an affiliation, a merge.
    q = next((request.GET[k] for k in ("q", "source_name", "affiliation", "other") if request.GET.get(k)), "")
    if len(q) > 300 or "\x00" in q:
        return _bad_request(request, "The name is too long or not text.")
    return render(request, "claims/source_list.html#options", {"options": selectors.source_autocomplete(q=q)})


def _source_page(request, source: Source, *, status: int = 200, **forms):
    is_staff = request.user.is_staff
    context = {
        "source": source,
        "aliases": source.aliases.order_by("name"),
        "members": source.members.only("id", "name").order_by("name")[:50],
        "track": selectors.source_track_record(source=source),
        "claims": selectors.source_claims(source=source),
        "is_staff": is_staff,
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


@require_GET
def source_detail(request, pk: int):
    return _source_page(request, get_object_or_404(Source.objects.select_related("affiliation"), pk=pk))


@require_POST
def source_edit(request, pk: int):
    if not request.user.is_staff:
        return _forbidden(request, "Only staff may edit sources.")
    source = get_object_or_404(Source.objects.select_related("affiliation"), pk=pk)
    form = SourceEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        affiliation = None
        if data["affiliation"]:
            affiliation = source_find(name=data["affiliation"])
            if affiliation is None:
                form.add_error("affiliation", "No source has this name or alias.")
        if not form.errors:
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
                return _see_other(source.get_absolute_url())
    return _source_page(request, source, status=400, edit_form=form)


@require_POST
def source_merge_view(request, pk: int):
    """Merge another source into this one: first a page showing what moves, then, confirmed, the merge."""
    if not request.user.is_staff:
        return _forbidden(request, "Only staff may merge sources.")
    source = get_object_or_404(Source.objects.select_related("affiliation"), pk=pk)
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
            return _see_other(source.get_absolute_url())
    return _source_page(request, source, status=400, merge_form=form)


# --- reader panel ------------------------------------------------------------------------------


def _panel_context(pk: int) -> dict:
    claim = _get_claim(pk)
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
        return _see_other(reverse("claims:claim_detail", kwargs={"pk": pk}))
    context = _panel_context(pk)
    context.update(can_decide=user_can_decide(request.user), next_url=request.GET.get("next", ""))
    return render(request, "claims/includes/claim_panel.html", context)


# --- live updates ------------------------------------------------------------------------------

LIVE_VIEWS = ("queue", "reader", "claim")


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@require_GET
def live(request):
    """What changed since the page's cursor (polled every few seconds by open pages): rows, highlights
    or the claim's status and history, out of band, and the poller itself with the next cursor."""
    view = request.GET.get("view", "")
    since = selectors.LiveCursor.parse(request.GET.get("since", ""))
    if view not in LIVE_VIEWS or since is None:
        return _bad_request(request, "Live updates need a view and a cursor.")
    article, claim_pk = _int_param(request, "article"), _int_param(request, "claim")
    result = selectors.live_changes(
        since=since,
        user_id=request.user.pk,
        article=article if view == "reader" else None,
        claim=claim_pk if view == "claim" else None,
    )
    shown = {int(i) for i in request.GET.get("ids", "").split(",")[:500] if i.isdigit() and len(i) < 19}
    latest: dict[int, selectors.LiveChange] = {}
    for change in result.changes:
        latest[change.claim_id] = change
    context = {
        "live": result.cursor,
        "live_view": view,
        "live_article": article,
        "live_claim": claim_pk,
        "live_new": (_int_param(request, "new") or 0) + result.new_claims,
        "changes": list(latest.values()),
        "can_decide": SimpleLazyObject(lambda: user_can_decide(request.user)),
    }
    if view == "queue":
        ids = [pk for pk in latest if pk in shown]
        rows = selectors.claim_queue_rows(ids=ids) if ids else []
        for row in rows:
            row.live_change = latest[row.pk].text
        # The counters' links keep the page's filters (live.js sends them as `filters`).
        filter_params = _queue_params(QueryDict(request.GET.get("filters", "")[:2000]))
        context.update(rows=rows, filter_params=filter_params, next_url=reverse("claims:queue"))
        if any(c.kind == "decision" for c in result.changes):
            context.update(counts=selectors.status_counts(), oob_counters=True)
    elif view == "claim" and claim_pk is not None and latest.get(claim_pk):
        claim = _get_claim(claim_pk)
        context.update(claim=claim, decisions=selectors.claim_decisions(claim=claim), claim_changed=latest[claim_pk])
    return render(request, "claims/includes/live.html", context)
