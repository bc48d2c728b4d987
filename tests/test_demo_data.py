"""generate_demo_data: realistic synthetic data that keeps every invariant, fast and repeatable."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count

from claims.models import Article, Claim, Source, SourceAlias, Status, VerificationStatus
from claims.models.corroboration import ClaimBand
from verifier.devtools.demo import DEMO_ANALYSTS

pytestmark = pytest.mark.django_db

ARTICLES, PER_ARTICLE = 40, 5


def generate(articles=ARTICLES, per_article=PER_ARTICLE, seed=7):
    out = StringIO()
    call_command("generate_demo_data", articles=articles, claims_per_article=per_article, seed=seed, stdout=out)
    return out.getvalue()


def verify_integrity():
    out = StringIO()
    call_command("verify_integrity", stdout=out)
    return out.getvalue()


def test_creates_the_requested_numbers_of_articles_and_claims():
    output = generate()
    assert Article.objects.count() == ARTICLES
    assert Claim.objects.count() == ARTICLES * PER_ARTICLE
    assert set(Article.objects.annotate(n=Count("claims")).values_list("n", flat=True)) == {PER_ARTICLE}
    assert f"generated {ARTICLES} articles, {ARTICLES * PER_ARTICLE} claims" in output


def test_every_claim_text_is_the_body_at_its_offsets():
    generate()
    bodies = dict(Article.objects.values_list("pk", "body"))
    for article_id, start, end, text in Claim.objects.values_list("article_id", "start", "end", "text"):
        assert bodies[article_id][start:end] == text
        assert text.strip() == text and len(text) > 20


def test_statuses_are_spread_with_most_claims_undecided():
    generate()
    statuses = Counter(Claim.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    total = ARTICLES * PER_ARTICLE
    assert statuses[Status.UNVERIFIED] > total * 0.4
    assert statuses[Status.CONFIRMED] > total * 0.1
    assert statuses[Status.BEING_CLARIFIED] > total * 0.05
    assert Claim.objects.filter(version=0).count() > total * 0.4


def test_some_claims_have_several_decisions_by_different_analysts():
    generate()
    histories = Claim.objects.filter(version__gte=2)
    assert histories.exists()
    assert VerificationStatus.objects.count() == sum(Claim.objects.values_list("version", flat=True))
    assert VerificationStatus.objects.values("analyst").distinct().count() > 1


def test_verify_integrity_passes_after_generating():
    generate()
    assert verify_integrity().startswith("integrity ok:")


def test_running_twice_adds_more_without_clashing():
    generate(seed=3)
    sources = Source.objects.count()
    generate(seed=3)
    assert Article.objects.count() == 2 * ARTICLES
    assert Claim.objects.count() == 2 * ARTICLES * PER_ARTICLE
    assert Source.objects.count() == sources  # the registry is reused, not duplicated
    assert Article.objects.values("content_hash").distinct().count() == 2 * ARTICLES
    assert verify_integrity().startswith("integrity ok:")


def test_sources_have_aliases_grades_and_kinds_spread():
    generate()
    assert Source.objects.count() >= 200
    assert set(Source.objects.values_list("reliability", flat=True)) == set("ABCDEF")
    assert set(Source.objects.values_list("kind", flat=True)) >= {
        "outlet",
        "organization",
        "person",
        "group",
        "document",
        "unnamed",
    }
    assert SourceAlias.objects.count() > Source.objects.count()  # canonical name plus other names
    assert Source.objects.filter(kind="person", affiliation__isnull=False).exists()


def test_articles_are_mostly_english_with_some_ukrainian_and_russian():
    generate(articles=200, per_article=1)
    languages = Counter(Article.objects.values_list("language", flat=True))
    assert languages["en"] > 140
    assert languages["uk"] > 0 and languages["ru"] > 0


def test_article_dates_spread_over_about_two_years():
    generate(articles=200, per_article=1)
    dates = sorted(Article.objects.values_list("published_at", flat=True))
    assert (dates[-1] - dates[0]).days > 365


def test_claims_record_hedges_intermediaries_and_cues():
    generate()
    assert Claim.objects.filter(hedged=True).exists()
    assert Claim.objects.filter(hedged=False).exists()
    assert Claim.objects.exclude(via="").exists()
    assert Claim.objects.filter(cue="according to").exists()


def test_demo_analysts_are_in_analysts_and_cannot_sign_in():
    generate()
    analysts = User.objects.filter(username__in=DEMO_ANALYSTS)
    assert analysts.count() == len(DEMO_ANALYSTS)
    for user in analysts:
        assert user.groups.filter(name="Analysts").exists()
        assert not user.has_usable_password()


def test_same_seed_gives_the_same_text():
    generate(articles=3, per_article=2, seed=11)
    first = list(Article.objects.order_by("pk").values_list("title", flat=True))
    generate(articles=3, per_article=2, seed=11)
    second = list(Article.objects.order_by("pk").values_list("title", flat=True))[3:]
    assert first == second


def test_negative_count_is_a_clear_error_and_writes_nothing():
    with pytest.raises(CommandError, match="--articles"):
        call_command("generate_demo_data", "--articles", "-1", "--claims-per-article", "5")
    assert Article.objects.count() == 0
    assert Source.objects.count() == 0


def test_index_option_writes_every_claims_band_keys():
    call_command("generate_demo_data", articles=5, claims_per_article=3, seed=4, index=True, stdout=StringIO())
    indexed = set(ClaimBand.objects.values_list("claim_id", flat=True))
    assert indexed == set(Claim.objects.values_list("pk", flat=True))


def test_without_index_no_band_keys_are_written():
    generate(articles=5, per_article=3)
    assert not ClaimBand.objects.exists()
