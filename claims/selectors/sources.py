"""The source registry: lists, autocomplete, track records, grade history and merge previews."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    OuterRef,
    Q,
    QuerySet,
)

from claims.models import (
    Article,
    AuditEvent,
    Claim,
    Source,
    SourceAlias,
)
from claims.selectors.queue import (
    SHOWN_STATUSES,
    count_subquery,
    queue_queryset,
    sentence_segments,
    shown_status_expression,
    status_summary,
)


def source_grade_history(*, source: Source, limit: int = 100) -> list[AuditEvent]:
    """Every change of the source's reliability grade, and the merges into it, newest first."""
    return list(
        AuditEvent.objects.filter(
            object_type="source", object_id=str(source.pk), action__in=("source_grade", "source_merge")
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True, slots=True)
class MergePreview:
    """What merging `merge` into `keep` moves, for the confirmation page."""

    keep: Source
    merge: Source
    claims: int
    articles: int
    members: int
    aliases: list[str]


def source_merge_preview(*, keep: Source, merge: Source) -> MergePreview:
    return MergePreview(
        keep=keep,
        merge=merge,
        claims=Claim.objects.filter(source=merge).count(),
        articles=Article.objects.filter(publisher=merge).count(),
        members=Source.objects.filter(affiliation=merge).exclude(pk=keep.pk).count(),
        aliases=sorted(SourceAlias.objects.filter(source=merge).values_list("name", flat=True)),
    )


def source_track_record(*, source: Source | int) -> dict:
    """How many of the source's claims are in each shown status (one grouped query)."""
    counts = dict.fromkeys((key for key, _ in SHOWN_STATUSES), 0)
    rows = (
        Claim.objects.filter(source=source)
        .order_by()
        .annotate(shown=shown_status_expression())
        .values_list("shown")
        .annotate(n=Count("id"))
    )
    for status, n in rows:
        counts[status] = n
    return status_summary(counts)


def _matching(qs: QuerySet, q: str) -> QuerySet:
    """The sources of `qs` whose name or an alias contains `q` (all of them when `q` is empty)."""
    if not q:
        return qs
    alias_owners = SourceAlias.objects.filter(name__icontains=q).values("source_id")
    return qs.filter(Q(name__icontains=q) | Q(pk__in=alias_owners))


def source_list(*, q: str = "", page: int = 1, page_size: int = 50) -> tuple[list[Source], bool]:
    qs = Source.objects.only("id", "name", "kind", "reliability", "needs_review").annotate(
        n_claims=count_subquery(Claim.objects.filter(source=OuterRef("pk")))
    )
    qs = _matching(qs, q)
    offset = (page - 1) * page_size
    rows = list(qs.order_by("name", "id")[offset : offset + page_size + 1])
    return rows[:page_size], len(rows) > page_size


def source_registry(
    *, q: str = "", kind: str | None = None, reliability: str | None = None, after: int | None = None, limit: int = 50
) -> tuple[list[Source], int | None]:
    """The registry by id, with aliases, searched as `source_list` searches: a page of sources after
    the id `after`, and the id to continue after (None on the last page)."""
    qs = _matching(Source.objects.only("id", "name", "kind", "reliability", "affiliation_id"), q)
    if kind:
        qs = qs.filter(kind=kind)
    if reliability:
        qs = qs.filter(reliability=reliability)
    if after is not None:
        qs = qs.filter(pk__gt=after)
    rows = list(qs.prefetch_related("aliases").order_by("id")[: limit + 1])
    return rows[:limit], (rows[limit - 1].pk if len(rows) > limit else None)


def source_autocomplete(*, q: str, limit: int = 10) -> list[tuple[str, str]]:
    """(name, canonical name) pairs whose name or alias starts with, or contains, `q`."""
    if not q.strip():
        return []
    rows = (
        SourceAlias.objects.filter(name__icontains=q.strip())
        .select_related("source")
        .only("name", "source__name")
        .order_by("name")[:limit]
    )
    return [(alias.name, alias.source.name) for alias in rows]


def source_claims(*, source: Source, limit: int = 50) -> list[Claim]:
    qs = queue_queryset().filter(source=source).order_by("-id")[:limit]
    rows = list(qs)
    for row in rows:
        row.segments = sentence_segments(row.text, source_name=row.source.name, cue=row.cue)
    return rows
