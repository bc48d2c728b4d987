"""Corroboration (issue 15): the same claim across articles, contradictions and credibility."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from claims.corroboration import (
    Corroborator,
    Verdict,
    claim_signature,
    compare,
    credibility_suggest,
)
from claims.exporting import export_stream
from claims.importing.service import article_import
from claims.integrity import integrity_check
from claims.models import (
    AuditEvent,
    Claim,
    ClaimBand,
    ClaimCluster,
    ClaimContradiction,
    ClaimCredibility,
    ClusterMember,
    Source,
    VerificationStatus,
)
from claims.services import StaleVersionError, claim_decide, cluster_decide
from claims.services.corroboration import (
    CANDIDATES_MAX,
    claims_corroborate,
    cluster_confirm,
    cluster_merge,
    cluster_split,
    contradiction_set_state,
    credibility_override,
)
from tests.factories import make_analyst, make_article, make_claim, make_source

PAIRS = Path(__file__).parent / "data" / "corroboration_pairs.jsonl"
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def sig(text, *names):
    return claim_signature(text, source_names=names)


def report(text, *, source, grade="F", outlet=None, at=T0, via="", kind="organization"):
    """A claim over the whole body of its own article, from `source` (by name, created once)."""
    src = Source.objects.filter(name=source).first() or make_source(name=source, reliability=grade, kind=kind)
    publisher = None
    if outlet:
        publisher = Source.objects.filter(name=outlet).first() or make_source(name=outlet, kind="outlet")
    article = make_article(body=text, published_at=at, publisher=publisher)
    return make_claim(article=article, source=src, start=0, end=len(text), via=via)


def linked(*claims):
    report_ = claims_corroborate(claim_ids=[c.pk for c in claims])
    return report_


def cluster_of(claim):
    m = ClusterMember.objects.filter(claim=claim).first()
    return m.cluster_id if m else None


def credibility(claim):
    row = ClaimCredibility.objects.filter(claim=claim).first()
    return row.value if row else None


# --- signatures ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "digits"),
    [
        ("Three civilians were killed", "3 civilians were killed"),
        ("Twenty-five drones were launched", "25 drones were launched"),
        ("Two hundred servicemen were freed", "200 servicemen were freed"),
        ("One hundred and fifty servicemen were freed", "150 servicemen were freed"),
        ("Around 1,500 people were evacuated", "Around 1500 people were evacuated"),
        ("A 1.5 million dollar package", "A 1500000 dollar package"),
        ("Twelve drones", "a dozen drones"),
        ("There were zero casualties", "There were 0 casualties"),  # 0 is a value, not "no value"
    ],
)
def test_number_words_and_digits_give_the_same_figure(words, digits):
    assert sig(words).numbers == sig(digits).numbers != frozenset()


def test_source_name_and_attribution_words_are_not_content():
    s = sig("Three civilians were killed in Kupiansk, Kharkiv governor Oleh Syniehubov said.", "Oleh Syniehubov")
    assert {"oleh", "syniehubov", "said", "say"}.isdisjoint(s.tokens)
    assert "kupiansk" in s.places and "kill" in s.tokens


def test_dates_are_kept_apart_from_figures():
    s = sig("The exchange of 200 servicemen took place on 12 March 2024.")
    assert s.numbers == {"200"} and s.dates == {"3-12", "m3", "2024"}


@pytest.mark.parametrize(
    "text",
    [
        "The ministry denied that civilians were killed.",
        "No civilians were killed, the ministry said.",
        "The dam hasn't been damaged.",
        "Reports that a sabotage group was detained are fake.",
    ],
)
def test_a_denial_or_negation_is_flagged(text):
    assert sig(text).negated


@pytest.mark.parametrize(
    ("a", "b", "verdict", "reason"),
    [
        (
            "Three civilians were killed in the shelling of Kupiansk, the governor said.",
            "Russian shelling killed 3 civilians in Kupiansk, according to the police.",
            Verdict.SAME,
            "",
        ),
        (
            "Three civilians were killed in the shelling of Kupiansk, the governor said.",
            "Five civilians were killed in the shelling of Kupiansk, the police said.",
            Verdict.CONTRADICTS,
            "another figure (3 vs 5)",
        ),
        (
            "12 drones were shot down over Odesa, the air force said.",
            "12 drones were shot down over Kharkiv, the air force said.",
            Verdict.DIFFERENT,
            "another place",
        ),
        (
            "On Monday three civilians were killed in Kupiansk.",
            "On Friday three civilians were killed in Kupiansk.",
            Verdict.DIFFERENT,
            "another date",
        ),
        (
            "Three civilians were killed in Kupiansk, the governor said.",
            "The defence ministry denied that civilians were killed in Kupiansk.",
            Verdict.CONTRADICTS,
            "a denial",
        ),
    ],
)
def test_the_exact_check_tells_same_contradicting_and_different_claims(a, b, verdict, reason):
    result = compare(sig(a, "governor", "police", "air force"), sig(b, "governor", "police", "air force"))
    assert result.verdict == verdict
    assert result.reason == reason if verdict != Verdict.SAME else True


def _pairs():
    return [json.loads(line) for line in PAIRS.read_text().splitlines() if line.strip()]


def _scores(predicted_same: list[bool], pairs: list[dict]) -> tuple[float, float]:
    tp = sum(1 for p, r in zip(predicted_same, pairs, strict=True) if p and r["same"])
    fp = sum(1 for p, r in zip(predicted_same, pairs, strict=True) if p and not r["same"])
    fn = sum(1 for p, r in zip(predicted_same, pairs, strict=True) if not p and r["same"])
    return tp / ((tp + fp) or 1), tp / ((tp + fn) or 1)


def test_the_labelled_set_covers_what_the_issue_lists():
    pairs = _pairs()
    kinds = {p["kind"] for p in pairs}
    assert len(pairs) >= 80 and sum(p["same"] for p in pairs) >= 40
    assert {"paraphrase", "reordered", "reporting verb", "number word", "attribution"} <= kinds
    assert {"figure", "place", "date", "template", "denial"} <= kinds


def test_the_exact_check_has_precision_90_and_recall_80_on_the_labelled_pairs():
    pairs = _pairs()
    predicted = [compare(sig(p["a"], p["a_source"]), sig(p["b"], p["b_source"])).verdict == Verdict.SAME for p in pairs]
    precision, recall = _scores(predicted, pairs)
    print(f"exact check on {len(pairs)} pairs: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.90 and recall >= 0.80


def test_figures_and_denials_in_the_labelled_set_are_found_as_contradictions():
    pairs = [p for p in _pairs() if not p["same"]]
    flagged = [
        compare(sig(p["a"], p["a_source"]), sig(p["b"], p["b_source"])).verdict == Verdict.CONTRADICTS for p in pairs
    ]
    expected = [bool(p.get("contradicts")) for p in pairs]
    hits = sum(f and e for f, e in zip(flagged, expected, strict=True))
    false_alarms = sum(f and not e for f, e in zip(flagged, expected, strict=True))
    assert hits / sum(expected) >= 0.80 and false_alarms <= 2


@pytest.mark.django_db
def test_clustering_through_the_band_index_has_precision_90_and_recall_80_on_the_labelled_pairs():
    """The whole path: every pair's claims stored in their own articles, linked one by one in import
    order through the LSH candidate search, then read back as 'same cluster or not'."""
    pairs = _pairs()
    stored = []
    for i, p in enumerate(pairs):
        a = report(p["a"], source=p["a_source"], at=T0 + timedelta(minutes=2 * i))
        claims_corroborate(claim_ids=[a.pk])
        b = report(p["b"], source=p["b_source"], at=T0 + timedelta(minutes=2 * i + 1))
        claims_corroborate(claim_ids=[b.pk])
        stored.append((a, b))
    clusters = dict(ClusterMember.objects.values_list("claim_id", "cluster_id"))
    predicted = [clusters.get(a.pk) is not None and clusters.get(a.pk) == clusters.get(b.pk) for a, b in stored]
    precision, recall = _scores(predicted, pairs)
    print(f"band index + exact check on {len(pairs)} pairs: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.90 and recall >= 0.80
    assert not integrity_check().problems


# --- credibility rules ---------------------------------------------------------------------------


def c(name, grade="F"):
    return Corroborator(name=name, grade=grade)


@pytest.mark.parametrize(
    ("kwargs", "value"),
    [
        ({"corroborators": [c("a"), c("b"), c("c")], "members": 3}, 1),
        ({"corroborators": [c("a", "B"), c("b")], "members": 2}, 1),
        ({"corroborators": [c("a"), c("b")], "members": 2}, 2),
        ({"corroborators": [c("a", "A")], "members": 4}, 3),
        ({"corroborators": [c("a", "A")], "members": 1}, 6),
        ({"corroborators": [c("a")], "members": 1, "confirmed": [7]}, 1),
        ({"corroborators": [c("a"), c("b")], "members": 2, "rejected": [7]}, 4),
        ({"corroborators": [c("a")], "members": 1, "opposing": [c("x"), c("y")]}, 5),
        ({"corroborators": [c("a")], "members": 1, "opposing": [c("x")]}, 4),
        ({"corroborators": [c("a"), c("b"), c("c")], "members": 3, "opposing": [c("x")]}, 2),
        ({"corroborators": [c("a"), c("b"), c("c")], "members": 3, "opposing_confirmed": [9]}, 5),
    ],
)
def test_credibility_follows_independent_sources_grades_and_decisions(kwargs, value):
    assert credibility_suggest(**kwargs).value == value


def test_credibility_explains_itself():
    why = credibility_suggest(corroborators=[c("Governor", "B"), c("Police", "C"), c("Mayor")], members=3).explanation
    assert why == "corroborated by 3 independent sources: Governor (B), Police (C), Mayor (F)"


# --- linking -------------------------------------------------------------------------------------

KILLED = "Three civilians were killed in the shelling of Kupiansk, the {} said."


@pytest.mark.django_db
def test_reports_of_the_same_claim_join_one_suggested_cluster():
    a = report(KILLED.format("governor"), source="governor")
    b = report("Russian shelling killed 3 civilians in Kupiansk, according to the police.", source="police")
    result = linked(a, b)
    assert result.joined == 1 and result.clusters_created == 1
    assert cluster_of(a) == cluster_of(b) is not None
    assert set(ClusterMember.objects.values_list("state", flat=True)) == {"suggested"}
    assert ClaimCluster.objects.get().key_claim_id == a.pk


@pytest.mark.django_db
def test_claims_of_one_article_are_not_linked_to_each_other():
    body = KILLED.format("governor") + " " + KILLED.format("mayor")
    article = make_article(body=body)
    first = make_claim(article=article, source=make_source(name="governor"), start=0, end=len(KILLED) + 3)
    second = make_claim(article=article, source=make_source(name="mayor"), start=first.end + 1, end=len(body))
    linked(first, second)
    assert not ClusterMember.objects.exists()


@pytest.mark.django_db
def test_corroborating_twice_changes_nothing():
    a, b = report(KILLED.format("governor"), source="governor"), report(KILLED.format("police"), source="police")
    linked(a, b)
    bands = ClaimBand.objects.count()
    again = linked(a, b)
    assert again.joined == 0 and again.contradictions == 0
    assert ClaimBand.objects.count() == bands and ClusterMember.objects.count() == 2


@pytest.mark.django_db
def test_a_newcomer_must_be_the_same_claim_as_every_member_not_just_one():
    odesa = report("12 drones were shot down over Odesa overnight, the air force said.", source="air force")
    vague = report("12 drones were shot down overnight, the navy said.", source="navy")
    linked(odesa, vague)
    assert cluster_of(odesa) == cluster_of(vague) is not None
    kharkiv = report("12 drones were shot down over Kharkiv overnight, the army said.", source="army")
    linked(kharkiv)
    assert cluster_of(kharkiv) != cluster_of(odesa)


@pytest.mark.django_db
def test_reports_weeks_apart_are_not_linked():
    a = report(KILLED.format("governor"), source="governor", at=T0)
    b = report(KILLED.format("police"), source="police", at=T0 + timedelta(days=30))
    linked(a, b)
    assert cluster_of(a) is None and cluster_of(b) is None


@pytest.mark.django_db
def test_another_figure_is_a_contradiction_not_a_member():
    a = report(KILLED.format("governor"), source="governor")
    b = report("Five civilians were killed in the shelling of Kupiansk, the mayor said.", source="mayor")
    result = linked(a, b)
    assert cluster_of(b) is None and result.contradictions == 1
    link = ClaimContradiction.objects.get()
    assert (link.claim_id, link.other_id, link.state) == (a.pk, b.pk, "suggested")
    assert link.reason == "another figure (3 vs 5)"


@pytest.mark.django_db
def test_a_contradiction_is_linked_once_per_cluster():
    a = report(KILLED.format("governor"), source="governor")
    b = report(KILLED.format("police"), source="police")
    linked(a, b)
    denial = report("The Russian defence ministry denied that civilians were killed in Kupiansk.", source="MoD")
    linked(denial)
    assert ClaimContradiction.objects.count() == 1
    assert ClaimContradiction.objects.get().reason == "a denial"


@pytest.mark.django_db
def test_candidate_search_reads_a_bounded_number_of_claims(django_assert_max_num_queries):
    """A hot template: 120 earlier reports of the same sentence in other articles; linking one more
    checks a bounded number of candidates and joins their cluster."""
    first = report(KILLED.format("governor"), source="governor")
    linked(first)
    others = [report(KILLED.format("governor"), source="governor") for _ in range(120)]
    for o in others:
        linked(o)
    newest = report(KILLED.format("police"), source="police")
    result = linked(newest)
    assert result.joined == 1 and cluster_of(newest) == cluster_of(first)
    assert ClusterMember.objects.count() == 122
    from claims.services.corroboration import _candidates, _Row, band_keys

    row = _Row.load([newest.pk])[newest.pk]
    assert len(_candidates({row.id: band_keys(row.signature)})[row.id]) <= CANDIDATES_MAX


@pytest.mark.django_db
def test_relays_of_one_upstream_count_as_one_source():
    gov = report(KILLED.format("governor"), source="governor", grade="B")
    relay1 = report(
        "Citing the governor, Reuters reported that three civilians were killed in the shelling of Kupiansk.",
        source="Reuters",
        via="governor",
    )
    relay2 = report(
        "Citing the governor, AFP reported that 3 civilians were killed in the shelling of Kupiansk.",
        source="AFP",
        via="governor",
    )
    linked(gov, relay1, relay2)
    assert cluster_of(gov) == cluster_of(relay1) == cluster_of(relay2) is not None
    row = ClaimCredibility.objects.get(claim=gov)
    assert row.value == 3 and row.explanation == "3 reports, all from one upstream: governor (B)"


@pytest.mark.django_db
def test_independent_reliable_sources_make_credibility_1_for_every_member():
    a = report(KILLED.format("governor"), source="governor", grade="B")
    b = report(KILLED.format("police"), source="police", grade="C")
    linked(a, b)
    assert credibility(a) == credibility(b) == 1


@pytest.mark.django_db
def test_a_decision_on_a_member_updates_the_cluster_credibility(analyst):
    a = report(KILLED.format("governor"), source="governor")
    b = report(KILLED.format("police"), source="police")
    linked(a, b)
    assert credibility(a) == 2
    claim_decide(claim=b, status="confirmed", analyst=analyst)
    assert credibility(a) == 1
    assert f"an analyst confirmed claim #{b.pk}" in ClaimCredibility.objects.get(claim=a).explanation


# --- analysts' actions ---------------------------------------------------------------------------


@pytest.fixture
def pair(db):
    a = report(KILLED.format("governor"), source="governor")
    b = report(KILLED.format("police"), source="police")
    linked(a, b)
    return a, b


def test_confirming_a_cluster_confirms_its_links_and_is_audited(pair, analyst):
    a, _ = pair
    assert cluster_confirm(claim=a, actor=analyst) == 2
    assert set(ClusterMember.objects.values_list("state", flat=True)) == {"confirmed"}
    event = AuditEvent.objects.get(action="cluster_confirm")
    assert event.actor == analyst and event.details["claims"] == sorted(c.pk for c in pair)


def test_splitting_a_two_claim_cluster_dissolves_it_and_is_audited(pair, analyst):
    a, b = pair
    cluster_split(claim=b, actor=analyst)
    assert not ClaimCluster.objects.exists() and not ClusterMember.objects.exists()
    assert AuditEvent.objects.get(action="cluster_split").details["claim"] == b.pk
    assert credibility(a) is None and credibility(b) is None


def test_splitting_the_key_claim_rekeys_the_cluster(pair, analyst):
    a, b = pair
    c3 = report(KILLED.format("mayor"), source="mayor")
    linked(c3)
    cluster_split(claim=a, actor=analyst)
    assert ClaimCluster.objects.get().key_claim_id == b.pk
    assert not integrity_check().problems


def test_merging_links_a_claim_the_matcher_missed_as_confirmed(pair, analyst):
    a, b = pair
    other = report("Kupiansk came under fire; three residents lost their lives, the prosecutor said.", source="PGO")
    linked(other)
    assert cluster_of(other) is None
    cluster_merge(claim=other, into=a, actor=analyst)
    assert cluster_of(other) == cluster_of(a)
    assert ClusterMember.objects.get(claim=other).state == "confirmed"
    assert AuditEvent.objects.get(action="cluster_merge").details["moved"] == [other.pk]
    assert credibility(other) == credibility(a) == 1  # three independent sources now


def test_merging_two_clusters_makes_one_and_drops_their_mutual_contradictions(pair, analyst):
    a, b = pair
    x = report("Five civilians were killed in the shelling of Kupiansk, the mayor said.", source="mayor")
    y = report("5 civilians were killed in the shelling of Kupiansk, the army said.", source="army")
    linked(x, y)
    assert ClaimContradiction.objects.exists() and cluster_of(x) == cluster_of(y)
    cluster_merge(claim=x, into=a, actor=analyst)
    assert ClaimCluster.objects.count() == 1 and ClusterMember.objects.count() == 4
    assert not ClaimContradiction.objects.exists()
    assert not integrity_check().problems


def test_dismissing_a_contradiction_restores_credibility(analyst):
    a = report(KILLED.format("governor"), source="governor")
    b = report("Five civilians were killed in the shelling of Kupiansk, the mayor said.", source="mayor")
    linked(a, b)
    assert credibility(a) == 4
    contradiction_set_state(contradiction=ClaimContradiction.objects.get(), state="dismissed", actor=analyst)
    assert credibility(a) is None
    assert AuditEvent.objects.filter(action="contradiction_dismiss").exists()


def test_an_override_wins_over_the_suggestion_until_cleared(pair, analyst):
    a, _ = pair
    credibility_override(claim=a, value=5, actor=analyst, note="the governor retracted")
    row = ClaimCredibility.objects.get(claim=a)
    assert (row.value, row.suggested, row.override_by) == (5, 2, analyst)
    claims_corroborate(claim_ids=[report(KILLED.format("mayor"), source="mayor").pk])
    assert credibility(a) == 5  # the suggestion moved to 1; the override stays
    credibility_override(claim=a, value=None, actor=analyst)
    assert credibility(a) == 1
    assert AuditEvent.objects.filter(action="credibility_override").count() == 2


def test_the_database_keeps_the_value_in_force_equal_to_the_override(pair):
    a, _ = pair
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimCredibility.objects.filter(claim=a).update(override=3, value=2)


def test_viewers_cannot_change_clusters(pair, viewer):
    a, b = pair
    for action in (
        lambda: cluster_confirm(claim=a, actor=viewer),
        lambda: cluster_split(claim=a, actor=viewer),
        lambda: cluster_merge(claim=a, into=b, actor=viewer),
        lambda: credibility_override(claim=a, value=1, actor=viewer),
    ):
        with pytest.raises(PermissionDenied):
            action()


def test_deciding_a_cluster_records_one_decision_per_claim(pair, analyst):
    a, b = pair
    decisions = cluster_decide(claim=a, status="confirmed", analyst=analyst, versions={a.pk: 0, b.pk: 0})
    assert len(decisions) == 2
    assert set(VerificationStatus.objects.values_list("claim_id", "status")) == {
        (a.pk, "confirmed"),
        (b.pk, "confirmed"),
    }


def test_deciding_a_cluster_stops_at_a_stale_version_and_records_nothing(pair, analyst):
    a, b = pair
    claim_decide(claim=b, status="unverified", analyst=make_analyst())
    with pytest.raises(StaleVersionError):
        cluster_decide(claim=a, status="confirmed", analyst=analyst, versions={a.pk: 0, b.pk: 0})
    assert VerificationStatus.objects.filter(status="confirmed").count() == 0


# --- integrity -----------------------------------------------------------------------------------


def test_verify_integrity_reports_a_lone_member_cluster_and_a_contradiction_inside_a_cluster(pair):
    a, b = pair
    ClaimContradiction.objects.create(claim=a, other=b, reason="test")
    lone = report("An unrelated claim about the weather in Lviv.", source="forecaster")
    ClusterMember.objects.create(claim=lone, cluster=ClaimCluster.objects.create(key_claim=lone))
    problems = integrity_check().problems
    assert any("1 member" in p for p in problems)
    assert any("in one cluster and linked as contradicting" in p for p in problems)


# --- exports and API -----------------------------------------------------------------------------


def test_jsonl_rows_carry_cluster_id_and_credibility(pair):
    a, b = pair
    lone = report("An unrelated claim about the weather in Lviv.", source="forecaster")
    rows = {r["claim_id"]: r for r in map(json.loads, "".join(export_stream(format="jsonl")).splitlines())}
    assert rows[a.pk]["cluster_id"] == rows[b.pk]["cluster_id"] == a.pk
    assert rows[lone.pk]["cluster_id"] == lone.pk
    assert rows[a.pk]["credibility"] == 2 and rows[lone.pk]["credibility"] is None


def test_the_export_command_writes_cluster_id_and_credibility(pair, capsys):
    call_command("export_claims", "--format", "jsonl")
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert {r["cluster_id"] for r in rows} == {pair[0].pk} and {r["credibility"] for r in rows} == {2}


def test_api_claims_carry_cluster_id_and_credibility(pair, client, analyst):
    from claims.auth_tokens import api_token_create

    _, key = api_token_create(user=analyst)
    headers = {"Authorization": f"Bearer {key}"}
    items = client.get(reverse("api:claim_list"), headers=headers).json()["items"]
    assert {(i["cluster_id"], i["credibility"]) for i in items} == {(pair[0].pk, 2)}
    one = client.get(reverse("api:claim_get", kwargs={"claim_id": pair[1].pk}), headers=headers).json()
    assert (one["cluster_id"], one["credibility"]) == (pair[0].pk, 2)


# --- the importer, end to end ------------------------------------------------------------------


STORY = [
    ("Kyiv Post", "Three civilians were killed in the shelling of Kupiansk, the governor said."),
    ("Ukrainska Pravda", "Russian shelling killed three civilians in Kupiansk, according to the Kharkiv police."),
    ("Suspilne", "3 civilians were killed in the shelling of Kupiansk, the city military administration reported."),
    ("TASS", "Five civilians were killed in the shelling of Kupiansk, Russian state media reported."),
]


@pytest.mark.django_db
def test_importing_one_story_from_several_outlets_gives_one_cluster_and_a_contradiction(tmp_path):
    lines = [
        json.dumps(
            {
                "title": f"Shelling of Kupiansk ({outlet})",
                "maintext": f"{text} Rescue work continues in the city.",
                "url": f"https://{outlet.lower().replace(' ', '')}.example/kupiansk",
                "source_domain": outlet,
                "date_publish": f"2026-03-10 0{9 + i % 1}:{10 * i:02d}:00",
                "language": "en",
            }
        )
        for i, (outlet, text) in enumerate(STORY)
    ]
    path = tmp_path / "story.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = article_import(paths=[str(path)])
    assert result.imported == 4
    claims = {c.article.title.split("(")[1][:-1]: c for c in Claim.objects.select_related("article", "source")}
    assert len(claims) == 4, [c.text for c in claims.values()]
    same = [claims["Kyiv Post"], claims["Ukrainska Pravda"], claims["Suspilne"]]
    clusters = {cluster_of(c) for c in same}
    assert len(clusters) == 1 and None not in clusters
    assert ClusterMember.objects.count() == 3
    assert len({c.source_id for c in same}) == 3
    assert all(credibility(c) in (1, 2) for c in same)
    tass = claims["TASS"]
    assert cluster_of(tass) is None
    assert ClaimContradiction.objects.filter(other=tass).count() == 1
    assert credibility(tass) == 5  # one source against three
    assert not integrity_check().problems


@pytest.mark.django_db
def test_the_backfill_command_links_claims_stored_before_corroboration(capsys):
    a = report(KILLED.format("governor"), source="governor")
    b = report(KILLED.format("police"), source="police")
    assert not ClusterMember.objects.exists()
    call_command("corroborate_claims", "--batch", "1")
    assert cluster_of(a) == cluster_of(b) is not None
    assert "corroborated 2 claims" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_imports_linking_the_same_story_at_once_make_one_cluster(monkeypatch):
    """Both commit their band keys, then both look up candidates at the same moment: each sees the
    other's claim, both try to link, and the database lets one cluster through."""
    import threading

    from django.db import connection, connections

    import claims.services.corroboration as service

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so two linkers cannot race on it")
    a = report(KILLED.format("governor"), source="governor")
    b = report(KILLED.format("police"), source="police")
    barrier = threading.Barrier(2, timeout=20)
    lookup = service._candidates

    def candidates_after_both_indexed(keys):
        barrier.wait()
        return lookup(keys)

    monkeypatch.setattr(service, "_candidates", candidates_after_both_indexed)
    failures = []

    def run(claim):
        try:
            claims_corroborate(claim_ids=[claim.pk])
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert ClaimCluster.objects.count() == 1
    assert set(ClusterMember.objects.values_list("claim_id", flat=True)) == {a.pk, b.pk}
    assert not integrity_check().problems


@pytest.mark.django_db
def test_a_cluster_split_while_linking_is_skipped_not_a_failure(monkeypatch, analyst):
    """The linker read the cluster, then an analyst dissolved it before the newcomer was added:
    the newcomer is left unlinked (no dangling member), and nothing fails."""
    import claims.services.corroboration as service

    a = report(KILLED.format("governor"), source="governor")
    b = report(KILLED.format("police"), source="police")
    linked(a, b)
    newcomer = report(KILLED.format("mayor"), source="mayor")
    load = service._State.load.__func__

    def load_then_split(cls, ids):
        state = load(cls, ids)
        cluster_split(claim=b, actor=analyst)  # dissolves the two-claim cluster
        return state

    monkeypatch.setattr(service._State, "load", classmethod(load_then_split))
    claims_corroborate(claim_ids=[newcomer.pk])
    assert not ClusterMember.objects.filter(claim=newcomer).exists()
    assert not integrity_check().problems
