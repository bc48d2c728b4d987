"""Articles: the list, the reader (the article with its claims highlighted) and adding a claim over
a selection in the reader."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from claims import selectors
from claims.forms import ClaimAddForm, ListForm, form_errors_text
from claims.models import Article
from claims.services import claim_create
from claims.views.claims import UNKNOWN_SOURCE, chosen_source
from claims.views.common import analysts_post, bad_request_response, message_of, see_other


@require_GET
def article_list(request):
    form = ListForm(request.GET)
    if not form.is_valid():
        return bad_request_response(request, f"Invalid parameters. {form_errors_text(form)}")
    page_no = form.cleaned_data.get("page") or 1
    rows, has_more = selectors.article_list(page=page_no, q=form.cleaned_data.get("q") or "")
    context = {"articles": rows, "has_more": has_more, "page_no": page_no, "form": form}
    return render(request, "claims/article_list.html", context)


def _reader_context(article: Article) -> dict:
    claims = selectors.article_claims(article=article)
    return {
        "article": article,
        "claims": claims,
        "segments": selectors.article_segments(body=article.body, claims=claims),
    }


@require_GET
def article_detail(request, pk: int):
    article = get_object_or_404(Article.objects.select_related("publisher"), pk=pk)
    context = _reader_context(article)
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
@analysts_post
def claim_add(request, pk: int):
    """Add a claim over a selection in the reader (created_by = you)."""
    article = get_object_or_404(Article.objects.select_related("publisher"), pk=pk)
    form = ClaimAddForm(request.POST)
    if not form.is_valid():
        return bad_request_response(request, f"Claim not added. {form_errors_text(form)}")
    data = form.cleaned_data
    span = _locate(article.body, data["start"], data["end"], data["text"])
    if span is None:
        return bad_request_response(request, "Claim not added: the selection does not match the article text.")
    try:
        source = chosen_source(form, request.user)
        if source is None:
            return bad_request_response(request, f"Claim not added: {UNKNOWN_SOURCE[0].lower()}{UNKNOWN_SOURCE[1:]}")
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
        return bad_request_response(request, f"Claim not added. {message_of(error)}")
    if request.htmx:
        context = _reader_context(article)
        context["added"] = claim
        return render(request, "claims/article_detail.html#reader", context)
    messages.success(request, "Claim added.")
    return see_other(f"{article.get_absolute_url()}#claim-{claim.pk}")
