"""Decisions: the only way a claim's status changes (one VerificationStatus per decision)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from claims.models import Claim, Status, VerificationStatus
from claims.roles import user_can_decide
from claims.services.corroboration import cluster_member_ids, credibility_after_decision

NOTE_MAX_CHARS = 4000


IDEMPOTENCY_KEY_MAX = 200


class IdempotencyKeyReused(ValidationError):
    """The key was already used by this analyst for a different decision."""


class StaleVersionError(Exception):
    """Someone else decided on the claim since the caller last saw it."""

    def __init__(self, claim: Claim):
        super().__init__(f"Claim {claim.pk} is at version {claim.version}")
        self.claim = claim


class DecisionUnchangedError(Exception):
    """The decision would change nothing (the claim already has that status, no note, no evidence)."""

    def __init__(self, claim: Claim):
        super().__init__(f"Claim {claim.pk} is already {claim.get_status_display()}; nothing recorded")
        self.claim = claim


def _validate_decision(*, status: str, note: str, evidence_url: str, idempotency_key: str | None) -> None:
    if status not in Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}; use one of {', '.join(Status.values)}."})
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationError({"note": f"The note is longer than {NOTE_MAX_CHARS} characters."})
    # No database text holds NUL (PostgreSQL refuses it): invalid input, never a server error.
    if "\x00" in note:
        raise ValidationError({"note": "The note contains a NUL character (\\x00); send plain text."})
    if "\x00" in evidence_url:
        raise ValidationError({"evidence_url": "The evidence URL contains a NUL character (\\x00)."})
    if evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(evidence_url)
        except ValidationError:
            raise ValidationError({"evidence_url": "The evidence URL must be an http(s) address."}) from None
    if idempotency_key is not None and (len(idempotency_key) > IDEMPOTENCY_KEY_MAX or "\x00" in idempotency_key):
        raise ValidationError(
            {"idempotency_key": f"The idempotency key must be text of at most {IDEMPOTENCY_KEY_MAX} characters."}
        )


def claim_decide(
    *,
    claim: Claim,
    status: str,
    analyst,
    note: str = "",
    evidence_url: str = "",
    expected_version: int | None = None,
    idempotency_key: str | None = None,
) -> VerificationStatus:
    """Record one decision: the only way a claim's status changes.

    Locks the claim row, refuses a stale `expected_version` (StaleVersionError), appends the
    VerificationStatus, sets Claim.status and bumps Claim.version, all in one transaction.
    A decision that changes nothing (same status as a decided claim, no note, no evidence) records
    nothing and raises DecisionUnchangedError, stale version or not: a repeated key press or a
    second analyst agreeing adds no history.
    With an `idempotency_key` already used by this analyst for the same decision, nothing is recorded
    and that earlier decision is returned with `replayed = True` (a different decision under the same
    key raises IdempotencyKeyReused); the database's unique (analyst, key) is the last word. The replay
    check comes first: a replayed request answers as the first one did, not as "unchanged".
    """
    note = (note or "").strip()
    evidence_url = (evidence_url or "").strip()
    idempotency_key = (idempotency_key or "").strip() or None
    _validate_decision(status=status, note=note, evidence_url=evidence_url, idempotency_key=idempotency_key)
    if not user_can_decide(analyst):
        raise PermissionDenied("Only analysts may decide on claims.")
    try:
        with transaction.atomic():
            locked = Claim.objects.select_for_update().only("id", "version", "status").get(pk=claim.pk)
            if idempotency_key is not None:
                earlier = _decision_by_key(analyst=analyst, key=idempotency_key)
                if earlier is not None:
                    return _replay(earlier, claim=claim, status=status, note=note, evidence_url=evidence_url)
            if locked.version > 0 and locked.status == status and not note and not evidence_url:
                raise DecisionUnchangedError(locked)
            if expected_version is not None and locked.version != expected_version:
                raise StaleVersionError(locked)
            decision = _record_decision(
                locked,
                status=status,
                analyst=analyst,
                note=note,
                evidence_url=evidence_url,
                idempotency_key=idempotency_key,
            )
            credibility_after_decision(claim_id=locked.pk)
    except IntegrityError:
        # The same key raced in on another claim's lock: the first one recorded is the decision.
        earlier = _decision_by_key(analyst=analyst, key=idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return _replay(earlier, claim=claim, status=status, note=note, evidence_url=evidence_url)
    decision.replayed = False
    claim.status = status
    claim.version = decision.version
    claim.updated_at = decision.created_at
    return decision


def _record_decision(
    locked: Claim, *, status: str, analyst, note: str, evidence_url: str, idempotency_key: str | None
) -> VerificationStatus:
    """Append the next decision on the locked claim and set the claim's status and version to it
    (inside claim_decide's transaction)."""
    new_version = locked.version + 1
    decision = VerificationStatus.objects.create(
        claim_id=locked.pk,
        status=status,
        version=new_version,
        analyst=analyst,
        note=note,
        evidence_url=evidence_url,
        idempotency_key=idempotency_key,
    )
    Claim.objects.filter(pk=locked.pk).update(status=status, version=new_version, updated_at=decision.created_at)
    return decision


def _decision_by_key(*, analyst, key: str) -> VerificationStatus | None:
    return VerificationStatus.objects.filter(analyst=analyst, idempotency_key=key).first()


def _replay(earlier: VerificationStatus, *, claim: Claim, status: str, note: str, evidence_url: str):
    if (earlier.claim_id, earlier.status, earlier.note, earlier.evidence_url) != (claim.pk, status, note, evidence_url):
        raise IdempotencyKeyReused(
            {"idempotency_key": "This idempotency key was already used for a different decision; use a new key."}
        )
    current = Claim.objects.only("status", "version", "updated_at").get(pk=claim.pk)
    claim.status, claim.version, claim.updated_at = current.status, current.version, current.updated_at
    earlier.replayed = True
    return earlier


# --- sources ---------------------------------------------------------------------------------


def claims_decide(
    *, claims: Iterable[Claim], status: str, analyst, note: str = "", versions: dict[int, int] | None = None
) -> list[VerificationStatus]:
    """Decide several claims at once; each still gets its own VerificationStatus.

    `versions` maps claim ids to the versions the analyst saw; a stale one raises StaleVersionError
    and nothing is recorded (one transaction). Claims that already have the status (and no note is
    given) are skipped: the list holds only the decisions recorded.
    """
    versions = versions or {}
    recorded = []
    with transaction.atomic():
        for claim in claims:
            try:
                recorded.append(
                    claim_decide(
                        claim=claim, status=status, analyst=analyst, note=note, expected_version=versions.get(claim.pk)
                    )
                )
            except DecisionUnchangedError:
                continue
    return recorded


def cluster_decide(
    *, claim: Claim, status: str, analyst, note: str = "", versions: dict[int, int] | None = None
) -> list:
    """Decide every claim in the claim's cluster at once ("apply to all N"): one VerificationStatus
    per claim through claim_decide, one transaction, one version check per claim."""
    member_ids = cluster_member_ids(claim_id=claim.pk)
    claims = Claim.objects.only("id", "version", "status").filter(pk__in=member_ids).order_by("id")
    return claims_decide(claims=claims, status=status, analyst=analyst, note=note, versions=versions)
