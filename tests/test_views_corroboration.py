"""Corroboration on the pages: claim page panel, actions by role, queue collapse and credibility filter."""

import re

import pytest
from django.urls import reverse

from claims.models import AuditEvent, ClaimContradiction, ClaimCredibility, ClusterMember, VerificationStatus
from claims.services.corroboration import claims_corroborate
from tests.factories import make_article, make_claim, make_source

KILLED = "Three civilians were killed in the shelling of Kupiansk, the {} said."


def report(text, *, source, grade="F", outlet=None):
    src = make_source(name=source, reliability=grade)
    publisher = make_source(name=outlet, kind="outlet") if outlet else None
    article = make_article(body=text, publisher=publisher)
    claim = make_claim(article=article, source=src, start=0, end=len(text))
    claims_corroborate(claim_ids=[claim.pk])
    return claim


@pytest.fixture
def story(db):
    """Two agreeing reports (a cluster) and one with another figure (a contradiction)."""
    a = report(KILLED.format("governor"), source="governor", grade="B", outlet="Kyiv Post")
    b = report(KILLED.format("police"), source="police", grade="C", outlet="Suspilne")
    other = report("Five civilians were killed in the shelling of Kupiansk, the mayor said.", source="mayor")
    return a, b, other


def page(client, claim):
    return client.get(reverse("claims:claim_detail", args=[claim.pk]))


# --- claim page ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, story):
    response = page(client, story[0])
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_claim_page_lists_the_other_reports_with_source_outlet_and_status(client, viewer, story):
    a, b, _ = story
    client.force_login(viewer)
    html = page(client, a).content.decode()
    section = html[html.index('id="also-title"') :]
    row = section[section.index(f'id="member-{b.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "police" in row and "Suspilne" in row and "Undecided" in row and "Suggested" in row
    assert f'id="member-{a.pk}"' not in html  # not itself


def test_claim_page_shows_the_contradiction_side_by_side(client, viewer, story):
    a, _, other = story
    client.force_login(viewer)
    html = page(client, a).content.decode()
    assert "Another figure (3 vs 5)" in html
    ours, theirs = html.index('class="side side-ours"'), html.index('class="side side-theirs"')
    # Our side is the cluster's member the contradicting claim was matched with (either report).
    assert any(c.text in html[ours:theirs] for c in story[:2]) and other.text in html[theirs:]


def test_claim_page_shows_the_admiralty_code_explained_on_hover(client, viewer, story):
    a, _, _ = story
    client.force_login(viewer)
    html = page(client, a).content.decode()
    code = re.search(r'<abbr class="grade grade-lg grade-B credibility[^"]*" title="([^"]+)"[^>]*>(\w+)</abbr>', html)
    assert code.group(2) == "B2"  # 2 sources agree, one contradicts: 1 becomes 2
    assert "corroborated by 2 independent sources: governor (B), police (C)" in code.group(1)


def test_viewers_see_no_cluster_controls(client, viewer, story):
    client.force_login(viewer)
    html = page(client, story[0]).content.decode()
    assert "Also reported by" in html
    for control in ("Confirm the cluster", "split this claim out", "Merge", "Set credibility", "All 2: Confirmed"):
        assert control not in html


def test_analysts_see_cluster_controls(client, analyst, story):
    client.force_login(analyst)
    html = page(client, story[0]).content.decode()
    for control in ("Confirm the cluster", "split this claim out", "Merge", "Set credibility", "All 2: Confirmed"):
        assert control in html


@pytest.mark.parametrize("members", [2, 8])
def test_claim_page_runs_a_fixed_number_of_queries_whatever_the_cluster_size(
    client, analyst, db, django_assert_num_queries, members
):
    claims = [report(KILLED.format(f"official {i}"), source=f"official {i}") for i in range(members)]
    claims_corroborate(claim_ids=[c.pk for c in claims])
    assert ClusterMember.objects.count() == members
    client.force_login(analyst)
    page(client, claims[0])  # warm the session
    # session, user, groups (can_decide), claim, decisions, aliases + corroboration: membership,
    # members' states, members, contradictions, credibility
    with django_assert_num_queries(13):  # 11 + the assignment history (hardening) + the live cursor (triage)
        response = page(client, claims[0])
    assert response.content.decode().count('id="member-') == members - 1


# --- actions by role ---------------------------------------------------------------------------

ACTIONS = [
    ("claims:cluster_action", {"action": "confirm"}),
    ("claims:cluster_action", {"action": "split"}),
    ("claims:cluster_merge", {"other": "1"}),
    ("claims:claim_credibility", {"value": "3"}),
    ("claims:cluster_decide", {"status": "confirmed"}),
]


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_anonymous_posts_change_nothing(client, story, name, data):
    response = client.post(reverse(name, args=[story[0].pk]), data)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_viewers_posts_are_forbidden(client, viewer, story, name, data):
    client.force_login(viewer)
    response = client.post(reverse(name, args=[story[0].pk]), data)
    assert response.status_code == 403
    assert not AuditEvent.objects.exists() and not VerificationStatus.objects.exists()


def test_an_analyst_confirms_the_cluster(client, analyst, story):
    a, b, _ = story
    client.force_login(analyst)
    response = client.post(reverse("claims:cluster_action", args=[a.pk]), {"action": "confirm"})
    assert response.status_code == 303 and response["Location"] == a.get_absolute_url()
    assert set(ClusterMember.objects.values_list("state", flat=True)) == {"confirmed"}


def test_an_analyst_splits_a_claim_out(client, analyst, story):
    a, b, _ = story
    client.force_login(analyst)
    client.post(reverse("claims:cluster_action", args=[b.pk]), {"action": "split"})
    assert not ClusterMember.objects.exists()
    assert "No other article reports this claim yet" in page(client, b).content.decode()


def test_an_analyst_merges_the_contradicting_claim_into_the_cluster(client, analyst, story):
    a, _, other = story
    client.force_login(analyst)
    response = client.post(reverse("claims:cluster_merge", args=[other.pk]), {"other": a.pk})
    assert response.status_code == 303
    assert ClusterMember.objects.filter(claim=other, state="confirmed").exists()
    assert not ClaimContradiction.objects.exists()


def test_merging_with_an_unknown_claim_is_a_clear_400(client, analyst, story):
    client.force_login(analyst)
    response = client.post(reverse("claims:cluster_merge", args=[story[0].pk]), {"other": 999999})
    assert response.status_code == 400 and "there is no claim 999999" in response.content.decode()


def test_an_analyst_overrides_credibility_and_the_page_says_so(client, analyst, story):
    a = story[0]
    client.force_login(analyst)
    client.post(reverse("claims:claim_credibility", args=[a.pk]), {"value": "4", "note": "one source retracted"})
    assert ClaimCredibility.objects.get(claim=a).value == 4
    html = page(client, a).content.decode()
    assert ">B4</abbr>" in html and "set by an analyst" in html


def test_an_analyst_dismisses_a_contradiction(client, analyst, story):
    a = story[0]
    link = ClaimContradiction.objects.get()
    client.force_login(analyst)
    client.post(reverse("claims:contradiction", args=[a.pk, link.pk]), {"state": "dismissed"})
    link.refresh_from_db()
    assert link.state == "dismissed" and "Contradicted by" not in page(client, a).content.decode()


def test_apply_to_all_decides_every_claim_of_the_cluster(client, analyst, story):
    a, b, other = story
    client.force_login(analyst)
    response = client.post(
        reverse("claims:cluster_decide", args=[a.pk]),
        {"status": "confirmed", "note": "two sources", f"v{a.pk}": "0", f"v{b.pk}": "0"},
    )
    assert response.status_code == 303
    assert sorted(VerificationStatus.objects.values_list("claim_id", "note")) == [
        (a.pk, "two sources"),
        (b.pk, "two sources"),
    ]
    other.refresh_from_db()
    assert other.version == 0


def test_apply_to_all_with_a_stale_version_records_nothing(client, analyst, story):
    a, b, _ = story
    client.force_login(analyst)
    response = client.post(
        reverse("claims:cluster_decide", args=[a.pk]), {"status": "confirmed", f"v{a.pk}": "0", f"v{b.pk}": "3"}
    )
    assert response.status_code == 303
    assert not VerificationStatus.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(f"claim {b.pk} was decided by someone else" in m for m in messages)


# --- queue ---------------------------------------------------------------------------------------


def test_collapsed_queue_shows_one_row_per_cluster_with_its_count(client, viewer, story):
    a, b, other = story
    client.force_login(viewer)
    html = client.get(reverse("claims:queue") + "?collapse=1").content.decode()
    rows = re.findall(r'<tr id="claim-(\d+)"', html)
    assert sorted(map(int, rows)) == sorted([a.pk, other.pk])
    assert 'data-cluster-size="2"' in html and "2 reports" in html
    assert f'id="claim-{b.pk}"' in client.get(reverse("claims:queue")).content.decode()


def test_queue_rows_show_the_admiralty_code(client, viewer, story):
    a, _, other = story
    client.force_login(viewer)
    html = client.get(reverse("claims:queue")).content.decode()
    row = html[html.index(f'<tr id="claim-{a.pk}"') :]
    assert ">B2</abbr>" in row[: row.index("</tr>")]


@pytest.mark.parametrize(("value", "expected"), [("2", 2), ("5", 1), ("1", 0)])
def test_queue_filters_by_credibility(client, viewer, story, value, expected):
    client.force_login(viewer)
    html = client.get(reverse("claims:queue") + f"?credibility={value}").content.decode()
    assert html.count('<tr id="claim-') == expected


def test_queue_keeps_the_toggle_in_its_links(client, viewer, story):
    client.force_login(viewer)
    response = client.get(reverse("claims:queue") + "?collapse=1&credibility=2", headers={"HX-Request": "true"})
    assert response["HX-Push-Url"] == reverse("claims:queue") + "?credibility=2&collapse=1"


def test_an_unknown_credibility_filter_is_a_400(client, viewer, db):
    client.force_login(viewer)
    assert client.get(reverse("claims:queue") + "?credibility=9").status_code == 400


@pytest.mark.parametrize("clusters", [1, 25])
def test_collapsed_queue_runs_a_fixed_number_of_queries(client, analyst, db, django_assert_num_queries, clusters):
    for i in range(clusters):
        text = f"{i + 2} drones were shot down over Odesa region overnight, the air force said."
        for source in ("air force", "navy"):
            src = make_source(name=f"{source} {i}")
            article = make_article(body=text)
            claims_corroborate(claim_ids=[make_claim(article=article, source=src, start=0, end=len(text)).pk])
    assert ClusterMember.objects.count() == 2 * clusters
    client.force_login(analyst)
    # as the plain queue (session, user, groups, counters, the page, the live cursor) + the members' versions
    with django_assert_num_queries(7):
        html = client.get(reverse("claims:queue") + "?collapse=1").content.decode()
    assert html.count('<tr id="claim-') == clusters and html.count('data-cluster-size="2"') == clusters


def test_the_reader_says_how_many_others_report_a_claim(client, viewer, story):
    a = story[0]
    client.force_login(viewer)
    html = client.get(reverse("claims:article_detail", args=[a.article_id])).content.decode()
    assert "also reported by 1 other<" in html


def test_editing_a_span_indexes_the_new_text(client, analyst, db):
    from claims.models import ClaimBand
    from claims.services import claim_update

    body = "Weather was fine. " + KILLED.format("governor")
    claim = make_claim(article=make_article(body=body), source=make_source(name="governor"), start=0, end=17)
    claims_corroborate(claim_ids=[claim.pk])
    before = set(ClaimBand.objects.filter(claim=claim).values_list("key", flat=True))
    claim_update(claim=claim, actor=analyst, start=18, end=len(body))
    other = report(KILLED.format("police"), source="police")
    assert set(ClaimBand.objects.filter(claim=claim).values_list("key", flat=True)) > before
    assert ClusterMember.objects.filter(claim=other).exists()


def test_a_collapsed_row_applies_a_decision_to_all_its_reports(client, analyst, story):
    a, b, other = story
    client.force_login(analyst)
    html = client.get(reverse("claims:queue") + "?collapse=1").content.decode()
    form = html[html.index(f'action="{reverse("claims:cluster_decide", args=[a.pk])}"') :]
    form = form[: form.index("</form>")]
    assert f'name="v{a.pk}" value="0"' in form and f'name="v{b.pk}" value="0"' in form
    assert "Apply to all 2" in form
    response = client.post(
        reverse("claims:cluster_decide", args=[a.pk]),
        {"status": "being_clarified", f"v{a.pk}": "0", f"v{b.pk}": "0", "next": "/queue/?collapse=1"},
    )
    assert response.status_code == 303 and response["Location"] == "/queue/?collapse=1"
    assert set(VerificationStatus.objects.values_list("claim_id", "status")) == {
        (a.pk, "being_clarified"),
        (b.pk, "being_clarified"),
    }


def test_viewers_get_no_apply_to_all_in_the_collapsed_queue(client, viewer, story):
    client.force_login(viewer)
    html = client.get(reverse("claims:queue") + "?collapse=1").content.decode()
    assert "2 reports" in html and "Apply to all" not in html


def test_reader_panel_says_who_else_reports_the_claim(client, analyst, db):
    text = "Two drones were shot down over Odesa region overnight, the air force said."
    claims = []
    for source in ("air force", "navy"):
        article = make_article(body=text)
        claims.append(make_claim(article=article, source=make_source(name=source), start=0, end=len(text)))
    claims_corroborate(claim_ids=[c.pk for c in claims])
    client.force_login(analyst)
    html = client.get(reverse("claims:claim_panel", args=[claims[0].pk]), headers={"HX-Request": "true"}).content
    html = html.decode()
    assert "Also reported by" in html and f'data-member-id="{claims[1].pk}"' in html and ">navy<" in html
    assert 'data-credibility="' in html
