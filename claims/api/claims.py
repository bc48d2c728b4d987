"""/api/claims: the queue's claims, one claim with its history, and decisions."""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from ninja import Query, Router, Status
from ninja.errors import HttpError

from claims import selectors
from claims.api.paging import DEFAULT_LIMIT, Cursor, Limit, cursor_decode, page_out
from claims.api.schemas import (
    MAX_ID,
    NO_NUL,
    ClaimDetailOut,
    ClaimPageOut,
    ConflictOut,
    DecisionCreatedOut,
    DecisionIn,
    ErrorOut,
    Id,
    StatusFilter,
)
from claims.models import Claim
from claims.roles import user_can_decide
from claims.services import DecisionUnchangedError, StaleVersionError, decisions

IDEMPOTENCY_HEADER_MAX = 100  # stored as "api:<key>": within services' IDEMPOTENCY_KEY_MAX (200)

router = Router(tags=["claims"])


def _claim_with_history(claim_id: int) -> Claim:
    """The claim as ClaimDetailOut shows it: with its decisions, oldest first, as `history`."""
    try:
        claim = selectors.claim_detail(pk=claim_id)
    except Claim.DoesNotExist:
        raise Http404(f"Claim {claim_id} does not exist.") from None
    claim.history = list(claim.decisions.select_related("analyst").order_by("version"))
    return claim


@router.get("/claims", response={200: ClaimPageOut, 401: ErrorOut, 422: ErrorOut}, url_name="claim_list")
def claim_list(
    request,
    status: Annotated[StatusFilter | None, Query(description="A status, or 'undecided'.")] = None,
    source: Annotated[int | None, Query(ge=1, le=MAX_ID, description="A source id.")] = None,
    article: Annotated[int | None, Query(ge=1, le=MAX_ID, description="An article id.")] = None,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL, description="Search in the claim text.")] = "",
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
):
    """Claims, newest first, filtered as in the triage queue; keyset pagination with `cursor`."""
    filters = selectors.QueueFilters(status=status or "", source=source, article=article, q=q.strip())
    page = selectors.claim_queue(filters=filters, after=cursor_decode(cursor), page_size=limit)
    return page_out(request, page.rows, page.next_after)


@router.get(
    "/claims/{claim_id}",
    response={200: ClaimDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="claim_get",
)
def claim_get(request, claim_id: Id):
    """One claim with its article, source and full decision history."""
    return _claim_with_history(claim_id)


def _idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key.strip()) <= IDEMPOTENCY_HEADER_MAX and key.isprintable()):
        raise HttpError(
            422, f"Invalid input: Idempotency-Key: printable text of 1 to {IDEMPOTENCY_HEADER_MAX} characters."
        )
    return f"api:{key.strip()}" if key is not None else None


@router.post(
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
)
def claim_decide(request, response: HttpResponse, claim_id: Id, payload: DecisionIn):
    """Record a decision (Analysts only), exactly as the triage pages do; 409 if `version` is stale.

    Send an `Idempotency-Key` header (any text up to 100 characters, e.g. a UUID) to make retries
    safe: a request repeating a key already used by this token's user records nothing and answers the
    decision recorded the first time (201, with `Idempotent-Replayed: true`); the same key with a
    different decision is a 422.
    """
    key = _idempotency_key(request)
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
            idempotency_key=key,
        )
    except StaleVersionError as stale:
        detail = (
            f"Claim {claim_id} is at version {stale.claim.version}, not {payload.version}: "
            "someone decided since you loaded it. Review the current claim and decide again."
        )
        return Status(409, {"detail": detail, "claim": _claim_with_history(claim_id)})
    except DecisionUnchangedError as unchanged:
        # 200, not 201: nothing was created (a repeated request, or someone already decided the same).
        detail = f"Claim {claim_id} is already {unchanged.claim.get_status_display()}; nothing recorded."
        return Status(200, {"detail": detail, "claim": _claim_with_history(claim_id)})
    decision.analyst = request.auth
    if getattr(decision, "replayed", False):
        response["Idempotent-Replayed"] = "true"
    return Status(201, {"decision": decision, "claim": _claim_with_history(claim_id)})
