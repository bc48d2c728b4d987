"""The bulk writers the importer and the demo share: named rows in, invariants kept (COPY on
PostgreSQL, bulk_create on SQLite: the suite runs on both)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims.importing.bulk import ArticleRow, ClaimRow, DecisionRow, articles_write, claims_write, rows_write
from claims.importing.normalise import content_hash, normalise_url
from claims.models import Article, Claim, Source, Status, VerificationStatus
from claims.models.corroboration import ClaimBand
from claims.services.corroboration import claims_index
from tests.factories import make_analyst, make_source

pytestmark = pytest.mark.django_db

BODY = "Officials said that 14 drones were shot down over the south. The information is being clarified."
SPAN = (0, BODY.index(".") + 1)


@pytest.fixture
def article_id():
    return articles_write(
        articles=[ArticleRow.of(title="Drones", body=BODY, url="https://Example.org/a?utm_source=x")]
    )[0]


def verify_integrity():
    out = StringIO()
    call_command("verify_integrity", stdout=out)
    return out.getvalue()


def test_articles_are_hashed_and_url_keyed_as_the_importer_does(article_id):
    article = Article.objects.get(pk=article_id)
    assert article.content_hash == content_hash(BODY)
    assert article.url_key == normalise_url("https://Example.org/a?utm_source=x")
    assert article.original_text == BODY and article.extracted_at is not None


def test_claim_text_is_taken_from_the_body_at_its_offsets(article_id):
    source = make_source()
    claims_write(
        claims=[ClaimRow(article_id=article_id, start=SPAN[0], end=SPAN[1], source_id=source.pk)],
        bodies={article_id: BODY},
    )
    claim = Claim.objects.get()
    assert claim.text == BODY[SPAN[0] : SPAN[1]]
    assert (claim.status, claim.version) == (Status.UNVERIFIED, 0)
    assert verify_integrity().startswith("integrity ok:")


def test_a_span_outside_the_body_is_refused_and_nothing_is_written(article_id):
    source = make_source()
    rows = [
        ClaimRow(article_id=article_id, start=SPAN[0], end=SPAN[1], source_id=source.pk),
        ClaimRow(article_id=article_id, start=10, end=len(BODY) + 1, source_id=source.pk),
    ]
    with pytest.raises(ValueError, match="outside article"):
        claims_write(claims=rows, bodies={article_id: BODY})
    assert not Claim.objects.exists()


def test_status_and_version_are_the_latest_decisions(article_id):
    source, analyst = make_source(), make_analyst()
    at = timezone.now() - timedelta(days=1)
    history = [
        DecisionRow(status=Status.BEING_CLARIFIED, analyst_id=analyst.pk, created_at=at),
        DecisionRow(status=Status.CONFIRMED, analyst_id=analyst.pk, created_at=at + timedelta(hours=1), note="seen"),
    ]
    row = ClaimRow(article_id=article_id, start=SPAN[0], end=SPAN[1], source_id=source.pk, decisions=history)
    result = claims_write(claims=[row], bodies={article_id: BODY})
    claim = Claim.objects.get(pk=result.claim_ids[0])
    assert (claim.status, claim.version) == (Status.CONFIRMED, 2)
    decisions = list(VerificationStatus.objects.filter(claim=claim).order_by("version"))
    assert [(d.version, d.status, d.note) for d in decisions] == [(1, "being_clarified", ""), (2, "confirmed", "seen")]
    assert result.decisions == 2
    assert verify_integrity().startswith("integrity ok:")


def test_index_writes_the_band_keys_the_linker_would(article_id):
    source = make_source(name="General Staff")
    result = claims_write(
        claims=[ClaimRow(article_id=article_id, start=SPAN[0], end=SPAN[1], source_id=source.pk)],
        bodies={article_id: BODY},
        index=True,
    )
    written = set(ClaimBand.objects.values_list("key", "claim_id"))
    assert result.band_rows == len(written) > 0
    ClaimBand.objects.all().delete()
    claims_index(claim_ids=result.claim_ids)
    assert set(ClaimBand.objects.values_list("key", "claim_id")) == written


def test_fields_a_row_leaves_out_get_the_model_default():
    [pk] = rows_write(Source, [{"name": "Kyiv Ledger", "kind": "outlet", "reliability": "B"}])
    source = Source.objects.get(pk=pk)
    assert (source.notes, source.needs_review, source.affiliation_id) == ("", False, None)
    assert source.created_at is not None and source.updated_at is not None
