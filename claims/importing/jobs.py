"""The import job's lifecycle, in one place: create, preview, confirm, run, resume, cancel, finish,
expire. The admin upload, the API, `import_articles` and the tasks all go through these functions;
each owns its transaction.

A job stores its articles first (one runner at a time, holding the job by a token and a heartbeat),
then its articles' claims are extracted, by the same process (`import_articles`) or by extraction
tasks that any number of `db_worker`s share. The job is done when every record was read and every
stored article has its claims.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from claims.models import Article, Claim, ImportJob
from claims.services import audit_record

logger = logging.getLogger(__name__)
State = ImportJob.State


def user_can_import(user) -> bool:
    """Staff who may add articles (the admin's own rule for its import page)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("claims.add_article")
    )


def new_token() -> str:
    return uuid.uuid4().hex


# --- creating ----------------------------------------------------------------------------------


def _save_uploads(job: ImportJob, files) -> list[str]:
    """Save uploads (objects with .name and .chunks(): UploadedFile, ContentFile) under
    MEDIA_ROOT/imports/<job id>/; return their paths relative to MEDIA_ROOT."""
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


def import_job_create(*, user=None, uploads=None, paths: Iterable[str] = (), dry_run: bool = False) -> ImportJob:
    """A pending job over uploaded files (kept under MEDIA_ROOT) or over paths on this machine
    (stored absolute, so that any worker on the same file system reads them)."""
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=user, dry_run=dry_run, state=State.PENDING, files=[os.path.abspath(p) for p in paths]
        )
        if uploads:
            job.files = [*job.files, *_save_uploads(job, uploads)]
            job.save(update_fields=["files", "updated_at"])
    return job


def import_job_submit(*, user=None, uploads=None, paths: Iterable[str] = ()) -> ImportJob:
    """A confirmed job (no preview) queued for the workers: the API and `import_articles --background`."""
    with transaction.atomic():
        job = import_job_create(user=user, uploads=uploads, paths=paths)
        import_job_queue(job=job)
    return job


def import_job_queue(*, job: ImportJob) -> None:
    """Queue the job's run (and its watchdog) once the surrounding transaction has committed."""
    from claims.tasks import import_job_run, import_job_watch

    job_id = job.pk

    def enqueue():
        import_job_run.enqueue(job_id)
        if import_job_watch.get_backend().supports_defer:
            import_job_watch.using(run_after=watch_at()).enqueue(job_id)

    transaction.on_commit(enqueue)


def watch_at():
    return timezone.now() + timedelta(seconds=settings.VERIFIER_IMPORT_WATCH_SECONDS)


def import_preview_create(*, user, uploads) -> ImportJob:
    """Save the uploads as a dry-run job and queue its preview (never built in a web request)."""
    from claims.tasks import import_job_preview

    with transaction.atomic():
        job = import_job_create(user=user, uploads=uploads, dry_run=True)
        job_id = job.pk
        transaction.on_commit(lambda: import_job_preview.enqueue(job_id))
    return job


def import_preview_build(*, job_id: int) -> ImportJob | None:
    """What the preview task does: a dry run without claim extraction (a cheap parse, clean and dedupe
    pass), kept on the job for the preview page."""
    from claims.importing.service import article_import

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


# --- running -----------------------------------------------------------------------------------


def import_job_start(*, job: ImportJob, token: str) -> bool:
    """Become the job's one runner: from pending or failed, or from running when its runner stopped
    beating. False when someone else runs it (or it is done, cancelled or a dry run)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.VERIFIER_IMPORT_STALL_SECONDS)
    silent = Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, updated_at__lt=stale)
    previous = ImportJob.objects.filter(pk=job.pk).values_list("runner", flat=True).first()
    took = (
        ImportJob.objects.filter(pk=job.pk, dry_run=False, runner=previous or "")
        .filter(Q(state__in=[State.PENDING, State.FAILED]) | (Q(state=State.RUNNING) & silent))
        .update(
            state=State.RUNNING,
            runner=token,
            heartbeat_at=now,
            started_at=now,
            finished_at=None,
            stored_at=None,
            updated_at=now,
        )
    )
    if took and previous:
        # The previous runner is gone: the articles it was extracting in its own process are free.
        Article.objects.filter(import_job_id=job.pk, extraction_lease=previous, extracted_at__isnull=True).update(
            extraction_lease="", extraction_lease_until=None
        )
    job.refresh_from_db()
    return took == 1


def import_job_beat(*, job_id: int, token: str) -> bool:
    """The runner's heartbeat; False when the job was taken over or cancelled (the runner stops)."""
    if ImportJob.objects.filter(pk=job_id, runner=token, state=State.RUNNING).update(heartbeat_at=timezone.now()):
        return True
    # Not visible at all (the caller's transaction has not committed it): nobody can take it over.
    return not ImportJob.objects.filter(pk=job_id).exists()


def import_job_stored(*, job_id: int, token: str) -> None:
    """The runner read every record: from now on the job waits only for its claims."""
    ImportJob.objects.filter(pk=job_id, runner=token, state=State.RUNNING).update(
        stored_at=timezone.now(), updated_at=timezone.now()
    )
    import_job_finish_if_complete(job_id=job_id)


def import_job_finish_if_complete(*, job_id: int) -> bool:
    """Done when every record was read and every stored article has its claims (whoever does the
    last piece of work calls this; the conditional update lets one of them finish it)."""
    if Article.objects.filter(import_job_id=job_id, extracted_at__isnull=True).exists():
        return False
    with transaction.atomic():  # done and audited together
        finished = ImportJob.objects.filter(pk=job_id, state=State.RUNNING, stored_at__isnull=False).update(
            state=State.DONE, finished_at=timezone.now(), updated_at=timezone.now()
        )
        if not finished:
            return False
        job = ImportJob.objects.select_related("created_by").get(pk=job_id)
        audit_record(
            actor=job.created_by,
            action="import",
            obj=job,
            details={
                "files": job.files[:100],
                "imported": job.imported_net,
                "duplicates": job.duplicates,
                "failed": job.failed_net,
                "claims": Claim.objects.filter(article__import_job_id=job_id).count(),
            },
        )
    return True


# --- stopping and recovering ------------------------------------------------------------------


def _tasks_mark_dead(tokens: Iterable[str]) -> None:
    """Task rows a killed worker left RUNNING (their ids are the tokens it held) become FAILED."""
    ids = []
    for token in tokens:
        try:
            ids.append(uuid.UUID(token))
        except (ValueError, TypeError):
            continue
    if not ids:
        return
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - another task backend
        return
    DBTaskResult.objects.filter(pk__in=ids, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="claims.importing.jobs.WorkerLost",
        traceback="The worker stopped beating (killed, or its machine went away); the import job was resumed.",
    )


def import_job_resume(*, job_id) -> ImportJob | None:
    """Start a failed or stalled job again (records it already stored are not imported twice; articles
    a dead worker held are taken again). None when the job is not resumable."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_resumable:
            return None
        dead = [job.runner] if job.is_stalled else []
        dead += list(job.lost_articles().values_list("extraction_lease", flat=True).distinct())
        _tasks_mark_dead(dead)
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
    from claims.importing.extracting import TASK_BATCH
    from claims.tasks import import_articles_extract

    for i in range(0, len(ids), TASK_BATCH):
        pairs = [[pk, f"article {pk}"] for pk in ids[i : i + TASK_BATCH]]
        transaction.on_commit(lambda pairs=pairs: import_articles_extract.enqueue(job_id, pairs))


def import_job_cancel(*, job_id) -> bool:
    """Cancel a job: a preview is discarded with its files; a running job stops reading records
    (articles it already stored still get their claims). False when there was nothing to cancel."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return False
        if job.dry_run:
            _delete_upload_folder(job)
            job.delete()
            return True
        ImportJob.objects.filter(pk=job.pk).update(
            state=State.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now()
        )
    return True


def _delete_upload_folder(job: ImportJob) -> None:
    folder = Path(settings.MEDIA_ROOT, "imports", str(job.pk))
    if folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def import_previews_expire(*, older_than: timedelta | None = None) -> int:
    """Delete dry-run jobs (never confirmed) older than `older_than` and their uploaded files."""
    if older_than is None:
        older_than = timedelta(hours=settings.VERIFIER_IMPORT_PREVIEW_HOURS)
    cutoff = timezone.now() - older_than
    n = 0
    for job in ImportJob.objects.filter(dry_run=True, created_at__lt=cutoff).only("pk"):
        _delete_upload_folder(job)
        n += ImportJob.objects.filter(pk=job.pk, dry_run=True).delete()[0]
    return n
