"""The selector changes RESULTS.md proposes, applied in process, for benchmarking them only.

Not used by the app. `bench_web.py --proposed` serves `bench.proposed:application` (this module's
WSGI app, after patching) and `bench_views.py --proposed` patches before measuring, so the same
run can compare today's selectors with the proposed ones on PostgreSQL:

1. search filters on the stored `search_vector` column (migration 0005) instead of re-parsing text;
2. status counts read the trigger-kept tally (migration 0006) instead of counting every claim;
3. numbered pages (`?page=N`) page over ids first, then load the 50 rows with their annotations.
"""

from __future__ import annotations

from django.db import connection

from claims import selectors
from claims.models import Status


class StoredVectorMatch(selectors.FullTextMatch):
    def as_sql(self, compiler, connection, **extra_context):
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        sql = f'"claims_claim"."search_vector" @@ websearch_to_tsquery(\'english\'::regconfig, {query_sql})'
        return sql, tuple(query_params)


def status_counts() -> dict:
    counts = dict.fromkeys(Status.values, 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, sum(n) FROM claims_status_tally GROUP BY status")
        for status, n in cursor.fetchall():
            counts[status] = int(n)
    return {
        "total": sum(counts.values()),
        "by_status": [{"value": value, "label": label, "count": counts[value]} for value, label in Status.choices],
    }


_original_claim_queue = selectors.claim_queue


def claim_queue(*, filters, after=None, page=None, page_size=selectors.QUEUE_PAGE_SIZE):
    if after is not None or not page or page == 1:
        return _original_claim_queue(filters=filters, after=after, page=page, page_size=page_size)
    order = "id" if filters.sort == "oldest" else "-id"
    offset = (page - 1) * page_size
    ids = list(
        selectors._filtered(filters).order_by(order).values_list("id", flat=True)[offset : offset + page_size + 1]
    )
    rows = list(selectors.queue_queryset().filter(id__in=ids[:page_size]).order_by(order))
    for row in rows:
        row.segments = selectors.sentence_segments(row.text, source_name=row.source.name, cue=row.cue)
    return selectors.QueuePage(rows=rows, has_more=len(ids) > page_size, next_after=None, page=page)


def apply() -> None:
    if connection.vendor != "postgresql":
        raise RuntimeError("the proposed selectors use PostgreSQL-only structures (migrations 0005, 0006)")
    selectors.FullTextMatch = StoredVectorMatch
    selectors.status_counts = status_counts
    selectors.claim_queue = claim_queue
