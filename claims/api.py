"""Verifier's JSON API under /api/, authenticated by per-user tokens (`Authorization: Bearer <token>`).

Built with django-ninja rather than Django REST framework: the rest of the app is function views and
small typed functions, and ninja endpoints are exactly that (a function, typed parameters, pydantic
schemas) with the OpenAPI schema derived from those types and served at /api/openapi.json. DRF's
serializers, viewsets and routers would be a second way to write views for five endpoints.

Rules:
- Authentication is the token only. A session cookie grants nothing here, which is why these views
  can be exempt from CSRF (there is no ambient credential to ride on) and from
  LoginRequiredMiddleware's redirect (an API answers 401 JSON, never a login page).
- Every error is JSON `{"detail": "..."}` (plus fields where useful): 401 without a valid token,
  403 for a Viewer deciding or a non-staff import, 404 for unknown ids and paths, 409 with the
  current claim on a stale version, 422 for invalid input.
- Reads reuse the queue's selectors; decisions go through `claims.services.claim_decide`, the
  same path as the triage pages.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path, reverse
from django.utils.cache import patch_cache_control
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import JsonValue, field_validator

from claims import selectors
from claims.auth_tokens import api_token_authenticate
from claims.models import (
    Article,
    Claim,
    ImportJob,
    Reliability,
    Source,
    SourceAlias,
    SourceKind,
    VerificationStatus,
)
from claims.ratelimit import client_ip_address, rate_limit_blocked, rate_limit_hit
from claims.roles import user_can_decide
from claims.services import (
    NOTE_MAX_CHARS,
    DecisionUnchangedError,
    StaleVersionError,
    decisions,
    import_job_resume,
    import_job_submit,
    user_can_import,
)

logger = logging.getLogger(__name__)

IDEMPOTENCY_KEY_MAX = 100
MAX_ID = 2**63 - 1  # the largest primary key a database column holds; beyond it nothing exists
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
StatusValue = Literal["confirmed", "being_clarified", "unverified"]
StatusFilter = Literal["confirmed", "being_clarified", "unverified", "undecided"]
KindValue = Literal[tuple(SourceKind.values)]
ReliabilityValue = Literal[tuple(Reliability.values)]


# --- authentication ------------------------------------------------------------------------------

# Messages, not secrets (ruff's S105 looks at the names).
MISSING_TOKEN_MESSAGE = "Authentication required: send 'Authorization: Bearer <token>' (tokens are made in the admin)."  # noqa: S105
INVALID_TOKEN_MESSAGE = "The API token is not valid: it is mistyped, revoked, or its user is inactive."  # noqa: S105


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest):
        # As HttpBearer, minus its DEBUG log line that would print the header (a credential).
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(raw=token.strip())
        if user is None:
            request._api_auth_error = INVALID_TOKEN_MESSAGE
        return user


api = NinjaAPI(
    title="Verifier API",
    version="1",
    description=(
        "Claims, decisions, sources and article imports. Authenticate every request with "
        "`Authorization: Bearer <token>`; staff create tokens in the admin (API tokens)."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url=None,  # Swagger UI would need inline scripts (CSP); the schema is at /api/openapi.json
    docs_decorator=lambda view: _schema_access(view),
)


def _schema_access(view):
    """The schema is for people and tools that may use the API: a signed-in user or a valid token."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and not TokenAuth()(request):
            response = JsonResponse({"detail": getattr(request, "_api_auth_error", MISSING_TOKEN_MESSAGE)}, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="verifier"'
            return response
        return view(request, *args, **kwargs)

    return wrapper


def _error(request, status: int, detail: str, **extra) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = _error(request, 401, getattr(request, "_api_auth_error", MISSING_TOKEN_MESSAGE))
    response["WWW-Authenticate"] = 'Bearer realm="verifier"'
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc):
    message = str(exc)
    if exc.status_code == 400 and message == "Cannot parse request body":
        message = "The request body is not valid JSON (send Content-Type: application/json and a JSON object)."
        if _nested_too_deeply(request.body):
            message = "The request body is JSON nested too deeply to be read; send flat article records."
    return _error(request, exc.status_code, message)


def _nested_too_deeply(body: bytes) -> bool:
    """Whether the JSON parser gave up on `body` for its depth (only asked once parsing has failed)."""
    try:
        json.loads(body)
    except RecursionError:
        return True
    except ValueError:
        return False
    return False


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, str(exc) or "Not found.")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    errors = [
        {"field": ".".join(str(part) for part in error.get("loc", ())[1:]), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    summary = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors) or "Invalid input."
    return _error(request, 422, f"Invalid input: {summary}", errors=errors)


@api.exception_handler(DjangoValidationError)
def _rejected(request, exc):
    if hasattr(exc, "message_dict"):
        errors = [{"field": field, "message": " ".join(msgs)} for field, msgs in exc.message_dict.items()]
    else:
        errors = [{"field": "", "message": " ".join(exc.messages)}]
    summary = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return _error(request, 422, summary, errors=errors)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _error(
        request, 413, f"The request body is larger than {limit} bytes; split it, or upload files in the admin."
    )


@api.exception_handler(Exception)
def _crash(request, exc):
    logger.exception("API error on %s %s", request.method, request.path)
    return _error(request, 500, "Internal error; it has been logged.")


# --- schemas ---------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str


class SourceRefOut(Schema):
    id: int
    name: str
    kind: str
    reliability: str


class ArticleRefOut(Schema):
    id: int
    title: str
    published_at: datetime | None
    publisher: str | None


class ArticleOut(ArticleRefOut):
    url: str
    language: str
    truncated: bool = Field(description="The provider sent only the start of the text (text cut by the provider).")


class DecisionOut(Schema):
    id: int
    status: StatusValue
    version: int
    analyst: str
    note: str
    evidence_url: str
    created_at: datetime


class ClaimOut(Schema):
    id: int
    url: str = Field(description="The claim's page in Verifier.")
    api_url: str
    text: str
    status: StatusValue
    version: int
    hedged: bool
    via: str
    cue: str
    source: SourceRefOut
    article: ArticleRefOut
    last_decision_by: str | None
    last_decided_at: datetime | None
    cluster_id: int = Field(description="Claims linked as the same claim share it; a lone claim has its own id.")
    credibility: int | None = Field(description="Admiralty information credibility 1-6, or null when not assessed.")


class ClaimDetailOut(ClaimOut):
    start: int
    end: int
    article: ArticleOut
    decisions: list[DecisionOut] = Field(description="Every decision, oldest first.")


class ClaimPageOut(Schema):
    items: list[ClaimOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    next: str | None


def _no_nul(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL: refuse it as invalid input (422) before any database write.
    if value is not None and "\x00" in value:
        raise ValueError("contains a NUL character (\\x00); send plain text")
    return value


class DecisionIn(Schema):
    status: StatusValue
    note: str = Field("", max_length=NOTE_MAX_CHARS)
    evidence_url: str = Field("", max_length=2000, description="An http(s) address, or empty.")
    version: int | None = Field(
        None, ge=0, le=MAX_ID, description="The claim version you decided on; a stale one gets 409."
    )

    _text_has_no_nul = field_validator("note", "evidence_url")(_no_nul)


class DecisionCreatedOut(Schema):
    decision: DecisionOut
    claim: ClaimDetailOut


class ConflictOut(Schema):
    detail: str
    claim: ClaimDetailOut


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    reliability: str
    aliases: list[str]
    affiliation_id: int | None
    url: str


class SourcePageOut(Schema):
    items: list[SourceOut]
    next_cursor: str | None
    next: str | None


# --- helpers -----------------------------------------------------------------------------------


def _cursor_encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def _cursor_decode(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = text.split(":", 1)
        last_id = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise HttpError(422, "Invalid input: cursor: not a cursor this API gave out.") from None
    if prefix != "id" or not 0 < last_id <= MAX_ID:
        raise HttpError(422, "Invalid input: cursor: not a cursor this API gave out.")
    return last_id


def _next_url(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _decision_out(decision: VerificationStatus) -> dict:
    return {
        "id": decision.pk,
        "status": decision.status,
        "version": decision.version,
        "analyst": decision.analyst.get_username(),
        "note": decision.note,
        "evidence_url": decision.evidence_url,
        "created_at": decision.created_at,
    }


def _claim_out(request, claim: Claim) -> dict:
    article = claim.article
    return {
        "id": claim.pk,
        "url": request.build_absolute_uri(claim.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse("api:claim_get", kwargs={"claim_id": claim.pk})),
        "text": claim.text,
        "status": claim.status,
        "version": claim.version,
        "hedged": claim.hedged,
        "via": claim.via,
        "cue": claim.cue,
        "source": {
            "id": claim.source.pk,
            "name": claim.source.name,
            "kind": claim.source.kind,
            "reliability": claim.source.reliability,
        },
        "article": {
            "id": article.pk,
            "title": article.title,
            "published_at": article.published_at,
            "publisher": article.publisher.name if article.publisher else None,
        },
        "last_decision_by": getattr(claim, "last_by", None),
        "last_decided_at": getattr(claim, "last_at", None),
        "cluster_id": getattr(claim, "cluster_key", None) or claim.pk,
        "credibility": getattr(claim, "credibility_value", None),
    }


def _claim_detail_out(request, claim_id: int) -> dict:
    try:
        claim = selectors.claim_detail(pk=claim_id)
    except Claim.DoesNotExist:
        raise Http404(f"Claim {claim_id} does not exist.") from None
    decisions = list(claim.decisions.select_related("analyst").order_by("version"))
    out = _claim_out(request, claim)
    out["article"].update(url=claim.article.url, language=claim.article.language, truncated=claim.article.truncated)
    last = decisions[-1] if decisions else None
    out.update(
        start=claim.start,
        end=claim.end,
        last_decision_by=last.analyst.get_username() if last else None,
        last_decided_at=last.created_at if last else None,
        decisions=[_decision_out(d) for d in decisions],
    )
    return out


# --- claims ------------------------------------------------------------------------------------


# PostgreSQL text cannot hold NUL: search text carrying one is invalid input (422), not a server error.
NO_NUL = r"^[^\x00]*$"


@api.get("/claims", response={200: ClaimPageOut, 401: ErrorOut, 422: ErrorOut}, url_name="claim_list", tags=["claims"])
def claim_list(
    request,
    status: Annotated[StatusFilter | None, Query(description="A status, or 'undecided'.")] = None,
    source: Annotated[int | None, Query(ge=1, le=MAX_ID, description="A source id.")] = None,
    article: Annotated[int | None, Query(ge=1, le=MAX_ID, description="An article id.")] = None,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL, description="Search in the claim text.")] = "",
    cursor: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
):
    """Claims, newest first, filtered as in the triage queue; keyset pagination with `cursor`."""
    filters = selectors.QueueFilters(status=status or "", source=source, article=article, q=q.strip())
    page = selectors.claim_queue(filters=filters, after=_cursor_decode(cursor), page_size=limit)
    next_cursor = _cursor_encode(page.next_after) if page.next_after else None
    return {
        "items": [_claim_out(request, claim) for claim in page.rows],
        "next_cursor": next_cursor,
        "next": _next_url(request, next_cursor),
    }


@api.get(
    "/claims/{claim_id}",
    response={200: ClaimDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="claim_get",
    tags=["claims"],
)
def claim_get(request, claim_id: Id):
    """One claim with its article, source and full decision history."""
    return _claim_detail_out(request, claim_id)


@api.post(
    "/claims/{claim_id}/decisions",
    response={
        200: ConflictOut,
        201: DecisionCreatedOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ConflictOut,
        422: ErrorOut,
    },
    url_name="claim_decide",
    tags=["claims"],
)
def claim_decide(request, response: HttpResponse, claim_id: Id, payload: DecisionIn):
    """Record a decision (Analysts only), exactly as the triage pages do; 409 if `version` is stale.

    Send an `Idempotency-Key` header (any text up to 100 characters, e.g. a UUID) to make retries
    safe: a request repeating a key already used by this token's user records nothing and answers the
    decision recorded the first time (201, with `Idempotent-Replayed: true`); the same key with a
    different decision is a 422.
    """
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key.strip()) <= IDEMPOTENCY_KEY_MAX and key.isprintable()):
        raise HttpError(
            422, f"Invalid input: Idempotency-Key: printable text of 1 to {IDEMPOTENCY_KEY_MAX} characters."
        )
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        raise Http404(f"Claim {claim_id} does not exist.")
    if not user_can_decide(request.auth):
        raise PermissionDenied("Only analysts may decide on claims; this token's user is read-only.")
    try:
        decision = decisions.claim_decide(
            claim=claim,
            status=payload.status,
            analyst=request.auth,
            note=payload.note,
            evidence_url=payload.evidence_url,
            expected_version=payload.version,
            idempotency_key=f"api:{key.strip()}" if key is not None else None,
        )
    except StaleVersionError as stale:
        detail = (
            f"Claim {claim_id} is at version {stale.claim.version}, not {payload.version}: "
            "someone decided since you loaded it. Review the current claim and decide again."
        )
        return Status(409, {"detail": detail, "claim": _claim_detail_out(request, claim_id)})
    except DecisionUnchangedError as unchanged:
        # 200, not 201: nothing was created (a repeated request, or someone already decided the same).
        detail = f"Claim {claim_id} is already {unchanged.claim.get_status_display()}; nothing recorded."
        return Status(200, {"detail": detail, "claim": _claim_detail_out(request, claim_id)})
    decision.analyst = request.auth
    if getattr(decision, "replayed", False):
        response["Idempotent-Replayed"] = "true"
    return Status(201, {"decision": _decision_out(decision), "claim": _claim_detail_out(request, claim_id)})


# --- imports -----------------------------------------------------------------------------------

MAX_IMPORT_RECORDS = 1000
JOB_ARTICLES_SHOWN = 1000


class ImportIn(Schema):
    """Either `articles` (records as news-please, trafilatura or NewsAPI write them; a whole NewsAPI
    response works as is) or `text` (one article as plain text: first line the title)."""

    articles: list[dict[str, JsonValue]] | None = Field(
        None,
        min_length=1,
        max_length=MAX_IMPORT_RECORDS,
        description="e.g. {title, maintext, url, date_publish, source_domain} or {title, content, url, publishedAt, source: {name}}",
    )
    text: str | None = Field(None, min_length=1, max_length=settings.VERIFIER_MAX_ARTICLE_CHARS)

    _text_has_no_nul = field_validator("text")(_no_nul)


class ImportArticleOut(Schema):
    id: int
    title: str
    url: str
    claims_url: str = Field(description="This article's claims in the API.")


class ImportJobOut(Schema):
    id: int
    url: str = Field(description="Poll this until `state` is done or failed.")
    state: Literal["pending", "running", "done", "failed", "cancelled"]
    total: int
    processed: int
    imported: int
    duplicates: int
    failed: int
    extracted: int = Field(description="Articles of this job whose claims are stored (of `imported`).")
    resumable: bool = Field(description="The job stopped (failed, or its worker died): POST its `/resume`.")
    errors: list[str]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    articles: list[ImportArticleOut] = Field(description=f"Articles this job stored (the first {JOB_ARTICLES_SHOWN}).")


def _require_staff(user) -> None:
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("Imports are for staff; this token's user is not staff.")


def _require_import_permission(user) -> None:
    _require_staff(user)
    if not user_can_import(user):
        raise PermissionDenied("This token's user may not add articles (the admin's import permission).")


def _job_out(request, job: ImportJob) -> dict:
    articles = Article.objects.filter(import_job=job).only("id", "title", "url").order_by("id")
    claims_url = request.build_absolute_uri(reverse("api:claim_list"))
    return {
        "id": job.pk,
        "url": request.build_absolute_uri(reverse("api:import_get", kwargs={"job_id": job.pk})),
        "state": job.state,
        "total": job.total,
        "processed": job.processed,
        "imported": job.imported_net,
        "duplicates": job.duplicates,
        "failed": job.failed_net,
        "extracted": job.articles.filter(extracted_at__isnull=False).count(),
        "resumable": job.is_resumable,
        "errors": [str(error) for error in job.all_errors],
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "articles": [
            {"id": a.pk, "title": a.title, "url": a.url, "claims_url": f"{claims_url}?article={a.pk}"}
            for a in articles[:JOB_ARTICLES_SHOWN]
        ],
    }


@api.post(
    "/imports",
    response={202: ImportJobOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    url_name="import_create",
    tags=["imports"],
)
def import_create(request, payload: ImportIn):
    """Import articles (staff): the same pipeline as the admin upload and `import_articles`, run in
    the background. Answers the ImportJob to poll at `url`."""
    _require_import_permission(request.auth)
    if (payload.articles is None) == (payload.text is None):
        raise HttpError(422, "Invalid input: send either `articles` (a list of records) or `text`, not both.")
    if payload.text is not None and not payload.text.strip():
        raise HttpError(422, "Invalid input: text: the article text is empty.")
    if payload.articles is not None:
        upload = ContentFile(
            json.dumps(payload.articles, ensure_ascii=False).encode("utf-8", "replace"), name="api.json"
        )
    else:
        upload = ContentFile(payload.text.encode("utf-8", "replace"), name="api.txt")
    job = import_job_submit(user=request.auth, uploads=[upload])
    return Status(202, _job_out(request, job))


@api.post(
    "/imports/{job_id}/resume",
    response={202: ImportJobOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    url_name="import_resume",
    tags=["imports"],
)
def import_resume(request, job_id: Id):
    """Resume a failed or stalled import (staff who may import): what it stored is not imported twice.
    409 when the job is not stopped."""
    _require_import_permission(request.auth)
    if not ImportJob.objects.filter(pk=job_id).exists():
        raise Http404(f"Import {job_id} does not exist.")
    job = import_job_resume(job_id=job_id)
    if job is None:
        raise HttpError(409, f"Import {job_id} is not stopped: there is nothing to resume.")
    return Status(202, _job_out(request, job))


@api.get(
    "/imports/{job_id}",
    response={200: ImportJobOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="import_get",
    tags=["imports"],
)
def import_get(request, job_id: Id):
    """An import's progress, counts, errors and the articles it stored (staff)."""
    _require_staff(request.auth)
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404(f"Import {job_id} does not exist.")
    return _job_out(request, job)


# --- sources -----------------------------------------------------------------------------------


@api.get(
    "/sources", response={200: SourcePageOut, 401: ErrorOut, 422: ErrorOut}, url_name="source_list", tags=["sources"]
)
def source_list(
    request,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL, description="In the name or an alias.")] = "",
    kind: Annotated[KindValue | None, Query()] = None,
    reliability: Annotated[ReliabilityValue | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
):
    """The source registry with aliases, kind and Admiralty reliability grade, by id."""
    qs = Source.objects.only("id", "name", "kind", "reliability", "affiliation_id").prefetch_related("aliases")
    q = q.strip()
    if q:
        alias_owners = SourceAlias.objects.filter(name__icontains=q).values("source_id")
        qs = qs.filter(Q(name__icontains=q) | Q(pk__in=alias_owners))
    if kind:
        qs = qs.filter(kind=kind)
    if reliability:
        qs = qs.filter(reliability=reliability)
    after = _cursor_decode(cursor)
    if after is not None:
        qs = qs.filter(pk__gt=after)
    rows = list(qs.order_by("id")[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _cursor_encode(rows[-1].pk) if has_more else None
    items = [
        {
            "id": s.pk,
            "name": s.name,
            "kind": s.kind,
            "reliability": s.reliability,
            "aliases": sorted(alias.name for alias in s.aliases.all()),
            "affiliation_id": s.affiliation_id,
            "url": request.build_absolute_uri(s.get_absolute_url()),
        }
        for s in rows
    ]
    return {"items": items, "next_cursor": next_cursor, "next": _next_url(request, next_cursor)}


# --- URLs --------------------------------------------------------------------------------------


def _json_not_found(request, *args, **kwargs):
    return JsonResponse({"detail": f"No API endpoint at {request.path}; see /api/openapi.json."}, status=404)


def _api_view(view):
    """The API's own rules instead of the site's: no login redirect, JSON for 405 as for the rest."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = _rate_limited(request) or view(request, *args, **kwargs)
        if response.status_code == 401:
            rate_limit_hit("api_auth_failures", client_ip_address(request))
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = JsonResponse(
                {"detail": f"Method {request.method} not allowed here; use {allowed or 'another method'}."},
                status=405,
            )
            response["Allow"] = allowed
        # Claims, notes and decisions: never kept by a shared cache or the browser.
        patch_cache_control(response, private=True, no_store=True)
        return response

    wrapper.login_required = False
    wrapper.csrf_exempt = True
    return wrapper


def _too_many(wait: int, why: str) -> JsonResponse:
    response = JsonResponse({"detail": f"Too many requests {why}; try again in {wait} s."}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _rate_limited(request) -> JsonResponse | None:
    """429 when this address keeps sending bad tokens, or this address or token sends too much."""
    ip = client_ip_address(request)
    if (wait := rate_limit_blocked("api_auth_failures", ip)) is not None:
        return _too_many(wait, "without a valid token from your address")
    if (wait := rate_limit_hit("api_ip", ip)) is not None:
        return _too_many(wait, "from your address")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip() and (wait := rate_limit_hit("api_token", token.strip())):
        return _too_many(wait, "with this token")
    return None


def _api_root(request):
    return JsonResponse({"detail": "Verifier API.", "openapi": request.build_absolute_uri("openapi.json")})


def _urls() -> tuple[list, str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            callback = _api_root if pattern.name == "api-root" else pattern.callback
            pattern.callback = _api_view(callback)
    not_found = _api_view(_json_not_found)
    return [*patterns, re_path(r"^.*$", not_found, name="not_found")], app_name, namespace


urls = _urls()
