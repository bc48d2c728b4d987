"""Database constraints hold the model's invariants, whatever the caller."""

import pytest
from django.db import IntegrityError, transaction

from claims.models import AppendOnlyError, Article, Claim, Source, SourceAlias, VerificationStatus
from tests.factories import make_analyst, make_article, make_claim, make_source

pytestmark = pytest.mark.django_db


def test_alias_names_one_source_only():
    make_source(name="Main Intelligence Directorate", aliases=["HUR"])
    other = make_source(name="Some other agency")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceAlias.objects.create(source=other, name="hur")


def test_alias_is_normalised_before_uniqueness():
    source = make_source(name="Center of National Resistance", aliases=["CNR"])
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceAlias.objects.create(source=source, name="the  Center of National Resistance")


def test_source_name_is_unique_case_insensitively():
    Source.objects.create(name="Kyiv Post", kind="outlet")
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(name="KYIV POST", kind="outlet")


def test_source_default_reliability_cannot_be_judged():
    assert Source.objects.create(name="Somebody").reliability == "F"


def test_claim_offsets_must_be_increasing():
    claim = make_claim()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(article=claim.article, source=claim.source, start=10, end=10, text="")


def test_claim_span_is_unique_per_article():
    claim = make_claim()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(article=claim.article, source=claim.source, start=claim.start, end=claim.end, text="x")


def test_duplicate_content_hash_is_refused():
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(title="Copy", body="other", original_text="other", content_hash=article.content_hash)


def test_duplicate_url_key_is_refused_but_many_articles_may_have_none():
    make_article(url="https://example.org/a")
    make_article()
    make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(url="https://example.org/a")


def test_new_claim_starts_unverified_at_version_zero():
    claim = make_claim()
    assert (claim.status, claim.version) == ("unverified", 0)


def test_unknown_status_is_refused_by_the_database():
    claim = make_claim()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status="maybe")


def test_two_decisions_cannot_share_a_version():
    claim = make_claim()
    analyst = make_analyst()
    VerificationStatus.objects.create(claim=claim, status="confirmed", version=1, analyst=analyst)
    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationStatus.objects.create(claim=claim, status="unverified", version=1, analyst=analyst)


def test_recorded_decision_cannot_be_edited_or_deleted_through_the_orm():
    claim = make_claim()
    decision = VerificationStatus.objects.create(claim=claim, status="confirmed", version=1, analyst=make_analyst())
    decision.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        decision.save()
    with pytest.raises(AppendOnlyError):
        decision.delete()
    with pytest.raises(AppendOnlyError):
        VerificationStatus.objects.filter(pk=decision.pk).update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        VerificationStatus.objects.filter(pk=decision.pk).delete()
    decision.refresh_from_db()
    assert decision.note == ""


def test_claim_with_decisions_cannot_be_deleted():
    claim = make_claim()
    VerificationStatus.objects.create(claim=claim, status="confirmed", version=1, analyst=make_analyst())
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).delete()
