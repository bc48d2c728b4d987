"""One claim: its page, its context in the article and its history."""

from __future__ import annotations

from django.db.models import (
    QuerySet,
)

from claims.models import (
    AuditEvent,
    Claim,
)
from claims.selectors.corroboration import (
    corroboration_annotations,
)

CONTEXT_CHARS = 1500


def claim_detail(*, pk: int) -> Claim:
    return (
        Claim.objects.select_related(
            "article", "article__publisher", "source", "source__affiliation", "assignee", "created_by"
        )
        .annotate(**corroboration_annotations())
        .get(pk=pk)
    )


def claim_context(*, claim: Claim) -> tuple[str, str, str]:
    """The claim within its paragraph: (before, claim text, after), sliced from the article body."""
    body = claim.article.body
    para_start = body.rfind("\n\n", 0, claim.start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = body.find("\n\n", claim.end)
    para_end = len(body) if para_end < 0 else para_end
    para_start = max(para_start, claim.start - CONTEXT_CHARS)
    para_end = min(para_end, claim.end + CONTEXT_CHARS)
    return body[para_start : claim.start], body[claim.start : claim.end], body[claim.end : para_end]


def claim_decisions(*, claim: Claim) -> QuerySet:
    return claim.decisions.select_related("analyst").order_by("-version")


CLAIM_HISTORY_ACTIONS = ("claim_assign", "claim_unassign", "claim_update", "claim_create")


def claim_history(*, claim: Claim, limit: int = 100) -> list[AuditEvent]:
    """Changes to the claim other than decisions (assignments, edits), newest first."""
    return list(
        AuditEvent.objects.filter(object_type="claim", object_id=str(claim.pk), action__in=CLAIM_HISTORY_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
