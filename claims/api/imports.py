"""/api/imports: start an import (the same pipeline as the admin upload), follow it, resume it."""

from __future__ import annotations

import json

from django.core.files.base import ContentFile
from django.http import Http404
from ninja import Router, Status
from ninja.errors import HttpError

from claims.api.auth import require_import_permission, require_staff
from claims.api.schemas import ErrorOut, Id, ImportIn, ImportJobOut
from claims.models import ImportJob
from claims.services import import_job_resume, import_job_submit

router = Router(tags=["imports"])


def _upload(payload: ImportIn) -> ContentFile:
    """The request's records as the one file the import reads."""
    if (payload.articles is None) == (payload.text is None):
        raise HttpError(422, "Invalid input: send either `articles` (a list of records) or `text`, not both.")
    if payload.text is not None and not payload.text.strip():
        raise HttpError(422, "Invalid input: text: the article text is empty.")
    if payload.articles is not None:
        return ContentFile(json.dumps(payload.articles, ensure_ascii=False).encode("utf-8", "replace"), name="api.json")
    return ContentFile(payload.text.encode("utf-8", "replace"), name="api.txt")


@router.post(
    "/imports",
    response={202: ImportJobOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    url_name="import_create",
)
def import_create(request, payload: ImportIn):
    """Import articles (staff): the same pipeline as the admin upload and `import_articles`, run in
    the background. Answers the ImportJob to poll at `url`."""
    require_import_permission(request.auth)
    job = import_job_submit(user=request.auth, uploads=[_upload(payload)])
    return Status(202, job)


@router.post(
    "/imports/{job_id}/resume",
    response={202: ImportJobOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="import_resume",
)
def import_resume(request, job_id: Id):
    """Resume a failed or stalled import (staff who may import): what it stored is not imported twice.
    409 when the job is not stopped."""
    require_import_permission(request.auth)
    if not ImportJob.objects.filter(pk=job_id).exists():
        raise Http404(f"Import {job_id} does not exist.")
    job = import_job_resume(job_id=job_id)
    if job is None:
        raise HttpError(409, f"Import {job_id} is not stopped: there is nothing to resume.")
    return Status(202, job)


@router.get(
    "/imports/{job_id}",
    response={200: ImportJobOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="import_get",
)
def import_get(request, job_id: Id):
    """An import's progress, counts, errors and the articles it stored (staff)."""
    require_staff(request.auth)
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404(f"Import {job_id} does not exist.")
    return job
