"""Live updates: what colleagues changed since a page's cursor, in a few primary-key range scans."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection

from claims.models import (
    UNDECIDED,  # a queue filter and a shown status: claims nobody has decided yet (version 0)
    AuditEvent,
    Claim,
    VerificationStatus,
)
from claims.selectors.queue import SHOWN_STATUSES

#
# Open pages poll `claims:live` with a cursor: the highest decision, audit event and claim ids they
# have seen. Each poll is three primary-key range scans (no table grows the cost of a poll), so it
# works the same under runserver and gunicorn, with no long-lived connections.

LIVE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class LiveCursor:
    decision: int = 0
    event: int = 0
    claim: int = 0

    def __str__(self) -> str:
        return f"{self.decision}.{self.event}.{self.claim}"

    @classmethod
    def parse(cls, text: str) -> LiveCursor | None:
        parts = text.split(".")
        if len(parts) != 3 or not all(p.isdigit() and len(p) < 19 for p in parts):
            return None
        return cls(*(int(p) for p in parts))


@dataclass(slots=True)
class LiveChange:
    claim_id: int
    kind: str  # "decision" | "assignment"
    by: str
    status: str = ""  # a shown status (decisions)
    label: str = ""
    note: str = ""
    assignee: str = ""

    @property
    def text(self) -> str:
        if self.kind == "decision":
            return f"Changed by {self.by} to {self.label} just now"
        return (
            f"Assigned to {self.assignee} by {self.by} just now"
            if self.assignee
            else f"Unassigned by {self.by} just now"
        )


@dataclass(slots=True)
class LiveChanges:
    cursor: LiveCursor
    changes: list[LiveChange]
    new_claims: int


def live_start() -> LiveCursor:
    """Where a page's live updates start: the newest decision, audit event and claim (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT max(id) FROM claims_verificationstatus), (SELECT max(id) FROM claims_auditevent),"
            " (SELECT max(id) FROM claims_claim)"
        )
        row = cursor.fetchone()
    return LiveCursor(*(n or 0 for n in row))


def live_changes(
    *, since: LiveCursor, user_id: int | None = None, article: int | None = None, claim: int | None = None
) -> LiveChanges:
    """Decisions, assignments and new claims after `since`, by others than `user_id`, optionally of
    one article or one claim; the cursor moves past what was read (in id order, LIMIT at a time)."""
    decisions = VerificationStatus.objects.filter(id__gt=since.decision)
    events = AuditEvent.objects.filter(id__gt=since.event)
    new = Claim.objects.filter(id__gt=since.claim)
    if article is not None:
        decisions = decisions.filter(claim__article_id=article)
        new = new.filter(article_id=article)
    if claim is not None:
        decisions = decisions.filter(claim_id=claim)
        events = events.filter(object_id=str(claim))
        new = new.none()
    decision_rows = list(
        decisions.order_by("id").values_list(
            "id", "claim_id", "status", "version", "note", "analyst_id", "analyst__username"
        )[:LIVE_LIMIT]
    )
    event_rows = list(
        events.order_by("id").values_list(
            "id", "action", "object_type", "object_id", "details", "actor_id", "actor__username"
        )[:LIVE_LIMIT]
    )
    new_rows = list(new.order_by("id").values_list("id", "created_by_id")[:LIVE_LIMIT]) if claim is None else []
    changes = _decision_changes(decision_rows, user_id) + _assignment_changes(event_rows, user_id)
    cursor = LiveCursor(
        decision=decision_rows[-1][0] if decision_rows else since.decision,
        event=event_rows[-1][0] if event_rows else since.event,
        claim=new_rows[-1][0] if new_rows else since.claim,
    )
    new_claims = sum(1 for _, created_by in new_rows if created_by is None or created_by != user_id)
    return LiveChanges(cursor=cursor, changes=changes, new_claims=new_claims)


def _decision_changes(rows: list[tuple], user_id: int | None) -> list[LiveChange]:
    """The decisions among `rows` that others made, each with the status a page shows."""
    changes: list[LiveChange] = []
    for _, claim_id, status, version, note, analyst_id, username in rows:
        if analyst_id == user_id:
            continue
        key = UNDECIDED if version == 0 else status
        changes.append(
            LiveChange(
                claim_id=claim_id,
                kind="decision",
                by=username,
                status=key,
                label=dict(SHOWN_STATUSES)[key],
                note=note,
            )
        )
    return changes


def _assignment_changes(rows: list[tuple], user_id: int | None) -> list[LiveChange]:
    """The claim assignments among audit event `rows` that others made, with the assignees' names
    (one query for all of them)."""
    assignee_ids = {
        d.get("assignee")
        for _, action, otype, _, d, actor_id, _ in rows
        if action == "claim_assign" and otype == "claim" and actor_id != user_id and d.get("assignee")
    }
    names = {}
    if assignee_ids:
        names = dict(get_user_model().objects.filter(pk__in=assignee_ids).values_list("pk", "username"))
    changes: list[LiveChange] = []
    for _, action, otype, object_id, details, actor_id, username in rows:
        if action != "claim_assign" or otype != "claim" or actor_id == user_id or not object_id.isdigit():
            continue
        assignee = names.get(details.get("assignee"), "")
        changes.append(
            LiveChange(claim_id=int(object_id), kind="assignment", by=username or "someone", assignee=assignee)
        )
    return changes
