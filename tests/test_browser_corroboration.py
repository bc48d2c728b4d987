"""Corroboration in a real browser: the claim page's cluster panel and "apply to all N" (Chromium)."""

import pytest
from django.urls import reverse

from claims.models import VerificationStatus
from claims.services.corroboration import claims_corroborate
from tests.factories import make_article, make_claim, make_source
from tests.test_browser import ARTIFACTS, analyst_user, browser, groups, open_page, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KILLED = "Three civilians were killed in the shelling of Kupiansk, the {} said."


def report(text, *, source, grade, outlet):
    article = make_article(body=text, publisher=make_source(name=outlet, kind="outlet"), title=f"Kupiansk ({outlet})")
    claim = make_claim(article=article, source=make_source(name=source, reliability=grade), start=0, end=len(text))
    claims_corroborate(claim_ids=[claim.pk])
    return claim


def test_an_analyst_reads_the_cluster_and_decides_all_of_it(browser, live_server, analyst_user):  # noqa: F811
    a = report(KILLED.format("governor"), source="governor", grade="B", outlet="Kyiv Post")
    b = report(KILLED.format("police"), source="police", grade="C", outlet="Suspilne")
    other = report(
        "Five civilians were killed in the shelling of Kupiansk, the mayor said.",
        source="mayor",
        grade="F",
        outlet="TASS",
    )
    context, watched = open_page(browser, live_server)
    try:
        path = reverse("claims:claim_detail", args=[a.pk])
        sign_in(watched, "ana", path)
        page = watched.page
        code = page.locator("#corroboration abbr.credibility").first
        assert code.inner_text() == "B2"
        assert "corroborated by 2 independent sources" in code.get_attribute("title")
        assert page.locator(f"#member-{b.pk}").is_visible()
        assert page.locator(".side-theirs").inner_text().startswith(other.text)
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#corroboration").screenshot(path=str(ARTIFACTS / "corroboration-claim-page.png"))
        page.get_by_role("button", name="Mark all 2 Confirmed").click()
        page.wait_for_url(f"**{path}")
        assert "2 claims in the cluster marked Confirmed." in page.locator(".messages").inner_text()
        assert sorted(VerificationStatus.objects.values_list("claim_id", flat=True)) == sorted([a.pk, b.pk])
        assert page.locator("#corroboration abbr.credibility").first.inner_text() == "B1"
        assert watched.problems() == []
    finally:
        context.close()


def test_apply_to_all_works_after_a_decision_on_the_same_page(browser, live_server, analyst_user):  # noqa: F811
    """The htmx decision refreshes the cluster form's copy of the claim's version (out of band)."""
    a = report(KILLED.format("governor"), source="governor", grade="B", outlet="Kyiv Post")
    b = report(KILLED.format("police"), source="police", grade="C", outlet="Suspilne")
    context, watched = open_page(browser, live_server)
    try:
        path = reverse("claims:claim_detail", args=[a.pk])
        sign_in(watched, "ana", path)
        page = watched.page
        page.locator("#decide-being_clarified").click()
        page.locator("#claim-status", has_text="Being clarified").wait_for()
        assert page.locator("#cluster-own-version").get_attribute("value") == "1"
        page.get_by_role("button", name="Mark all 2 Confirmed").click()
        page.wait_for_url(f"**{path}")
        assert "2 claims in the cluster marked Confirmed." in page.locator(".messages").inner_text()
        assert sorted(
            VerificationStatus.objects.filter(status="confirmed").values_list("claim_id", flat=True)
        ) == sorted([a.pk, b.pk])
        assert watched.problems() == []
    finally:
        context.close()
