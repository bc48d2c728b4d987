"""The triage queue: filters, pages, status counts and the sentence a claim stands in."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from claims.models import (
    UNDECIDED,  # a queue filter and a shown status: claims nobody has decided yet (version 0)
    UNDECIDED_LABEL,
    Claim,
    SourceAlias,
    Status,
    VerificationStatus,
)
from claims.selectors.corroboration import (
    attach_cluster_versions,
    cluster_size_annotation,
    corroboration_annotations,
    filter_collapsed,
    filter_credibility,
)

QUEUE_PAGE_SIZE = 50
QUEUE_SORTS = ("newest", "oldest", "article")
# The statuses a page shows, in triage order: nobody decided yet, then the three decisions.
SHOWN_STATUSES = [(UNDECIDED, UNDECIDED_LABEL), *Status.choices]


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """What the queue shows; every field comes from a URL query parameter."""

    status: str = ""  # a Status value, UNDECIDED, or "" for all
    source: int | None = None
    article: int | None = None
    q: str = ""
    assignee: int | None = None  # a user id ("assignee=me" in the URL)
    hedged: bool | None = None
    language: str = ""
    sort: str = "newest"  # newest | oldest | article (articles newest first, claims in text order)
    publisher: int | None = None
    published_from: datetime.date | None = None
    published_to: datetime.date | None = None
    hinted: bool | None = None  # the source itself says "being clarified", "confirmed"...
    credibility: str = ""  # "1".."6", "none" (not assessed), or "" for all
    collapse: bool = False  # one row per cluster of the same claim, with its count


@dataclass(slots=True)
class QueuePage:
    rows: list[Claim]
    has_more: bool
    next_after: int | None
    page: int | None = None
    next_page: int | None = None  # for orders without a keyset (sort=article)


@dataclass(slots=True)
class Segment:
    text: str
    kind: str = ""  # "" plain, "source", "cue"; for the reader: "claim"
    claim: Claim | None = None
    overlaps: list[Claim] = field(default_factory=list)


class FullTextMatch(Func):
    """`search_vector @@ websearch_to_tsquery('english', q)` on PostgreSQL.

    `search_vector` is a stored, generated tsvector of the claim text with its own GIN index
    (migration 0005): matching it does not re-parse each row's text (bench/README.md).
    """

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        query_sql, query_params = compiler.compile(self.source_expressions[0])
        sql = f'"claims_claim"."search_vector" @@ websearch_to_tsquery(\'english\'::regconfig, {query_sql})'
        return sql, tuple(query_params)


def _search(qs: QuerySet, q: str) -> QuerySet:
    """The claim's words (full-text on PostgreSQL: stored vector, GIN index; a substring match
    elsewhere), or any name of its source: searching "Genshtab" finds the General Staff's claims."""
    words = Q(FullTextMatch(Value(q))) if connection.vendor == "postgresql" else Q(text__icontains=q)
    # The sources first, as a literal list (one small query): `source_id = ANY(...)` then joins the
    # full-text match as a bitmap OR on PostgreSQL, where a subquery would scan every claim.
    sources = list(
        SourceAlias.objects.filter(name__icontains=q).order_by().values_list("source_id", flat=True).distinct()[:200]
    )
    return qs.filter(words | Q(source_id__in=sources)) if sources else qs.filter(words)


def _latest_decision():
    return VerificationStatus.objects.filter(claim=OuterRef("pk")).order_by("-version")


def queue_queryset() -> QuerySet:
    """Claims with everything a queue row shows (never the article body), last decision annotated."""
    latest = _latest_decision()
    return (
        Claim.objects.select_related("article", "article__publisher", "source", "assignee")
        .only(
            "id",
            "text",
            "status",
            "version",
            "hedged",
            "via",
            "cue",
            "status_hint",
            "start",
            "article__id",
            "article__title",
            "article__published_at",
            "article__language",
            "article__publisher__id",
            "article__publisher__name",
            "source__id",
            "source__name",
            "source__reliability",
            "source__kind",
            "assignee__id",
            "assignee__username",
        )
        .annotate(
            last_by=Subquery(latest.values("analyst__username")[:1]),
            last_at=Subquery(latest.values("created_at")[:1]),
            **corroboration_annotations(),  # cluster_key, credibility_value (issue 15)
        )
    )


def _filter(qs: QuerySet, filters: QueueFilters) -> QuerySet:
    if filters.status == UNDECIDED:
        qs = qs.filter(version=0)
    elif filters.status == Status.UNVERIFIED:
        qs = qs.filter(status=filters.status, version__gt=0)  # decided unverified, not undecided
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source is not None:
        qs = qs.filter(source_id=filters.source)
    if filters.article is not None:
        qs = qs.filter(article_id=filters.article)
    if filters.assignee is not None:
        qs = qs.filter(assignee_id=filters.assignee)
    if filters.hedged is not None:
        qs = qs.filter(hedged=filters.hedged)
    if filters.language:
        qs = qs.filter(article__language=filters.language)
    if filters.publisher is not None:
        qs = qs.filter(article__publisher_id=filters.publisher)
    if filters.published_from is not None:
        qs = qs.filter(article__published_at__date__gte=filters.published_from)
    if filters.published_to is not None:
        qs = qs.filter(article__published_at__date__lte=filters.published_to)
    if filters.hinted is not None:
        qs = qs.exclude(status_hint="") if filters.hinted else qs.filter(status_hint="")
    if filters.q:
        qs = _search(qs, filters.q)
    if filters.credibility:
        qs = filter_credibility(qs, filters.credibility)
    if filters.collapse:
        qs = filter_collapsed(qs)
    return qs


def claim_queue_queryset(*, filters: QueueFilters) -> QuerySet:
    """Every claim the queue shows for `filters`, in its order (exports stream this)."""
    return _filter(queue_queryset(), filters)


def _with_segments(rows: list[Claim]) -> list[Claim]:
    for row in rows:
        row.segments = sentence_segments(row.text, source_name=row.source.name, cue=row.cue)
    return rows


def claim_queue(
    *, filters: QueueFilters, after: int | None = None, page: int | None = None, page_size: int = QUEUE_PAGE_SIZE
) -> QueuePage:
    """One page of the triage queue: keyset (`after` an id) or 1-based `page`; never counts.

    Fetches one row more than it shows to know whether there is more. A keyset page is one query;
    a numbered page past the first skips its offset over ids alone (an index-only walk), then loads
    its rows with their annotations: two queries, whatever the page size.
    """
    if filters.sort == "article":
        return _claim_queue_article_order(filters=filters, page=page or 1, page_size=page_size)
    order = "id" if filters.sort == "oldest" else "-id"
    if after is not None or (page or 1) == 1:
        qs = _filter(queue_queryset(), filters).order_by(order)
        if after is not None:
            qs = qs.filter(id__gt=after) if order == "id" else qs.filter(id__lt=after)
        rows = list(qs[: page_size + 1])
    else:
        offset = (page - 1) * page_size
        ids = list(
            _filter(Claim.objects.all(), filters)
            .order_by(order)
            .values_list("id", flat=True)[offset : offset + page_size + 1]
        )
        qs = queue_queryset().filter(id__in=ids).order_by(order)
        if filters.collapse:
            qs = qs.annotate(cluster_size=cluster_size_annotation())
        rows = list(qs) if ids else []
    has_more = len(rows) > page_size
    rows = _with_segments(rows[:page_size])
    if filters.collapse:
        attach_cluster_versions(rows)
    return QueuePage(
        rows=rows,
        has_more=has_more,
        next_after=rows[-1].pk if has_more and rows else None,
        page=page if after is None else None,
    )


ARTICLE_ORDER = ("-article_id", "start", "id")


def _claim_queue_article_order(*, filters: QueueFilters, page: int, page_size: int) -> QueuePage:
    """Articles newest first, each article's claims in text order (index claim_article_order_idx).

    No keyset here (the order is not by id): numbered pages, the offset skipped over ids alone.
    """
    offset = (page - 1) * page_size
    ids = list(
        _filter(Claim.objects.all(), filters)
        .order_by(*ARTICLE_ORDER)
        .values_list("id", flat=True)[offset : offset + page_size + 1]
    )
    has_more = len(ids) > page_size
    ids = ids[:page_size]
    rows = []
    if ids:
        qs = queue_queryset().filter(pk__in=ids)
        if filters.collapse:
            qs = qs.annotate(cluster_size=cluster_size_annotation())
        by_id = {row.pk: row for row in qs}
        rows = _with_segments([by_id[i] for i in ids if i in by_id])
        if filters.collapse:
            attach_cluster_versions(rows)
    return QueuePage(rows=rows, has_more=has_more, next_after=None, page=page, next_page=page + 1 if has_more else None)


def claim_queue_rows(*, ids: list[int]) -> list[Claim]:
    """The queue rows of these claims (after a decision), in the order of `ids`."""
    by_id = {row.pk: row for row in queue_queryset().filter(pk__in=ids)}
    rows = [by_id[i] for i in ids if i in by_id]
    for row in rows:
        row.segments = sentence_segments(row.text, source_name=row.source.name, cue=row.cue)
    return rows


def shown_status_expression():
    """SQL for Claim.shown_status: "undecided" at version 0, else the stored status."""
    return Case(When(version=0, then=Value(UNDECIDED)), default=F("status"), output_field=CharField())


def status_rows() -> list[tuple[str, int]]:
    """(shown status, claims) pairs: undecided apart from decided-unverified."""
    if connection.vendor == "postgresql":
        # Kept by triggers (migrations 0006, 0013): a few rows per shown status, not a count of
        # every claim.
        with connection.cursor() as cursor:
            cursor.execute("SELECT status, sum(n) FROM claims_status_tally GROUP BY status")
            return [(status, int(n)) for status, n in cursor.fetchall()]
    return list(
        Claim.objects.order_by().annotate(shown=shown_status_expression()).values_list("shown").annotate(n=Count("id"))
    )


def status_summary(counts: dict) -> dict:
    total = sum(counts.values())
    return {
        "total": total,
        "decided": total - counts[UNDECIDED],
        "by_status": [{"value": value, "label": label, "count": counts[value]} for value, label in SHOWN_STATUSES],
    }


def status_counts() -> dict:
    """Claims by shown status (Undecided, Confirmed, Being clarified, Unverified), the total and
    how many are decided, in one query."""
    counts = dict.fromkeys((key for key, _ in SHOWN_STATUSES), 0)
    for status, n in status_rows():
        if status in counts:
            counts[status] = n
    return status_summary(counts)


def _find_ci(haystack: str, needle: str, start: int = 0) -> int:
    if not needle:
        return -1
    return haystack.lower().find(needle.lower(), start)


def sentence_segments(text: str, *, source_name: str, cue: str) -> list[Segment]:
    """Split a claim's sentence so the source's name and the reporting cue can be emphasised."""
    marks = []
    i = _find_ci(text, source_name)
    if i >= 0:
        marks.append((i, i + len(source_name), "source"))
    j = _find_ci(text, cue)
    while j >= 0 and marks and j < marks[0][1] and j + len(cue) > marks[0][0]:
        j = _find_ci(text, cue, marks[0][1])
    if j >= 0:
        marks.append((j, j + len(cue), "cue"))
    marks.sort()
    segments, pos = [], 0
    for start, end, kind in marks:
        if start > pos:
            segments.append(Segment(text[pos:start]))
        segments.append(Segment(text[start:end], kind))
        pos = end
    if pos < len(text):
        segments.append(Segment(text[pos:]))
    return segments


def count_subquery(qs: QuerySet):
    """A correlated COUNT for one row of the outer query (evaluated only for the rows shown)."""
    return Coalesce(
        Subquery(qs.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("*")).values("n")[:1]),
        0,
        output_field=IntegerField(),
    )
