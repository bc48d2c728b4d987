"""The dashboard: what is assigned to me, recent decisions, articles with most undecided claims."""

from __future__ import annotations

from django.db.models import (
    Count,
)

from claims.models import (
    Article,
    Claim,
    VerificationStatus,
)
from claims.selectors.queue import queue_queryset, sentence_segments


def my_assigned_claims(*, user, limit: int = 10) -> list[Claim]:
    rows = list(queue_queryset().filter(assignee=user).order_by("version", "-id")[:limit])
    for row in rows:
        row.segments = sentence_segments(row.text, source_name=row.source.name, cue=row.cue)
    return rows


def recent_decisions(*, limit: int = 10) -> list[VerificationStatus]:
    return list(
        VerificationStatus.objects.select_related("analyst", "claim")
        .only("id", "status", "note", "created_at", "analyst__username", "claim__id", "claim__text")
        .order_by("-created_at", "-id")[:limit]
    )


def articles_most_undecided(*, limit: int = 10) -> list[dict]:
    """Articles with the most claims nobody has decided yet (partial index on version = 0)."""
    top = list(
        Claim.objects.filter(version=0)
        .order_by()
        .values("article")
        .annotate(n=Count("id"))
        .order_by("-n", "article")[:limit]
    )
    titles = dict(Article.objects.filter(pk__in=[t["article"] for t in top]).values_list("pk", "title"))
    return [{"id": t["article"], "title": titles.get(t["article"], ""), "undecided": t["n"]} for t in top]


def claim_latest_decision(*, claim_id: int) -> VerificationStatus | None:
    """The claim's latest decision with its analyst (what a conflict shows)."""
    return (
        VerificationStatus.objects.select_related("analyst")
        .filter(claim_id=claim_id)
        .order_by("-version")
        .only("id", "status", "note", "version", "created_at", "analyst__username")
        .first()
    )
