"""Triage as a team without a browser: decisions that change nothing, Undecided, the reader panel,
the claim page's fragment, live updates (changes-since), the queue's filters and sorts."""

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from claims.auth_tokens import api_token_create
from claims.forms import QueueFilterForm
from claims.models import Claim, Status, VerificationStatus
from claims.selectors import LiveCursor, QueueFilters, claim_queue, live_changes, live_start, status_counts
from claims.services import (
    DecisionUnchangedError,
    StaleVersionError,
    claim_assign,
    claim_decide,
    claims_decide,
)
from tests.factories import make_analyst, make_article, make_claim, make_source

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def row_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="claim-(\d+)"', response.content.decode())]


# --- decisions that change nothing ---------------------------------------------------------------


def test_the_same_decision_again_records_nothing(analyst, claim):
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst)
    with pytest.raises(DecisionUnchangedError):
        claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst, expected_version=1)
    assert VerificationStatus.objects.filter(claim=claim).count() == 1


def test_the_same_status_with_a_note_or_evidence_is_recorded(analyst, claim):
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst)
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst, note="a second source")
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst, evidence_url="https://e.example/1")
    assert list(claim.decisions.order_by("version").values_list("version", flat=True)) == [1, 2, 3]


def test_deciding_an_undecided_claim_unverified_is_a_decision(analyst, claim):
    claim_decide(claim=claim, status=Status.UNVERIFIED, analyst=analyst)
    claim.refresh_from_db()
    assert (claim.status, claim.version, claim.shown_status) == ("unverified", 1, "unverified")


def test_a_stale_request_that_would_change_nothing_is_unchanged_not_a_conflict(analyst, claim):
    rival = make_analyst()
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=rival)
    with pytest.raises(DecisionUnchangedError):
        claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst, expected_version=0)
    with pytest.raises(StaleVersionError):
        claim_decide(claim=claim, status=Status.UNVERIFIED, analyst=analyst, expected_version=0)


def test_decide_that_changes_nothing_says_so_and_records_nothing(client, analyst, claim):
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst)
    client.force_login(analyst)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]), {"status": "confirmed", "version": "1"}, headers=HX
    )
    assert response.status_code == 200
    assert response["X-Verifier-Decision"] == "unchanged"
    assert f"Claim {claim.pk} is already Confirmed: nothing recorded." in response.content.decode()
    assert VerificationStatus.objects.filter(claim=claim).count() == 1


def test_decide_without_htmx_that_changes_nothing_redirects_with_a_message(client, analyst, claim):
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst)
    client.force_login(analyst)
    response = client.post(reverse("claims:decide", args=[claim.pk]), {"status": "confirmed"}, follow=True)
    assert "already Confirmed: nothing recorded" in response.content.decode()
    assert VerificationStatus.objects.filter(claim=claim).count() == 1


def test_api_decision_that_changes_nothing_is_200_and_records_nothing(client, analyst, claim):
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst)
    raw = api_token_create(user=analyst)[1]
    response = client.post(
        f"/api/claims/{claim.pk}/decisions",
        json.dumps({"status": "confirmed", "version": 1}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200
    assert "nothing recorded" in response.json()["detail"]
    assert VerificationStatus.objects.filter(claim=claim).count() == 1


def test_bulk_decision_skips_claims_that_already_have_the_status(client, analyst):
    done, open_ = make_claim(), make_claim()
    claim_decide(claim=done, status=Status.CONFIRMED, analyst=analyst)
    recorded = claims_decide(claims=[done, open_], status=Status.CONFIRMED, analyst=analyst)
    assert [d.claim_id for d in recorded] == [open_.pk]
    client.force_login(analyst)
    other = make_claim()
    response = client.post(
        reverse("claims:bulk_decide"), {"status": "confirmed", "ids": [done.pk, other.pk]}, headers=HX
    )
    assert "1 claim marked Confirmed. 1 already Confirmed: nothing recorded for them." in response.content.decode()
    assert VerificationStatus.objects.count() == 3


def test_conflict_shows_the_other_analysts_note_and_keeps_yours(client, analyst, claim):
    rival = make_analyst(username="rival")
    claim_decide(claim=claim, status=Status.BEING_CLARIFIED, analyst=rival, note="asked the ministry")
    client.force_login(analyst)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]),
        {"status": "confirmed", "note": "video matches", "version": "0"},
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 409 and response["X-Verifier-Decision"] == "conflict"
    assert "Their note: “asked the ministry”" in body
    assert "video matches" in body


# --- the regions that ask: reader panel, claim page ------------------------------------------------


def test_reader_panel_is_only_the_panel_with_the_claims_source_and_decide_buttons(client, analyst):
    source = make_source(name="Main Intelligence Directorate", aliases=["HUR"], reliability="B")
    claim = make_claim(source=source, via="local media", hedged=True, status_hint="being_clarified")
    client.force_login(analyst)
    response = client.get(reverse("claims:claim_panel", args=[claim.pk]), headers=HX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'data-claim-id="{claim.pk}"' in body and 'data-shown="undecided"' in body
    for text in ("Main Intelligence Directorate", "HUR", "local media", "The source says: Being clarified"):
        assert text in body
    assert body.count('name="status"') == 3


def test_reader_panel_without_htmx_is_the_claim_page(client, viewer, claim):
    client.force_login(viewer)
    response = client.get(reverse("claims:claim_panel", args=[claim.pk]))
    assert response.status_code == 303 and response["Location"] == reverse("claims:claim_detail", args=[claim.pk])


def test_reader_panel_for_a_viewer_has_no_decide_buttons(client, viewer, claim):
    client.force_login(viewer)
    body = client.get(reverse("claims:claim_panel", args=[claim.pk]), headers=HX).content.decode()
    assert 'name="status"' not in body


def test_reader_panel_of_an_unknown_claim_is_404(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("claims:claim_panel", args=[987654]), headers=HX).status_code == 404


def test_deciding_from_the_reader_panel_answers_the_panel(client, analyst, claim):
    client.force_login(analyst)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]),
        {"status": "confirmed", "version": "0"},
        headers={**HX, "HX-Target": "claim-panel"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="claim-panel-inner"') and 'data-shown="confirmed"' in body


def test_deciding_on_the_claim_page_answers_its_decide_region_and_status(client, analyst, claim):
    client.force_login(analyst)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]),
        {"status": "being_clarified", "note": "asked", "version": "0"},
        headers={**HX, "HX-Target": "claim-decide"},
    )
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="claim-status"' in body and 'hx-swap-oob="true"' in body and "Being clarified" in body
    assert 'id="claim-history"' in body and "asked" in body
    assert 'name="version" value="1"' in body


# --- Undecided -------------------------------------------------------------------------------------


def test_status_counts_match_a_real_count_after_decisions(analyst):
    claims = [make_claim() for _ in range(4)]
    claim_decide(claim=claims[0], status=Status.UNVERIFIED, analyst=analyst)
    claim_decide(claim=claims[1], status=Status.CONFIRMED, analyst=analyst)
    claim_decide(claim=claims[1], status=Status.UNVERIFIED, analyst=analyst)
    counts = {i["value"]: i["count"] for i in status_counts()["by_status"]}
    assert counts == {"undecided": 2, "confirmed": 0, "being_clarified": 0, "unverified": 2}
    Claim.objects.filter(pk=claims[3].pk).delete()
    assert {i["value"]: i["count"] for i in status_counts()["by_status"]}["undecided"] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger-kept tally is PostgreSQL's")
def test_postgres_tally_counts_undecided_apart_from_unverified(analyst):
    from claims.integrity import integrity_check

    claims = [make_claim() for _ in range(3)]
    claim_decide(claim=claims[0], status=Status.UNVERIFIED, analyst=analyst)
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, sum(n) FROM claims_status_tally GROUP BY status HAVING sum(n) <> 0")
        assert dict(cursor.fetchall()) == {"undecided": 2, "unverified": 1}
    assert integrity_check().problems == []


def test_dashboard_and_article_list_show_progress_decided_of_total(client, analyst):
    article = make_article()
    a = make_claim(article=article, start=0, end=10)
    make_claim(article=article, start=20, end=30)
    claim_decide(claim=a, status=Status.UNVERIFIED, analyst=analyst)
    client.force_login(analyst)
    dashboard = " ".join(client.get(reverse("claims:dashboard")).content.decode().split())
    assert '1 / 2</span><span class="stat-label">decided' in dashboard
    assert re.search(r'stat-undecided".*?<span class="stat-n">1</span>.*?Undecided', dashboard)
    listing = " ".join(client.get(reverse("claims:article_list")).content.decode().split())
    assert "1 / 2 decided" in listing and "1 Undecided" in listing


# --- live updates ----------------------------------------------------------------------------------


def test_live_changes_list_others_decisions_and_assignments_after_the_cursor(analyst):
    rival = make_analyst(username="rival")
    mine, theirs, assigned = make_claim(), make_claim(), make_claim()
    since = live_start()
    claim_decide(claim=mine, status=Status.CONFIRMED, analyst=analyst)
    claim_decide(claim=theirs, status=Status.BEING_CLARIFIED, analyst=rival, note="asked")
    claim_assign(claim=assigned, assignee=rival, actor=rival)
    new = make_claim()
    result = live_changes(since=since, user_id=analyst.pk)
    assert [(c.claim_id, c.text) for c in result.changes] == [
        (theirs.pk, "Changed by rival to Being clarified just now"),
        (assigned.pk, "Assigned to rival by rival just now"),
    ]
    assert result.new_claims == 1 and result.cursor.claim == new.pk
    again = live_changes(since=result.cursor, user_id=analyst.pk)
    assert again.changes == [] and again.new_claims == 0 and again.cursor == result.cursor


def test_live_cursor_round_trips_and_refuses_junk():
    assert LiveCursor.parse(str(LiveCursor(3, 4, 5))) == LiveCursor(3, 4, 5)
    for junk in ("", "1.2", "a.b.c", "1.2.3.4", "-1.2.3", "9" * 30 + ".1.1"):
        assert LiveCursor.parse(junk) is None


def test_live_endpoint_answers_changed_rows_out_of_band_and_the_next_cursor(client, analyst):
    rival = make_analyst(username="rival")
    shown, hidden = make_claim(), make_claim()
    since = live_start()
    claim_decide(claim=shown, status=Status.CONFIRMED, analyst=rival)
    claim_decide(claim=hidden, status=Status.CONFIRMED, analyst=rival)
    client.force_login(analyst)
    response = client.get(
        reverse("claims:live"), {"view": "queue", "since": str(since), "ids": str(shown.pk), "filters": "q=x"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert row_ids(response) == [shown.pk]  # only rows the page shows
    assert 'hx-swap-oob="true"' in body and "Changed by rival to Confirmed just now" in body
    assert 'id="status-counters"' in body and "q=x" in body  # counters keep the page's filters
    assert f"since={live_start()}" in body


@pytest.mark.parametrize("rows", [1, 30])
def test_live_poll_runs_a_fixed_number_of_queries(client, analyst, django_assert_max_num_queries, rows):
    rival = make_analyst(username="rival")
    claims = [make_claim() for _ in range(rows)]
    since = live_start()
    for claim in claims:
        claim_decide(claim=claim, status=Status.CONFIRMED, analyst=rival)
        claim_assign(claim=claim, assignee=rival, actor=rival)
    client.force_login(analyst)
    ids = ",".join(str(c.pk) for c in claims)
    # session, user, decisions, events, new claims, assignee names, rows, groups, counters
    with django_assert_max_num_queries(9):
        response = client.get(reverse("claims:live"), {"view": "queue", "since": str(since), "ids": ids})
    assert len(row_ids(response)) == rows


def test_quiet_live_poll_is_five_queries(client, analyst, django_assert_num_queries):
    make_claim()
    client.force_login(analyst)
    since = str(live_start())
    # session, user, decisions, events, new claims
    with django_assert_num_queries(5):
        client.get(reverse("claims:live"), {"view": "queue", "since": since})


def test_live_claim_view_swaps_the_status_and_history_out_of_band(client, analyst, claim):
    rival = make_analyst(username="rival")
    since = live_start()
    claim_decide(claim=claim, status=Status.UNVERIFIED, analyst=rival, note="no trace")
    client.force_login(analyst)
    body = client.get(
        reverse("claims:live"), {"view": "claim", "since": str(since), "claim": claim.pk}
    ).content.decode()
    assert 'id="claim-status"' in body and "Unverified" in body
    assert 'id="claim-history"' in body and "no trace" in body
    assert "Changed by rival to Unverified just now" in body
    assert "<textarea" not in body  # what the analyst is typing is never replaced


@pytest.mark.parametrize("query", ["", "?view=queue", "?view=nope&since=0.0.0", "?view=queue&since=x"])
def test_live_endpoint_refuses_bad_parameters_with_400(client, viewer, query):
    client.force_login(viewer)
    assert client.get(reverse("claims:live") + query).status_code == 400


# --- queue filters and sorts -----------------------------------------------------------------------


def test_search_matches_a_sources_aliases(client, analyst):
    gs = make_source(name="General Staff", aliases=["Genshtab"])
    mine = make_claim(source=gs)
    make_claim()
    client.force_login(analyst)
    assert row_ids(client.get(reverse("claims:queue") + "?q=genshtab")) == [mine.pk]


def test_source_filter_by_name_or_alias_puts_the_id_in_the_url(client, analyst):
    gs = make_source(name="General Staff", aliases=["Genshtab"])
    mine = make_claim(source=gs)
    make_claim()
    client.force_login(analyst)
    response = client.get(reverse("claims:queue") + "?source_name=Genshtab", headers=HX)
    assert row_ids(response) == [mine.pk]
    assert response["HX-Push-Url"] == reverse("claims:queue") + f"?source={gs.pk}"


def test_unknown_source_name_is_a_400_with_a_message(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("claims:queue") + "?source_name=Nobody+at+all")
    assert response.status_code == 400 and "No source has the name or alias" in response.content.decode()


def test_publisher_date_range_and_status_hint_filters(client, analyst):
    outlet = make_source(name="Kyiv Independent")
    day = datetime.datetime(2026, 5, 3, 12, tzinfo=datetime.UTC)
    in_range = make_claim(
        article=make_article(publisher=outlet, published_at=day), status_hint="being_clarified", start=0, end=10
    )
    make_claim(article=make_article(publisher=outlet, published_at=day - datetime.timedelta(days=30)))
    make_claim(article=make_article(published_at=day))
    client.force_login(analyst)
    url = reverse("claims:queue")
    assert row_ids(client.get(url + f"?publisher={outlet.pk}&from=2026-05-01&to=2026-05-31")) == [in_range.pk]
    assert row_ids(client.get(url + "?publisher_name=kyiv+independent&hint=1")) == [in_range.pk]
    assert in_range.pk not in row_ids(client.get(url + "?hint=0"))
    assert client.get(url + "?from=2026-05-31&to=2026-05-01").status_code == 400


def test_queue_rows_show_the_status_hint(client, analyst):
    make_claim(status_hint="being_clarified")
    client.force_login(analyst)
    assert "Source says: Being clarified" in client.get(reverse("claims:queue")).content.decode()


def test_article_order_lists_newest_articles_first_and_each_in_text_order():
    older, newer = make_article(), make_article()
    a2 = make_claim(article=older, start=20, end=30)
    a1 = make_claim(article=older, start=0, end=10)
    b2 = make_claim(article=newer, start=20, end=30)
    b1 = make_claim(article=newer, start=0, end=10)
    first = claim_queue(filters=QueueFilters(sort="article"), page=1, page_size=3)
    rest = claim_queue(filters=QueueFilters(sort="article"), page=first.next_page, page_size=3)
    assert [r.pk for r in first.rows] + [r.pk for r in rest.rows] == [b1.pk, b2.pk, a1.pk, a2.pk]
    assert first.has_more and not rest.has_more


def test_article_order_pages_load_more_by_page_number(client, analyst):
    article = make_article()
    for i in range(51):
        make_claim(article=article, start=i, end=i + 1)
    client.force_login(analyst)
    body = client.get(reverse("claims:queue") + "?sort=article").content.decode()
    assert "sort=article&amp;page=2" in body


def test_filter_form_refuses_nul_in_names():
    form = QueueFilterForm({"source_name": "a\x00b"})
    assert not form.is_valid()


def test_unverified_filter_means_decided_unverified(analyst):
    open_, rejected = make_claim(), make_claim()
    claim_decide(claim=rejected, status=Status.UNVERIFIED, analyst=analyst)
    assert [r.pk for r in claim_queue(filters=QueueFilters(status="unverified")).rows] == [rejected.pk]
    assert [r.pk for r in claim_queue(filters=QueueFilters(status="undecided")).rows] == [open_.pk]


def test_validation_errors_still_refuse_bad_decisions(analyst, claim):
    with pytest.raises(ValidationError):
        claim_decide(claim=claim, status="maybe", analyst=analyst)
    assert not VerificationStatus.objects.filter(claim=claim).exists()


# --- local accounts and links -------------------------------------------------------------------


def test_ensure_analyst_makes_an_analyst_and_an_admin_each_with_a_generated_password(capsys):
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("ensure_analyst", url="http://127.0.0.1:9001/")
    out = capsys.readouterr().out
    assert "Sign in at http://127.0.0.1:9001/" in out
    passwords = re.findall(r"Password: (\S+)", out)
    assert len(passwords) == 2 and passwords[0] != passwords[1]
    analyst, admin = User.objects.get(username="analyst"), User.objects.get(username="admin")
    assert analyst.groups.filter(name="Analysts").exists() and not analyst.is_staff and not analyst.is_superuser
    assert admin.is_staff and admin.is_superuser
    assert analyst.check_password(passwords[0]) and admin.check_password(passwords[1])
    call_command("ensure_analyst")
    assert "Password:" not in capsys.readouterr().out


def test_web_export_links_use_the_request_host(client, analyst, claim, settings):
    settings.VERIFIER_SITE_URL = ""
    client.force_login(analyst)
    response = client.get(reverse("claims:export") + "?format=jsonl", HTTP_HOST="localhost:9443")
    body = b"".join(response.streaming_content).decode()
    assert json.loads(body.splitlines()[0])["claim_url"] == f"http://localhost:9443/claims/{claim.pk}/"


def test_web_export_links_use_verifier_org_url_when_set(client, analyst, claim, settings):
    settings.VERIFIER_SITE_URL = "https://verify.example.org/"
    client.force_login(analyst)
    response = client.get(reverse("claims:export") + "?format=jsonl")
    body = b"".join(response.streaming_content).decode()
    assert json.loads(body.splitlines()[0])["claim_url"] == f"https://verify.example.org/claims/{claim.pk}/"


def test_claim_exports_label_undecided_apart_from_unverified(analyst):
    from claims.exporting import claim_rows

    open_, rejected = make_claim(), make_claim()
    claim_decide(claim=rejected, status=Status.UNVERIFIED, analyst=analyst)
    rows = {r["claim_id"]: r for r in claim_rows(Claim.objects.all())}
    assert (rows[open_.pk]["status"], rows[open_.pk]["status_label"]) == ("unverified", "Undecided")
    assert (rows[rejected.pk]["status"], rows[rejected.pk]["status_label"]) == ("unverified", "Unverified")


# --- after the merge with hardening: every decide form carries its idempotency token ------------


def _decide_forms_and_keys(html: str) -> tuple[int, list[str]]:
    forms = re.findall(r"<form[^>]*(?:data-decide|data-decide-panel)[^>]*>.*?</form>", html, re.S)
    keys = [m for form in forms for m in re.findall(r'name="idempotency_key" value="([0-9a-f]{32})"', form)]
    return len(forms), keys


def test_every_decide_form_carries_its_own_idempotency_token(client, analyst, claim):
    client.force_login(analyst)
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=make_analyst())
    pages = [
        client.get(reverse("claims:queue")).content.decode(),  # the decide panel
        client.get(reverse("claims:claim_panel", args=[claim.pk]), headers=HX).content.decode(),
        client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode(),
        # a stale decision's "apply anyway" form
        client.post(
            reverse("claims:decide", args=[claim.pk]),
            {"status": "unverified", "version": 0},
            headers={**HX, "HX-Target": "claim-panel"},
        ).content.decode(),
    ]
    seen = []
    for html in pages:
        forms, keys = _decide_forms_and_keys(html)
        assert forms >= 1 and len(keys) == forms, html[:300]
        seen += keys
    assert len(set(seen)) == len(seen)
