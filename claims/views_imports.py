"""Import pages: the admin upload with its dry-run preview, and the import job page (staff only)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.views.decorators.http import require_GET, require_http_methods

from claims.importing.service import article_import
from claims.models import ImportJob
from claims.tasks import import_job_enqueue

# A running job whose row has not moved for this long lost its worker (progress is saved every second).
STALE_AFTER = timedelta(minutes=2)
PREVIEW_ROWS = 500


def _require_staff(request) -> None:
    if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
        raise PermissionDenied("Imports are for staff.")


def job_is_stale(job: ImportJob) -> bool:
    return job.state == ImportJob.State.RUNNING and job.updated_at < timezone.now() - STALE_AFTER


def job_is_resumable(job: ImportJob) -> bool:
    return not job.dry_run and (job.state == ImportJob.State.FAILED or job_is_stale(job))


def _job_context(job: ImportJob) -> dict:
    return {
        "job": job,
        "polling": not job.dry_run and job.state in {ImportJob.State.PENDING, ImportJob.State.RUNNING},
        "stale": job_is_stale(job),
        "resumable": job_is_resumable(job),
        "percent": round(100 * job.processed / job.total) if job.total else (100 if job.is_finished else 0),
    }


@require_http_methods(["GET", "POST"])
def import_job(request, pk: int):
    """The job page: progress, counts and errors; POST action=resume restarts a failed or stale job."""
    _require_staff(request)
    job = get_object_or_404(ImportJob, pk=pk)
    if request.method == "POST":
        if request.POST.get("action") != "resume":
            return HttpResponseBadRequest("Unknown action; the only one is action=resume.")
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=pk)
            if not job_is_resumable(job):
                messages.warning(request, "This import is not stopped; there is nothing to resume.")
                return redirect("claims:import_job", pk=job.pk)
            job.state = ImportJob.State.PENDING
            job.save(update_fields=["state", "updated_at"])
            import_job_enqueue(job=job)
        messages.success(request, "The import will resume; what it already stored is not imported twice.")
        return redirect("claims:import_job", pk=job.pk)
    template = "claims/import_job.html#progress" if request.htmx else "claims/import_job.html"
    return render(request, template, _job_context(job))


@require_GET
def import_job_progress(request, pk: int):
    """The progress partial alone (what the page polls every second while the job runs)."""
    _require_staff(request)
    job = get_object_or_404(ImportJob, pk=pk)
    return render(request, "claims/import_job.html#progress", _job_context(job))


# --- the admin "Import articles" page (hooked in by ArticleAdmin.get_urls) -----------------------


def _save_uploads(job: ImportJob, files) -> list[str]:
    """Save uploads under MEDIA_ROOT/imports/<job id>/; return their paths relative to MEDIA_ROOT."""
    folder = Path(settings.MEDIA_ROOT, "imports", str(job.pk))
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for upload in files:
        name = get_valid_filename(os.path.basename(upload.name or "")) or "upload"
        target = folder / name
        stem, suffix = os.path.splitext(name)
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{stem}-{n}{suffix}"
        with open(target, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        saved.append(str(target.relative_to(settings.MEDIA_ROOT)))
    return saved


def _display(path: str, job: ImportJob) -> str:
    prefix = f"imports/{job.pk}/"
    return path[len(prefix) :] if path.startswith(prefix) else path


def admin_article_import(request, model_admin):
    """Upload files or a .zip -> dry-run preview -> "Confirm import" starts the background job."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied("You may not add articles.")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import articles",
        "max_file_mb": settings.VERIFIER_MAX_FILE_BYTES // (1024 * 1024),
    }
    if request.method == "POST" and request.POST.get("action") == "confirm":
        job = get_object_or_404(ImportJob, pk=request.POST.get("job"), dry_run=True, state=ImportJob.State.PENDING)
        with transaction.atomic():
            job.dry_run = False
            job.created_by = request.user
            job.save(update_fields=["dry_run", "created_by", "updated_at"])
            import_job_enqueue(job=job)
        messages.success(request, f"Import #{job.pk} started.")
        return redirect(reverse("claims:import_job", kwargs={"pk": job.pk}))
    if request.method == "POST":
        files = request.FILES.getlist("files")
        if not files:
            context["error"] = "Choose one or more files (or a .zip) to import."
            return render(request, "admin/claims/article/import.html", context, status=400)
        job = ImportJob.objects.create(created_by=request.user, dry_run=True, state=ImportJob.State.PENDING)
        job.files = _save_uploads(job, files)
        job.save(update_fields=["files", "updated_at"])
        report = article_import(paths=job.files, user=request.user, dry_run=True, root=settings.MEDIA_ROOT)
        rows = [
            {"where": f"{_display(o.path, job)}:{o.line}", "outcome": o.outcome, "title": o.title, "o": o}
            for o in report.outcomes[:PREVIEW_ROWS]
        ]
        context.update(
            {
                "job": job,
                "report": report,
                "rows": rows,
                "hidden_rows": max(0, report.processed - len(rows)),
                "registries": [line.replace(f"imports/{job.pk}/", "") for line in report.registries],
                "uploaded": [_display(p, job) for p in job.files],
            }
        )
        return render(request, "admin/claims/article/import_preview.html", context)
    return render(request, "admin/claims/article/import.html", context)
