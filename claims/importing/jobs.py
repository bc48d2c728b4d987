"""The import job as its runner and workers see it: the job row, one runner holding it by a token and
a heartbeat, the extraction that finishes it, and the upload folders. Callers outside the importer
(the admin, the API, `import_articles`, the tasks) create, confirm, resume and cancel jobs through
`claims.services.imports`.

A job stores its articles first (one runner at a time, holding the job by a token and a heartbeat),
then its articles' claims are extracted, by the same process (`import_articles`) or by extraction
tasks that any number of `db_worker`s share. The job is done when every record was read and every
stored article has its claims.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims.models import Article, Claim, ImportJob
from claims.services.audit import audit_record

State = ImportJob.State


def new_token() -> str:
    return uuid.uuid4().hex


def upload_folder(job: ImportJob) -> Path:
    """Where a job's uploaded files are kept: MEDIA_ROOT/imports/<job id>/."""
    return Path(settings.MEDIA_ROOT, "imports", str(job.pk))


def upload_folder_delete(job: ImportJob) -> None:
    folder = upload_folder(job)
    if folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def upload_folder_delete_on_commit(job: ImportJob) -> None:
    """Delete the job's files once the transaction deleting its row commits (not before: a rollback
    would leave a job whose files are gone)."""
    folder = upload_folder(job)  # now: deleting the row clears job.pk
    transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))


def watch_at():
    """When the watchdog next looks at a running job."""
    return timezone.now() + timedelta(seconds=settings.VERIFIER_IMPORT_WATCH_SECONDS)


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


def task_results_mark_dead(tokens: Iterable[str]) -> None:
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
