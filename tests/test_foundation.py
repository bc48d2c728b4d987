"""Groups, healthz and verify_integrity: the ground everything else stands on."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from claims.models import Claim
from claims.services import claim_decide


@pytest.mark.django_db
def test_analysts_may_decide_and_viewers_only_read():
    analysts = set(Group.objects.get(name="Analysts").permissions.values_list("codename", flat=True))
    viewers = set(Group.objects.get(name="Viewers").permissions.values_list("codename", flat=True))
    assert {"add_verificationstatus", "change_claim", "view_claim"} <= analysts
    assert viewers and all(code.startswith("view_") for code in viewers)
    assert "view_claim" in viewers


@pytest.mark.django_db
def test_healthz_answers_ok_without_sign_in_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_verify_integrity_passes_on_consistent_data(claim, analyst, capsys):
    claim_decide(claim=claim, status="confirmed", analyst=analyst)
    call_command("verify_integrity")
    assert capsys.readouterr().out.startswith("integrity ok:")


@pytest.mark.django_db
def test_verify_integrity_catches_a_status_that_is_not_the_latest_decision(claim, analyst):
    claim_decide(claim=claim, status="confirmed", analyst=analyst)
    Claim.objects.filter(pk=claim.pk).update(status="unverified")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_integrity")


@pytest.mark.django_db
def test_verify_integrity_catches_text_that_does_not_match_the_body(claim):
    Claim.objects.filter(pk=claim.pk).update(text="something the article never said")
    with pytest.raises(CommandError):
        call_command("verify_integrity")


@pytest.mark.django_db
def test_ensure_analyst_prints_a_generated_password_once(capsys):
    call_command("ensure_analyst")
    first = capsys.readouterr().out
    assert "Password:" in first
    call_command("ensure_analyst")
    assert "Password:" not in capsys.readouterr().out
