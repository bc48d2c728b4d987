"""Claim extraction: seed quality bar, own annotated cases, specific behaviours, robustness."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.extraction import clean_article_text, clean_body, derive_title, extract_claims, normalise_source_name

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SCORER = SHARED / "tools" / "score_extraction.py"
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
CASES = Path(__file__).resolve().parent / "extraction_cases"


def _extract_file(path: Path):
    article = clean_article_text(path.read_text(encoding="utf-8"))
    return article, extract_claims(article.body, title=article.title, language=article.language_hint)


def _write_predictions(paths, out: Path) -> None:
    with out.open("w", encoding="utf-8") as fh:
        for path in paths:
            _article, claims = _extract_file(path)
            for c in claims:
                row = {
                    "file": path.name,
                    "text": c.text,
                    "start": c.start,
                    "end": c.end,
                    "source": c.source,
                    "source_kind": c.source_kind,
                    "via": c.via,
                    "hedged": c.hedged,
                    "status_hint": c.status_hint,
                    "cue": c.cue,
                }
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _score(paths, gold: Path, not_claims: Path, min_f1: float, tmp_path: Path) -> subprocess.CompletedProcess:
    pred = tmp_path / "pred.jsonl"
    _write_predictions(paths, pred)
    return subprocess.run(
        [
            sys.executable,
            str(SCORER),
            "--gold",
            str(gold),
            "--pred",
            str(pred),
            "--not-claims",
            str(not_claims),
            "--min-f1",
            str(min_f1),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _claims_by_text(path: Path):
    _article, claims = _extract_file(path)
    return claims


def _seed(prefix: str) -> Path:
    return next(p for p in SEEDS if p.name.startswith(prefix))


# --------------------------------------------------------------------------- quality bar

DEV = SHARED / "gold" / "dev"
# CI always has ../shared beside the repository: there a missing scorer or gold set fails the suite.
needs_shared = pytest.mark.skipif(
    not SCORER.exists() and not os.environ.get("VERIFIER_REQUIRE_SHARED"),
    reason=f"shared scorer not found at {SCORER} (shared/ is not beside the repo; CI sets VERIFIER_REQUIRE_SHARED=1)",
)


def _figures(stdout: str) -> dict[str, float]:
    """The scorer's last line as numbers: claims P/R/F1, source accuracy and F1, hedge accuracy."""
    last = stdout.strip().splitlines()[-1]
    claims, sources, hedged = last.split(" | ")
    out = {f"claims_{k}": float(v) for k, v in (kv.split("=") for kv in claims.split()[1:])}
    out |= {f"sources_{k}": float(v) for k, v in (kv.split("=") for kv in sources.split()[1:])}
    out["hedged_acc"] = float(hedged.split("=")[1])
    return out


def _dev_subset(lang: str, tmp_path: Path) -> tuple[list[Path], Path]:
    """The dev articles and gold records of one language (file names carry _uk_ / _ru_)."""

    def lang_of(name: str) -> str:
        return "uk" if "_uk_" in name else "ru" if "_ru_" in name else "en"

    paths = [p for p in sorted((DEV / "articles").glob("*.txt")) if lang_of(p.name) == lang]
    gold = tmp_path / f"gold_{lang}.jsonl"
    rows = [line for line in (DEV / "annotations.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    gold.write_text("\n".join(r for r in rows if lang_of(json.loads(r)["file"]) == lang) + "\n", encoding="utf-8")
    return paths, gold


@needs_shared
def test_dev_set_source_f1_at_least_095_with_precision_097_and_no_page_noise(tmp_path):
    assert SCORER.exists(), f"{SCORER} is missing: CI needs ../shared beside the repository"
    result = _score(
        sorted((DEV / "articles").glob("*.txt")), DEV / "annotations.jsonl", DEV / "not_claims.json", 0.95, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BOILERPLATE AS CLAIM" not in result.stdout, result.stdout
    assert _figures(result.stdout)["claims_P"] >= 0.97, result.stdout


@needs_shared
@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_dev_set_holds_in_each_language(lang, tmp_path):
    assert SCORER.exists(), f"{SCORER} is missing: CI needs ../shared beside the repository"
    paths, gold = _dev_subset(lang, tmp_path)
    result = _score(paths, gold, DEV / "not_claims.json", 0.90, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_shared
def test_seed_claims_score_at_least_095_with_no_boilerplate(tmp_path):
    result = _score(
        SEEDS, SHARED / "gold" / "seed_claims.jsonl", SHARED / "gold" / "seed_not_claims.json", 0.95, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BOILERPLATE AS CLAIM" not in result.stdout, result.stdout


@needs_shared
def test_own_annotated_cases_score_at_least_095(tmp_path):
    result = _score(sorted(CASES.glob("*.txt")), CASES / "gold.jsonl", CASES / "not_claims.json", 0.95, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BOILERPLATE AS CLAIM" not in result.stdout, result.stdout


# --------------------------------------------------------------------------- seed specifics


def test_cnr_claims_share_one_source_with_its_acronym_alias():
    cnr = [c for c in _claims_by_text(_seed("000")) if "CNR" in c.source_aliases]
    assert len(cnr) == 4
    assert len({c.source for c in cnr}) == 1
    assert all(c.source_kind == "organization" for c in cnr)


def test_lloyd_austin_four_statements_resolve_to_the_person():
    austin = [c for c in _claims_by_text(_seed("000")) if c.source == "Lloyd Austin"]
    assert len(austin) == 4
    assert all(c.source_kind == "person" and "Austin" in c.source_aliases for c in austin)
    assert any(c.cue == "told reporters" for c in austin)


def test_hur_reply_is_hedged_and_being_clarified():
    (hur,) = [c for c in _claims_by_text(_seed("000")) if "HUR" in c.source_aliases]
    assert hur.source == "Main Intelligence Directorate of the Ministry of Defense"
    assert hur.hedged and hur.status_hint == "being_clarified" and hur.cue == "replied"


def test_times_of_israel_claim_has_via_and_is_hedged():
    (toi,) = [c for c in _claims_by_text(_seed("000")) if "Times of Israel" in c.source]
    assert toi.via == "local media sources" and toi.hedged and toi.source_kind == "outlet"


def test_publisher_hint_from_read_the_article_by():
    article, claims = _extract_file(_seed("002"))
    assert article.publisher_hint == "RBC-Ukraine"
    assert "read the article by" not in article.body
    assert not any("RBC-Ukraine" in c.text for c in claims)


def test_seed_without_title_line_keeps_its_lead_in_the_body():
    raw = _seed("000").read_text(encoding="utf-8")
    article = clean_article_text(raw)
    lead = raw.strip().splitlines()[0]
    assert article.body.startswith(lead)
    assert article.title and len(article.title) <= 101 and lead.startswith(article.title.rstrip("…"))


def test_seed_with_title_line_drops_switcher_title_repeat_and_caption():
    article = clean_article_text(_seed("002").read_text(encoding="utf-8"))
    assert article.title.startswith("Defense Intelligence of Ukraine prepared attack")
    assert "ua en ru" not in article.body and "(photo:" not in article.body
    assert not article.body.startswith("Defense Intelligence of Ukraine prepared")


def test_teaser_block_and_page_noise_are_removed():
    article = clean_article_text(_seed("000").read_text(encoding="utf-8"))
    for noise in (
        "Advertisement",
        "Other Topics of Interest",
        "Comprehensive Strategic Partnership",
        "Now Moscow",
        "Ctrl + Enter",
        "To suggest a correction",
    ):
        assert noise not in article.body


def test_apposition_gives_person_and_affiliation():
    (yusov, *_rest) = [c for c in _claims_by_text(_seed("002")) if c.source == "Andriy Yusov"]
    assert yusov.source_kind == "person" and yusov.affiliation == "Defense Intelligence of Ukraine"


def test_document_source_is_the_issuer():
    (doc,) = [c for c in _claims_by_text(_seed("002")) if c.source_kind == "document"]
    assert doc.source == "US National Security Agency" and doc.via == "documents"


def test_group_defined_by_acronym_and_their_reports_back_reference():
    group = [c for c in _claims_by_text(_seed("002")) if c.source == "CSP-PSD"]
    assert len(group) == 2 and all(c.source_kind == "group" for c in group)
    assert "Tuareg rebels" in group[0].source_aliases


def test_unnamed_impersonal_reports_are_hedged():
    unnamed = [c for c in _claims_by_text(_seed("002")) if c.source == "unnamed"]
    assert len(unnamed) == 2 and all(c.hedged and c.source_kind == "unnamed" for c in unnamed)


# --------------------------------------------------------------------------- general rules


def test_inverted_and_quote_first_attribution():
    body = (
        "The bridge was damaged in an overnight strike, said Oleksandr Prokudin, the head of the regional military administration.\n\n"
        "\u201cWe are working to restore traffic,\u201d Prokudin told reporters on Tuesday.\n\n"
        "Repairs could take weeks, reports The Guardian."
    )
    claims = extract_claims(body)
    assert [c.source for c in claims] == ["Oleksandr Prokudin", "Oleksandr Prokudin", "The Guardian"]
    assert claims[1].cue == "told reporters"
    assert claims[2].source_kind == "outlet" and claims[2].hedged


def test_sentence_splitting_respects_abbreviations_and_decimals():
    body = "Gen. Mark Milley said the U.S. Army had sent 2.5 million rounds to Ukraine since Feb. 24 last year. No. 3 was hit."
    claims = extract_claims(body)
    assert len(claims) == 1
    assert claims[0].text.endswith("last year.") and claims[0].source == "Mark Milley"


def test_unnamed_sources_and_officials():
    body = "Two Russian brigades have been moved north, according to sources.\n\nThe attack killed 12 people, officials said."
    claims = extract_claims(body)
    assert [c.source for c in claims] == ["unnamed", "unnamed"]
    assert all(c.source_kind == "unnamed" for c in claims)


def test_plain_narrative_and_headings_are_not_claims():
    body = "Severance of diplomatic relations between Ukraine and Mali\n\nThe losses sustained by the unit were the heaviest since 2018."
    assert extract_claims(body) == []


def test_ukrainian_cues():
    body = "Речник Повітряних сил Юрій Ігнат заявив, що ворог запустив 40 дронів.\n\nЗа даними Генштабу, бої тривають на трьох напрямках."
    claims = extract_claims(body, language="uk")
    assert [c.source for c in claims] == ["Юрій Ігнат", "Генштабу"]
    assert claims[0].source_kind == "person" and claims[1].cue == "За даними"


def test_russian_cues():
    body = (
        "«Ситуация под контролем», — заявил губернатор Вячеслав Гладков.\n\nКак сообщает ТАСС, взрывы прогремели ночью."
    )
    claims = extract_claims(body, language="ru")
    assert [c.source for c in claims] == ["Вячеслав Гладков", "ТАСС"]
    assert claims[1].source_kind == "outlet"


def test_ukrainian_this_was_reported_by_gives_the_speaker_after_the_verb():
    (claim,) = extract_claims("Про це повідомив голова Харківської ОВА Олег Синєгубов у Telegram.", language="uk")
    assert claim.source == "Олег Синєгубов" and claim.source_kind == "person"


def test_russian_this_was_reported_by_gives_the_speaker_after_the_verb():
    (claim,) = extract_claims("Об этом сообщил губернатор Белгородской области Вячеслав Гладков.", language="ru")
    assert claim.source == "Вячеслав Гладков"


def test_inflected_cyrillic_surname_is_the_person_seen_before():
    body = "«Ворог атакував місто», — зазначив мер Ігор Терехов.\n\nЗа словами Терехова, пошкоджено 40 будинків."
    assert [c.source for c in extract_claims(body, language="uk")] == ["Ігор Терехов", "Ігор Терехов"]


def test_language_hint():
    assert clean_article_text("Заголовок\n\nВійськові повідомили, що їхні позиції обстрілюють.").language_hint == "uk"
    assert clean_article_text("Заголовок\n\nВоенные сообщили, что их позиции обстреливают.").language_hint == "ru"
    assert clean_article_text("Title\n\nThe army said it was shelled.").language_hint == "en"


def test_normalise_source_name():
    assert (
        normalise_source_name("the Ukrainian Center of National Resistance (CNR)")
        == "ukrainian center of national resistance"
    )
    assert normalise_source_name("Israel\u2019s") == "israel"
    assert normalise_source_name("  The   TIMES ") == "times"


def test_derive_title_is_shortened_at_a_word_boundary():
    title = derive_title("word " * 60)
    assert len(title) <= 101 and title.endswith("…") and not title.endswith(" …")


def test_bylines_timestamps_and_appeals_are_removed():
    body, _hint = clean_body(
        "By Jane Doe, Reuters\n\nUpdated 6:31 PM GMT+3, April 7, 2025\n\nThe army said it was shelled.\n\n"
        "Editor's note: This story has been updated.\n\nSupport independent journalism. Donate now."
    )
    assert body == "The army said it was shelled."


def test_sentences_that_merely_start_like_noise_are_kept():
    text = (
        "By Monday, Russia had lost 100 tanks, the ministry said.\n\nUpdated figures from the ministry show 40 killed."
    )
    body, _hint = clean_body(text)
    assert body == text


def test_clean_body_returns_publisher_hint():
    body, hint = clean_body(
        "The army said so.\n\nRead more: other news\n\nFor details, read the full article by Kyiv Post."
    )
    assert body == "The army said so." and hint == "Kyiv Post"


# --------------------------------------------------------------------------- quotations over sentences


def test_quotation_over_two_sentences_belongs_to_the_speaker_named_at_its_end():
    body = "\u201cRescuers are still working. There may be more people trapped,\u201d Governor Oleh Syniehubov said."
    claims = extract_claims(body)
    assert [c.text for c in claims] == [
        "\u201cRescuers are still working.",
        "There may be more people trapped,\u201d Governor Oleh Syniehubov said.",
    ]
    assert {c.source for c in claims} == {"Oleh Syniehubov"}


def test_quoted_sentence_after_an_attributed_quote_keeps_its_speaker():
    body = "\u201cEvery attack is a reminder,\u201d Zelensky wrote on X. \u201cRussia is preparing new strikes.\u201d"
    claims = extract_claims(body)
    assert len(claims) == 2 and claims[1].text == "\u201cRussia is preparing new strikes.\u201d"
    assert claims[1].source == claims[0].source == "Zelensky"


def test_quotation_continuation_does_not_cross_paragraphs():
    body = "\u201cWe will respond,\u201d Peskov said.\n\n\u201cThe weather is fine today.\u201d"
    assert [c.text for c in extract_claims(body)] == ["\u201cWe will respond,\u201d Peskov said."]


def test_unattributed_quotation_is_not_a_claim():
    body = "\u201cThe enemy is near. We are holding.\u201d\n\nThe town was shelled overnight."
    assert extract_claims(body) == []


def test_single_capital_before_a_quote_ends_the_sentence():
    body = "\u201cIt is a reminder,\u201d Zelensky wrote on X. \u201cIt must stop.\u201d"
    assert [c.text for c in extract_claims(body)][-1] == "\u201cIt must stop.\u201d"


# --------------------------------------------------------------------------- back-references


def test_surname_resolves_to_full_name_mentioned_earlier_without_being_a_source():
    body = (
        "Kyrylo Budanov, chief of Defence Intelligence, met the released soldiers at the border.\n\n"
        "Budanov said the next exchange was being prepared. He estimated that 8,000 Ukrainians remain in captivity."
    )
    claims = extract_claims(body)
    assert [c.source for c in claims] == ["Kyrylo Budanov", "Kyrylo Budanov"]
    assert claims[0].source_kind == "person" and "Budanov" in claims[0].source_aliases


def test_role_noun_resolves_to_the_person_with_that_title():
    body = "Kharkiv Governor Oleh Syniehubov visited the site.\n\nThree people were killed, the governor said."
    (claim,) = extract_claims(body)
    assert claim.source == "Oleh Syniehubov" and claim.source_kind == "person"


def test_the_report_refers_to_the_organisation_cited_before():
    body = (
        "Russian forces are regrouping, according to the Institute for the Study of War (ISW).\n\n"
        '"Russian forces are attempting infiltration," the report said.'
    )
    claims = extract_claims(body)
    assert [c.source for c in claims] == ["Institute for the Study of War", "Institute for the Study of War"]


def test_bare_analysts_refer_to_a_research_institute_cited_before():
    body = (
        "Russia is regrouping, according to the Institute for the Study of War.\n\n"
        "Analysts noted that airborne units had been moved to Orikhiv."
    )
    assert extract_claims(body)[1].source == "Institute for the Study of War"


def test_bare_analysts_do_not_refer_to_a_ministry():
    body = "The Defense Ministry said the attack failed.\n\nAnalysts noted that airborne units had been moved."
    assert extract_claims(body)[1].source != "Defense Ministry"


def test_press_service_of_an_office_mentioned_earlier_gives_the_office():
    body = "The Kharkiv Regional Prosecutor's Office has opened an investigation, the office's press service reported."
    (claim,) = extract_claims(body)
    assert claim.source == "Kharkiv Regional Prosecutor's Office" and claim.source_kind == "organization"


def test_definite_head_with_another_modifier_is_a_different_body():
    body = (
        "The Turkish Foreign Ministry said Ankara was ready to host talks.\n\n"
        "Exports rose to 6 million tonnes, according to data from the agriculture ministry."
    )
    assert extract_claims(body)[1].source.lower() == "agriculture ministry"


def test_nationality_qualified_officials_are_a_described_unnamed_source():
    (claim,) = extract_claims("Ukrainian officials said 19 civilian vessels had been damaged since the summer.")
    assert claim.source == "Ukrainian officials" and claim.source_kind == "unnamed"


def test_the_diplomat_refers_back_to_the_described_diplomat():
    body = (
        "A senior European diplomat estimated that an agreement would take two months.\n\n"
        '"That is the sticking point," the diplomat said.'
    )
    assert [c.source for c in extract_claims(body)] == ["senior European diplomat", "senior European diplomat"]


# --------------------------------------------------------------------------- verbs and noun phrases


def test_negated_reporting_verb_is_not_a_claim():
    assert extract_claims("The Kremlin has not commented on the exchange.") == []
    assert extract_claims("The ministry did not say whether the strike hit the depot.") == []


def test_rejecting_reports_is_a_claim_but_rejecting_a_proposal_is_not():
    (claim,) = extract_claims("The Kremlin has rejected reports that Russia is preparing a new wave of mobilization.")
    assert claim.source == "Kremlin"
    assert extract_claims("The Kremlin rejected the proposal on Tuesday.") == []


def test_claiming_territory_is_not_a_reported_claim():
    assert extract_claims("Russia has claimed several villages in the Donetsk region since the summer.") == []
    assert extract_claims("The strike claimed the lives of four people, officials said.")[0].source == "unnamed"


def test_likely_and_probably_are_hedges():
    likely = extract_claims("The ministry said Russian forces will likely attack again.")
    probably = extract_claims("ISW assessed that the command probably intends to pin down Ukrainian forces.")
    plain = extract_claims("The ministry said Russian forces attacked again.")
    assert likely[0].hedged and probably[0].hedged and not plain[0].hedged


def test_may_as_a_month_is_no_hedge():
    assert not extract_claims("The ministry said the talks would resume in May.")[0].hedged


def test_outlet_at_the_end_is_the_source_and_the_inner_speaker_is_via():
    (claim,) = extract_claims(
        "Kremlin spokesman Dmitry Peskov said the talks would continue next week, Reuters reported."
    )
    assert claim.source == "Reuters" and claim.source_kind == "outlet" and claim.via == "Dmitry Peskov"


def test_non_outlet_at_the_end_leaves_the_inner_speaker_as_source():
    (claim,) = extract_claims("Zelensky said the strike killed five people, the ministry reported.")
    assert claim.source == "Zelensky"


def test_speaker_quoted_by_an_outlet_as_saying_is_the_source_with_the_outlet_as_via():
    # CONVENTIONS 3.3: "X was told by Y", "Y, quoted by X": the speaker is the source
    (claim,) = extract_claims(
        "Rosatom chief Alexei Likhachev was quoted by the Interfax news agency as saying that drones hit the plant."
    )
    assert claim.source == "Alexei Likhachev" and claim.source_kind == "person" and "Interfax" in claim.via


def test_outlet_quoting_a_source_as_saying_gives_the_source_with_the_outlet_as_via():
    (claim,) = extract_claims(
        "The Tasnim news agency quoted a military source as saying that the country does not hide it."
    )
    assert claim.source == "military source" and "Tasnim" in claim.via


def test_descriptor_before_a_proper_name_gives_the_name():
    (claim,) = extract_claims("The independent outlet iStories reported that 14 regions had raised their bonuses.")
    assert claim.source == "iStories" and claim.source_kind == "outlet"


def test_apposition_starting_with_a_possessive_gives_the_person():
    (claim,) = extract_claims(
        "Dmytro Lubinets, Ukraine's Parliamentary Commissioner for Human Rights, reported that prisoners showed signs of torture."
    )
    assert claim.source == "Dmytro Lubinets" and claim.source_kind == "person"


def test_backed_or_run_qualifier_is_not_part_of_the_name():
    (claim,) = extract_claims("Kremlin-backed Russian war bloggers alleged that Ukrainian units were withdrawing.")
    assert claim.source == "Russian war bloggers" and claim.source_kind == "group"


def test_spokesperson_of_a_named_body_gives_the_body():
    (claim,) = extract_claims("A U.S. State Department spokesperson said Washington was deeply concerned.")
    assert "State Department" in claim.source and claim.source_kind == "organization"


def test_possessive_is_not_the_subject_of_a_verb_like_word():
    (claim,) = extract_claims("Russia's state nuclear company Rosatom blamed Ukraine for the attack.")
    assert claim.source == "Rosatom"


def test_acting_title_is_part_of_the_source_phrase():
    (claim,) = extract_claims("Kursk acting Gov. Alexander Khinshtein said debris damaged a power line.")
    assert claim.source == "Alexander Khinshtein"


def test_passive_reported_by_gives_the_agent():
    (claim,) = extract_claims("The attack was reported by local media in Belgorod.")
    assert claim.source.lower() == "local media" and claim.cue == "reported by"
    assert extract_claims("He was reported missing by his family.") == []


def test_arabic_name_particle_is_part_of_a_person_name():
    (claim,) = extract_claims(
        '"We are optimistic," Qatari Foreign Ministry spokesman Majed al-Ansari tells reporters in Doha.'
    )
    assert claim.source == "Majed al-Ansari" and claim.source_kind == "person"


def test_anonymity_aside_between_source_and_verb_is_skipped():
    (claim,) = extract_claims(
        "An Israeli official, speaking on condition of anonymity, tells The Times of Israel that no delegation was sent."
    )
    assert claim.source == "Israeli official" and claim.source_kind == "unnamed"


def test_the_forum_refers_to_the_named_forum():
    body = (
        "According to the Hostages and Missing Families Forum, 11 bodies are still held in Gaza.\n\n"
        "The forum says in a statement that it will not rest."
    )
    assert [c.source for c in extract_claims(body)] == ["Hostages and Missing Families Forum"] * 2


def test_spokesperson_of_an_undescribed_unit_keeps_the_description():
    # the dev gold keeps "spokesman for a Ukrainian brigade" (a body named only by description)
    (claim,) = extract_claims(
        "The spokesperson of a Ukrainian brigade operating in the Kupiansk direction stated that assaults continue."
    )
    assert claim.source.startswith("spokesperson of a Ukrainian brigade")


def test_the_publication_refers_to_the_outlet_cited_before():
    body = "The Guardian reported that the shipments were tracked.\n\nAccording to the publication, the cargo included shells."
    assert [c.source for c in extract_claims(body)] == ["The Guardian", "The Guardian"]


def test_outlets_sources_give_the_outlet_with_sources_as_via():
    (claim,) = extract_claims("Ukrainska Pravda's sources say the meeting will take place in Istanbul.")
    assert claim.source == "Ukrainska Pravda" and claim.source_kind == "outlet" and claim.via == "sources"


def test_ministry_of_a_country_is_not_an_outlet():
    (claim,) = extract_claims("The Ministry of Defense of Ukraine noted that the contracts were signed.")
    assert claim.source == "Ministry of Defense of Ukraine" and claim.source_kind == "organization"


def test_in_his_words_refers_to_the_last_person():
    body = "Zelensky said the front was stable.\n\nIn his words, the enemy is regrouping near Pokrovsk."
    claims = extract_claims(body)
    assert [c.source for c in claims] == ["Zelensky", "Zelensky"] and claims[1].cue == "In his words"


def test_stated_by_a_title_then_a_name_gives_the_person():
    (claim,) = extract_claims(
        "This was stated by the head of the Center for Countering Disinformation, Andrii Kovalenko."
    )
    assert claim.source == "Andrii Kovalenko" and claim.source_kind == "person"


def test_press_service_of_a_body_gives_the_body():
    (claim,) = extract_claims("The press service of the Southern Defense Forces said 12 boats were destroyed.")
    assert claim.source == "Southern Defense Forces" and claim.source_kind == "organization"


def test_apposition_after_an_inverted_source_gives_kind_and_affiliation():
    (resident,) = extract_claims(
        "\u201cThere were no soldiers there,\u201d said Yurii, a 58-year-old resident of the district."
    )
    (spokes,) = extract_claims('"We urge restraint," said Kandice Ardiel, a spokesperson for UNIFIL, the UN force.')
    assert resident.source == "Yurii" and resident.source_kind == "person"
    assert spokes.source == "Kandice Ardiel" and spokes.affiliation == "UNIFIL"


def test_shorter_name_refers_to_the_qualified_body_seen_before():
    body = "Russia launched 36 missiles, the Ukrainian Air Force reported.\n\nMost were shot down, the Air Force said."
    assert [c.source for c in extract_claims(body)] == ["Ukrainian Air Force", "Ukrainian Air Force"]


def test_operator_descriptor_before_a_name_gives_the_name():
    (claim,) = extract_claims("National grid operator Ukrenergo said repair crews were at work.")
    assert claim.source == "Ukrenergo" and claim.source_kind == "organization"


def test_outlets_sources_in_a_body_give_the_outlet_with_the_sources_as_via():
    (claim,) = extract_claims("According to Meduza's sources in the Defense Ministry, more arrests are expected.")
    assert claim.source == "Meduza" and claim.via == "sources in the Defense Ministry"


def test_statement_from_a_body_keeps_the_body_kind():
    (claim,) = extract_claims("According to a statement from the Israel Defense Forces, the targets included a depot.")
    assert claim.source == "Israel Defense Forces" and claim.source_kind == "organization" and claim.via == "statement"


# --------------------------------------------------------------------------- robustness


def test_one_megabyte_line_is_fast_and_safe():
    line = ("Officials said (((" + "A" * 50 + " of the " * 20 + "\u201c ") * 2000
    line = (line * (1_000_000 // len(line) + 1))[:1_000_000]
    start = time.perf_counter()
    article = clean_article_text("Title\n" + line)
    claims = extract_claims(article.body)
    assert time.perf_counter() - start < 20
    for c in claims:
        assert article.body[c.start : c.end] == c.text


@pytest.mark.parametrize(
    "raw", ["", "\x00\x01\ufeff", "\u200b\u200f\u202e", "“unbalanced", "…", "\n\n\n", "A. B. C. D.", "ua en ru"]
)
def test_odd_inputs_do_not_raise(raw):
    article = clean_article_text(raw)
    assert isinstance(extract_claims(article.body), list)
    assert isinstance(extract_claims(raw), list)


_text = st.text(
    alphabet=st.sampled_from(
        list("abc XYZ.,;:!?\"“”«»'’()—-\n\u200bіыThe said according to CNR (HUR) Ministry officials He It is reported")
    ),
    max_size=400,
)


_WORDS = [
    "the",
    "a",
    "an",
    "of",
    "in",
    "said",
    "says",
    "told",
    "reported",
    "according",
    "to",
    "citing",
    "quoted",
    "by",
    "as",
    "saying",
    "was",
    "not",
    "’s",
    "'s",
    ",",
    ".",
    ";",
    ":",
    "“",
    "”",
    '"',
    "«",
    "»",
    "(",
    ")",
    "—",
    "Reuters",
    "TASS",
    "Budanov",
    "Kyrylo",
    "governor",
    "Governor",
    "Oleh",
    "ministry",
    "office's",
    "press",
    "service",
    "spokesperson",
    "report",
    "Analysts",
    "sources",
    "officials",
    "Ukrainian",
    "European",
    "diplomat",
    "In",
    "his",
    "words",
    "This",
    "stated",
    "Про",
    "це",
    "повідомив",
    "Об",
    "этом",
    "сообщил",
    "голова",
    "al-Ansari",
    "iStories",
    "outlet",
    "Kremlin-backed",
    "rejected",
    "claimed",
    "villages",
    "He",
    "They",
    "its",
    "one",
    "Терехова",
    "Ігор",
    "X.",
    "U.S.",
    "\n",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_WORDS), max_size=60).map(" ".join))
def test_attribution_rich_word_salad_never_raises_and_offsets_are_exact(raw):
    article = clean_article_text(raw)
    for body in (article.body, raw):
        for c in extract_claims(body):
            assert body[c.start : c.end] == c.text and c.source


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), _text))
def test_never_raises_and_offsets_are_exact(raw):
    article = clean_article_text(raw)
    for body in (article.body, raw):
        for c in extract_claims(body):
            assert 0 <= c.start < c.end <= len(body)
            assert body[c.start : c.end] == c.text
