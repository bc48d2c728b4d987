"""Claims edited by hand: assignment, a claim added over a selection, a span or source fixed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from claims.models import Claim, Source
from claims.roles import user_can_decide
from claims.services.audit import audit_record
from claims.services.corroboration import claims_index


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

            claims_index(claim_ids=[claim.pk])  # the new text's band keys, so the claim is found by it
    return claim
