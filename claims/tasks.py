"""Background tasks (django.tasks): thin wrappers that call services with primary keys."""

from django.conf import settings
from django.db import transaction
from django.tasks import task

from claims.models import ImportJob


@task
def import_job_run(job_id: int) -> dict:
    """Run (or resume) the import recorded in ImportJob `job_id`; a finished job is left alone."""
    from claims.importing.service import article_import

    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.state == ImportJob.State.DONE or job.dry_run:
        return {"job": job.pk, "state": job.state, "skipped": True}
    report = article_import(paths=job.files, user=job.created_by, job=job, root=settings.MEDIA_ROOT)
    return {
        "job": job.pk,
        "imported": report.imported,
        "duplicates": report.duplicates,
        "failed": report.failed,
    }


def import_job_enqueue(*, job: ImportJob) -> None:
    """Queue the job's import once the surrounding transaction has committed."""
    job_id = job.pk
    transaction.on_commit(lambda: import_job_run.enqueue(job_id))
