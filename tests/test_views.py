"""The analyst pages: who may see and do what, fragments for htmx, clear 400s, set_status semantics."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import AuditEvent, Claim, Source, Status, VerificationStatus
from claims.services import claim_decide
from tests.factories import make_analyst, make_article, make_claim, make_source

pytestmark = pytest.mark.django_db

FULL_PAGE = "<html"
NAV = 'class="mainnav"'
HX = {"HX-Request": "true"}


def read_urls(claim):
    return [
        reverse("claims:dashboard"),
        reverse("claims:queue"),
        reverse("claims:claim_detail", args=[claim.pk]),
        reverse("claims:article_list"),
        reverse("claims:article_detail", args=[claim.article_id]),
        reverse("claims:source_list"),
        reverse("claims:source_detail", args=[claim.source_id]),
        reverse("claims:source_autocomplete") + "?q=Source",
        reverse("claims:live") + "?view=queue&since=0.0.0",
        reverse("claims:live") + f"?view=claim&since=0.0.0&claim={claim.pk}",
    ]


def write_requests(claim):
    """(url, data) for every write, with data that would succeed for a user allowed to make it: the
    pages' own forms (the submit button's `action`), then the older per-action URLs; the staff-only
    source writes last (STAFF_WRITES of them)."""
    other = make_source(name=f"Another Source {claim.pk}")
    page = reverse("claims:claim_detail", args=[claim.pk])
    source_page = reverse("claims:source_detail", args=[claim.source_id])
    edit = {"kind": "person", "reliability": "B", "affiliation": "", "notes": ""}
    return [
        (reverse("claims:decide", args=[claim.pk]), {"status": "confirmed", "version": claim.version}),
        (reverse("claims:bulk_decide"), {"status": "confirmed", "ids": [claim.pk]}),
        (page, {"action": "assign"}),
        (page, {"action": "source", "source_name": other.name, "kind": "organization"}),
        (page, {"action": "span", "start": 0, "end": 10}),
        (reverse("claims:claim_assign", args=[claim.pk]), {"action": "assign"}),
        (reverse("claims:claim_source", args=[claim.pk]), {"source_name": other.name, "kind": "organization"}),
        (reverse("claims:claim_span", args=[claim.pk]), {"start": 0, "end": 10}),
        (
            reverse("claims:claim_add", args=[claim.article_id]),
            {"start": 102, "end": 150, "source_name": other.name, "kind": "organization"},
        ),
        (source_page, {"action": "edit", **edit}),
        (source_page, {"action": "merge", "other": other.name}),
        (reverse("claims:source_edit", args=[claim.source_id]), edit),
        (reverse("claims:source_merge", args=[claim.source_id]), {"other": other.name}),
    ]


STAFF_WRITES = 4


def state(claim):
    """Everything a write could change, to show that a refused write changed nothing."""
    claim = Claim.objects.get(pk=claim.pk)
    return (
        claim.status,
        claim.version,
        claim.assignee_id,
        claim.source_id,
        claim.start,
        claim.end,
        Claim.objects.count(),
        Source.objects.count(),
        VerificationStatus.objects.count(),
        Source.objects.get(pk=claim.source_id).reliability,
    )


# --- roles -------------------------------------------------------------------------------------


def test_every_page_redirects_anonymous_users_to_sign_in(client, claim):
    for url in read_urls(claim):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_every_write_redirects_anonymous_users_to_sign_in_and_changes_nothing(client, claim):
    requests = write_requests(claim)
    before = state(claim)
    for url, data in requests:
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    assert state(claim) == before


def test_healthz_needs_no_sign_in(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_viewer_can_read_every_page(client, viewer, claim):
    client.force_login(viewer)
    for url in read_urls(claim):
        assert client.get(url).status_code == 200, url


def test_viewer_is_refused_every_write_and_nothing_changes(client, viewer, claim):
    client.force_login(viewer)
    requests = write_requests(claim)
    before = state(claim)
    for url, data in requests:
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, data, headers=HX).status_code == 403, url
    assert state(claim) == before


def test_viewer_sees_no_decision_buttons(client, viewer, claim):
    client.force_login(viewer)
    body = client.get(reverse("claims:queue")).content.decode()
    assert ">Confirmed</button>" not in body
    assert 'id="bulk-form"' not in body


def test_analyst_is_refused_staff_only_source_edits(client, analyst, claim):
    client.force_login(analyst)
    requests = write_requests(claim)[-STAFF_WRITES:]
    before = state(claim)
    for url, data in requests:
        assert client.post(url, data).status_code == 403, url
    assert state(claim) == before


def test_analyst_sees_every_page(client, analyst, claim):
    client.force_login(analyst)
    for url in read_urls(claim):
        response = client.get(url)
        assert response.status_code == 200, url


def test_writes_refuse_get(client, analyst, claim):
    client.force_login(analyst)
    assert client.get(reverse("claims:decide", args=[claim.pk])).status_code == 405
    for name in ["claim_assign", "claim_source", "claim_span", "cluster_action", "claim_credibility"]:
        assert client.get(reverse(f"claims:{name}", args=[claim.pk])).status_code == 405, name
    assert client.get(reverse("claims:source_edit", args=[claim.source_id])).status_code == 405


def test_analyst_may_make_every_analyst_write(client, analyst):
    client.force_login(analyst)
    for i in range(len(write_requests(make_claim())) - STAFF_WRITES):
        url, data = write_requests(make_claim())[i]  # a fresh claim each time: every write changes something
        assert client.post(url, data).status_code == 303, url


def test_staff_may_make_every_staff_write(client, staff):
    client.force_login(staff)
    for i in range(STAFF_WRITES):
        url, data = write_requests(make_claim())[-STAFF_WRITES + i]
        # An edit is saved (303); a merge's first step shows what would move (200).
        assert client.post(url, data).status_code == (200 if "other" in data else 303), url


def test_decide_and_set_status_name_one_route(claim):
    assert reverse("claims:decide", args=[claim.pk]) == reverse("claims:set_status", args=[claim.pk])
    assert reverse("claims:bulk_decide") == reverse("claims:bulk_set_status")


def test_a_refused_write_is_plain_text_for_htmx_and_the_error_page_otherwise(client, viewer, claim):
    client.force_login(viewer)
    url = reverse("claims:decide", args=[claim.pk])
    response = client.post(url, {"status": "confirmed"}, headers=HX)
    assert response.status_code == 403 and response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "Only analysts may change claims. Your account can only read."
    response = client.post(url, {"status": "confirmed"})
    assert response.status_code == 403 and FULL_PAGE in response.content.decode()
    assert "Your account can only read." in response.content.decode()


def test_a_viewer_is_refused_before_the_form_is_read(client, viewer, claim):
    """403 whatever a read-only account sends: no 400 that would tell it which fields are wrong."""
    client.force_login(viewer)
    assert client.post(reverse("claims:decide", args=[claim.pk]), {"status": "nonsense"}).status_code == 403
    assert client.post(reverse("claims:claim_detail", args=[claim.pk]), {"action": "nonsense"}).status_code == 403


def test_claim_page_forms_post_to_the_page_naming_their_action(client, analyst, claim):
    client.force_login(analyst)
    html = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    page = reverse("claims:claim_detail", args=[claim.pk])
    assert html.count(f'action="{page}"') == 3  # assign, change source, edit span
    for action in ("assign", "source", "span"):
        assert f'name="action" value="{action}"' in html
    response = client.post(page, {"action": "nonsense"})
    assert response.status_code == 400 and "Choose assign" in response.content.decode()


def test_source_page_forms_post_to_the_page_naming_their_action(client, staff, source):
    client.force_login(staff)
    page = reverse("claims:source_detail", args=[source.pk])
    html = client.get(page).content.decode()
    assert html.count(f'action="{page}"') == 2
    assert 'name="action" value="edit"' in html and 'name="action" value="merge"' in html
    assert client.post(page, {"action": "nonsense"}).status_code == 400


def test_status_buttons_come_from_the_status_choices_with_stable_ids(client, analyst, claim):
    client.force_login(analyst)
    html = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    for value, label in Status.choices:
        assert f'id="decide-{value}"' in html and f">{label}</button>" in html
    queue = client.get(reverse("claims:queue")).content.decode()
    for value, key in (("confirmed", "c"), ("being_clarified", "b"), ("unverified", "u")):
        assert re.search(rf'id="queue-decide-{value}"[^>]*aria-keyshortcuts="{key}"', queue), value


# --- queue -------------------------------------------------------------------------------------


def row_ids(response) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="claim-(\d+)"', response.content.decode())]


def test_queue_plain_request_renders_the_full_page(client, analyst, claim):
    client.force_login(analyst)
    body = client.get(reverse("claims:queue")).content.decode()
    assert FULL_PAGE in body and NAV in body
    assert f'id="claim-{claim.pk}"' in body


def test_queue_htmx_request_renders_only_the_results_fragment(client, analyst, claim):
    client.force_login(analyst)
    response = client.get(reverse("claims:queue") + "?status=undecided&page=", headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert FULL_PAGE not in body and NAV not in body
    assert body.lstrip().startswith('<div id="queue-page">')
    assert f'id="claim-{claim.pk}"' in body
    # The pushed URL is the canonical one, without empty parameters.
    assert response["HX-Push-Url"] == reverse("claims:queue") + "?status=undecided"


def test_queue_history_restore_gets_the_full_page(client, analyst, claim):
    client.force_login(analyst)
    body = client.get(reverse("claims:queue"), headers={**HX, "HX-History-Restore-Request": "true"}).content.decode()
    assert FULL_PAGE in body


def test_queue_load_more_request_returns_rows_and_an_out_of_band_button(client, analyst):
    article = make_article()
    source = make_source()
    claims = [make_claim(article=article, source=source, start=i, end=i + 5) for i in range(3)]
    client.force_login(analyst)
    response = client.get(reverse("claims:queue") + f"?after={claims[2].pk}", headers={**HX, "HX-Target": "queue-body"})
    body = response.content.decode()
    assert body.lstrip().startswith("<tr")
    assert 'id="load-more"' in body and 'hx-swap-oob="true"' in body
    assert row_ids(response) == [claims[1].pk, claims[0].pk]


def test_queue_row_emphasises_source_name_and_cue(client, analyst):
    article = make_article(body="Officials in Kyiv said the bridge <b>was</b> hit. More text here.")
    source = make_source(name="Officials in Kyiv")
    make_claim(article=article, source=source, start=0, end=48, cue="said")
    client.force_login(analyst)
    body = client.get(reverse("claims:queue")).content.decode()
    assert '<strong class="src-name">Officials in Kyiv</strong>' in body
    assert '<em class="cue">said</em>' in body
    # Imported text is escaped, never trusted as HTML.
    assert "&lt;b&gt;was&lt;/b&gt;" in body and "<b>was</b>" not in body


def test_queue_shows_last_decision_by_whom_and_when(client, analyst, claim):
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst)
    client.force_login(analyst)
    body = client.get(reverse("claims:queue")).content.decode()
    assert re.search(rf'<div class="last">{analyst.username} · \d+ \w+ \d\d:\d\d</div>', body)


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "source=abc",
        "source=-3",
        "source=99999999999999999999",
        "article=99999999999999999999",
        "after=99999999999999999999",
        "article=1.5",
        "page=0",
        "page=abc",
        "page=99999999999999",
        "after=x",
        "hedged=maybe",
        "assignee=bob",
        "language=%27%3B+drop",
        "sort=sideways",
        "q=" + "x" * 201,
    ],
)
def test_queue_answers_400_with_a_message_for_bad_parameters(client, analyst, query):
    client.force_login(analyst)
    response = client.get(reverse("claims:queue") + "?" + query)
    assert response.status_code == 400
    assert "Invalid queue parameters" in response.content.decode()


def test_queue_bad_parameter_with_htmx_is_a_plain_text_400(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("claims:queue") + "?page=0", headers=HX)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "Page" in response.content.decode()


def test_queue_page_past_the_end_is_200_with_no_rows(client, analyst, claim):
    client.force_login(analyst)
    response = client.get(reverse("claims:queue") + "?page=7")
    assert response.status_code == 200
    assert row_ids(response) == []


def test_queue_pages_hold_fifty_claims_and_do_not_overlap(client, analyst):
    article = make_article()
    source = make_source()
    claims = [make_claim(article=article, source=source, start=i, end=i + 3) for i in range(52)]
    client.force_login(analyst)
    first = row_ids(client.get(reverse("claims:queue")))
    second = row_ids(client.get(reverse("claims:queue") + "?page=2"))
    assert len(first) == 50 and len(second) == 2
    assert first + second == [c.pk for c in reversed(claims)]


def test_queue_cursor_continues_where_the_page_ended(client, analyst):
    article = make_article()
    source = make_source()
    claims = [make_claim(article=article, source=source, start=i, end=i + 3) for i in range(53)]
    client.force_login(analyst)
    first = client.get(reverse("claims:queue") + "?sort=oldest")
    assert row_ids(first) == [c.pk for c in claims[:50]]
    assert f"after={claims[49].pk}" in first.content.decode()
    rest = client.get(reverse("claims:queue") + f"?sort=oldest&after={claims[49].pk}")
    assert row_ids(rest) == [c.pk for c in claims[50:]]
    assert "Load more" not in rest.content.decode()


def test_queue_filters_by_status(client, analyst):
    decided, open_, rejected = make_claim(), make_claim(), make_claim()
    claim_decide(claim=decided, status=Status.BEING_CLARIFIED, analyst=analyst)
    claim_decide(claim=rejected, status=Status.UNVERIFIED, analyst=analyst)
    client.force_login(analyst)
    assert row_ids(client.get(reverse("claims:queue") + "?status=being_clarified")) == [decided.pk]
    # Unverified is a decision: claims nobody has decided are Undecided, not Unverified.
    assert row_ids(client.get(reverse("claims:queue") + "?status=unverified")) == [rejected.pk]
    assert row_ids(client.get(reverse("claims:queue") + "?status=undecided")) == [open_.pk]


def test_queue_filters_undecided_claims(client, analyst):
    decided, open_ = make_claim(), make_claim()
    claim_decide(claim=decided, status=Status.UNVERIFIED, analyst=analyst)
    client.force_login(analyst)
    assert row_ids(client.get(reverse("claims:queue") + "?status=undecided")) == [open_.pk]


def test_queue_filters_by_source_and_article(client, analyst):
    one, two = make_claim(), make_claim()
    client.force_login(analyst)
    assert row_ids(client.get(reverse("claims:queue") + f"?source={one.source_id}")) == [one.pk]
    assert row_ids(client.get(reverse("claims:queue") + f"?article={two.article_id}")) == [two.pk]


def test_queue_filters_my_assigned_claims(client, analyst):
    mine, other = make_claim(assignee=analyst), make_claim(assignee=make_analyst())
    make_claim()
    client.force_login(analyst)
    assert row_ids(client.get(reverse("claims:queue") + "?assignee=me")) == [mine.pk]
    assert other.pk in row_ids(client.get(reverse("claims:queue")))


def test_queue_filters_hedged_and_language(client, analyst):
    hedged = make_claim(hedged=True, article=make_article(language="uk"))
    plain = make_claim(article=make_article(language="en"))
    client.force_login(analyst)
    assert row_ids(client.get(reverse("claims:queue") + "?hedged=1")) == [hedged.pk]
    assert row_ids(client.get(reverse("claims:queue") + "?hedged=0")) == [plain.pk]
    assert row_ids(client.get(reverse("claims:queue") + "?language=EN")) == [plain.pk]


def test_queue_search_finds_claims_by_their_words(client, analyst):
    drones = make_claim(article=make_article(), start=100, end=172)
    bridge = make_claim()
    assert "drones" in drones.text and "bridge" in bridge.text
    client.force_login(analyst)
    assert row_ids(client.get(reverse("claims:queue") + "?q=drones")) == [drones.pk]
    assert row_ids(client.get(reverse("claims:queue") + "?q=bridge")) == [bridge.pk]
    assert row_ids(client.get(reverse("claims:queue") + "?q=zeppelins")) == []


def test_queue_filter_links_keep_the_other_filters(client, analyst, claim):
    client.force_login(analyst)
    body = client.get(reverse("claims:queue") + f"?source={claim.source_id}&hedged=0").content.decode()
    assert f'href="/queue/?source={claim.source_id}&amp;hedged=0&amp;status=confirmed"' in body


# --- decide, alias set_status (docs/interfaces.md) ------------------------------------------------


def test_decide_with_htmx_answers_the_row_and_out_of_band_counters(client, analyst, claim):
    client.force_login(analyst)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]),
        {"status": "confirmed", "note": "Two sources agree", "version": "0", "next": "/queue/?status=unverified"},
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert FULL_PAGE not in body and NAV not in body
    assert body.lstrip().startswith(f'<tr id="claim-{claim.pk}"')
    assert 'id="status-counters"' in body and 'hx-swap-oob="true"' in body
    assert re.search(r"Confirmed <span class=\"count\">1</span>", body)
    decision = VerificationStatus.objects.get(claim=claim)
    assert (decision.status, decision.note, decision.analyst) == ("confirmed", "Two sources agree", analyst)
    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("confirmed", 1)


def test_decide_with_a_stale_version_answers_409_with_the_current_row(client, analyst, claim):
    rival = make_analyst(username="rival")
    claim_decide(claim=claim, status=Status.BEING_CLARIFIED, analyst=rival)
    client.force_login(analyst)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]),
        {"status": "confirmed", "note": "mine", "version": "0"},
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert body.lstrip().startswith(f'<tr id="claim-{claim.pk}"')
    assert "changed by rival to Being clarified at" in body
    assert "Apply Confirmed anyway" in body
    assert 'name="version" value="1"' in body and 'name="note" value="mine"' in body
    assert VerificationStatus.objects.filter(claim=claim).count() == 1
    claim.refresh_from_db()
    assert claim.status == "being_clarified"


def test_applying_anyway_with_the_current_version_records_the_decision(client, analyst, claim):
    claim_decide(claim=claim, status=Status.BEING_CLARIFIED, analyst=make_analyst())
    client.force_login(analyst)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]), {"status": "confirmed", "version": "1"}, headers=HX
    )
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("confirmed", 2)


def test_decide_stale_without_htmx_shows_a_409_page_to_apply_anyway(client, analyst, claim):
    claim_decide(claim=claim, status=Status.BEING_CLARIFIED, analyst=make_analyst(username="rival2"))
    client.force_login(analyst)
    response = client.post(reverse("claims:decide", args=[claim.pk]), {"status": "confirmed", "version": "0"})
    assert response.status_code == 409
    body = response.content.decode()
    assert FULL_PAGE in body and "changed by rival2 to Being clarified" in body


def test_decide_without_csrf_token_is_403(analyst, claim):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post(reverse("claims:decide", args=[claim.pk]), {"status": "confirmed"}, headers=HX)
    assert response.status_code == 403
    assert not VerificationStatus.objects.exists()


def test_decide_with_the_csrf_header_htmx_sends_succeeds(analyst, claim):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    page = client.get(reverse("claims:queue"))
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]), {"status": "confirmed"}, headers={**HX, "X-CSRFToken": token}
    )
    assert response.status_code == 200


def test_decide_by_a_viewer_is_403(client, viewer, claim):
    client.force_login(viewer)
    response = client.post(reverse("claims:decide", args=[claim.pk]), {"status": "confirmed"}, headers=HX)
    assert response.status_code == 403
    assert "analysts" in response.content.decode().lower()
    assert not VerificationStatus.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"status": "maybe"},
        {"status": ""},
        {},
        {"status": "confirmed", "version": "one"},
        {"status": "confirmed", "evidence_url": "javascript:alert(1)"},
        {"status": "confirmed", "note": "x" * 4001},
    ],
)
def test_decide_with_bad_input_is_400_and_records_nothing(client, analyst, claim, data):
    client.force_login(analyst)
    response = client.post(reverse("claims:decide", args=[claim.pk]), data, headers=HX)
    assert response.status_code == 400
    assert "Decision not recorded" in response.content.decode()
    assert not VerificationStatus.objects.exists()


def test_decide_for_a_missing_claim_is_404(client, analyst):
    client.force_login(analyst)
    assert client.post(reverse("claims:decide", args=[999999]), {"status": "confirmed"}).status_code == 404


def test_decide_without_htmx_redirects_back_with_303(client, analyst, claim):
    client.force_login(analyst)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]), {"status": "unverified", "next": "/queue/?status=unverified"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/queue/?status=unverified"
    assert VerificationStatus.objects.get(claim=claim).status == "unverified"


def test_decide_never_redirects_off_site(client, analyst, claim):
    client.force_login(analyst)
    response = client.post(
        reverse("claims:decide", args=[claim.pk]), {"status": "confirmed", "next": "https://evil.example/"}
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("claims:queue")


# --- bulk --------------------------------------------------------------------------------------


def test_bulk_decide_records_one_decision_per_claim(client, analyst):
    claims = [make_claim() for _ in range(3)]
    client.force_login(analyst)
    response = client.post(
        reverse("claims:bulk_decide"), {"status": "being_clarified", "ids": [c.pk for c in claims]}, headers=HX
    )
    assert response.status_code == 200
    for c in claims:
        decisions = VerificationStatus.objects.filter(claim=c)
        assert [d.status for d in decisions] == ["being_clarified"]
    body = response.content.decode()
    assert "3 claims marked Being clarified." in body
    for c in claims:
        assert f'<template>\n<tr id="claim-{c.pk}"' in body
    assert body.count('hx-swap-oob="true"') == 4  # three rows and the counters


def test_bulk_decide_refuses_all_when_one_claim_changed_meanwhile(client, analyst):
    fresh, changed = make_claim(), make_claim()
    claim_decide(claim=changed, status="confirmed", analyst=make_analyst())
    client.force_login(analyst)
    response = client.post(
        reverse("claims:bulk_decide"),
        {"status": "unverified", "ids": [fresh.pk, changed.pk], f"v{fresh.pk}": 0, f"v{changed.pk}": 0},
        headers=HX,
    )
    assert response.status_code == 409
    assert f"claim {changed.pk} was decided by someone else" in response.content.decode()
    assert VerificationStatus.objects.filter(analyst=analyst).count() == 0
    changed.refresh_from_db()
    assert (changed.status, changed.version) == ("confirmed", 1)


def test_bulk_decide_with_the_versions_seen_records_each(client, analyst):
    claims = [make_claim(), make_claim()]
    client.force_login(analyst)
    data = {"status": "confirmed", "ids": [c.pk for c in claims]} | {f"v{c.pk}": c.version for c in claims}
    response = client.post(reverse("claims:bulk_decide"), data, headers=HX)
    assert response.status_code == 200
    assert VerificationStatus.objects.filter(analyst=analyst, version=1).count() == 2


def test_queue_rows_carry_their_version_for_bulk_decisions(client, analyst, claim):
    client.force_login(analyst)
    html = client.get(reverse("claims:queue")).content.decode()
    # The rows sit inside the bulk form: each row's version is one of its fields.
    bulk = html.split('<form id="bulk-form"')[1].split("</form>")[0]
    assert f'<input type="hidden" name="v{claim.pk}" value="0">' in bulk


def test_bulk_decide_without_htmx_redirects_back(client, analyst):
    claims = [make_claim() for _ in range(2)]
    client.force_login(analyst)
    response = client.post(
        reverse("claims:bulk_decide"), {"status": "confirmed", "ids": [c.pk for c in claims], "next": "/queue/"}
    )
    assert response.status_code == 303 and response["Location"] == "/queue/"
    assert VerificationStatus.objects.count() == 2


@pytest.mark.parametrize("ids", [[], ["abc"], ["-1"]])
def test_bulk_decide_with_bad_ids_is_400(client, analyst, claim, ids):
    client.force_login(analyst)
    response = client.post(reverse("claims:bulk_decide"), {"status": "confirmed", "ids": ids}, headers=HX)
    assert response.status_code == 400
    assert not VerificationStatus.objects.exists()


def test_bulk_decide_with_an_unknown_claim_records_nothing(client, analyst, claim):
    client.force_login(analyst)
    response = client.post(
        reverse("claims:bulk_decide"), {"status": "confirmed", "ids": [claim.pk, 987654]}, headers=HX
    )
    assert response.status_code == 400
    assert "987654" in response.content.decode()
    assert not VerificationStatus.objects.exists()


def test_bulk_decide_with_unknown_status_is_400(client, analyst, claim):
    client.force_login(analyst)
    response = client.post(reverse("claims:bulk_decide"), {"status": "true", "ids": [claim.pk]}, headers=HX)
    assert response.status_code == 400
    assert not VerificationStatus.objects.exists()


# --- claim detail ------------------------------------------------------------------------------


def test_claim_detail_marks_the_sentence_within_its_paragraph(client, analyst):
    article = make_article(body="First paragraph.\n\nBefore <i>it</i>. The claim itself. After it.\n\nLast one.")
    claim = make_claim(article=article, start=article.body.index("The claim"), end=article.body.index(" After"))
    client.force_login(analyst)
    body = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    assert "Before &lt;i&gt;it&lt;/i&gt;. <mark" in body
    assert ">The claim itself.</mark> After it.</blockquote>" in body
    assert "First paragraph." not in body.split('class="context"')[1].split("</blockquote>")[0]


def test_claim_detail_lists_the_full_decision_history(client, analyst, claim):
    claim_decide(claim=claim, status=Status.BEING_CLARIFIED, analyst=analyst, note="asked the ministry")
    claim_decide(claim=claim, status=Status.CONFIRMED, analyst=analyst, evidence_url="https://example.org/statement")
    client.force_login(analyst)
    body = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    history = body.split('class="history"')[1]
    assert history.index("Confirmed") < history.index("Being clarified")
    assert "asked the ministry" in history
    assert 'href="https://example.org/statement"' in history


def test_claim_detail_decide_form_redirects_back_to_the_claim(client, analyst, claim):
    client.force_login(analyst)
    url = reverse("claims:claim_detail", args=[claim.pk])
    response = client.post(
        reverse("claims:decide", args=[claim.pk]), {"status": "confirmed", "version": "0", "next": url}
    )
    assert response.status_code == 303 and response["Location"] == url


def test_assign_to_me_and_unassign(client, analyst, claim):
    client.force_login(analyst)
    url = reverse("claims:claim_assign", args=[claim.pk])
    assert client.post(url, {"action": "assign"}).status_code == 303
    claim.refresh_from_db()
    assert claim.assignee == analyst
    client.post(url, {"action": "unassign"})
    claim.refresh_from_db()
    assert claim.assignee is None
    assert client.post(url, {"action": "steal"}).status_code == 400


def test_change_source_by_an_alias(client, analyst, claim):
    target = make_source(name="General Staff of Ukraine", aliases=["General Staff"])
    client.force_login(analyst)
    response = client.post(reverse("claims:claim_source", args=[claim.pk]), {"source_name": "general staff"})
    assert response.status_code == 303
    claim.refresh_from_db()
    assert claim.source == target
    assert AuditEvent.objects.filter(action="claim_update", object_id=str(claim.pk)).exists()


def test_change_source_to_an_unknown_name_is_400_unless_creating_it(client, analyst, claim):
    client.force_login(analyst)
    url = reverse("claims:claim_source", args=[claim.pk])
    response = client.post(url, {"source_name": "Brand New Agency", "kind": "organization"})
    assert response.status_code == 400
    assert "No source has this name" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).source_id == claim.source_id
    response = client.post(url, {"source_name": "Brand New Agency", "kind": "organization", "create": "on"})
    assert response.status_code == 303
    assert Claim.objects.get(pk=claim.pk).source.name == "Brand New Agency"


def test_edit_span_updates_the_text(client, analyst, claim):
    client.force_login(analyst)
    response = client.post(reverse("claims:claim_span", args=[claim.pk]), {"start": 0, "end": 9})
    assert response.status_code == 303
    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.text) == (0, 9, claim.article.body[:9])


@pytest.mark.parametrize("data", [{"start": 5, "end": 5}, {"start": 0, "end": 99999}, {"start": "a", "end": 3}, {}])
def test_edit_span_refuses_bad_offsets_with_400(client, analyst, claim, data):
    client.force_login(analyst)
    before = (claim.start, claim.end, claim.text)
    response = client.post(reverse("claims:claim_span", args=[claim.pk]), data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    claim.refresh_from_db()
    assert (claim.start, claim.end, claim.text) == before


# --- reader ------------------------------------------------------------------------------------


def body_text(html: str) -> str:
    inner = html.split("data-article-body>")[1].split("</div>")[0]
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", inner))


def test_reader_highlights_each_claim_in_its_status_colour(client, analyst):
    article = make_article()
    first = make_claim(article=article, start=0, end=20)
    second = make_claim(article=article, start=102, end=150)
    claim_decide(claim=second, status=Status.CONFIRMED, analyst=analyst)
    client.force_login(analyst)
    html = client.get(reverse("claims:article_detail", args=[article.pk])).content.decode()
    for claim, shown in ((first, "undecided"), (second, "confirmed")):
        assert re.search(
            rf'<a id="claim-{claim.pk}" data-claim-id="{claim.pk}" [^>]*class="hl hl-{shown}" href="/claims/{claim.pk}/"',
            html,
        )
    assert body_text(html) == article.body


def test_reader_renders_overlapping_claims_without_repeating_text(client, analyst):
    article = make_article()
    outer = make_claim(article=article, start=0, end=60)
    inner = make_claim(article=article, start=10, end=30)
    tail = make_claim(article=article, start=50, end=90)
    client.force_login(analyst)
    html = client.get(reverse("claims:article_detail", args=[article.pk])).content.decode()
    assert body_text(html) == article.body
    assert f'id="claim-{outer.pk}"' in html and f'id="claim-{tail.pk}"' in html
    assert f"/claims/{inner.pk}/" in html  # still listed and reachable


def test_add_claim_from_a_selection(client, analyst, claim):
    article = claim.article
    start = article.body.index("According")
    end = article.body.index("south.") + len("south.")
    client.force_login(analyst)
    response = client.post(
        reverse("claims:claim_add", args=[article.pk]),
        {"start": start, "end": end, "text": article.body[start:end], "source_name": claim.source.name},
    )
    assert response.status_code == 303
    added = Claim.objects.get(article=article, start=start, end=end)
    assert (added.created_by, added.source, added.text) == (analyst, claim.source, article.body[start:end])


def test_add_claim_with_htmx_answers_the_updated_reader(client, analyst, claim):
    body = claim.article.body
    start = body.index("14 drones")
    client.force_login(analyst)
    response = client.post(
        reverse("claims:claim_add", args=[claim.article_id]),
        {"start": start, "end": start + 9, "text": "14 drones", "source_name": claim.source.name},
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert FULL_PAGE not in html and html.lstrip().startswith('<div id="reader"')
    added = Claim.objects.get(article=claim.article, start=start)
    assert f'id="claim-{added.pk}"' in html


def test_add_claim_moves_offsets_to_the_selected_text_when_they_disagree(client, analyst, claim):
    body = claim.article.body
    start = body.index("14 drones")
    client.force_login(analyst)
    client.post(
        reverse("claims:claim_add", args=[claim.article_id]),
        {"start": start + 3, "end": start + 12, "text": "14 drones", "source_name": claim.source.name},
    )
    assert Claim.objects.filter(article=claim.article, start=start, end=start + 9).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"start": 0, "end": 99999, "text": ""},
        {"start": 0, "end": 5, "text": "not in the article"},
        {"start": 10, "end": 5, "text": ""},
        {"start": "x", "end": 5, "text": ""},
    ],
)
def test_add_claim_refuses_a_bad_selection(client, analyst, claim, data):
    client.force_login(analyst)
    response = client.post(
        reverse("claims:claim_add", args=[claim.article_id]), {**data, "source_name": claim.source.name}, headers=HX
    )
    assert response.status_code == 400
    assert Claim.objects.count() == 1


def test_add_claim_refuses_an_existing_span(client, analyst, claim):
    client.force_login(analyst)
    response = client.post(
        reverse("claims:claim_add", args=[claim.article_id]),
        {"start": claim.start, "end": claim.end, "text": claim.text, "source_name": claim.source.name},
        headers=HX,
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_add_claim_with_an_unknown_source_needs_create(client, analyst, claim):
    client.force_login(analyst)
    url = reverse("claims:claim_add", args=[claim.article_id])
    data = {"start": 102, "end": 150, "source_name": "Unheard Of Agency", "kind": "organization"}
    assert client.post(url, data, headers=HX).status_code == 400
    assert client.post(url, {**data, "create": "on"}, headers=HX).status_code == 200
    assert Claim.objects.get(start=102, end=150).source.name == "Unheard Of Agency"


def test_article_list_shows_progress(client, analyst):
    article = make_article()
    one = make_claim(article=article, start=0, end=10)
    make_claim(article=article, start=20, end=30)
    claim_decide(claim=one, status=Status.CONFIRMED, analyst=analyst)
    client.force_login(analyst)
    body = client.get(reverse("claims:article_list")).content.decode()
    assert "1 / 2 decided" in body


def test_article_list_query_count_does_not_grow_with_rows(client, analyst, django_assert_num_queries):
    client.force_login(analyst)
    make_claim()
    with django_assert_num_queries(3):
        client.get(reverse("claims:article_list"))
    for _ in range(10):
        make_claim()
    with django_assert_num_queries(3):
        client.get(reverse("claims:article_list"))


# --- sources -----------------------------------------------------------------------------------


def test_source_page_shows_its_track_record(client, analyst):
    source = make_source(name="Ministry of Defence", aliases=["MoD"])
    a, b, c = (make_claim(source=source) for _ in range(3))
    claim_decide(claim=a, status=Status.CONFIRMED, analyst=analyst)
    claim_decide(claim=b, status=Status.CONFIRMED, analyst=analyst)
    client.force_login(analyst)
    html = client.get(reverse("claims:source_detail", args=[source.pk])).content.decode()
    track = re.sub(r"\s+", " ", html.split('class="track"')[1].split("</ul>")[0])
    assert '<span class="stat-n">3</span> claims' in track
    assert re.search(r'<span class="stat-n">2</span> <span class="badge badge-confirmed">.*?Confirmed', track)
    assert re.search(r'<span class="stat-n">1</span> <span class="badge badge-undecided">.*?Undecided', track)
    assert re.search(r'<span class="stat-n">0</span> <span class="badge badge-unverified">.*?Unverified', track)
    assert "MoD" in html


def test_staff_edit_a_source_reliability(client, staff, source):
    affiliation = make_source(name="Armed Forces")
    client.force_login(staff)
    response = client.post(
        reverse("claims:source_edit", args=[source.pk]),
        {"kind": "person", "reliability": "B", "affiliation": "armed forces", "notes": "spokesman"},
    )
    assert response.status_code == 303
    source.refresh_from_db()
    assert (source.kind, source.reliability, source.affiliation, source.notes) == (
        "person",
        "B",
        affiliation,
        "spokesman",
    )


def test_staff_source_edit_with_bad_values_is_400(client, staff, source):
    client.force_login(staff)
    response = client.post(
        reverse("claims:source_edit", args=[source.pk]), {"kind": "alien", "reliability": "Z", "affiliation": ""}
    )
    assert response.status_code == 400
    source.refresh_from_db()
    assert source.reliability == "F"


def test_staff_merge_two_sources(client, staff):
    keep, merge = make_source(name="General Staff"), make_source(name="Genshtab")
    moved = make_claim(source=merge)
    client.force_login(staff)
    response = client.post(reverse("claims:source_merge", args=[keep.pk]), {"other": "genshtab"})
    assert response.status_code == 200 and "Merge “Genshtab” into “General Staff”?" in response.content.decode()
    response = client.post(
        reverse("claims:source_merge", args=[keep.pk]), {"other": "genshtab", "other_id": merge.pk, "confirm": "1"}
    )
    assert response.status_code == 303
    moved.refresh_from_db()
    assert moved.source == keep
    assert not Source.objects.filter(pk=merge.pk).exists()


def test_merging_a_source_into_itself_is_400(client, staff, source):
    client.force_login(staff)
    response = client.post(reverse("claims:source_merge", args=[source.pk]), {"other": source.name})
    assert response.status_code == 400
    assert Source.objects.filter(pk=source.pk).exists()


def test_source_autocomplete_matches_names_and_aliases(client, viewer):
    make_source(name="Center of National Resistance", aliases=["CNR"])
    make_source(name="Kyiv Post")
    client.force_login(viewer)
    html = client.get(reverse("claims:source_autocomplete") + "?source_name=cnr").content.decode()
    assert '<option value="CNR">Center of National Resistance</option>' in html
    assert "Kyiv Post" not in html


@pytest.mark.parametrize("q", ["x" * 301, "nul\x00byte"])
def test_source_autocomplete_refuses_junk_with_400(client, viewer, q):
    client.force_login(viewer)
    assert client.get(reverse("claims:source_autocomplete"), {"q": q}).status_code == 400


@pytest.mark.parametrize("query", ["q=nul%00byte", "language=e%00n"])
def test_queue_refuses_nul_characters_with_400(client, viewer, query):
    client.force_login(viewer)
    assert client.get(reverse("claims:queue") + "?" + query).status_code == 400


def test_source_list_searches_aliases(client, viewer):
    make_source(name="Center of National Resistance", aliases=["CNR"])
    make_source(name="Kyiv Post")
    client.force_login(viewer)
    html = client.get(reverse("claims:source_list") + "?q=cnr").content.decode()
    assert "Center of National Resistance" in html and "Kyiv Post" not in html


@pytest.mark.parametrize("url", ["claims:source_list", "claims:article_list"])
def test_lists_answer_400_for_a_bad_page(client, viewer, url):
    client.force_login(viewer)
    assert client.get(reverse(url) + "?page=zero").status_code == 400


# --- dashboard ---------------------------------------------------------------------------------


def test_dashboard_shows_counts_my_claims_recent_decisions_and_undecided_articles(client, analyst):
    mine = make_claim(assignee=analyst)
    decided = make_claim()
    claim_decide(claim=decided, status=Status.CONFIRMED, analyst=analyst, note="checked with the ministry")
    client.force_login(analyst)
    html = client.get(reverse("claims:dashboard")).content.decode()
    assert f"/claims/{mine.pk}/" in html.split('id="mine-title"')[1].split("</section>")[0]
    assert "checked with the ministry" in html
    assert f"/articles/{mine.article_id}/" in html.split('id="undecided-title"')[1].split("</section>")[0]
    assert re.search(r'<span class="stat-n" data-progress>1 / 2</span><span class="stat-label">decided', html)
