"""Reads. Query functions for the pages: each returns what a page shows in a fixed number of queries."""

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

from claims.corroboration_selectors import (
    attach_cluster_versions,
    cluster_size_annotation,
    corroboration_annotations,
    filter_collapsed,
    filter_credibility,
)
from claims.models import (
    UNDECIDED,  # a queue filter and a shown status: claims nobody has decided yet (version 0)
    UNDECIDED_LABEL,
    Article,
    AuditEvent,
    Claim,
    Source,
    SourceAlias,
    Status,
    VerificationStatus,
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


def _status_rows() -> list[tuple[str, int]]:
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


def _by_status(counts: dict) -> dict:
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
    for status, n in _status_rows():
        if status in counts:
            counts[status] = n
    return _by_status(counts)


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


# --- claim detail ------------------------------------------------------------------------------


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


# --- sources ---------------------------------------------------------------------------------


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
    return _by_status(counts)


def _count(qs: QuerySet):
    """A correlated COUNT for one row of the outer query (evaluated only for the rows shown)."""
    return Coalesce(
        Subquery(qs.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("*")).values("n")[:1]),
        0,
        output_field=IntegerField(),
    )


def source_list(*, q: str = "", page: int = 1, page_size: int = 50) -> tuple[list[Source], bool]:
    qs = Source.objects.only("id", "name", "kind", "reliability", "needs_review").annotate(
        n_claims=_count(Claim.objects.filter(source=OuterRef("pk")))
    )
    if q:
        alias_ids = SourceAlias.objects.filter(Q(name__icontains=q)).values("source_id")
        qs = qs.filter(Q(name__icontains=q) | Q(pk__in=alias_ids))
    offset = (page - 1) * page_size
    rows = list(qs.order_by("name", "id")[offset : offset + page_size + 1])
    return rows[:page_size], len(rows) > page_size


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


# --- articles --------------------------------------------------------------------------------


def article_list(*, page: int = 1, page_size: int = 50, q: str = "") -> tuple[list[Article], bool]:
    """Articles (newest first) with their progress (decided / total claims) in one query."""
    qs = (
        Article.objects.select_related("publisher")
        .only("id", "title", "published_at", "language", "truncated", "publisher__id", "publisher__name")
        .annotate(
            n_claims=_count(Claim.objects.filter(article=OuterRef("pk"))),
            n_decided=_count(Claim.objects.filter(article=OuterRef("pk"), version__gt=0)),
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


# --- dashboard -------------------------------------------------------------------------------


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


# --- live updates ------------------------------------------------------------------------------
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
    changes: list[LiveChange] = []
    for _, claim_id, status, version, note, analyst_id, username in decision_rows:
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
    assignee_ids = {
        d.get("assignee")
        for _, action, otype, _, d, actor_id, _ in event_rows
        if action == "claim_assign" and otype == "claim" and actor_id != user_id and d.get("assignee")
    }
    names = {}
    if assignee_ids:
        from django.contrib.auth import get_user_model

        names = dict(get_user_model().objects.filter(pk__in=assignee_ids).values_list("pk", "username"))
    for _, action, otype, object_id, details, actor_id, username in event_rows:
        if action != "claim_assign" or otype != "claim" or actor_id == user_id or not object_id.isdigit():
            continue
        assignee = names.get(details.get("assignee"), "")
        changes.append(
            LiveChange(claim_id=int(object_id), kind="assignment", by=username or "someone", assignee=assignee)
        )
    cursor = LiveCursor(
        decision=decision_rows[-1][0] if decision_rows else since.decision,
        event=event_rows[-1][0] if event_rows else since.event,
        claim=new_rows[-1][0] if new_rows else since.claim,
    )
    new_claims = sum(1 for _, created_by in new_rows if created_by is None or created_by != user_id)
    return LiveChanges(cursor=cursor, changes=changes, new_claims=new_claims)
