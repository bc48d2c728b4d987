"""Attribution in Ukrainian and Russian sentences, by word rules (no parser for these languages is on the
package index).

A cue is a reporting verb in any of its forms (lexicon_uk / lexicon_ru), "за словами X" / "по словам X"
and their kin, or an agentless word ("нібито", "якобы"). Its party is the phrase after the verb when the
verb closes a quotation or a clause ("..., — заявив Зеленський", "..., пишет агентство"), otherwise the
phrase before it. A verb that closes the sentence that way is the outermost cue ("..., сообщает Reuters
со ссылкой на источники": Reuters, via the sources). "з посиланням на Y" / "со ссылкой на Y", a
dative outlet ("розповіло агентству X") and "цитує Y X" give `via`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon_ru, lexicon_uk
from .english import Attribution


@dataclass(frozen=True, slots=True)
class _Rules:
    cue: re.Pattern
    quote: re.Pattern
    agentless: re.Pattern
    according: re.Pattern
    via: re.Pattern
    dative: re.Pattern
    party_stems: tuple[str, ...]


def _rules(lex) -> _Rules:
    return _Rules(
        cue=re.compile(rf"(?:{lex.CUE_VERBS})", re.I),
        quote=re.compile(rf"(?:{lex.QUOTE_VERBS})", re.I),
        agentless=re.compile(rf"(?<!\w)(?:{lex.AGENTLESS})(?!\w)", re.I),
        according=re.compile(rf"(?:^|(?<=[\s,(«\"]))(?:{lex.ACCORDING})\s+", re.I),
        via=re.compile(rf"(?:{lex.VIA})\s+", re.I),
        dative=re.compile(rf"^(?:{lex.DATIVE_OUTLETS})\s+", re.I),
        party_stems=lex.BACKREF_ANON + lex.BACKREF_OUTLET + lex.BACKREF_ORG + lex.BACKREF_PERSON,
    )


_IN_A_MESSAGE = lexicon_uk.IN_A_MESSAGE + lexicon_ru.IN_A_MESSAGE
RULES = {"uk": _rules(lexicon_uk), "ru": _rules(lexicon_ru)}
_WORD = re.compile(r"[\w'’\-]+")
_QUOTED = re.compile(r"«[^«»]*»|„[^„“]*“|\"[^\"]*\"")
_BOUNDARY = re.compile(r"[,;:—–]|\s(?:що|щоб|что|чтобы|і|й|та|и|а|але|но|однак|однако)\s", re.I)
_POSSESSIVE_ACCORDING = re.compile(
    r"(?:^|(?<=[\s,]))(?:за|по)\s+(його|її|їх|его|ее|её|их)\s+(?:даними|словами|інформацією|данным|словам|информации)",
    re.I,
)
_PRONOUN_OF = lexicon_uk.PRONOUN_OF | lexicon_ru.PRONOUN_OF
# "Про це повідомив X", "Об этом сообщил X": the speaker follows the verb. The word rules (extractor.py)
# take this bare form; the rules here also take "як" and where it was said ("Про це у Telegram написав X").
_THIS = f"{lexicon_uk.THIS_WAS}|{lexicon_ru.THIS_WAS}"
_ALSO = rf"(?:\s+(?:{lexicon_uk.THIS_WAS_ALSO}|{lexicon_ru.THIS_WAS_ALSO}))?"
THIS_WAS = re.compile(rf"^(?:{_THIS}){_ALSO}$", re.I)
_THIS_WAS_THERE = re.compile(
    rf"^(?:{_THIS}|{lexicon_uk.AS_REPORTED}|{lexicon_ru.AS_REPORTED}){_ALSO}(?:\s+(?:у|в|на)\s+[\w\-]+(?:[\s\-][\w\-]+)?)?$",
    re.I,
)
# "... Олег Синєгубов у Telegram": where it was said, not who said it
_PLATFORM_TAIL = re.compile(
    r"\s+(?:у|в|на)\s+(?:своєму\s+|своем\s+|своїй\s+|своей\s+)?(?:Telegram|Телеграм|Facebook|Фейсбук|X|Twitter|YouTube"
    r"|ефірі|эфире|інтерв|интервью|соцмереж|соцсет|телеграм|коментар|комментари)[\w'’\-]*(?:\s.*)?$",
    re.I,
)
_GERUND = re.compile(r"^\w+(?:ючи|ячи|учи|вши|ая|яя)\b", re.I)  # "дивлячись у камеру", "отвечая на вопрос"
_CONTENT_AFTER = re.compile(r"\s(?:що|что)\s|:")
_CLAUSE_END = re.compile(r"[,;:.!?…]|\s(?:що|что)\s")


def _mask_quotes(sent: str) -> str:
    """The sentence with quoted text blanked out (same length), so cues inside quotations are not read."""
    return _QUOTED.sub(lambda m: m.group()[0] + " " * (len(m.group()) - 2) + m.group()[-1], sent)


def _phrase_after(text: str) -> str:
    m = _CLAUSE_END.search(text)
    return (text[: m.start()] if m else text).strip(' «»"“”„')


def _phrase_before(text: str) -> str:
    cut = 0
    for m in _BOUNDARY.finditer(text):
        cut = m.end()
    return text[cut:].strip(' «»"“”„')


def _split_via(phrase: str, rules: _Rules) -> tuple[str, str]:
    m = rules.via.search(phrase)
    if m:
        return phrase[: m.start()].strip(' ,«»"“”'), _phrase_after(phrase[m.end() :])
    return phrase, ""


def attributions(sent: str, lang: str) -> list[Attribution]:
    """The attribution of one Ukrainian or Russian sentence (at most one; [] when it has no cue)."""
    rules = RULES.get(lang)
    if rules is None:
        return []
    masked = _mask_quotes(sent)
    m = _POSSESSIVE_ACCORDING.search(masked)
    if m:  # "за його даними", "по его словам": the person last named
        return [Attribution(_PRONOUN_OF[m.group(1).lower()], m.group().strip(), kind="according", end=len(sent))]
    m = rules.according.search(masked)
    if m and m.start() <= len(sent) // 2:
        phrase = _phrase_after(sent[m.end() :])
        words = phrase.split()
        if m.group().lower().strip().endswith(_IN_A_MESSAGE):
            phrase = " ".join(words[:1] + [w for w in words[1:3] if w[:1].isupper()])
        if phrase:
            return [Attribution(phrase, m.group().strip(), kind="according", end=len(sent))]
    cues = [w for w in _WORD.finditer(masked) if rules.cue.fullmatch(w.group())]
    if cues:
        return [_verb_attribution(sent, masked, cues, rules)]
    m = rules.agentless.search(masked)
    if m:
        return [Attribution("", m.group(), kind="agentless", end=len(sent))]
    return []


def _inverted(masked: str, cue: re.Match) -> bool:
    before = masked[: cue.start()].rstrip()
    return not before or before.endswith((",", "—", "–", "»", '"', "“"))


def _names_a_party(phrase: str, rules: _Rules) -> bool:
    """A phrase after the verb is its speaker only when it holds a name or a party noun ("закликала українців"
    is an object)."""
    words = phrase.split()
    return any(w.lstrip('«"„“')[:1].isupper() for w in words) or any(
        w.lower().startswith(rules.party_stems) for w in words
    )


def _verb_attribution(sent: str, masked: str, cues: list[re.Match], rules: _Rules) -> Attribution:
    # a verb that closes the sentence after a comma or dash frames everything before it
    closing = [c for c in cues if _inverted(masked, c) and not _CONTENT_AFTER.search(masked, c.end())]
    cue = closing[-1] if closing else cues[0]
    via = ""
    this_was = _THIS_WAS_THERE.match(masked[: cue.start()].strip())
    if (_inverted(masked, cue) and masked[: cue.start()].strip()) or this_was:
        after = sent[cue.end() :]
        if rules.quote.fullmatch(cue.group()):  # "— цитує Захарову агентство ТАСС": the quoted speaks
            words = _phrase_after(after).split()
            if words:
                return Attribution(words[0], cue.group(), " ".join(words[1:]), end=len(sent))
        d = rules.dative.match(after.strip())
        if d:  # "розповіло агентству «Інтерфакс-Україна» джерело в СБУ"
            rest = after.strip()[d.end() :]
            q = re.match(r"«[^»]+»|\S+", rest)
            via = q.group().strip("«»") if q else ""
            after = rest[q.end() :] if q else rest
        phrase, via2 = _split_via(_PLATFORM_TAIL.sub("", _phrase_after(after)), rules)
        if phrase and (this_was or via or _names_a_party(phrase, rules)):
            return Attribution(phrase, cue.group(), via or via2, end=len(sent))
    before = sent[: cue.start()]
    segments = [s for s in re.split(r",\s*", before) if s.strip()]
    while segments and (rules.via.match(segments[-1].strip()) or _GERUND.match(segments[-1].strip())):
        seg = segments.pop().strip()
        if rules.via.match(seg):
            via = via or rules.via.sub("", seg, count=1)
    phrase = _phrase_before(", ".join(segments[-1:])) if segments else ""
    phrase, via2 = _split_via(phrase, rules)
    if not _names_a_party(phrase, rules):  # "Наостанок речниця ... і, дивлячись у камеру, закликала": the subject
        words = before.split()
        k = next((i for i, w in enumerate(words) if w.lower().startswith(rules.party_stems)), None)
        if k is not None:
            phrase = " ".join([words[k], *[w for w in words[k + 1 : k + 4] if w[:1].isupper()]])
    return Attribution(phrase.strip(" ,"), cue.group(), via or via2, end=len(sent))
