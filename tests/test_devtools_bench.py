"""The benchmarks' fixtures (verifier/devtools/bench.py): a bench session and a CSRF token got the
public way are enough for a decision to pass the CSRF check; without the token it is refused."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from claims.models import Status
from tests.factories import make_claim
from verifier.devtools.bench import bench_session, csrf_token, web_targets

pytestmark = pytest.mark.django_db


def post_decision(claim, *, token: str | None):
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = bench_session()
    headers = {"HX-Request": "true"}
    if token:
        client.cookies[settings.CSRF_COOKIE_NAME] = token
        headers["X-CSRFToken"] = token
    url = reverse("claims:set_status", kwargs={"pk": claim.pk})
    return client.post(url, {"status": Status.CONFIRMED}, headers=headers)


def test_bench_session_with_the_csrf_token_can_decide():
    claim = make_claim()
    assert post_decision(claim, token=csrf_token()).status_code == 200
    claim.refresh_from_db()
    assert claim.status == Status.CONFIRMED


def test_without_the_csrf_token_the_decision_is_refused():
    assert post_decision(make_claim(), token=None).status_code == 403


def test_web_targets_name_claims_sources_and_sessions():
    claim = make_claim()
    targets = web_targets()
    assert targets["claim_ids"] == [claim.pk]
    assert targets["sources"] == [claim.source_id] * 3
    assert targets["session"] and targets["admin_session"] and targets["csrf"]
