"""The import job's lifecycle as callers see it: create (storing uploaded files), preview, confirm,
resume, cancel, and the watchdog's resume. The admin upload, the API, `import_articles` and the tasks
all go through these functions; each owns its transaction and queues tasks once it has committed.

The runner's side of a job (holding it, its heartbeat, finishing it) is `claims.importing.jobs`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

# The module, not its names: claims.importing.jobs imports this package (audit_record), so it may
# still be loading when this module is.
from claims.importing import jobs
from claims.importing.limits import TASK_BATCH
from claims.models import ImportJob

logger = logging.getLogger(__name__)
State = ImportJob.State


def _tasks():
    """claims.tasks, where every import task is queued from. The one import inside a function, for
    the one true cycle: the tasks call the importer (claims.importing), and the importer imports
    this package (audit, sources, and this module to queue extraction)."""
    from claims import tasks

    return tasks


def _uploads_save(job: ImportJob, files) -> list[str]:
    """Save uploads (objects with .name and .chunks(): UploadedFile, ContentFile) under
    MEDIA_ROOT/imports/<job id>/; return their paths relative to MEDIA_ROOT."""
    folder = jobs.upload_folder(job)
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


def import_job_create(*, user=None, uploads=None, paths: Iterable[str] = (), dry_run: bool = False) -> ImportJob:
    """A pending job over uploaded files (kept under MEDIA_ROOT) or over paths on this machine
    (stored absolute, so that any worker on the same file system reads them)."""
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=user, dry_run=dry_run, state=State.PENDING, files=[os.path.abspath(p) for p in paths]
        )
        if uploads:
            try:
                job.files = [*job.files, *_uploads_save(job, uploads)]
                job.save(update_fields=["files", "updated_at"])
            except BaseException:
                jobs.upload_folder_delete(job)  # the row rolls back: no files without a job
                raise
    return job


def import_job_submit(*, user=None, uploads=None, paths: Iterable[str] = ()) -> ImportJob:
    """A confirmed job (no preview) queued for the workers: the API and `import_articles --background`."""
    with transaction.atomic():
        job = import_job_create(user=user, uploads=uploads, paths=paths)
        import_job_queue(job=job)
    return job


def import_job_queue(*, job: ImportJob) -> None:
    """Queue the job's run (and its watchdog) once the surrounding transaction has committed."""
    job_id = job.pk
    tasks = _tasks()

    def enqueue():
        tasks.import_job_run.enqueue(job_id)
        if tasks.import_job_watch.get_backend().supports_defer:
            tasks.import_job_watch.using(run_after=jobs.watch_at()).enqueue(job_id)

    transaction.on_commit(enqueue)


def import_preview_create(*, user, uploads) -> ImportJob:
    """Save the uploads as a dry-run job and queue its preview (never built in a web request)."""
    with transaction.atomic():
        job = import_job_create(user=user, uploads=uploads, dry_run=True)
        job_id = job.pk
        preview = _tasks().import_job_preview
        transaction.on_commit(lambda: preview.enqueue(job_id))
    return job


def import_job_confirm(*, job_id, user) -> ImportJob | None:
    """Turn a previewed dry run into a real import and queue it; None when it is not (or no longer)
    a preview that would create anything. Concurrent confirmations start one import."""
    with transaction.atomic():
        confirmed = (
            ImportJob.objects.filter(pk=job_id, dry_run=True, state=State.PENDING, preview__imported__gt=0)
            .select_for_update()
            .first()
        )
        if confirmed is None:
            return None
        ImportJob.objects.filter(pk=confirmed.pk).update(
            dry_run=False, created_by=user, preview=None, updated_at=timezone.now()
        )
        confirmed.refresh_from_db()
        import_job_queue(job=confirmed)
    return confirmed


def import_job_resume(*, job_id) -> ImportJob | None:
    """Start a failed or stalled job again (records it already stored are not imported twice; articles
    a dead worker held are taken again). None when the job is not resumable."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_resumable:
            return None
        dead = [job.runner] if job.is_stalled else []
        dead += list(job.lost_articles().values_list("extraction_lease", flat=True).distinct())
        jobs.task_results_mark_dead(dead)
        ImportJob.objects.filter(pk=job.pk).update(
            # `runner` stays: the next runner frees the articles the dead one held (import_job_start).
            state=State.PENDING,
            stored_at=None,
            heartbeat_at=None,
            updated_at=timezone.now(),
        )
        job.refresh_from_db()
        import_job_queue(job=job)
    return job


def import_job_watch_once(*, job_id: int) -> bool:
    """The watchdog's look at a job: resume it when its runner or an extraction worker died.
    True while the job still needs watching."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None and job.state == State.CANCELLED:
        # Cancelled: no more records, but what was stored still gets its claims, a dead worker's too.
        _articles_requeue(job_id=job_id, ids=list(job.lost_articles().values_list("pk", flat=True)))
        return job.articles.filter(extracted_at__isnull=True).exists()
    if job is None or job.dry_run or job.state in {State.DONE, State.FAILED}:
        return False
    if job.state == State.RUNNING and job.is_resumable:
        logger.warning("import job %s stopped moving; resuming it", job_id)
        import_job_resume(job_id=job_id)
        return False  # the resumed run queues a watchdog of its own
    return True


def _articles_requeue(*, job_id: int, ids: list[int]) -> None:
    """Queue extraction again for articles whose lease holder died (their record's place is not
    known here: errors name them by article id)."""
    for i in range(0, len(ids), TASK_BATCH):
        import_articles_queue(job_id=job_id, pairs=[[pk, f"article {pk}"] for pk in ids[i : i + TASK_BATCH]])


def import_articles_queue(*, job_id: int | None, pairs: list[list], priority: int = 0) -> None:
    """Queue the extraction of stored articles ([article id, "path:line"], callers send at most TASK_BATCH) once
    the surrounding transaction has committed; a lower priority runs later."""
    task = _tasks().import_articles_extract
    if priority and task.get_backend().supports_priority:
        task = task.using(priority=priority)
    transaction.on_commit(lambda: task.enqueue(job_id, pairs))


def import_job_cancel(*, job_id) -> bool:
    """Cancel a job: a preview is discarded with its files; a running job stops reading records
    (articles it already stored still get their claims). False when there was nothing to cancel."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return False
        if job.dry_run:
            jobs.upload_folder_delete_on_commit(job)
            job.delete()
            return True
        ImportJob.objects.filter(pk=job.pk).update(
            state=State.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now()
        )
    return True


def import_previews_expire(*, older_than: timedelta | None = None) -> int:
    """Delete dry-run jobs (never confirmed) older than `older_than` and their uploaded files."""
    if older_than is None:
        older_than = timedelta(hours=settings.VERIFIER_IMPORT_PREVIEW_HOURS)
    cutoff = timezone.now() - older_than
    n = 0
    for pk in ImportJob.objects.filter(dry_run=True, created_at__lt=cutoff).values_list("pk", flat=True):
        with transaction.atomic():  # locked, so a confirmation at the same moment wins or waits
            job = ImportJob.objects.select_for_update().filter(pk=pk, dry_run=True).only("pk").first()
            if job is not None:
                jobs.upload_folder_delete_on_commit(job)
                n += ImportJob.objects.filter(pk=pk).delete()[0]
    return n
