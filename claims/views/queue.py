"""The triage queue: filters in the URL, keyset "load more" or numbered pages, htmx fragments."""

from urllib.parse import urlsplit

from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from claims import selectors
from claims.forms import QueueFilterForm, form_errors_text
from claims.models import Article, Source
from claims.views.common import bad_request_response

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


def queue_params(query: QueryDict, resolved: dict | None = None) -> QueryDict:
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


def params_of(url: str) -> QueryDict:
    """The queue filters of a queue URL (a decision's `next`): the counters' links keep them."""
    return queue_params(QueryDict(urlsplit(url).query))


def _named(model, pk, field: str):
    return model.objects.only("id", field).filter(pk=pk).first() if pk else None


@require_GET
def queue(request):
    """The triage queue: filters in the URL, keyset "load more" (`after`) or 1-based `page`."""
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        return bad_request_response(request, f"Invalid queue parameters. {form_errors_text(form)}")
    filters = form.to_filters(request.user)
    after, page_no = form.cleaned_data.get("after"), form.cleaned_data.get("page")
    page = selectors.claim_queue(filters=filters, after=after, page=page_no)
    filter_params = queue_params(request.GET, {"source": filters.source, "publisher": filters.publisher})
    canonical = reverse("claims:queue") + (f"?{filter_params.urlencode()}" if filter_params else "")
    context = {
        # Read only if the template shows the counters ("load more" does not).
        "counts": SimpleLazyObject(selectors.status_counts),
        "filter_params": filter_params,
        "next_url": request.get_full_path(),
        "filters": filters,
        "form": form,
        "page": page,
        "canonical_url": canonical,
        "source_filter": _named(Source, filters.source, "name"),
        "publisher_filter": _named(Source, filters.publisher, "name"),
        "article_filter": _named(Article, filters.article, "title"),
    }
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
