"""Export downloads: the queue's current selection, and the admin's selected claims, streamed."""

from django.contrib import admin, messages
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from claims import selectors
from claims.exporting import (
    CONTENT_TYPES,
    FORMATS,
    VERDICTS,
    ExportError,
    export_filename,
    reviewed_claims,
    site_base_url,
    verifiable_stream,
)
from claims.forms import QueueFilterForm, form_errors_text


def export_response(claims, *, format: str, kind: str = "claims", request=None) -> StreamingHttpResponse:
    """A streamed download of `claims` in `format` (raises ExportError for an impossible export);
    claim links use VERIFIER_ORG_URL or the request's host.

    CSV and JSONL end with a trailer line holding the row count (claims.exporting.verifiable_stream).
    """
    stream = verifiable_stream(claims, format=format, kind=kind, base_url=site_base_url(request))
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPES[format])
    filename = export_filename(format=format, kind=kind, stamp=timezone.now())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    if format in ("csv", "jsonl"):
        response["X-Export-Trailer"] = "the last line states the row count; a download without it was cut short"
    return response


def _plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_GET
def export_download(request):
    """`claims:export`: `format` (claimreview|csv|jsonl), `history=1` for decisions, and the queue's
    filters (`status`, `source`, `article`, `q`, ...) exactly as the queue reads them."""
    fmt = request.GET.get("format", "")
    if fmt not in FORMATS:
        return _plain(400, f"Unknown export format {fmt!r}: use format={', format='.join(FORMATS)}.")
    history = request.GET.get("history", "") in {"1", "true", "yes", "on"}
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        return _plain(400, f"Invalid filters; nothing exported. {form_errors_text(form)}")
    filters = form.to_filters(request.user)
    if fmt == "claimreview" and filters.status and filters.status not in VERDICTS:
        return _plain(400, f"Claims with status {filters.status!r} have no verdict: nothing exports as ClaimReview.")
    # The queue's own filtering (claims.selectors), so the export is exactly what the queue shows.
    claims = selectors.claim_queue_queryset(filters=filters)
    try:
        return export_response(claims, format=fmt, kind="decisions" if history else "claims", request=request)
    except ExportError as error:
        return _plain(400, str(error))


# --- admin actions (ClaimAdmin) ----------------------------------------------------------------


@admin.action(description="Export selected claims as CSV")
def export_selected_csv(modeladmin, request, queryset):
    return export_response(queryset, format="csv", request=request)


@admin.action(description="Export selected claims as ClaimReview (JSON-LD)")
def export_selected_claimreview(modeladmin, request, queryset):
    if not reviewed_claims(queryset).exists():
        modeladmin.message_user(
            request,
            "None of the selected claims has a verdict (confirmed or unverified, decided at least once); "
            "nothing to export as ClaimReview.",
            messages.WARNING,
        )
        return None
    return export_response(queryset, format="claimreview", request=request)
