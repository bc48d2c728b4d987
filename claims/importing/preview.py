"""An upload's preview: the dry run that the admin shows before anyone confirms the import."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from claims.importing.service import article_import
from claims.models import ImportJob


def import_preview_build(*, job_id: int) -> ImportJob | None:
    """What the preview task does: a dry run without claim extraction (a cheap parse, clean and dedupe
    pass), kept on the job for the preview page."""
    job = ImportJob.objects.filter(pk=job_id, dry_run=True).first()
    if job is None or job.preview is not None:
        return job
    report = article_import(paths=job.files, dry_run=True, extraction="skip", root=settings.MEDIA_ROOT)
    prefix = f"imports/{job.pk}/"

    def where(path: str, line: int) -> str:
        return f"{path.removeprefix(prefix)}:{line}"

    def row(o):
        return {"where": where(o.path, o.line), "outcome": o.outcome, "title": o.title[:200], "message": o.message}

    accepted = [row(o) for o in report.outcomes if o.outcome != "failed"]
    preview = {
        "imported": report.imported,
        "duplicates": report.duplicates,
        "failed": report.failed,
        "registries": [line.replace(prefix, "") for line in report.registries],
        "rows": accepted,
        "rows_dropped": report.outcomes_dropped,
        "rejections": [row(o) for o in report.failures],  # every one, however many
    }
    ImportJob.objects.filter(pk=job.pk, dry_run=True).update(preview=preview, updated_at=timezone.now())
    job.refresh_from_db()
    return job
