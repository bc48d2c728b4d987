"""The queue's reads: a fixed number of queries, no article body, segments that never lose text."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, Status
from claims.selectors import (
    QueueFilters,
    article_segments,
    claim_queue,
    sentence_segments,
    source_track_record,
    status_counts,
)
from claims.services import claim_decide
from tests.factories import make_analyst, make_article, make_claim, make_source

# session, user, the analyst's groups, status counters, the page of claims, the live-update cursor
QUEUE_QUERIES = 6


def make_claims(n: int, *, analyst=None) -> list[Claim]:
    """n claims across several articles and sources, some decided and assigned."""
    claims = []
    for i in range(n):
        article = make_article(title=f"Article {i}") if i % 5 == 0 else claims[-1].article
        source = make_source() if i % 3 == 0 else claims[-1].source
        claim = make_claim(article=article, source=source, start=i % 5 * 10, end=i % 5 * 10 + 8, hedged=i % 2 == 0)
        if analyst and i % 4 == 0:
            claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst)
        if analyst and i % 7 == 0:
            Claim.objects.filter(pk=claim.pk).update(assignee=analyst)
        claims.append(claim)
    return claims


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_queue_page_runs_a_fixed_number_of_queries(client, analyst, django_assert_num_queries, rows):
    make_claims(rows, analyst=analyst)
    client.force_login(analyst)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("claims:queue"))
    assert response.content.decode().count('<tr id="claim-') == rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_filtered_queue_fragment_runs_a_fixed_number_of_queries(client, analyst, django_assert_num_queries, rows):
    claims = make_claims(rows, analyst=analyst)
    Claim.objects.update(source=claims[0].source)
    client.force_login(analyst)
    # + the source filter's name for its chip
    with django_assert_num_queries(QUEUE_QUERIES + 1):
        response = client.get(
            reverse("claims:queue") + f"?source={claims[0].source_id}&sort=oldest", headers={"HX-Request": "true"}
        )
    assert response.content.decode().count('<tr id="claim-') == rows


def _row_html(client) -> tuple[str, list[str]]:
    body = client.get(reverse("claims:queue")).content.decode()
    return body, re.findall(r'<tr id="claim-\d+".*?</tr>', body, flags=re.S)


@pytest.mark.django_db
def test_queue_rows_average_at_most_one_kilobyte_of_html(client, analyst):
    """The decide controls are rendered once per page, not per row: on the demo data (realistic
    sentences, titles, sources, hedges, hints and decisions) a row is at most 1 KB on average."""
    call_command("generate_demo_data", articles=10, claims_per_article=10, seed=1, stdout=io.StringIO())
    client.force_login(analyst)
    body, rows = _row_html(client)
    assert len(rows) == 50
    assert sum(len(r.encode()) for r in rows) / len(rows) <= 1024
    # One set of decide buttons on the page (the decide panel; the bulk bar has its own), none in rows.
    assert body.count('name="status" value="confirmed"') == 2
    assert all('name="status"' not in r for r in rows)


SENTENCE = (
    "The General Staff of the Armed Forces of Ukraine said on Tuesday that air defence units shot down "
    "fourteen of the sixteen drones launched overnight over the southern and eastern regions. "
)


@pytest.mark.django_db
def test_a_heavy_queue_row_stays_near_one_kilobyte(client, analyst):
    """A long sentence (190 characters), a long source name shown twice, a long title, via, hedge,
    hint, decision and assignee: the row is still well under the 2.9 KB rows it replaced."""
    source = make_source(name="General Staff of the Armed Forces of Ukraine")
    article = make_article(
        title="Air defence shoots down fourteen drones over the south and east overnight, General Staff says",
        body=SENTENCE,
        publisher=make_source(name="Ukrainska Pravda"),
        published_at=timezone.now(),
    )
    claim = make_claim(
        article=article,
        source=source,
        start=0,
        end=len(SENTENCE) - 1,
        cue="said",
        hedged=True,
        via="citing local media",
        status_hint="being_clarified",
    )
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst, note="ok")
    Claim.objects.filter(pk=claim.pk).update(assignee=analyst)
    client.force_login(analyst)
    _, rows = _row_html(client)
    assert len(rows) == 1 and len(rows[0].encode()) <= 1300


@pytest.mark.django_db
def test_queue_never_loads_the_article_body(client, analyst):
    make_claims(3, analyst=analyst)
    client.force_login(analyst)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("claims:queue"))
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert '"claims_article"."body"' not in sql and '"claims_article"."original_text"' not in sql
    assert '"claims_article"."title"' in sql


@pytest.mark.django_db
def test_queue_counts_only_by_status_in_one_grouped_query(client, analyst):
    make_claims(3, analyst=analyst)
    client.force_login(analyst)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("claims:queue") + "?page=3")
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    if connection.vendor == "postgresql":
        assert counts == []  # the trigger-kept tally (migration 0006) is read instead
    else:
        assert len(counts) == 1 and "GROUP BY" in counts[0].upper()


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_numbered_page_runs_a_fixed_number_of_queries(client, analyst, django_assert_num_queries, rows):
    make_claims(50 + rows)
    client.force_login(analyst)
    # page 1's five, plus one: the offset is skipped over ids alone before the rows are loaded
    with django_assert_num_queries(QUEUE_QUERIES + 1):
        response = client.get(reverse("claims:queue") + "?page=2")
    assert response.content.decode().count('<tr id="claim-') == rows


@pytest.mark.django_db
def test_numbered_pages_match_keyset_pages():
    make_claims(23)
    for sort in ("newest", "oldest"):
        filters = QueueFilters(sort=sort)
        first = claim_queue(filters=filters, page=1, page_size=5)
        by_page = claim_queue(filters=filters, page=2, page_size=5)
        by_cursor = claim_queue(filters=filters, after=first.next_after, page_size=5)
        assert [r.pk for r in by_page.rows] == [r.pk for r in by_cursor.rows]
        assert by_page.next_after == by_cursor.next_after and by_page.has_more


@pytest.mark.django_db
def test_keyset_pages_cover_every_claim_once():
    claims = make_claims(23)
    seen, after = [], None
    while True:
        page = claim_queue(filters=QueueFilters(), after=after, page_size=5)
        seen += [row.pk for row in page.rows]
        if not page.has_more:
            break
        after = page.next_after
    assert seen == sorted((c.pk for c in claims), reverse=True)


@pytest.mark.django_db
def test_status_counts_add_up():
    analyst = make_analyst()
    make_claims(8, analyst=analyst)
    claim_decide(claim=Claim.objects.filter(version=0).first(), status=Status.UNVERIFIED, analyst=analyst)
    counts = status_counts()
    assert (counts["total"], counts["decided"]) == (8, 3)
    # Undecided (nobody looked) apart from Unverified (an analyst decided so), in triage order.
    assert [(i["value"], i["label"], i["count"]) for i in counts["by_status"]] == [
        ("undecided", "Undecided", 5),
        ("confirmed", "Confirmed", 2),
        ("being_clarified", "Being clarified", 0),
        ("unverified", "Unverified", 1),
    ]


@pytest.mark.django_db
def test_source_track_record_counts_its_claims_by_status():
    analyst = make_analyst()
    source = make_source()
    other = make_claim()
    claims = [make_claim(source=source) for _ in range(3)]
    claim_decide(claim=claims[0], status=Status.BEING_CLARIFIED, analyst=analyst)
    claim_decide(claim=other, status=Status.CONFIRMED, analyst=analyst)
    record = source_track_record(source=source)
    assert (record["total"], record["decided"]) == (3, 1)
    assert {i["value"]: i["count"] for i in record["by_status"]} == {
        "undecided": 2,
        "confirmed": 0,
        "being_clarified": 1,
        "unverified": 0,
    }


def test_sentence_segments_emphasise_source_and_cue_and_keep_all_text():
    text = "The General Staff said that 14 drones were shot down, the general staff reports."
    segments = sentence_segments(text, source_name="General Staff", cue="said")
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.kind) for s in segments if s.kind] == [("General Staff", "source"), ("said", "cue")]


def test_sentence_segments_skip_a_cue_inside_the_source_name():
    text = "Reports Agency reports that the dam held."
    segments = sentence_segments(text, source_name="Reports Agency", cue="reports")
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.kind) for s in segments if s.kind] == [("Reports Agency", "source"), ("reports", "cue")]


def test_sentence_segments_without_matches_is_the_plain_text():
    assert [(s.text, s.kind) for s in sentence_segments("Nothing here.", source_name="X Y", cue="")] == [
        ("Nothing here.", "")
    ]


class Span:
    def __init__(self, pk, start, end):
        self.pk, self.start, self.end = pk, start, end


@pytest.mark.parametrize(
    "spans",
    [
        [],
        [(0, 5)],
        [(3, 8), (0, 2)],
        [(0, 10), (2, 4)],  # nested
        [(0, 6), (4, 12)],  # overlapping
        [(0, 30), (0, 30)],  # duplicate
        [(25, 40)],  # past the end of the body
    ],
)
def test_article_segments_cover_the_body_exactly_once(spans):
    body = "abcdefghijklmnopqrstuvwxyz!"
    claims = [Span(i + 1, s, e) for i, (s, e) in enumerate(spans)]
    segments = article_segments(body=body, claims=claims)
    assert "".join(s.text for s in segments) == body
    highlighted = [s.claim.pk for s in segments if s.claim]
    assert len(highlighted) == len(set(highlighted))
    # Every claim is either highlighted or listed as overlapping a highlighted one.
    overlapping = [c.pk for s in segments for c in s.overlaps]
    assert sorted(highlighted + overlapping) == sorted(c.pk for c in claims if c.start < len(body))


@pytest.mark.django_db
def test_load_more_does_not_count_the_claims(client, analyst, django_assert_num_queries):
    claims = make_claims(3, analyst=analyst)
    client.force_login(analyst)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("claims:queue") + f"?after={claims[-1].pk}",
            headers={"HX-Request": "true", "HX-Target": "queue-body"},
        )
    assert response.content.decode().count('<tr id="claim-') == 2
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
