"""Writes. Every change to Verifier's data goes through a function here.

Functions are keyword-only and named `<entity>_<action>`; views, commands, the admin, the API and
tasks are just callers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from claims.models import AuditEvent, Claim, Reliability, Source, SourceAlias, SourceKind, Status, VerificationStatus
from claims.sourcenames import look_alike_reason, source_name_clean, source_name_key

NOTE_MAX_CHARS = 4000
ANALYSTS_GROUP = "Analysts"
VIEWERS_GROUP = "Viewers"


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


def user_can_decide(user) -> bool:
    """Analysts (and superusers) may change statuses and claims; Viewers only read."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=ANALYSTS_GROUP).exists()


def audit_record(*, actor, action: str, obj, details: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        details=details or {},
    )


# --- decisions -------------------------------------------------------------------------------


def _validate_decision(*, status: str, note: str, evidence_url: str) -> None:
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


def claim_set_status(
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
    _validate_decision(status=status, note=note, evidence_url=evidence_url)
    if idempotency_key is not None and (len(idempotency_key) > IDEMPOTENCY_KEY_MAX or "\x00" in idempotency_key):
        raise ValidationError(
            {"idempotency_key": f"The idempotency key must be text of at most {IDEMPOTENCY_KEY_MAX} characters."}
        )
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
            Claim.objects.filter(pk=locked.pk).update(
                status=status, version=new_version, updated_at=decision.created_at
            )
            from claims.corroboration_services import credibility_after_decision  # late: it imports this module

            credibility_after_decision(claim_id=locked.pk)
    except IntegrityError:
        # The same key raced in on another claim's lock: the first one recorded is the decision.
        earlier = _decision_by_key(analyst=analyst, key=idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return _replay(earlier, claim=claim, status=status, note=note, evidence_url=evidence_url)
    decision.replayed = False
    claim.status = status
    claim.version = new_version
    claim.updated_at = decision.created_at
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


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source as the extractor or an importer names it."""

    name: str
    kind: str = SourceKind.ORGANIZATION
    aliases: tuple[str, ...] = ()


def source_find(*, name: str) -> Source | None:
    """The source that `name` (canonical or alias, normalised) names, if any."""
    key = source_name_key(name)
    if not key:
        return None
    alias = SourceAlias.objects.select_related("source").filter(normalized=key).first()
    return alias.source if alias else None


def _alias_add(*, source: Source, name: str) -> bool:
    """Add `name` as an alias of `source` unless it already names a source. True if added."""
    name = source_name_clean(name)[:300]
    key = source_name_key(name)
    if not key or SourceAlias.objects.filter(normalized=key).exists():
        return False
    try:
        with transaction.atomic():
            SourceAlias.objects.create(source=source, name=name)
    except IntegrityError:  # another writer took it meanwhile: it names that source now
        return False
    return True


def source_resolve(*, ref: SourceRef) -> Source:
    """Find the registry source for a name (or one of its aliases), or create it.

    Aliases that no source owns yet become aliases of the resolved source.
    """
    names = [ref.name, *ref.aliases]
    source = None
    for name in names:
        source = source_find(name=name)
        if source is not None:
            break
    if source is None:
        source = _source_create(name=ref.name, kind=ref.kind)
    for name in names:
        _alias_add(source=source, name=name)
    return source


def _source_create(*, name: str, kind: str) -> Source:
    name = source_name_clean(name)[:300] or "unnamed"
    kind = kind if kind in SourceKind.values else SourceKind.ORGANIZATION
    # A name that mixes scripts in a word ("Rеuters" with a Cyrillic е) is created, but flagged for
    # review on the source pages and in the admin, and its creation is an audit event.
    reason = look_alike_reason(name)
    try:
        with transaction.atomic():
            source = Source.objects.create(name=name, kind=kind, needs_review=bool(reason), review_reason=reason)
            SourceAlias.objects.create(source=source, name=name)
            if reason:
                audit_record(actor=None, action="source_flagged", obj=source, details={"name": name, "reason": reason})
    except IntegrityError:
        # A concurrent import created it, or the name differs from an existing one only by case.
        existing = source_find(name=name) or Source.objects.filter(name__iexact=name).first()
        if existing is None:
            raise
        return existing
    return source


def source_create(*, name: str, kind: str = SourceKind.ORGANIZATION, aliases: Iterable[str] = (), actor=None) -> Source:
    """Create a source by hand (refuses a name that already names one)."""
    if source_find(name=name) is not None:
        raise ValidationError({"name": f"{name!r} already names a source."})
    source = _source_create(name=name, kind=kind)
    for alias in aliases:
        _alias_add(source=source, name=alias)
    if actor is not None:
        audit_record(actor=actor, action="source_create", obj=source, details={"name": source.name})
    return source


def source_merge(*, keep: Source, merge: Source, actor=None) -> Source:
    """Move `merge`'s claims, articles, members and aliases to `keep`, then delete `merge`."""
    if actor is not None and not (actor.is_active and actor.is_staff):
        raise PermissionDenied("Only staff may merge sources.")
    if keep.pk == merge.pk:
        raise ValidationError("A source cannot be merged into itself.")
    with transaction.atomic():
        keep = Source.objects.select_for_update().get(pk=keep.pk)
        merge = Source.objects.select_for_update().get(pk=merge.pk)
        moved_claims = Claim.objects.filter(source=merge).update(source=keep)
        merge.articles.update(publisher=keep)
        merge.members.exclude(pk=keep.pk).update(affiliation=keep)
        if keep.affiliation_id == merge.pk:
            keep.affiliation = None
            keep.save(update_fields=["affiliation", "updated_at"])
        moved_aliases = SourceAlias.objects.filter(source=merge).update(source=keep)
        if merge.notes:
            keep.notes = f"{keep.notes}\n\n{merge.notes}".strip()
            keep.save(update_fields=["notes", "updated_at"])
        details = {
            "merged_id": merge.pk,
            "merged_name": merge.name,
            "merged_reliability": merge.reliability,
            "kept_reliability": keep.reliability,
            "claims_moved": moved_claims,
            "aliases_moved": moved_aliases,
        }
        merge.delete()
        audit_record(actor=actor, action="source_merge", obj=keep, details=details)
    return keep


def source_update(
    *, source: Source, actor, kind: str, reliability: str, affiliation: Source | None = None, notes: str = ""
) -> Source:
    """Staff edit a source's kind, reliability grade, affiliation and notes (audited)."""
    if actor is None or not actor.is_active or not actor.is_staff:
        raise PermissionDenied("Only staff may edit sources.")
    if kind not in SourceKind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}."})
    if reliability not in Reliability.values:
        raise ValidationError({"reliability": f"Unknown reliability grade {reliability!r}."})
    if affiliation is not None and affiliation.pk == source.pk:
        raise ValidationError({"affiliation": "A source cannot be its own affiliation."})
    before = {"kind": source.kind, "reliability": source.reliability, "affiliation": source.affiliation_id}
    source.kind, source.reliability, source.affiliation, source.notes = kind, reliability, affiliation, notes
    source.save(update_fields=["kind", "reliability", "affiliation", "notes", "updated_at"])
    after = {"kind": kind, "reliability": reliability, "affiliation": getattr(affiliation, "pk", None)}
    audit_record(actor=actor, action="source_update", obj=source, details={"before": before, "after": after})
    source_grade_record(source=source, actor=actor, before=before["reliability"], after=reliability, via="app")
    return source


def source_grade_record(*, source: Source, actor, before: str, after: str, via: str) -> AuditEvent | None:
    """Record a change of a source's reliability grade (from the app, the admin or a registry load)."""
    if before == after:
        return None
    return audit_record(
        actor=actor, action="source_grade", obj=source, details={"before": before, "after": after, "via": via}
    )


# --- claims ------------------------------------------------------------------------------------


def claim_assign(*, claim: Claim, assignee, actor) -> Claim:
    """Assign the claim to `assignee` (None unassigns)."""
    if not user_can_decide(actor):
        raise PermissionDenied("Only analysts may assign claims.")
    with transaction.atomic():
        # Lock the claim row only (PostgreSQL cannot lock the nullable side of a join to the user).
        locked = Claim.objects.select_for_update().only("id", "assignee_id").get(pk=claim.pk)
        before = locked.assignee  # one query, on the locked row's current assignee
        if getattr(before, "pk", None) == getattr(assignee, "pk", None):
            claim.assignee = assignee
            return claim
        Claim.objects.filter(pk=claim.pk).update(assignee=assignee)
        # Names as well as ids: the claim page shows who took it from whom, even after renames.
        details = {
            "assignee": getattr(assignee, "pk", None),
            "assignee_name": assignee.get_username() if assignee else None,
            "previous": getattr(before, "pk", None),
            "previous_name": before.get_username() if before else None,
        }
        audit_record(actor=actor, action="claim_assign" if assignee else "claim_unassign", obj=claim, details=details)
    claim.assignee = assignee
    return claim


def claim_create(*, article, start: int, end: int, source: Source, actor, via: str = "", hedged: bool = False) -> Claim:
    """Create a claim by hand over body[start:end] (created_by = actor)."""
    if not user_can_decide(actor):
        raise PermissionDenied("Only analysts may add claims.")
    body = article.body
    if not (0 <= start < end <= len(body)):
        raise ValidationError("The selection is outside the article text.")
    text = body[start:end]
    if not text.strip():
        raise ValidationError("The selection is empty.")
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                article=article,
                start=start,
                end=end,
                text=text,
                source=source,
                via=via,
                hedged=hedged,
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationError("A claim over exactly this text already exists.") from None
    audit_record(actor=actor, action="claim_create", obj=claim, details={"start": start, "end": end})
    return claim


def claim_update(
    *, claim: Claim, actor, start: int | None = None, end: int | None = None, source: Source | None = None
) -> Claim:
    """Edit a claim's span or source; the text follows the span. Recorded in the audit log."""
    if not user_can_decide(actor):
        raise PermissionDenied("Only analysts may edit claims.")
    changes = {}
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("article").get(pk=claim.pk)
        if start is not None or end is not None:
            new_start = claim.start if start is None else start
            new_end = claim.end if end is None else end
            body = claim.article.body
            if not (0 <= new_start < new_end <= len(body)) or not body[new_start:new_end].strip():
                raise ValidationError("The span must be a non-empty part of the article text.")
            if (new_start, new_end) != (claim.start, claim.end):
                changes["span"] = [[claim.start, claim.end], [new_start, new_end]]
                claim.start, claim.end, claim.text = new_start, new_end, body[new_start:new_end]
        if source is not None and source.pk != claim.source_id:
            changes["source"] = [claim.source_id, source.pk]
            claim.source = source
        if changes:
            try:
                with transaction.atomic():
                    claim.save(update_fields=["start", "end", "text", "source", "updated_at"])
            except IntegrityError:
                raise ValidationError("A claim over exactly this text already exists.") from None
            audit_record(actor=actor, action="claim_update", obj=claim, details=changes)
            from claims.corroboration_services import claims_index  # late: it imports this module

            claims_index(claim_ids=[claim.pk])  # the new text's band keys, so the claim is found by it
    return claim


def claims_bulk_set_status(
    *, claims: Iterable[Claim], status: str, analyst, note: str = "", versions: dict[int, int] | None = None
) -> list[VerificationStatus]:
    """Decide several claims at once; each still gets its own VerificationStatus.

    `versions` maps claim ids to the versions the analyst saw; a stale one raises StaleVersionError
    (callers run this in a transaction, so nothing is recorded then). Claims that already have the
    status (and no note is given) are skipped: the list holds only the decisions recorded.
    """
    versions = versions or {}
    recorded = []
    for claim in claims:
        try:
            recorded.append(
                claim_set_status(
                    claim=claim, status=status, analyst=analyst, note=note, expected_version=versions.get(claim.pk)
                )
            )
        except DecisionUnchangedError:
            continue
    return recorded
