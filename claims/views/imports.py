"""Import pages: the admin upload with its dry-run preview, and the import job page (staff only).

Nothing here reads or extracts the uploaded records, or changes a job's state: the preview and the
import run as tasks (claims.tasks), through the job lifecycle service (claims.services.imports).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from claims.models import ImportJob
from claims.roles import user_can_import
from claims.services import (
    import_job_cancel,
    import_job_confirm,
    import_job_resume,
    import_preview_create,
)

PREVIEW_ROWS = 500
REJECTIONS_PER_PAGE = 100


def _require_staff(request) -> None:
    if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
        raise PermissionDenied("Imports are for staff.")


def _job_context(job: ImportJob) -> dict:
    articles = job.articles.count()
    extracted = job.articles.filter(extracted_at__isnull=False).count() if articles else 0
    return {
        "job": job,
        "polling": not job.dry_run and job.state in {ImportJob.State.PENDING, ImportJob.State.RUNNING},
        "stale": job.is_stalled,
        "resumable": job.is_resumable,
        "cancellable": not job.dry_run and not job.is_finished,
        "percent": round(100 * job.processed / job.total) if job.total else (100 if job.is_finished else 0),
        "articles": articles,
        "extracted": extracted,
    }


@require_http_methods(["GET", "POST"])
def import_job(request, pk: int):
    """The job page: progress, counts and errors; POST action=resume restarts a failed or stalled
    job, action=cancel stops one."""
    _require_staff(request)
    job = get_object_or_404(ImportJob, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in {"resume", "cancel"}:
            return HttpResponseBadRequest("Unknown action; use action=resume or action=cancel.")
        if not user_can_import(request.user):
            raise PermissionDenied("You may not run imports.")
        if action == "resume":
            if import_job_resume(job_id=job.pk) is None:
                messages.warning(request, "This import is not stopped; there is nothing to resume.")
            else:
                messages.success(request, "The import will resume; what it already stored is not imported twice.")
        elif import_job_cancel(job_id=job.pk):
            messages.success(request, "The import was cancelled; articles it stored keep their claims.")
        else:
            messages.warning(request, "This import has already ended.")
        return redirect("claims:import_job", pk=job.pk)
    template = "claims/import_job.html#progress" if request.htmx else "claims/import_job.html"
    return render(request, template, _job_context(job))


@require_GET
def import_job_progress(request, pk: int):
    """The progress partial alone (what the page polls every second while the job runs)."""
    _require_staff(request)
    job = get_object_or_404(ImportJob, pk=pk)
    return render(request, "claims/import_job.html#progress", _job_context(job))


# --- the admin "Import articles" pages (hooked in by ArticleAdmin.get_urls) ----------------------


def _admin_context(request, model_admin, title: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "max_file_mb": settings.VERIFIER_MAX_FILE_BYTES // (1024 * 1024),
    }


def _job_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such import.") from None


def admin_article_import(request, model_admin):
    """Upload files or a .zip -> the preview page (built by a task) -> "Confirm import" queues the job."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied("You may not add articles.")
    context = _admin_context(request, model_admin, "Import articles")
    action = request.POST.get("action") if request.method == "POST" else None
    if action in {"confirm", "discard"}:
        preview = get_object_or_404(
            ImportJob, pk=_job_id(request.POST.get("job")), dry_run=True, state=ImportJob.State.PENDING
        )
        if action == "discard":
            import_job_cancel(job_id=preview.pk)
            return redirect("admin:claims_article_import")
        job = import_job_confirm(job_id=preview.pk, user=request.user)
        if job is None:
            messages.warning(request, "This preview would create nothing (or is not ready yet); nothing was imported.")
            return redirect("admin:claims_article_import_preview", pk=preview.pk)
        messages.success(request, f"Import #{job.pk} started.")
        return redirect(reverse("claims:import_job", kwargs={"pk": job.pk}))
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if not files:
            context["error"] = "Choose one or more files (or a .zip) to import."
            return render(request, "admin/claims/article/import.html", context, status=400)
        job = import_preview_create(user=request.user, uploads=files)
        return redirect("admin:claims_article_import_preview", pk=job.pk)
    return render(request, "admin/claims/article/import.html", context)


def admin_article_import_preview(request, model_admin, pk: int):
    """The dry run's preview: counts, the first records, and every rejection (paged)."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied("You may not add articles.")
    job = get_object_or_404(ImportJob, pk=pk, dry_run=True)
    context = _admin_context(request, model_admin, "Import preview")
    preview = job.preview
    context.update(
        {"job": job, "preview": preview, "uploaded": [f.removeprefix(f"imports/{job.pk}/") for f in job.files]}
    )
    if preview is not None:
        rows = preview["rows"][:PREVIEW_ROWS]
        rejections = Paginator(preview["rejections"], REJECTIONS_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            {
                "rows": rows,
                "hidden_rows": max(0, len(preview["rows"]) + preview.get("rows_dropped", 0) - len(rows)),
                "rejections": rejections,
                "can_confirm": preview["imported"] > 0,
            }
        )
    return render(request, "admin/claims/article/import_preview.html", context)
