"""The queue's queries use indexes: EXPLAIN on PostgreSQL over enough rows finds no sequential scan
of the claims table, for every filter and sort the queue offers.

The plans are those of the SQL `claims.selectors.claim_queue` actually runs (captured, then
EXPLAINed), over ~20,000 generated claims with fresh statistics. Everything is generated in one
transaction that is rolled back at the end of the module.
"""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from claims.models import UNDECIDED, Article, Claim
from claims.selectors import QueueFilters, claim_queue, status_counts
from verifier.devtools.demo import demo_generate

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="query plans are checked on PostgreSQL (set DATABASE_URL=postgres://...); SQLite's planner differs",
    ),
]

ARTICLES, PER_ARTICLE = 2000, 10
CLAIMS_TABLE = "claims_claim"


@pytest.fixture(scope="module")
def plan_data(django_db_setup, django_db_blocker):
    """~20k claims, analysed; rolled back after the module's tests."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_generate(articles=ARTICLES, claims_per_article=PER_ARTICLE, seed=5)  # also ANALYZEs
            by_source = Claim.objects.order_by().values("source").annotate(n=Count("id")).order_by("-n")
            ids = list(Claim.objects.order_by("-id").values_list("id", flat=True)[::1000])
            yield {
                "busy_source": by_source.first()["source"],
                "rare_source": by_source.last()["source"],
                "article": Article.objects.order_by("-id").values_list("id", flat=True)[ARTICLES // 2],
                "assignee": User.objects.get(username="demo.analyst2").pk,
                "deep_after": ids[int(len(ids) * 0.9)],
                "publisher": Article.objects.exclude(publisher=None).values_list("publisher", flat=True).first(),
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def seq_scans(plan: dict) -> list[str]:
    """Relations read by a sequential scan anywhere in a JSON plan (subplans included)."""
    found = []
    if plan.get("Node Type") == "Seq Scan":
        found.append(plan.get("Relation Name"))
    for child in plan.get("Plans", []):
        found += seq_scans(child)
    return found


def claims_plans(run, *, required: bool = True) -> list[tuple[str, dict]]:
    """EXPLAIN (FORMAT JSON) of each query `run()` sends that reads the claims table."""
    with CaptureQueriesContext(connection) as ctx:
        run()
    plans = []
    for query in ctx.captured_queries:
        sql = query["sql"]
        if CLAIMS_TABLE not in sql or not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plans.append((sql, cursor.fetchone()[0][0]["Plan"]))
    assert plans or not required, "the selector ran no query on the claims table"
    return plans


QUEUE_CASES = {
    "default": lambda d: {"filters": QueueFilters()},
    "oldest first": lambda d: {"filters": QueueFilters(sort="oldest")},
    "status confirmed": lambda d: {"filters": QueueFilters(status="confirmed")},
    "status being clarified": lambda d: {"filters": QueueFilters(status="being_clarified")},
    "status unverified": lambda d: {"filters": QueueFilters(status="unverified")},
    "undecided": lambda d: {"filters": QueueFilters(status=UNDECIDED)},
    "busiest source": lambda d: {"filters": QueueFilters(source=d["busy_source"])},
    "rare source": lambda d: {"filters": QueueFilters(source=d["rare_source"])},
    "source and status": lambda d: {"filters": QueueFilters(source=d["rare_source"], status="confirmed")},
    "article": lambda d: {"filters": QueueFilters(article=d["article"])},
    "assignee": lambda d: {"filters": QueueFilters(assignee=d["assignee"])},
    "hedged": lambda d: {"filters": QueueFilters(hedged=True)},
    "language": lambda d: {"filters": QueueFilters(language="uk")},
    "search common word": lambda d: {"filters": QueueFilters(q="drones")},
    "search rare phrase": lambda d: {"filters": QueueFilters(q="prisoner exchange")},
    "search no match": lambda d: {"filters": QueueFilters(q="zyzzyva")},
    "deep keyset page": lambda d: {"filters": QueueFilters(), "after": d["deep_after"]},
    "deep keyset page, status": lambda d: {"filters": QueueFilters(status="confirmed"), "after": d["deep_after"]},
    "second page": lambda d: {"filters": QueueFilters(), "page": 2},
    "article order": lambda d: {"filters": QueueFilters(sort="article")},
    "article order, page 3": lambda d: {"filters": QueueFilters(sort="article"), "page": 3},
    "search by a source's alias": lambda d: {"filters": QueueFilters(q="HUR")},
    "publisher": lambda d: {"filters": QueueFilters(publisher=d["publisher"])},
    "date range": lambda d: {
        "filters": QueueFilters(published_from=datetime.date(2026, 3, 1), published_to=datetime.date(2026, 3, 31))
    },
    "status hint": lambda d: {"filters": QueueFilters(hinted=True)},
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(QUEUE_CASES))
def test_queue_query_does_not_scan_the_claims_table(plan_data, case):
    kwargs = QUEUE_CASES[case](plan_data)
    for sql, plan in claims_plans(lambda: claim_queue(**kwargs)):
        assert CLAIMS_TABLE not in seq_scans(plan), f"{case}: sequential scan of {CLAIMS_TABLE}\n{sql}"


@pytest.mark.django_db
def test_queue_pages_return_rows_over_the_generated_data(plan_data):
    # Guards the guard: the plans above are for queries that find rows, not for an empty table.
    assert len(claim_queue(filters=QueueFilters()).rows) == 50
    assert len(claim_queue(filters=QueueFilters(source=plan_data["busy_source"])).rows) == 50


@pytest.mark.django_db
def test_status_counts_do_not_scan_the_claims_table(plan_data):
    # They are on every queue page and decision: counting every claim took ~370 ms at 1M (RESULTS.md).
    assert status_counts()["total"] == ARTICLES * PER_ARTICLE
    for sql, plan in claims_plans(status_counts, required=False):
        assert CLAIMS_TABLE not in seq_scans(plan), sql


# --- the per-status tally (migration 0006): counts without counting ---------------------------


def tally() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, sum(n) FROM claims_status_tally GROUP BY status")
        return {status: int(n) for status, n in cursor.fetchall() if n}


def counted() -> dict:
    """Claims by shown status (migration 0013: undecided apart from decided-unverified), counted."""
    from claims.selectors import shown_status_expression

    return dict(
        Claim.objects.order_by().annotate(shown=shown_status_expression()).values_list("shown").annotate(n=Count("id"))
    )


@pytest.mark.django_db
def test_tally_follows_bulk_inserts_and_decisions():
    from claims.services import claim_decide

    demo_generate(articles=30, claims_per_article=4, seed=9)  # COPY: one statement per batch
    assert tally() == counted()
    analyst = User.objects.get(username="demo.analyst1")
    for claim in Claim.objects.exclude(status="being_clarified").order_by("id")[:12]:
        claim_decide(claim=claim, status="being_clarified", analyst=analyst)
    assert tally() == counted()


@pytest.mark.django_db
def test_tally_ignores_updates_that_keep_the_status(analyst):
    demo_generate(articles=5, claims_per_article=4, seed=10)
    before = tally()
    Claim.objects.update(assignee=analyst)
    assert tally() == before == counted()


@pytest.mark.django_db
def test_tally_follows_deletes():
    from tests.factories import make_claim

    doomed = make_claim()
    make_claim()
    before = counted()
    Claim.objects.filter(pk=doomed.pk).delete()
    assert tally() == counted() == {**before, "undecided": before["undecided"] - 1}


@pytest.mark.django_db
def test_folding_the_tally_keeps_the_sums():
    demo_generate(articles=10, claims_per_article=3, seed=11)
    before = tally()
    with connection.cursor() as cursor:
        cursor.execute("SELECT claims_status_tally_compact()")
        cursor.execute("SELECT count(*) FROM claims_status_tally")
        rows = cursor.fetchone()[0]
    assert tally() == before == counted()
    assert rows <= 4  # one per shown status
