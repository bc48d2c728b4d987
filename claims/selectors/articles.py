"""Articles: the list and the reader's claims and highlighted segments."""

from __future__ import annotations

from django.db.models import (
    F,
    OuterRef,
)

from claims.models import (
    Article,
    Claim,
)
from claims.selectors.corroboration import (
    cluster_size_annotation,
)
from claims.selectors.queue import Segment, count_subquery


def article_list(*, page: int = 1, page_size: int = 50, q: str = "") -> tuple[list[Article], bool]:
    """Articles (newest first) with their progress (decided / total claims) in one query."""
    qs = (
        Article.objects.select_related("publisher")
        .only("id", "title", "published_at", "language", "truncated", "publisher__id", "publisher__name")
        .annotate(
            n_claims=count_subquery(Claim.objects.filter(article=OuterRef("pk"))),
            n_decided=count_subquery(Claim.objects.filter(article=OuterRef("pk"), version__gt=0)),
        )
    )
    if q:
        qs = qs.filter(title__icontains=q)
    offset = (page - 1) * page_size
    rows = list(qs.order_by(F("published_at").desc(nulls_last=True), "-id")[offset : offset + page_size + 1])
    for row in rows:
        row.n_undecided = row.n_claims - row.n_decided
    return rows[:page_size], len(rows) > page_size


def article_claims(*, article: Article) -> list[Claim]:
    return list(
        Claim.objects.filter(article=article)
        .select_related("source")
        .only(
            "id",
            "start",
            "end",
            "text",
            "status",
            "version",
            "hedged",
            "status_hint",
            "source__id",
            "source__name",
        )
        .annotate(cluster_size=cluster_size_annotation())  # "also reported by" (issue 15)
        .order_by("start", "-end", "id")
    )


def article_segments(*, body: str, claims: list[Claim]) -> list[Segment]:
    """The body as plain and highlighted segments, in order, covering every character exactly once.

    Spans are sorted; where one overlaps an earlier highlight, only its remainder is highlighted, and
    one wholly inside an earlier highlight is listed on it (`overlaps`), so no text is ever repeated.
    """
    segments: list[Segment] = []
    pos = 0
    last_claim_segment = None
    for claim in sorted(claims, key=lambda c: (c.start, -c.end, c.pk)):
        start, end = max(claim.start, pos), min(claim.end, len(body))
        if end <= start:
            if last_claim_segment is not None:
                last_claim_segment.overlaps.append(claim)
            continue
        if start > pos:
            segments.append(Segment(body[pos:start]))
        last_claim_segment = Segment(body[start:end], "claim", claim)
        segments.append(last_claim_segment)
        pos = end
    if pos < len(body):
        segments.append(Segment(body[pos:]))
    return segments
