"""Background tasks (django.tasks): thin wrappers that call the importer with primary keys; the
lifecycle service (claims.services.imports) queues them.

A task's own result id is the token it holds work by (the job's runner, article leases), so a task
row that a killed worker left RUNNING can be marked failed when its work is taken over.
"""

from django.conf import settings
from django.tasks import task

from claims.importing import jobs
from claims.importing.extracting import articles_extract
from claims.importing.preview import import_preview_build
from claims.importing.service import ImportBusy, ImportStopped, article_import
from claims.models import ImportJob
from claims.services import imports as lifecycle


@task(takes_context=True)
def import_job_run(context, job_id: int) -> dict:
    """Store the job's articles (as its one runner) and queue their extraction; resume when the job
    stopped. A job that is done, cancelled, a dry run or run by a live runner is left alone."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.state in {ImportJob.State.DONE, ImportJob.State.CANCELLED} or job.dry_run:
        return {"job": job.pk, "state": job.state, "skipped": True}
    try:
        report = article_import(
            paths=job.files,
            user=job.created_by,
            job=job,
            root=settings.MEDIA_ROOT,
            extraction="tasks",
            token=str(context.task_result.id),
        )
    except (ImportBusy, ImportStopped) as exc:
        return {"job": job.pk, "skipped": True, "why": str(exc)}
    return {"job": job.pk, "imported": report.imported, "duplicates": report.duplicates, "failed": report.failed}


@task(takes_context=True)
def import_articles_extract(context, job_id: int, items: list) -> dict:
    """Extract and store the claims of a batch of stored articles ([article id, "path:line"]);
    articles another worker holds or finished are skipped."""
    return articles_extract(
        job_id=job_id, items=[(int(i), str(where)) for i, where in items], token=str(context.task_result.id)
    )


@task
def import_job_preview(job_id: int) -> dict:
    """Build a dry-run job's preview (parse, clean, dedupe; no extraction)."""
    job = import_preview_build(job_id=job_id)
    return {"job": job_id, "ready": job is not None and job.preview is not None}


@task
def import_job_watch(job_id: int) -> dict:
    """Every VERIFIER_IMPORT_WATCH_SECONDS while a job runs: resume it if its worker died.

    The next look is queued first, so that a worker killed during this one leaves the job watched."""
    following = import_job_watch.using(run_after=jobs.watch_at()).enqueue(job_id)
    watching = lifecycle.import_job_watch_once(job_id=job_id)
    if not watching:
        _task_result_discard(following.id)
    return {"job": job_id, "watching": watching}


def _task_result_discard(result_id) -> None:
    """Drop a queued task that is no longer needed (the database backend's row; others keep it)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover
        return
    DBTaskResult.objects.filter(pk=result_id, status="READY").delete()


@task
def import_previews_expire() -> dict:
    """Delete dry-run previews older than VERIFIER_IMPORT_PREVIEW_HOURS, with their files."""
    return {"deleted": lifecycle.import_previews_expire()}
