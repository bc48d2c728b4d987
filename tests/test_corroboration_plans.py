"""Corroboration's queries use indexes: EXPLAIN on PostgreSQL over ~10,000 indexed claims finds no
sequential scan of the band table (candidate search) nor of the claims table (collapsed queue)."""

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from claims.selectors import QueueFilters, claim_queue
from claims.services.corroboration import _candidates, _Row, band_keys, claims_corroborate, claims_index
from tests.test_query_plans import seq_scans
from verifier.devtools.demo import demo_generate

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="query plans are checked on PostgreSQL (set DATABASE_URL=postgres://...); SQLite's planner differs",
    ),
]


@pytest.fixture(scope="module")
def indexed(django_db_setup, django_db_blocker):
    """~10k demo claims with their band keys, a few hundred linked; analysed; rolled back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_generate(articles=1000, claims_per_article=10, seed=7)
            ids = list(Claim.objects.order_by("id").values_list("id", flat=True))
            claims_index(claim_ids=ids[:-300])
            claims_corroborate(claim_ids=ids[-300:])
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            yield ids
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def plans(run, table):
    with CaptureQueriesContext(connection) as ctx:
        run()
    found = []
    for query in ctx.captured_queries:
        if table in query["sql"] and query["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
                found.append((query["sql"], cursor.fetchone()[0][0]["Plan"]))
    assert found, f"no query read {table}"
    return found


@pytest.mark.django_db
def test_candidate_search_walks_the_band_index(indexed):
    row = _Row.load([indexed[-1]])[indexed[-1]]
    keys = {row.id: band_keys(row.signature)}
    for sql, plan in plans(lambda: _candidates(keys), "claims_claimband"):
        assert "claims_claimband" not in seq_scans(plan), sql


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters",
    [QueueFilters(collapse=True), QueueFilters(collapse=True, status="unverified"), QueueFilters(credibility="3")],
)
def test_corroboration_queue_filters_do_not_scan_the_claims_table(indexed, filters):
    for sql, plan in plans(lambda: claim_queue(filters=filters), "claims_claim"):
        assert "claims_claim" not in seq_scans(plan), sql
