"""Deterministic rule-based extraction of attributed claims from news text.

One pass over the sentences; coreference keeps a small state (aliases seen, last entity of each
kind, recent sources), so the cost is linear in the text. Every regex is bounded or linear; looking
back for an earlier mention ("Budanov" -> "Kyrylo Budanov", "the office" -> "... Prosecutor's Office")
reads at most the 4,000 characters before the sentence.

Conventions (kept consistent with the seed annotations):
- two attributors in one sentence: the outermost is the source and the other goes to `via`
  ("X reported, citing Y" and "Y said ..., X reported" both give X with via Y; "Y was quoted by X as
  saying" too). An outer attributor at the end is taken only when it is an outlet.
- a described unnamed source keeps its description ("Ukrainian officials", "senior European
  diplomat"); a bare one ("officials said", "sources said") is "unnamed".
- a quotation spread over several sentences gives every sentence of it to its speaker.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from . import cyrillic, english, lexicon, lexicon_en, lexicon_ru, lexicon_uk
from .cleaning import caption, is_heading, language_hint, noise_line, publisher_link
from .mentions import GENERIC_HEADS, MentionRegistry, descriptors
from .nlp import english as english_pipeline


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    text: str
    start: int
    end: int
    source: str
    source_kind: str
    source_aliases: tuple[str, ...]
    affiliation: str
    via: str
    hedged: bool
    status_hint: str | None
    cue: str


# --------------------------------------------------------------------------- names

_POSSESSIVE_END = re.compile(r"['’]s$")
_TRAILING_ADVERBIAL = re.compile(
    r"\s+(?:on|in|at|during|after|before|late|early|last|this|earlier|later|yesterday|today"
    r"|у|в|на|під|під\s+час|во\s+время|у\s+своєму|в\s+своем)(?=\s)"
)
_QUOTE_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2032": "'",
    }
)
_TRAILING_ACRONYM = re.compile(r"\s*\(([^()]{1,15})\)\s*$")


@functools.lru_cache(maxsize=4096)
def normalise_source_name(name: str) -> str:
    """Registry lookup key: NFKC, casefold, straight quotes, no leading 'the', no trailing 's or (ACR)."""
    text = unicodedata.normalize("NFKC", name or "").translate(_QUOTE_MAP).casefold()
    text = " ".join(text.split())
    text = _TRAILING_ACRONYM.sub("", text).strip()
    if text.startswith("the "):
        text = text[4:]
    if text.endswith("'s"):
        text = text[:-2]
    elif text.endswith("s'"):
        text = text[:-1]
    return text.strip(" .,;:'\"")


# --------------------------------------------------------------------------- state


@functools.lru_cache(maxsize=4096)
def _name_words(name: str) -> frozenset[str]:
    return frozenset(re.sub(r"['’]s\b", "", w).strip(_STRIP) for w in name.lower().split())


@dataclass(slots=True)
class _Entity:
    name: str
    kind: str
    aliases: set[str] = field(default_factory=set)
    affiliation: str = ""
    roles: set[str] = field(default_factory=set)  # title words of a person: "governor", "spokesman"


@dataclass(slots=True)
class _State:
    by_alias: dict[str, _Entity] = field(default_factory=dict)
    last: dict[str, tuple[int, _Entity]] = field(default_factory=dict)
    tick: int = 0
    recent: list[_Entity] = field(default_factory=list)  # sources in order of their latest mention
    text: str = ""  # the body, for looking back at earlier mentions that were not sources
    end: int = 0  # end offset of the sentence being read

    def lookup(self, name: str) -> _Entity | None:
        return self.by_alias.get(normalise_source_name(name))

    def add(self, ent: _Entity, *, recent: bool = True) -> _Entity:
        key = normalise_source_name(ent.name)
        known = self.by_alias.get(key)
        if known is not None and known.kind == ent.kind:
            known.aliases |= ent.aliases
            ent = known
        else:
            self.by_alias[key] = ent
        for alias in ent.aliases:
            self.by_alias.setdefault(normalise_source_name(alias), ent)
        if recent:
            self.tick += 1
            self.last[ent.kind] = (self.tick, ent)
            if not self.recent or self.recent[-1] is not ent:
                self.recent.append(ent)
                if len(self.recent) > 64:
                    del self.recent[:32]
        return ent

    def by_head(self, head: str, kinds: tuple[str, ...]) -> _Entity | None:
        """The latest source of one of `kinds` whose name or roles contain the word `head`."""
        for ent in reversed(self.recent):
            if ent.kind in kinds and (head in ent.roles or head in _name_words(ent.name)):
                return ent
        return None

    def latest(self, kinds: tuple[str, ...]) -> _Entity | None:
        best = None
        for kind in kinds:
            got = self.last.get(kind)
            if got and (best is None or got[0] > best[0]):
                best = got
        return best[1] if best else None


# --------------------------------------------------------------------------- sentences

# Possessive quantifiers and the look-behind keep a long run of terminators linear (no backtracking).
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++[\"”’»)\]]*+(?=\s)|(?<=[\"”»])(?=\s)")
_NEXT_START = re.compile(r"\s+([\"“‘«(\[—–-]?\s?)([^\s])")
_PREV_TOKEN = re.compile(r"([^\s\"“(«]+)$")


def _is_boundary(text: str, pos: int, end: int, para_end: int) -> bool:
    """pos: index just after the candidate terminator (text[pos] is whitespace)."""
    m = _NEXT_START.match(text, end, min(para_end, end + 8))
    if not m:
        return False
    nxt = m.group(2)
    if not (nxt.isupper() or nxt.isdigit() or m.group(1)):
        return False
    term = text[pos:end]
    if not term or term[0] not in ".!?…":  # a bare closing quote: only ends a sentence after final punctuation
        return pos >= 2 and text[pos - 2] in ".!?…"  # the char before the closing quote
    if not term.startswith("."):
        return True
    if term.startswith("..") or term.startswith("…"):
        return True
    prev = _PREV_TOKEN.search(text, max(0, pos - 40), pos)
    if not prev:
        return True
    word = prev.group(1)
    low = word.lower().rstrip(".")
    if low in lexicon.ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith" (but "wrote on X. “It is ...")
        return bool(m.group(1).strip())
    if "." in word and re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):  # U.S. / U.N.
        follow = text[m.start(2) : m.start(2) + 12].split(" ")[0]
        return follow in lexicon.SENTENCE_STARTERS
    return True


_PARA = re.compile(r"[^\n]+")


def _sentences(body: str):
    """(start, end, paragraph start) of each sentence."""
    for para in _PARA.finditer(body):
        p_start, p_end = para.span()
        start = p_start
        for m in _BOUNDARY.finditer(body, p_start, p_end):
            if _is_boundary(body, m.start(), m.end(), p_end):
                yield start, m.end(), p_start
                ws = m.end()
                while ws < p_end and body[ws].isspace():
                    ws += 1
                start = ws
        if start < p_end:
            yield start, p_end, p_start


# --------------------------------------------------------------------------- cues and hedges

# A hedge is a hedge word (lexicon.HEDGE_WORDS) or one of these phrases; the phrase pattern runs only when
# one of its words is in the sentence, so the keys must stay in step with the pattern.
_HEDGE_PHRASE_KEYS = frozenset(
    {"reported", "rumored", "rumoured", "being", "said", "believed", "thought", "independently"}
)
_HEDGE_PHRASE = re.compile(
    r"\b(?:(?:it|this)\s+(?:is|was|has\s+been|had\s+been)\s+(?:also\s+)?(?:reported|rumou?red)"
    r"|being\s+(?:clarified|verified|checked|investigated|established)"
    r"|(?:is|are|was|were)\s+(?:said|reported|believed|thought|rumou?red)\s+to"
    r"|not\s+(?:be\s+)?(?:been\s+)?independently\s+(?:verified|confirmed))\b",
    re.I,
)
_WORDS = re.compile(r"\w+")
_MAY = re.compile(r"\bmay\b|^May\s+[a-z]")


def _is_hedged(sent: str) -> bool:
    """Whether a claim is hedged: a hedge word or phrase ("reportedly", "is said to"); "May" the month is none."""
    low = sent.lower()
    words = set(_WORDS.findall(low))
    if not words.isdisjoint(lexicon.HEDGE_WORDS):
        return True
    if not low.isascii() and any(w.startswith(lexicon.HEDGE_STEMS) for w in words if not w.isascii()):
        return True
    if "may" in words and _MAY.search(sent):
        return True
    return not words.isdisjoint(_HEDGE_PHRASE_KEYS) and bool(_HEDGE_PHRASE.search(sent))


_STATUS = re.compile(
    r"\bbeing\s+(?:clarified|verified|checked|investigated|established|looked\s+into|examined)\b"
    r"|\bunder\s+(?:investigation|verification|review)\b|\b(?:clarifying|verifying|checking)\s+(?:the\s+)?(?:information|details|data|reports?|circumstances)\b"
    r"|\b(?:уточнюєт|уточняет|перевіряєт|проверяет|встановлюют|устанавливают)\w*",
    re.I,
)
_ACCORDING = re.compile(
    r"\b(?:according\s+to|as\s+reported\s+by|as\s+stated\s+by|за\s+даними|за\s+словами|за\s+інформацією|як\s+повідомляє|як\s+повідомили\s+(?:в|у)"
    r"|по\s+данным|по\s+словам|по\s+информации|как\s+сообщает|как\s+сообщили\s+в)\s+",
    re.I,
)
_IMPERSONAL = re.compile(
    r"\b(?:it|this)\s+(?:is|was|has\s+been|had\s+been|has\s+also\s+been)\s+(?:also\s+|further\s+|earlier\s+|previously\s+|now\s+)?"
    r"(?:reported|said|claimed|alleged|stated|announced|learned|learnt|revealed|understood)\b"
    r"|\b(?:is|are|was|were)\s+(?:also\s+)?(?:said|reported|alleged|rumou?red|claimed)\s+to\b"
    r"|\b(?:повідомляється|сообщается|стало\s+відомо|стало\s+известно|заявляється|заявляется)\b",
    re.I,
)
_CITING = re.compile(r"\bciting\s+([^,;:.]{2,120})", re.I)
_TOKEN = re.compile(r"\S+")
_STRIP = "\"“”‘’'«»()[]{},.;:!?…—–-*"
_QUOTE_OPEN = {"“": "”", "«": "»", "„": "“", '"': '"'}
_APPOS_AFFIL = re.compile(
    r"^(?:an?|the|its|their|his|her)?\s*(?:[\w’'\-.]+\s+){0,4}?(?:for|of|at|with|from|in)\s+(?:the\s+)?(.+)$", re.I
)
_DOC = re.compile(
    r"^(?:(?:a|an|the|some|new|newly|leaked|classified|secret|internal|declassified|intelligence|confidential|recent)\s+){0,3}"
    r"(?:satellite\s+|video\s+|aerial\s+)?(documents?|memos?|files|papers|records|cables?|leaks|dossier|reports?|assessments?|intercepts|emails|estimates|data|images|imagery|footage|photos|videos|maps"
    r"|statements?|count|tally|figures|statistics|calculations|analysis|study|survey|investigation|review|findings|research)\s+"
    r"(?:from|by|of|(?:published|released|obtained|prepared|analy[sz]ed|reviewed|seen|compiled|verified)\s+(?:by|from))\s+(.+)$",
    re.I,
)
_ACRONYM_DEF = re.compile(
    r"((?:[A-Z\u0400-\u042f\u0406\u0407\u0404\u0490][\w’'\-]*)(?:\s+(?:[A-Z\u0400-\u042f\u0406\u0407\u0404\u0490][\w’'\-]*|of|the|for|and|on|de|on)){0,9})"
    r"\s+\(([A-Z\u0400-\u042f\u0406\u0407\u0404\u0490][A-Z\u0400-\u042f\u0406\u0407\u0404\u0490a-z0-9\-&]{1,9})\)"
)


def _word(tok: str) -> str:
    return tok.strip(_STRIP)


def _is_cap(w: str) -> bool:
    # "iStories", "eKathimerini": a lower-case prefix before a capital is still a name; so is "al-Ansari"
    if not w:
        return False
    if w[0].isupper():
        return True
    if len(w) > 2 and w[0].islower() and w[1].isupper() and w.isalpha():
        return True
    if w.startswith(lexicon.NAME_PARTICLES):
        rest = w.split("-", 1)[-1] if "-" in w else w[2:]
        return rest[:1].isupper()
    return False


@functools.lru_cache(maxsize=16384)
def _is_acronym(w: str) -> bool:
    core = w.replace("-", "").replace(".", "").replace("&", "")
    if len(core) < 2 or len(core) > 10 or not core.isalnum() or not core[0].isupper():
        return False
    upper = sum(1 for ch in core if ch.isupper())
    return upper >= 2 and upper * 2 >= len(core)


_QUOTE_CHARS = re.compile(r'[“«„"]')


def _quote_spans(sent: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = 0
    while True:
        m = _QUOTE_CHARS.search(sent, i)
        if not m:
            return spans
        k = m.start()
        ch = sent[k]
        if ch == '"' and k and sent[k - 1].isalnum():
            i = k + 1
            continue
        j = sent.find(_QUOTE_OPEN[ch], k + 1)
        if j == -1:
            return spans
        spans.append((k, j + 1))
        i = j + 1


_SPLIT_MARKS: dict[str, re.Pattern[str]] = {}


def _top_level_split(text: str, sep: str = ",") -> list[str]:
    """text.split(sep), but not inside brackets. Only the bracket and separator characters are visited."""
    if "(" not in text and "[" not in text:
        return text.split(sep)
    marks = _SPLIT_MARKS.get(sep)
    if marks is None:
        marks = _SPLIT_MARKS[sep] = re.compile(r"[()\[\]" + re.escape(sep) + "]")
    parts, depth, last = [], 0, 0
    for m in marks.finditer(text):
        ch = m.group()
        if ch == sep and depth == 0:
            parts.append(text[last : m.start()])
            last = m.end()
        elif ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
    parts.append(text[last:])
    return parts


# --------------------------------------------------------------------------- noun phrases

_CYR_ORG = re.compile("(?:" + "|".join(lexicon.CYR_ORG_STEMS) + ")")


@functools.lru_cache(maxsize=16384)
def _clean_np(phrase: str) -> str:
    phrase = phrase.strip()
    # keep only what follows the last closing quote (quote-first sentences)
    for q in ("”", "»", '"'):
        k = phrase.rfind(q)
        if k != -1:
            phrase = phrase[k + 1 :]
    phrase = phrase.strip(" ,;:—–-\"“”«»'")
    words = phrase.split()
    while words and (words[0].lower() in lexicon.LEADING_JUNK and not (len(words) > 1 and words[0] == "The")):
        if words[0].lower() in {"the"}:
            break
        words.pop(0)
    return " ".join(words)


def _clause_word(word: str) -> bool:
    """A word that makes a phrase a clause, not a source: "is", "that", a lower-case verb form."""
    lower = word.lower()
    if lower in lexicon.CYR_VERBS:
        return True
    if word != lower:
        return False
    if lower in lexicon.NP_CLAUSE_WORDS:
        return True
    if word.isalpha() and lower.endswith("ing") and len(lower) > 5 and lower not in lexicon.LOWERCASE_ING_WORDS:
        return True
    if lower.endswith("ed") and len(lower) > 4 and "-" not in lower and lower not in lexicon.LOWERCASE_ED_WORDS:
        return True
    return lower in lexicon.VERB_FORMS and lower not in lexicon.NOUN_VERB_FORMS


def _early_head(words: list[str]) -> bool:
    """ "two sources familiar with the matter", "a Ukrainian brigade operating in ...": the head comes early."""
    for k, word in enumerate(words[:-1]):
        lower, after = word.lower(), words[k + 1].lower()
        if lower in lexicon.EARLY_HEADS and after in lexicon.POST_HEAD_WORDS:
            return True
        if lower in lexicon.ORG_WORDS and after in lexicon.UNIT_POST_MODIFIERS:
            return True
    return False


@functools.lru_cache(maxsize=16384)
def _valid_np(phrase: str) -> bool:
    """Whether a phrase can name a source: no clause in it, and a name, a pronoun or a source noun as its head."""
    tokens = phrase.split()
    if not tokens or len(tokens) > 12:
        return False
    words = [w for w in (_word(t) for t in tokens) if w]
    if not words or any(_clause_word(w) for w in words):
        return False
    if _early_head(words):
        return True
    head = words[-1]
    lower_head = head.lower()
    if len(words) == 1 and lower_head in lexicon.FIRST_PERSON:
        return False
    if _is_cap(head) or _is_acronym(head) or tokens[-1].endswith(")"):
        return True
    if lower_head in lexicon.PRONOUN_SOURCES and len(words) == 1:
        return True
    if lower_head in lexicon.NP_HEADS or lower_head.rstrip("s") in lexicon.NP_HEADS:
        return True
    return bool(not lower_head.isascii() and _CYR_ORG.match(lower_head))


def _person_split(words) -> tuple[str, str] | None:
    return _person_split_cached(tuple(words))


@functools.lru_cache(maxsize=16384)
def _person_split_cached(words: tuple[str, ...]) -> tuple[str, str] | None:
    """If words end with a personal name (after optional titles), return (name, title_part)."""
    run: list[str] = []
    for w in reversed(words):
        lower = w.lower()
        if (
            _is_cap(w)
            and not _is_acronym(w)
            and lower not in lexicon.ORG_WORDS
            and lower not in lexicon.TITLE_WORDS
            and lower + "." not in lexicon.TITLE_WORDS
            and lower not in lexicon.OUTLET_SUFFIXES
            and w not in lexicon.NATIONALITY_CAPS
            and not (not lower.isascii() and _CYR_ORG.match(lower))
            and len(run) < 4
        ):
            run.insert(0, w)
        else:
            break
    if not run:
        return None
    rest = words[: len(words) - len(run)]
    has_title = any(w.lower().rstrip(",") in lexicon.TITLE_CORE or w.lower() + "." in lexicon.TITLE_CORE for w in rest)
    if rest and not has_title:
        return None
    if len(run) >= 2 or has_title:
        if rest and rest[-1].lower() in lexicon.NAME_TAIL_STOPS:
            return None
        return " ".join(run), " ".join(rest)
    return None


def _classify(name: str, words) -> str:
    return _classify_cached(name, tuple(words))


@functools.lru_cache(maxsize=16384)
def _classify_cached(name: str, words: tuple[str, ...]) -> str:
    key = normalise_source_name(name)
    lower_words = [w.lower() for w in words]
    if not lower_words:
        return "organization"
    if (
        key in lexicon.OUTLET_NAMES
        or ("the " + key) in lexicon.OUTLET_NAMES
        or any(w in lexicon.OUTLET_NAMES for w in lower_words)
    ):
        return "outlet"
    if " times of " in f" {key} " or (
        lower_words[-1] in lexicon.OUTLET_SUFFIXES
        and _is_cap(words[-1])
        # "the Ministry of Defense of Ukraine" is no outlet named "... Ukraine"
        and not (len(lower_words) > 1 and lower_words[-2] == "of")
        and lexicon.STRONG_ORG_WORDS.isdisjoint(lower_words)
    ):
        return "outlet"
    if (lower_words[-1] in lexicon.OUTLET_HEADS and lower_words[-1] != "agency") or (
        len(lower_words) > 1 and lower_words[-2] in lexicon.AGENCY_OUTLET_WORDS and lower_words[-1] == "agency"
    ):
        return "outlet"
    if any(w in lexicon.ORG_WORDS for w in lower_words) or any(
        _CYR_ORG.match(w) for w in lower_words if not w.isascii()
    ):
        return "organization"
    head = lower_words[-1]
    for k, w in enumerate(lower_words[1:], 1):
        if w in lexicon.HEAD_BEFORE:
            head = lower_words[k - 1]
            break
    if head in lexicon.GROUP_HEADS or head.rstrip("s") in lexicon.GROUP_HEADS:
        return "group"
    if _person_split(words):
        return "person"
    return "organization"


@dataclass(slots=True)
class _Resolved:
    name: str
    kind: str
    aliases: tuple[str, ...]
    affiliation: str = ""
    via: str = ""


def _unnamed(via: str = "") -> _Resolved:
    return _Resolved("unnamed", "unnamed", (), "", via)


def _from_entity(ent: _Entity, extra: tuple[str, ...] = (), via: str = "", kind: str | None = None) -> _Resolved:
    aliases = tuple(dict.fromkeys(a for a in (*sorted(ent.aliases), *extra) if a and a != ent.name))
    return _Resolved(ent.name, kind or ent.kind, aliases, ent.affiliation, via)


_ORG_KINDS = ("organization", "outlet", "group")
# "the office's press service", "the ministry's spokesman": the body that speaks through them
_MOUTHPIECE = re.compile(
    r"^(.+?)['’]s?\s+(?:official\s+)?(?:press\s+(?:service|office|secretary|team|centre|center)|media\s+(?:office|service|centre|center)"
    r"|spokes(?:person|man|woman)|information\s+(?:department|service)|telegram\s+channel|website)$",
    re.I,
)
_FIRST_NAME = re.compile(r"^[A-Z\u0400-\u042f\u0406\u0407\u0404\u0490][a-z\u0430-\u044f\u0456\u0457\u0454\u0491'’]+$")
_CAP_RUN = re.compile(r"[A-Z][\w'’\-]*(?:\s+(?:(?:of|the|for|and|on)\s+){0,2}[A-Z][\w'’\-]*)*")
_LOOKBACK = 4000
_QUALIFIER = re.compile(
    r"\w-(?:backed|run|owned|affiliated|linked|controlled|funded|aligned|sponsored|installed|appointed)$"
)
_PRESS_OF = re.compile(
    r"(?:the\s+|a\s+)?(?:official\s+)?(?:press\s+(?:service|office|center|centre|secretary)|media\s+(?:office|service|center|centre)"
    r"|information\s+(?:department|service))\s+(?:of|for)\s+(.+)$",
    re.I,
)


@functools.lru_cache(maxsize=256)
def _role_patterns(role: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    name = r"([A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){1,2})"
    return (
        re.compile(r"\b(?i:" + re.escape(role) + r")\s+" + name),
        re.compile(name + r",\s+(?:the|a|an|its|his|her)\s+(?:[\w'’\-]+\s+){0,4}?(?i:" + re.escape(role) + r")\b"),
    )


def _last_match(pattern: re.Pattern[str], state: _State) -> re.Match[str] | None:
    last = None
    for m in pattern.finditer(state.text, max(0, state.end - _LOOKBACK), state.end):
        last = m
    return last


def _full_name_before(surname: str, state: _State) -> str:
    """'Budanov' -> 'Kyrylo Budanov' when the text before named him in full (as a source or not)."""
    text, lo = state.text, max(0, state.end - _LOOKBACK)
    k = state.end
    while True:
        k = text.rfind(surname, lo, k)
        if k <= lo:
            return ""
        after = text[k + len(surname) : k + len(surname) + 1]
        if after.isalnum() or not text[k - 1].isspace():
            continue
        first: list[str] = []
        for w in reversed(text[max(lo, k - 80) : k].split()[-3:]):
            lower = w.lower()
            if (
                len(first) >= 2
                or not _FIRST_NAME.match(w)
                or lower in lexicon.TITLE_WORDS
                or lower in lexicon.ORG_WORDS
                or w in lexicon.NATIONALITY_CAPS
                or lower in lexicon.DETERMINERS
                or lower in lexicon.LEADING_JUNK
                or lower in lexicon.DATE_WORDS
                or lower in lexicon.PREPOSITIONS
                or lower in lexicon.PRONOUNS_PERSON
                or lower in lexicon.OUTLET_NAMES
            ):
                break
            first.insert(0, w)
        if first:
            return " ".join([*first, surname])


def _person_by_role(role: str, state: _State) -> _Entity | None:
    ent = state.by_head(role, ("person",))
    if ent is not None:
        return ent
    if role not in state.text[max(0, state.end - _LOOKBACK) : state.end].lower():
        return None
    best: tuple[int, str] | None = None
    for pat in _role_patterns(role):
        m = _last_match(pat, state)
        if m and (best is None or m.start() > best[0]):
            best = (m.start(), m.group(1))
    if best is None:
        return None
    split = _person_split(best[1].split())
    if not split:
        return None
    name = split[0]
    ent = state.lookup(name)
    if ent is None or ent.kind != "person":
        ent = _Entity(name, "person", {name.split()[-1]}, roles={role})
    else:
        ent.roles.add(role)
    return state.add(ent)


def _org_by_head(head: str, state: _State) -> _Entity | None:
    ent = state.by_head(head, _ORG_KINDS)
    if ent is not None:
        return ent
    cap = head[:1].upper() + head[1:]
    lo = max(0, state.end - _LOOKBACK)
    k = state.text.rfind(cap, lo, state.end)
    while k > lo and (state.text[k + len(cap) : k + len(cap) + 1].isalnum() or state.text[k - 1].isalnum()):
        k = state.text.rfind(cap, lo, k)
    if k < lo or k == -1:
        return None
    # the capitalised run around that word: "The Kharkiv Regional Prosecutor's Office"
    last = None
    for m in _CAP_RUN.finditer(state.text, max(lo, k - 160), min(state.end, k + 160)):
        if m.start() <= k < m.end():
            last = m
            break
    if last is None:
        return None
    words = last.group().split()
    while words and words[0].lower() in lexicon.DETERMINERS | lexicon.LEADING_JUNK:
        words.pop(0)
    if len(words) < 2:
        return None
    name = _POSSESSIVE_END.sub("", " ".join(words))
    ent = state.lookup(name)
    if ent is None:
        ent = _Entity(name, _classify(name, name.split()))
    return state.add(ent)


def _modifier_fits(modifier: str, ent: _Entity) -> bool:
    """'the agriculture ministry' is not the foreign ministry seen before; 'the regional governor' is the governor."""
    return modifier in lexicon.GENERIC_MODIFIERS or modifier in _name_words(ent.name) or modifier in ent.roles


def _known_by_suffix(name: str, state: _State) -> _Entity | None:
    """A recent organisation whose name ends with `name` after a qualifier ("Ukrainian Air Force")."""
    tail = " " + normalise_source_name(name)
    for ent in reversed(state.recent):
        if ent.kind in _ORG_KINDS and normalise_source_name(ent.name).endswith(tail):
            return ent
    return None


def _definite(head: str, state: _State) -> _Entity | None:
    if head in lexicon.DEFINITE_DOCUMENT_HEADS:
        return state.latest(_ORG_KINDS)
    if head in lexicon.ANALYST_HEADS:
        ent = state.latest(("organization",))
        return ent if ent is not None and _name_words(ent.name) & lexicon.RESEARCH_WORDS else None
    if head in lexicon.ROLE_WORDS:
        return _person_by_role(head, state)
    if head in lexicon.OUTLET_NOUNS:  # "the publication", "the newspaper writes": the outlet cited before
        return _org_by_head(head, state) or state.latest(("outlet",))
    if head in lexicon.ORG_WORDS or head in lexicon.OUTLET_HEADS:
        return _org_by_head(head, state)
    if head in lexicon.UNNAMED_HEADS or head.rstrip("s") in lexicon.UNNAMED_HEADS:
        return state.by_head(head, ("unnamed",)) or state.by_head(head.rstrip("s"), ("unnamed",))
    return None


# --------------------------------------------------------------------------- resolving a source phrase

# Normalising steps build a new phrase (not dataclasses.replace, which is slow on this path).
# A rule's verdict that the phrase names no party: resolving stops there (None lets the next rule try).
_NO_PARTY = _Resolved("", "", ())
_APOSTROPHE_S = ("'s", "’s")
_POSSESSIVE_TAIL = ("'", "’", "'s", "’s")
_PLACE_PREFIX = re.compile(r"^(?:in|within|at|close\s+to|from|inside)\s+(?:the\s+)?", re.I)


@dataclass(frozen=True, slots=True)
class _SourcePhrase:
    """A source phrase as the name rules read it; each normalising step makes a new one."""

    text: str
    tokens: tuple[str, ...]
    first: str  # the first token in lower case, as written (dropping words later does not change it)
    state: _State
    affiliation: str = ""
    is_person: bool = False  # an apposition said the source is a person
    acronym: str = ""  # the bracketed acronym after the name: "(CNR)"
    words: tuple[str, ...] = ()  # the tokens without punctuation, once the acronym is off
    lower: tuple[str, ...] = ()  # `words` in lower case as they were before a leading article was dropped
    name: str = ""  # `words` without a leading article or a possessive: the name to register

    @property
    def kind(self) -> str:  # _classify is cached
        return _classify(self.name, self.words)


def _rule_pronoun(src: _SourcePhrase) -> _Resolved | None:
    """ "he", "they", "its spokesman": the latest person, or the latest body."""
    tokens, first = src.tokens, src.first
    if len(tokens) == 1 and first in lexicon.PRONOUNS_PERSON:
        kinds: tuple[str, ...] = ("person",)
    elif len(tokens) == 1 and first in lexicon.THING_PRONOUNS:
        kinds = _ORG_KINDS
    elif first in lexicon.POSSESSIVE_PRONOUNS and len(tokens) <= 4:
        kinds = ("person",) if first in lexicon.PERSON_POSSESSIVES else _ORG_KINDS
    else:
        return None
    ent = src.state.latest(kinds)
    return _from_entity(ent) if ent else _NO_PARTY


def _rule_definite_back_reference(src: _SourcePhrase) -> _Resolved | None:
    """ "the report", "the governor", "the ministry", "the diplomat", a bare "Analysts": the party meant."""
    tokens, first = src.tokens, src.first
    definite = first in lexicon.BACK_REFERENCE_WORDS and 2 <= len(tokens) <= 3 and all(t.islower() for t in tokens[1:])
    if not (definite or (len(tokens) == 1 and first in lexicon.ANALYST_HEADS)):
        return None
    ent = _definite(_word(tokens[-1]).lower(), src.state)
    if ent is not None and (len(tokens) <= 2 or _modifier_fits(_word(tokens[1]).lower(), ent)):
        return _from_entity(src.state.add(ent))
    return None


def _rule_mouthpiece(src: _SourcePhrase) -> _Resolved | None:
    """ "the office's press service": the office."""
    m = _MOUTHPIECE.match(src.text) if len(src.tokens) >= 3 else None
    if not m:
        return None
    inner = _resolve(m.group(1), src.state)
    return inner if inner is not None and inner.kind != "unnamed" else None


def _rule_document(src: _SourcePhrase) -> _Resolved | None:
    """A document issued by someone: the issuer; a statement or a count is the issuer speaking."""
    text = src.text
    m = _DOC.match(text) if (" by " in text or " from " in text or " of " in text) else None
    doc_head = _word(m.group(2).split()[-1]) if m and m.group(2).split() else ""
    if not (m and (_is_cap(doc_head) or doc_head.lower() in lexicon.ORG_WORDS)):
        return None
    issuer = m.group(2)
    if " and " in issuer:  # "a count by Mediazona and the BBC's Russian service": the first issuer
        first = issuer.split(" and ", 1)[0]
        issuer = first if _is_cap(_word(first.split()[-1])) else issuer
    inner = _resolve(issuer, src.state)
    if not inner or inner.kind == "unnamed":
        return None
    what = m.group(1).lower()
    kind = inner.kind if what in lexicon.STATEMENT_WORDS else "document"
    return _Resolved(inner.name, kind, inner.aliases, inner.affiliation, what)


def _rule_message_owner(src: _SourcePhrase) -> _Resolved | None:
    """ "X's statement", "the ministry's message": X."""
    tokens = src.tokens
    if len(tokens) < 2 or _word(tokens[-1]).lower() not in lexicon.MESSAGE_HEADS:
        return None
    if not tokens[-2].endswith(_POSSESSIVE_TAIL):
        return None
    return _resolve(" ".join(tokens[:-1]).rstrip("'’s").rstrip("'’"), src.state) or _NO_PARTY


def _rule_outlet_sources(src: _SourcePhrase) -> _Resolved | None:
    """ "Ukrainska Pravda's sources say", "Meduza's sources in the Defense Ministry": the outlet, via its sources."""
    tokens = src.tokens
    k = next((i for i in range(1, len(tokens)) if _word(tokens[i]).lower() in lexicon.UNNAMED_HEADS), 0)
    if not (k and tokens[k - 1].endswith(_APOSTROPHE_S)):
        return None
    if k != len(tokens) - 1 and tokens[k + 1].lower() not in lexicon.POST_HEAD_WORDS:
        return None
    inner = _resolve(" ".join([*tokens[: k - 1], tokens[k - 1][:-2]]), src.state)
    if inner is None or inner.kind not in _ORG_KINDS:
        return None
    via = " ".join(tokens[k:]).strip(_STRIP)
    return _Resolved(inner.name, inner.kind, inner.aliases, inner.affiliation, via)


def _without_qualifier(src: _SourcePhrase) -> _SourcePhrase:
    """ "Kremlin-backed Russian war bloggers", "Lebanon's state-run National News Agency": the qualifier goes."""
    tokens = src.tokens
    k = next((i for i in range(len(tokens) - 1, -1, -1) if "-" in tokens[i] and _QUALIFIER.search(tokens[i])), -1)
    if not 0 <= k < len(tokens) - 1:
        return src
    kept = tokens[k + 1 :]
    return _SourcePhrase(" ".join(kept), kept, src.first, src.state, src.affiliation, src.is_person)


def _org_behind(phrase: str, state: _State) -> _Resolved | None:
    inner = _resolve(phrase, state)
    return inner if inner is not None and inner.kind in _ORG_KINDS else None


def _rule_press_service_of(src: _SourcePhrase) -> _Resolved | None:
    """ "the press service of the State Emergency Service": the body itself."""
    m = _PRESS_OF.match(src.text) if len(src.tokens) >= 4 else None
    return _org_behind(m.group(1), src.state) if m else None


def _rule_spokesperson_of(src: _SourcePhrase) -> _Resolved | None:
    """ "the spokesperson of a Ukrainian brigade ...": the body they speak for."""
    tokens = src.tokens
    if len(tokens) <= 3 or _word(tokens[0]).lower() not in lexicon.ARTICLES:
        return None
    if _word(tokens[1]).lower() not in lexicon.SPOKESPERSON_WORDS or tokens[2].lower() not in lexicon.OF_OR_FOR:
        return None
    return _org_behind(" ".join(tokens[3:]), src.state)


def _rule_body_spokesperson(src: _SourcePhrase) -> _Resolved | None:
    """ "a U.S. State Department spokesperson", "a Kremlin spokesman": the body they speak for."""
    tokens = src.tokens
    if len(tokens) < 2 or _word(tokens[-1]).lower() not in lexicon.SPOKESPERSON_WORDS or not _is_cap(_word(tokens[-2])):
        return None
    return _org_behind(" ".join(t for t in tokens[:-1] if t.lower() not in lexicon.ARTICLES), src.state)


def _without_acronym(src: _SourcePhrase) -> _SourcePhrase | None:
    """The bracketed acronym after a name goes apart; None when no word is left."""
    text, tokens, acronym = src.text, src.tokens, ""
    m = _TRAILING_ACRONYM.search(text) if text.endswith(")") else None
    if m and _is_acronym(m.group(1).strip()):
        acronym = m.group(1).strip()
        text = text[: m.start()].strip()
        tokens = tuple(text.split())
    words = tuple(w for w in (_word(t) for t in tokens) if w)
    if not words:
        return None
    lower = tuple(w.lower() for w in words)
    return _SourcePhrase(text, tokens, src.first, src.state, src.affiliation, src.is_person, acronym, words, lower)


def _unnamed_head(src: _SourcePhrase) -> int | None:
    """Where the unnamed-source head ("sources", "officials") of the phrase is, when only modifiers precede it."""
    words, lower = src.words, src.lower
    head = next((i for i, w in enumerate(lower) if w in lexicon.UNNAMED_HEADS), len(lower) - 1)
    if lower[head] not in lexicon.UNNAMED_HEADS:
        return None
    modifiers_only = all(
        (w == w.lower() or words[i] in lexicon.NATIONALITY_CAPS or i == 0)
        and (w in lexicon.UNNAMED_MODIFIERS or w.isalpha() and w not in lexicon.ORG_WORDS or w in lexicon.UNNAMED_HEADS)
        for i, w in enumerate(lower[:head])
    )
    named = any(_is_cap(w) and w not in lexicon.NATIONALITY_CAPS and i > 0 for i, w in enumerate(words[:head]))
    return head if modifiers_only and not named else None


def _rule_unnamed(src: _SourcePhrase) -> _Resolved | None:
    """ "sources", "officials", "a source familiar with ...": unnamed, unless a nationality describes them."""
    head = _unnamed_head(src)
    if head is None:
        return None
    words, lower, state = src.words, src.lower, src.state
    rest = " ".join(words[head + 1 :])
    via = _PLACE_PREFIX.sub("", rest)
    org_like = via != rest and any(w.lower() in lexicon.ORG_WORDS for w in via.split())
    if head == len(lower) - 1 and (
        src.first in lexicon.PLURAL_BACK_REFERENCE_WORDS or lower[:3] == ("one", "of", "the")
    ):
        ent = _definite(lower[head], state)
        if ent is not None:
            return _from_entity(state.add(ent))
    # a nationality makes it a describable source: "Ukrainian officials", "a senior European diplomat"
    if not rest and any(w in lexicon.NATIONALITY_CAPS for w in words[:head]):
        desc = list(words[: head + 1])
        while desc and desc[0].lower() in lexicon.UNNAMED_DESCRIPTION_LEAD:
            desc.pop(0)
        if len(desc) >= 2:
            return _from_entity(state.add(_Entity(" ".join(desc), "unnamed")))
    return _unnamed(via if org_like else "")


def _rule_acronym_group(src: _SourcePhrase) -> _Resolved | None:
    """A group defined by an acronym: "Tuareg rebels from the CSP-PSD movement" is CSP-PSD."""
    words, lower = src.words, src.lower
    acronyms = [w for w in words if _is_acronym(w) and w not in lexicon.NATIONALITY_CAPS]
    if not (acronyms and (lower[-1] in lexicon.GROUP_HEADS or any(w in lexicon.GROUP_HEADS for w in lower))):
        return None
    name = acronyms[-1]
    ent = src.state.lookup(name) or _Entity(name, "group")
    aliases = {src.text, " ".join(words[: lower.index(next(w for w in lower if w in lexicon.GROUP_HEADS)) + 1])}
    if " ".join(words[words.index(name) :]) != name:
        aliases.add(" ".join(words[words.index(name) :]))
    return _from_entity(src.state.add(_Entity(ent.name, ent.kind, ent.aliases | aliases)))


def _without_article(src: _SourcePhrase) -> _SourcePhrase:
    """The name without a leading article (kept for outlets whose name has it: "The Guardian") or possessive."""
    words = src.words
    if len(words) > 1 and words[0].lower() in lexicon.INDEFINITE_ARTICLES:  # "a Ukrainian brigade" names no article
        words = words[1:]
    outlet_with_the = words[0] == "The" and _classify(" ".join(words), words) == "outlet"
    if words[0].lower() == "the" and len(words) > 1 and not outlet_with_the:
        words = words[1:]
    name = " ".join(words)
    name = _POSSESSIVE_END.sub("", name) if name.endswith(("s", "S")) else name
    return _SourcePhrase(
        src.text, src.tokens, src.first, src.state, src.affiliation, src.is_person, src.acronym, words, src.lower, name
    )


def _rule_known_alias(src: _SourcePhrase) -> _Resolved | None:
    """A party seen before under this name, its acronym, or a longer name ending so ("the Air Force")."""
    state, name, acronym = src.state, src.name, src.acronym
    ent = state.lookup(name) or (state.lookup(acronym) if acronym else None)
    if ent is None and len(src.words) >= 2 and _is_cap(src.words[0]):
        ent = _known_by_suffix(name, state)
    if ent is None:
        return None
    extra = tuple(a for a in (acronym, name) if a and a != ent.name)
    ent = state.add(_Entity(ent.name, ent.kind, ent.aliases | set(extra), ent.affiliation or src.affiliation))
    return _from_entity(ent, extra)


def _rule_descriptor_before_name(src: _SourcePhrase) -> _Resolved | None:
    """ "the independent outlet iStories", "state news agency TASS": the name, of the kind the descriptor says."""
    words = src.words
    for k in range(len(words) - 1, 0, -1):
        desc_kind = lexicon.DESCRIPTOR_KINDS.get(words[k - 1])
        if desc_kind and len(words) - k <= 5 and all(_is_cap(w) or _is_acronym(w) for w in words[k:]):
            proper = " ".join(words[k:])
            ent = src.state.lookup(proper) or _Entity(proper, desc_kind, {src.name})
            return _from_entity(src.state.add(ent))
    return None


def _rule_inflected_surname(src: _SourcePhrase) -> _Resolved | None:
    """An inflected Cyrillic surname ("За словами Терехова"): the person seen before under that surname."""
    word = src.words[0]
    if len(src.words) != 1 or word.isascii() or not _is_cap(word):
        return None
    for ent in reversed(src.state.recent):
        if ent.kind == "person" and len(ent.name.split()) >= 2:
            surname = ent.name.split()[-1]
            if word != surname and word.startswith(surname[:-1]) and len(word) - len(surname) <= 3:
                return _from_entity(src.state.add(ent))
    return None


def _rule_surname_alone(src: _SourcePhrase) -> _Resolved | None:
    """A surname alone: the full name from an earlier mention, or a person by the look of the name."""
    word, first_lower = src.words[0], src.lower[0]
    if len(src.words) != 1 or not _FIRST_NAME.match(word):
        return None
    if first_lower in lexicon.ORG_WORDS or first_lower in lexicon.OUTLET_NAMES:
        return None
    full = _full_name_before(word, src.state)
    if full:
        ent = src.state.lookup(full)
        if ent is None or ent.kind != "person":
            ent = _Entity(full, "person", {word}, src.affiliation)
        return _from_entity(src.state.add(ent))
    if first_lower.endswith(lexicon.SURNAME_ENDINGS) and word not in lexicon.NATIONALITY_CAPS:
        return _from_entity(src.state.add(_Entity(word, "person", set(), src.affiliation)))
    return None


def _rule_outlet_inside(src: _SourcePhrase) -> _Resolved | None:
    """An outlet's name inside a longer phrase ("the Kremlin-friendly Izvestia daily"): the outlet."""
    words, name = src.words, src.name
    if src.kind != "outlet" or len(words) <= 1 or normalise_source_name(name) in lexicon.OUTLET_NAMES:
        return None
    named = [w for w in words if w.lower() in lexicon.OUTLET_NAMES]
    if not named or any(w.lower() in lexicon.OUTLET_SUFFIXES for w in words):
        return None
    return _from_entity(src.state.add(_Entity(named[-1], "outlet", {name})))


def _rule_person(src: _SourcePhrase) -> _Resolved | None:
    """Titles and a personal name ("Spokesman Andriy Yusov"): the person, the title words as roles."""
    person = _person_split(src.words) if src.kind in ("person", "organization") else None
    if not person or any(w.lower() in lexicon.ORG_WORDS for w in person[0].split()):
        return None
    person_name, titles = person
    known = src.state.lookup(person_name)
    if known is not None and known.kind == "person":  # "Spokesman Yusov": the full name seen before
        return _from_entity(src.state.add(known))
    aliases = {person_name.split()[-1]} if len(person_name.split()) >= 2 else set()
    if src.name != person_name:
        aliases.add(src.name)
    roles = {w.lower().strip(_STRIP) for w in titles.split()} & lexicon.ROLE_WORDS
    return _from_entity(src.state.add(_Entity(person_name, "person", aliases, src.affiliation, roles)))


def _new_party(src: _SourcePhrase) -> _Resolved | None:
    """A party not seen before, of the kind its name suggests (a person when an apposition said so)."""
    words, kind, name = src.words, src.kind, src.name
    if len(words) == 1 and kind == "organization" and words[0].lower() in lexicon.PRONOUNS_PERSON:
        return None
    if src.is_person and kind == "organization" and len(words) <= 3:  # "Yurii, a resident"
        kind = "person"
    aliases = {src.acronym} if src.acronym else set()
    ent = src.state.add(_Entity(name[:1].upper() + name[1:] if name else name, kind, aliases, src.affiliation))
    return _from_entity(ent)


# Each stage first normalises the phrase (None: nothing is left to resolve), then tries its rules in
# order; the first rule that decides wins, and a phrase no rule decides is a new party.
_RESOLVE_STAGES = (
    (
        None,
        (
            _rule_pronoun,
            _rule_definite_back_reference,
            _rule_mouthpiece,
            _rule_document,
            _rule_message_owner,
            _rule_outlet_sources,
        ),
    ),
    (_without_qualifier, (_rule_press_service_of, _rule_spokesperson_of, _rule_body_spokesperson)),
    (_without_acronym, (_rule_unnamed, _rule_acronym_group)),
    (
        _without_article,
        (
            _rule_known_alias,
            _rule_descriptor_before_name,
            _rule_inflected_surname,
            _rule_surname_alone,
            _rule_outlet_inside,
            _rule_person,
        ),
    ),
)


def _resolve(phrase: str, state: _State, *, affiliation: str = "", is_person: bool = False) -> _Resolved | None:
    """The party a source phrase names: a back-reference, the body behind a spokesperson, or a name."""
    text = phrase.strip(" ,;:.\"“”«»'")
    if not text:
        return None
    tokens = tuple(text.split())
    src: _SourcePhrase | None = _SourcePhrase(text, tokens, tokens[0].lower(), state, affiliation, is_person)
    for normalise, rules in _RESOLVE_STAGES:
        if normalise is not None:
            src = normalise(src)
            if src is None:
                return None
        for rule in rules:
            res = rule(src)
            if res is not None:
                return None if res is _NO_PARTY else res
    return _new_party(src)


# --------------------------------------------------------------------------- attribution


@dataclass(slots=True)
class _Attribution:
    phrase: str
    cue: str
    affiliation: str = ""
    inner: str = ""  # the speaker inside an outlet's report ("X said ..., Reuters reported"): goes to via
    person: bool = False  # an apposition says the source is a person ("said Yurii, a 58-year-old resident")


_PERSON_APPOSITION = re.compile(
    r"^(?:an?|the)\s+(?:[\w'’\-]+\s+){0,5}?(?:\d+-year-old|resident|man|woman|mother|father|son|daughter|wife|husband"
    r"|soldier|serviceman|volunteer|medic|doctor|nurse|teacher|student|pensioner|farmer|driver|survivor|witness|refugee)\b",
    re.I,
)


def _inverted_apposition(after: str, phrase: str) -> tuple[str, bool]:
    """'..., said Kandice Ardiel, a spokesperson for UNIFIL, ...': the affiliation and whether it names a person."""
    k = after.find(phrase)
    if k == -1:
        return "", False
    rest = after[k + len(phrase) :]
    if not rest.startswith(","):
        return "", False
    appos = _top_level_split(rest[1:])[0].strip().rstrip(".!?…\"”»' ")
    if not appos or len(appos.split()) > 14:
        return "", False
    first = appos.split()[0].lower()
    if first not in lexicon.ARTICLES and first not in lexicon.TITLE_CORE:
        return "", False
    person = bool(_PERSON_APPOSITION.match(appos)) or any(
        w.lower().strip(_STRIP) in lexicon.ROLE_WORDS for w in appos.split()[:4]
    )
    return _affiliation(appos), person


# "..., Reuters reported." / "..., reports The Times." / "..., according to TASS." after an inner attribution
_OUTER_TAIL = re.compile(
    r",\s+(?:(?P<cue1>according\s+to|reports?|reported|writes|wrote)\s+(?P<a>[^,;:]{2,80}?)"
    r"|(?P<b>[^,;:]{2,80}?)\s+(?:has\s+|had\s+|also\s+)?(?P<cue2>reported|reports|said|says|wrote|writes))"
    r"(?:\s+(?:on|in|late|early|last|this|earlier)\s+[\w\s]{1,20}?)?[.!]?[\"”»']?$"
)


_OUTER_KEYS = ("report", "said", "says", "wrote", "writes", "according")


def _outer_outlet(sent: str, after: int) -> _Attribution | None:
    """An outlet named at the end of a sentence whose inner claim has its own speaker."""
    if len(sent) - after < 8:
        return None
    tail = sent[-110:]
    if "," not in sent[after:] or not any(k in tail for k in _OUTER_KEYS):
        return None
    m = _OUTER_TAIL.search(sent, after, len(sent))
    if not m:
        return None
    phrase = _clean_np(m.group("a") or m.group("b") or "")
    words = [_word(w) for w in phrase.split()]
    words = [w for w in words if w]
    if not words or not _valid_np(phrase) or _classify(phrase, words) != "outlet":
        return None
    return _Attribution(phrase, (m.group("cue1") or m.group("cue2")).strip())


def _title_then_name(parts: list[str], last: str, prev: str) -> tuple[str, str] | None:
    """ "TITLE, NAME, said": the name, with the affiliation the title gives."""
    tokens = last.split()
    if not (tokens and _person_split([_word(w) for w in tokens if _word(w)]) and len(tokens) <= 3):
        return None
    if not _valid_np(last):
        return None
    affiliation = _affiliation(parts[-2])
    if len(parts) >= 3 and not affiliation:
        affiliation = _affiliation(parts[-3])
    return last, affiliation


def _name_then_apposition(parts: list[str], last: str, prev: str) -> tuple[str, str] | None:
    """ "NAME, a spokesman for X, said", "Dmytro Lubinets, Ukraine's human rights commissioner, said"."""
    tokens = last.split()
    if not tokens or len(tokens) > 14 or not prev:
        return None
    first = tokens[0].lower()
    opens = (
        first in lexicon.APPOSITION_OPENERS
        or first in lexicon.TITLE_CORE
        or first.split("-")[0] in lexicon.TITLE_CORE  # "commander-in-chief of ..."
        or (len(tokens) >= 2 and _is_cap(tokens[0]) and tokens[0].endswith(_APOSTROPHE_S))
    )
    if not opens or not _valid_np(prev) or any(w.lower() in lexicon.APPOSITION_CLAUSE_WORDS for w in tokens):
        return None
    return prev, _affiliation(last)


def _name_then_aside(parts: list[str], last: str, prev: str) -> tuple[str, str] | None:
    """ "NAME, speaking on condition of anonymity, said" / "NAME, who requested anonymity, said"."""
    tokens = last.split()
    lower = [w.lower().strip(_STRIP) for w in tokens]
    if not lower or not prev or len(tokens) > 14:
        return None
    participle = lower[0].endswith("ing") and lower[0] in lexicon.PARTICIPLE_ASIDES
    anonymous = lower[0] == "who" and not lexicon.ANONYMITY_WORDS.isdisjoint(lower)
    return (prev, "") if (participle or anonymous) and _valid_np(prev) else None


def _subject_before_comma(seg: str) -> tuple[str, str] | None:
    """The source of "..., NAME, APPOSITIVE," before a verb: the name and the apposition's affiliation."""
    parts = _top_level_split(seg)
    if len(parts) < 2:
        return None
    last, prev = parts[-1].strip(), _clean_np(parts[-2])
    for rule in (_title_then_name, _name_then_apposition, _name_then_aside):
        found = rule(parts, last, prev)
        if found is not None:
            return found
    return None


def _after_time_words(words: list[str]) -> str | None:
    """ "On Monday the ministry": the words after a preposition and the date words that follow it."""
    for i in range(1, len(words)):
        word = _word(words[i])
        if word.lower() in lexicon.DATE_WORDS and word.lower() != "the" or word[:1].isdigit():
            continue
        return " ".join(words[i:])
    return None


def _subject_before(seg: str) -> tuple[str, str] | None:
    """The source noun phrase that ends `seg` (text before a reporting verb), with its affiliation."""
    seg = seg.rstrip()
    k = max(seg.rfind(";"), seg.rfind(":"), seg.rfind(" — "), seg.rfind(" – "))
    if k != -1:
        seg = seg[k + 1 :]
    if seg.endswith(",") and not seg.endswith("”,"):
        return _subject_before_comma(seg[:-1])
    candidate = _clean_np(_top_level_split(seg)[-1])
    if not candidate:
        return None
    words = candidate.split()
    if words[0].lower() in lexicon.PREPOSITIONS and len(words) > 1:
        candidate = _after_time_words(words)
        if candidate is None:
            return None
    if not _valid_np(candidate) or candidate.endswith(_APOSTROPHE_S):  # "Russia's state ..." is no subject
        return None
    return candidate, ""


@functools.lru_cache(maxsize=16384)
def _affiliation(appos: str) -> str:
    appos = appos.strip()
    m = _APPOS_AFFIL.match(appos)
    if m:
        aff = m.group(1).strip(" ,.")
        return aff if aff[:1].isupper() else ""
    return ""


def _np_after(text: str) -> str | None:
    """Inverted order: the noun phrase after the verb, up to the end of the clause."""
    chunk = _top_level_split(text)[0]
    chunk = chunk.strip().rstrip(".!?…\"”»' ")
    if not chunk:
        return None
    words = chunk.split()
    first = _word(words[0])
    if not (_is_cap(first) or first.lower() in lexicon.PHRASE_OPENERS or first.lower() in lexicon.TITLE_WORDS):
        return None
    if words[0].lower() in lexicon.CYR_LOCATIVES:
        chunk = " ".join(words[1:])
    # cut trailing adverbials: "said X on Tuesday", "reports The Times, citing ..."
    m = _TRAILING_ADVERBIAL.search(chunk)
    if m:
        chunk = chunk[: m.start()]
    return chunk if _valid_np(chunk) else None


# Cheap substring gates in front of the larger regexes (most sentences contain none of these).
_ACCORDING_KEYS = ("according", "as reported", "as stated", "за ", "по ", "як ", "как ")
_IMPERSONAL_KEYS = (
    "it ",
    "this ",
    " said to",
    " reported to",
    " alleged to",
    " claimed to",
    "rumo",
    "повідомляєть",
    "сообщаетс",
    "стало ",
    "заявляєть",
    "заявляетс",
)
_STATUS_KEYS = (
    "being",
    "under ",
    "clarifying",
    "verifying",
    "checking",
    "уточн",
    "перевір",
    "провер",
    "встановл",
    "устанавл",
)


# "X was quoted by Interfax as saying ...", "Tasnim quoted a military source as saying ..."
_QUOTED_AS = re.compile(
    r"(?P<subj>[^;:]{2,160}?)\s+(?:(?:was|were|is|are|has\s+been|had\s+been)\s+quoted(?:\s+by\s+(?P<by>[^;:,]{2,80}?))?"
    r"|(?:also\s+)?quoted\s+(?P<obj>[^;:]{2,80}?))\s+as\s+saying\b"
)


def _quoted_as(sent: str) -> _Attribution | None:
    m = _QUOTED_AS.search(sent)
    if not m:
        return None
    subj = _subject_before(m.group("subj"))
    if m.group("by"):
        outer = _clean_np(m.group("by"))
        if _valid_np(outer):
            return _Attribution(outer, "quoted as saying", inner=subj[0] if subj else "")
    if not subj:
        return None
    obj = _clean_np(m.group("obj") or "")
    return _Attribution(subj[0], "quoted as saying", subj[1], inner=obj if obj and _valid_np(obj) else "")


_AGENT_END = re.compile(
    r"[,;:(]|\s(?:on|in|at|during|after|before|late|early|last|this|earlier|who|which|that|citing)\s"
)


_AGENT_NAME = re.compile(r",\s+([A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){1,2})\s*(?:[,.;]|$|\s(?:on|in|at|during)\s)")


def _passive_agent(after: str) -> str:
    """The agent after 'was reported by': up to the first clause or adverbial."""
    text = after.lstrip()[2:].lstrip()  # after "by"
    m = _AGENT_END.search(text, 0, 120)
    phrase = _clean_np(text[: m.start()] if m else text[:120]).rstrip(".!?…\"”»' ")
    if not phrase or not _valid_np(phrase):
        return ""
    # "This was stated by the head of the Center ..., Andrii Kovalenko." -> the person named after the title
    if m is not None and text[m.start()] == ",":
        named = _AGENT_NAME.match(text, m.start())
        if named and _person_split(named.group(1).split()):
            return named.group(1)
    return phrase


_IN_WORDS = re.compile(r"In\s+(?:(his|her|their)\s+words|the\s+words\s+of\s+([^,;:]{2,80}?)),\s", re.I)


@dataclass
class _Sentence:
    """A sentence as the word rules read it: its lower-case text, quotation spans and words (read lazily)."""

    text: str

    @functools.cached_property
    def low(self) -> str:
        return self.text.lower()

    @functools.cached_property
    def spans(self) -> list[tuple[int, int]] | tuple[()]:
        text = self.text
        return _quote_spans(text) if ('"' in text or "“" in text or "«" in text or "„" in text) else ()

    def quoted(self, pos: int) -> bool:
        return bool(self.spans) and any(a < pos < b for a, b in self.spans)

    @functools.cached_property
    def words(self) -> list[str]:
        return [t.strip(_STRIP) for t in self.text.split()]

    @functools.cached_property
    def tokens(self) -> list[re.Match[str]]:
        return list(_TOKEN.finditer(self.text))

    @functools.cached_property
    def has_according(self) -> bool:
        low = self.low
        return (
            "according" in low
            or "as reported" in low
            or "as stated" in low
            or (not low.isascii() and any(k in low for k in _ACCORDING_KEYS))
        )


@dataclass(frozen=True, slots=True)
class _Verb:
    """A reporting-verb form in a sentence, with its base form and the words around it."""

    index: int  # in the sentence's words
    word: str
    base: str
    token: re.Match[str]
    next: str  # the next word, lower case
    prev: str  # the word before it and its auxiliaries ("has not"), lower case
    prev_index: int
    negated: bool


_Found = tuple[_Attribution, str]


def _quoted_as_saying(s: _Sentence) -> _Found | None:
    if "quoted" not in s.text or "as saying" not in s.text:
        return None
    found = _quoted_as(s.text)
    return (found, "subject") if found is not None else None


def _in_words(s: _Sentence) -> _Found | None:
    """ "In his words, ..." / "In the words of X, ..." """
    if not (s.low.startswith("in ") and " words" in s.low[:40]):
        return None
    m = _IN_WORDS.match(s.text)
    return (_Attribution(m.group(1) or m.group(2), m.group(0).rstrip(", ")), "according") if m else None


def _according_at(s: _Sentence, m: re.Match[str] | None, *, latest: int) -> _Found | None:
    if not m or s.quoted(m.start()) or m.start() > latest:
        return None
    tail = s.text[m.end() : m.end() + 200]
    party = _top_level_split(tail)[0].strip().rstrip(".!?…")
    if len(party.split()) > 12:
        return None
    return _Attribution(party, s.text[m.start() : m.end()].strip()), "according"


def _early_according(s: _Sentence) -> _Found | None:
    """ "According to X, ..." near the start: before any verb is read."""
    m = _ACCORDING.search(s.text, 0, min(len(s.text), 200)) if s.has_according else None
    return _according_at(s, m, latest=60)


def _late_according(s: _Sentence) -> _Found | None:
    """ "..., according to X": when no verb gave a source."""
    m = _ACCORDING.search(s.text) if s.has_according else None
    return _according_at(s, m, latest=len(s.text))


def _impersonal(s: _Sentence) -> _Found | None:
    """ "It was reported that ...", "повідомляється": an unnamed source."""
    low = s.low
    gate = ("it " in low or "this " in low or "rumo" in low or "d to" in low) or (  # "said to", "claimed to"
        not low.isascii() and any(k in low for k in _IMPERSONAL_KEYS)
    )
    m = _IMPERSONAL.search(s.text) if gate else None
    if m and not s.quoted(m.start()):
        return _Attribution("", m.group().strip()), "impersonal"
    return None


def _verb_at(s: _Sentence, i: int) -> _Verb | None:
    """The verb form at word `i`, unless it is a noun ("the report", "its claims") or quoted."""
    words = s.words
    if i and words[i - 1].lower() in lexicon.DETERMINERS_BEFORE_NOUN:
        return None
    token = s.tokens[i]
    if s.quoted(token.start()):
        return None
    prev_index, negated = i - 1, False
    while prev_index >= 0 and words[prev_index].lower() in lexicon.AUXILIARIES:
        negated = negated or words[prev_index].lower() in lexicon.NEGATIONS
        prev_index -= 1
    word = words[i]
    return _Verb(
        index=i,
        word=word,
        base=lexicon.VERB_FORMS.get(word, word),
        token=token,
        next=words[i + 1].lower() if i + 1 < len(words) else "",
        prev=words[prev_index].lower() if prev_index >= 0 else "",
        prev_index=prev_index,
        negated=negated,
    )


def _passive_by(s: _Sentence, verb: _Verb) -> _Found | None:
    """ "The attack was reported by local media in Belgorod.": the agent."""
    if verb.prev not in lexicon.PASSIVE_MARKERS or verb.next != "by" or verb.negated:
        return None
    if verb.base not in lexicon.PASSIVE_BY_VERBS:
        return None
    agent = _passive_agent(s.text[verb.token.end() :])
    return (_Attribution(agent, f"{verb.word} by"), "subject") if agent else None


def _reports(s: _Sentence, verb: _Verb) -> bool:
    """Whether the verb form reports something here (not a passive, a negation, "claimed villages" ...)."""
    base, nxt, following = verb.base, verb.next, s.words[verb.index + 1 : verb.index + 4]
    if verb.prev in lexicon.PASSIVE_MARKERS or verb.prev in lexicon.NOT_BEFORE_A_CUE:
        return False
    if verb.negated:  # "has not commented", "did not say": nothing was reported
        return False
    if base == "claim" and not lexicon.CLAIMED_THINGS.isdisjoint(x.lower() for x in following):
        return False  # "Russia has claimed several villages", "the strike claimed the lives of ...": taken, not said
    if base in lexicon.DISMISS_VERBS:  # "rejected reports that ...", "dismissed claims of ..."
        if not any(x.lower() in lexicon.DISMISSED_OBJECTS for x in following):
            return False
    elif nxt in lexicon.VERB_FORMS and verb.word in lexicon.VERB_FORMS:
        return False
    if base in lexicon.OBJECT_VERBS:
        if base == "call" and nxt not in lexicon.CALL_OBJECTS:
            return False
        if base not in lexicon.CALL_OR_READ and nxt not in lexicon.INFO_OBJECTS:
            return False
    next_word = s.words[verb.index + 1] if verb.index + 1 < len(s.words) else ""
    return not (base == "tell" and nxt not in lexicon.TELL_AUDIENCE_WORDS and not _is_cap(next_word))


def _inverted_at(s: _Sentence, verb: _Verb, before: str, cue: str) -> _Found | None:
    """Inverted order: '..., reports The Times.' / '», — заявив Зеленський.' / 'Про це повідомив X'."""
    stripped = before.rstrip()
    opens = stripped.endswith((",", "”", "»", '"', "—", "–")) or not stripped or cyrillic.THIS_WAS.match(stripped)
    if not opens or verb.word in lexicon.BASE_FORMS_BUT_READ:
        return None
    after = s.text[verb.token.end() :]
    party = _np_after(after)
    if not party:
        return None
    affiliation, person = _inverted_apposition(after, party)
    return _Attribution(party, cue, affiliation, person=person), "inverted"


def _plural_subject(party: str) -> bool:
    last = _word(party.split()[-1]).lower()
    return last.endswith("s") or last in lexicon.PLURAL_SUBJECTS or party.endswith(")")


def _subject_at(s: _Sentence, verb: _Verb, before: str, cue: str) -> _Found | None:
    """The subject before the verb; an outlet named at the end of the sentence is the outer source."""
    subject = _subject_before(before)
    if not subject:
        return None
    party, affiliation = subject
    if verb.base == "read":
        if party.split()[-1].lower().strip(_STRIP) not in lexicon.MESSAGE_HEADS:
            return None
        cue = f"{party} {verb.word}"
    # a present plural ("officials say") needs a plural subject; after "will", "did" ... any subject will do
    if verb.word in lexicon.BASE_FORMS_BUT_READ and verb.prev not in lexicon.MODALS and not _plural_subject(party):
        return None
    outer = _outer_outlet(s.text, verb.token.end())
    if outer is not None:
        outer.inner = party
        return outer, "outer"
    return _Attribution(party, cue, affiliation), "subject"


def _verb_attribution(s: _Sentence) -> _Found | None:
    """The first reporting verb with a source: after it (inverted order) or before it (its subject)."""
    for i, word in enumerate(s.words):
        if word not in lexicon.ALL_VERBS:
            continue
        verb = _verb_at(s, i)
        if verb is None:
            continue
        found = _passive_by(s, verb)
        if found is not None:
            return found
        if not _reports(s, verb):
            continue
        cue = verb.token.group().strip(_STRIP)
        if verb.base == "tell" and verb.next in lexicon.PRESS_AUDIENCE:
            cue = f"{verb.word} {s.words[i + 1]}"
        before = s.text[: s.tokens[verb.prev_index + 1].start()]
        found = _inverted_at(s, verb, before, cue) or _subject_at(s, verb, before, cue)
        if found is not None:
            return found
    return None


# Tried in order; the first that finds an attribution wins.
_ATTRIBUTION_FINDERS = (
    _quoted_as_saying,
    _in_words,
    _early_according,
    _verb_attribution,
    _late_according,
    _impersonal,
)


def _find_attribution(sent: str, state: _State) -> tuple[_Attribution | None, str]:
    """The attribution of a sentence by the word rules, with how it was found ("according", "inverted" ...)."""
    s = _Sentence(sent)
    for finder in _ATTRIBUTION_FINDERS:
        found = finder(s)
        if found is not None:
            return found
    return None, ""


def _via(sent: str) -> str:
    m = _CITING.search(sent) if "citing" in sent.lower() else None
    if not m:
        return ""
    words = m.group(1).split()
    while words and words[0].lower() in lexicon.VIA_LEAD_WORDS:
        words.pop(0)
    words = [w for w in words if w.lower() not in lexicon.SOURCE_HEDGES]
    # stop before a clause
    out = []
    for w in words:
        if w.lower() in lexicon.VIA_ENDS:
            break
        out.append(w)
    return " ".join(out)


_BRACKETED = re.compile(
    r"\(([A-Z\u0400-\u042f\u0406\u0407\u0404\u0490][A-Z\u0400-\u042f\u0406\u0407\u0404\u0490a-z0-9\-&]{1,9})\)"
)


def _acronym_defs(body: str):
    """_ACRONYM_DEF matches, found from each bracketed acronym backwards (most text has none)."""
    pos = 0
    for b in _BRACKETED.finditer(body):
        if b.start() < pos:
            continue
        lo = max(pos, b.start() - 160)
        for m in _ACRONYM_DEF.finditer(body, lo, b.end()):
            if m.end() == b.end():
                pos = m.end()
                yield m
                break


def _acronyms(body: str, state: _State) -> None:
    for m in _acronym_defs(body):
        name, acronym = m.group(1).strip(), m.group(2)
        words = name.split()
        while words and (
            words[0].lower() in lexicon.ACRONYM_LEAD_WORDS or words[0].lower().strip(",") in lexicon.DATE_WORDS
        ):
            words.pop(0)  # "On Sunday the Rapid Support Forces (RSF)": the name starts after the date
        if not words or not _is_acronym(acronym.rstrip("s")):
            continue
        full = " ".join(words)
        key = normalise_source_name(acronym)
        if key in state.by_alias:
            continue
        kind = _classify(full, words)
        state.add(_Entity(full, kind, {acronym}), recent=False)


_READER_APPEAL = re.compile(r"^(?:dear|шановн\w*|дорог\w*|уважаем\w*)\s+(?:reader|readers|friends|читач|читате)", re.I)


def _is_noise(sent: str) -> bool:
    s = sent.strip()
    if noise_line(s) or _READER_APPEAL.match(s):  # "Dear reader, ...": an appeal to readers, never a claim
        return True
    low = s[-300:].lower()
    if ("(" in s and caption(s)) or s[:6].lower() in {"photo:", "фото:"}:
        return True
    if (
        "article" in low or "story" in low or "матеріал" in low or "стат" in low or "report" in low or "piece" in low
    ) and publisher_link(s):
        return True
    return is_heading(s)


_OPENERS = "“«„"
_CLOSERS = "”»"


def _quote_depth(sent: str, depth: int) -> int:
    """1 when the sentence ends inside a quotation, given whether it started inside one."""
    straight = sent.count('"')
    last_open = max(sent.rfind(c) for c in _OPENERS)
    last_close = max(sent.rfind(c) for c in _CLOSERS)
    if not straight:
        if last_open == last_close == -1:
            return depth
        return 1 if last_open > last_close else 0
    if last_open == last_close == -1:
        return depth ^ (straight & 1)
    for ch in sent:  # both kinds of quotation marks: follow them in order (rare)
        if ch in _OPENERS:
            depth = 1
        elif ch in _CLOSERS:
            depth = 0
        elif ch == '"':
            depth = 1 - depth
    return depth


def _quote_state(sent: str, inside: bool) -> tuple[bool, bool, bool]:
    """(starts inside a quote, ends inside a quote, the whole sentence is quoted) given the state before it."""
    starts_inside = inside
    lead = sent.lstrip("—–- ")
    opens_at_start = bool(lead) and (lead[0] in _OPENERS or lead[0] == '"')
    depth = _quote_depth(sent, 1 if inside else 0)
    tail = sent.rstrip()
    closes_at_end = tail.endswith(("”", "»", '"')) or tail[-2:-1] in ("”", "»", '"')
    whole = (starts_inside or opens_at_start) and (depth == 1 or closes_at_end)
    return starts_inside or opens_at_start, depth == 1, whole


_SURROGATE = re.compile("[\ud800-\udfff]")


def _parse_candidates(body: str, spans: list[tuple[int, int]]) -> dict[int, object]:
    """Parse the sentences that hold a candidate cue word, in one batch; keyed by sentence start."""
    todo = [(start, body[start:end]) for start, end in spans if english.has_candidate_cue(body[start:end])]
    if not todo:
        return {}
    nlp = english_pipeline()
    # spaCy cannot encode lone surrogates; a replacement character keeps every offset
    docs = nlp.pipe((_SURROGATE.sub("\ufffd", text) for _, text in todo), batch_size=64)
    return {start: doc for (start, _), doc in zip(todo, docs, strict=True)}


def _sentence_spans(body: str):
    """(start, end, paragraph start) of each sentence, trimmed of white space."""
    for start, end, p_start in _sentences(body):
        while start < end and body[start].isspace():
            start += 1
        while end > start and body[end - 1].isspace():
            end -= 1
        yield start, end, p_start


@dataclass(slots=True)
class _Article:
    """What the sentences of one body share: the text, the parses, the coreference state and the claims."""

    body: str
    lang: str
    parsed: dict[int, object]
    state: _State
    mentions: MentionRegistry | None
    out: list[ExtractedClaim] = field(default_factory=list)


@dataclass(slots=True)
class _QuoteCarry:
    """What a sentence hands the next one of its paragraph: an open quotation and who speaks in it."""

    inside: bool = False  # the next sentence starts inside a quotation
    pending: list[tuple[int, int, str]] = field(default_factory=list)  # quoted sentences waiting for the speaker
    last_quote: ExtractedClaim | None = None  # the previous sentence, when it was an attributed quote


def extract_claims(body: str, *, title: str = "", language: str = "") -> list[ExtractedClaim]:
    """Attributed claims in `body`, offsets into `body`: one per sentence and source.

    English sentences are read from a dependency parse (english.py); Ukrainian and Russian ones, and
    English sentences the parse finds no attribution in, by the word rules below. A quotation that
    runs over several sentences belongs to the speaker named where it ends ("“A. B,” X said.") or,
    when it goes on after an attributed sentence, to that sentence's speaker.
    """
    if not isinstance(body, str) or not body:
        return []
    lang = (language or language_hint(body))[:2].lower()
    spans = list(_sentence_spans(body))
    parsed = _parse_candidates(body, [(s, e) for s, e, _ in spans if 12 <= e - s <= 3000]) if lang == "en" else {}
    state = _State(text=body)
    _acronyms(body, state)
    article = _Article(body, lang, parsed, state, MentionRegistry(body, title) if parsed else None)
    para, carry = -1, _QuoteCarry()
    for start, end, p_start in spans:
        if p_start != para:
            para, carry = p_start, _QuoteCarry()
        if end - start < 12 or end - start > 3000:
            carry = _QuoteCarry()
            continue
        carry = _read_sentence(article, start, end, carry)
    article.out.sort(key=lambda c: c.start)
    return article.out


def _parsed_claims(article: _Article, sent: str, start: int, end: int) -> list[ExtractedClaim]:
    """The claims the parse rules (English) or the Cyrillic rules find in a sentence."""
    parse = article.parsed.get(start)
    if parse is not None and not _is_noise(sent):
        return _english_claims(sent, start, end, parse, article.state, article.mentions)
    if article.lang in cyrillic.RULES and not _is_noise(sent):
        return _cyrillic_claims(sent, start, end, article.state, article.lang)
    return []


def _read_sentence(article: _Article, start: int, end: int, carry: _QuoteCarry) -> _QuoteCarry:
    """Add the claims of one sentence to the article's, and say what it hands the next sentence."""
    sent = article.body[start:end]
    article.state.end = end
    found = _parsed_claims(article, sent, start, end)
    attribution, how = (None, "") if found else _find_attribution(sent, article.state)
    if not found and attribution is None and not carry.inside and not _QUOTE_CHARS.search(sent):
        # most sentences: no cue and no quotation, so nothing to extract and no noise test needed
        if (carry.pending or carry.last_quote is not None) and not _is_noise(sent):
            return _QuoteCarry(carry.inside)
        return carry
    if _is_noise(sent):
        return carry
    in_quote, still_open, whole_quote = _quote_state(sent, carry.inside)
    if not found and attribution is not None:
        legacy = _claim(sent, start, end, attribution, how, article.state)
        found = [legacy] if legacy is not None else []
    if not found:
        return _unattributed(article, (start, end, sent), carry, in_quote, still_open, whole_quote)
    claim = found[0]
    if carry.pending and in_quote:
        article.out.extend(_inherit(claim, p_sent, p_start, p_end) for p_start, p_end, p_sent in carry.pending)
    article.out.extend(found)
    last_quote = claim if (in_quote or _QUOTE_CHARS.search(sent)) and not still_open else None
    return _QuoteCarry(still_open, [], last_quote)


def _unattributed(
    article: _Article, span: tuple[int, int, str], carry: _QuoteCarry, in_quote: bool, still_open: bool, whole: bool
) -> _QuoteCarry:
    """A sentence with no source of its own: a quotation going on after its attribution, or one that waits."""
    start, end, sent = span
    if whole and carry.last_quote is not None:
        claim = _inherit(carry.last_quote, sent, start, end)
        article.out.append(claim)
        return _QuoteCarry(still_open, carry.pending, claim)
    if in_quote and still_open:
        return _QuoteCarry(still_open, [*carry.pending, span], None)
    return _QuoteCarry(still_open, [], None)


def _inherit(claim: ExtractedClaim, sent: str, start: int, end: int) -> ExtractedClaim:
    return ExtractedClaim(
        text=sent,
        start=start,
        end=end,
        source=claim.source,
        source_kind=claim.source_kind,
        source_aliases=claim.source_aliases,
        affiliation=claim.affiliation,
        via=claim.via,
        hedged=_is_hedged(sent),
        status_hint=claim.status_hint,
        cue=claim.cue,
    )


def _claim(
    sent: str, start: int, end: int, attribution: _Attribution, how: str, state: _State
) -> ExtractedClaim | None:
    if how == "impersonal":
        res: _Resolved | None = _unnamed()
    else:
        res = _resolve(attribution.phrase, state, affiliation=attribution.affiliation, is_person=attribution.person)
        if res is None and how == "according":
            res = _unnamed()
    if res is None:
        return None
    via = _via(sent) or res.via
    if attribution.inner:
        inner = _resolve(attribution.inner, state)
        via = (
            inner.name
            if inner is not None and inner.kind != "unnamed"
            else re.sub(r"^(?:an?|the)\s+", "", attribution.inner)
        )
    hedged = how == "impersonal" or _is_hedged(sent)
    return _claim_of(
        sent,
        start,
        end,
        res,
        via=via,
        cue=attribution.cue,
        affiliation=attribution.affiliation,
        hedged=hedged,
        state=state,
    )


def _claim_of(
    sent: str,
    start: int,
    end: int,
    res: _Resolved,
    *,
    via: str,
    cue: str,
    affiliation: str,
    hedged: bool,
    state: _State,
) -> ExtractedClaim:
    if via.islower() and " " not in via and via in lexicon.ORG_WORDS:  # "citing the ministry"
        ent = _definite(via, state)
        via = ent.name if ent is not None else via
    low = sent.lower()
    maybe_status = "being" in low or "under " in low or "ing " in low or not low.isascii()
    status = (
        "being_clarified" if maybe_status and any(k in low for k in _STATUS_KEYS) and _STATUS.search(sent) else None
    )
    return ExtractedClaim(
        text=sent,
        start=start,
        end=end,
        source=res.name,
        source_kind=res.kind,
        source_aliases=res.aliases,
        affiliation=affiliation or res.affiliation,
        via=via,
        hedged=hedged or status is not None,
        status_hint=status,
        cue=cue,
    )


_SPOKES_FOR = re.compile(
    r"^(?:an?\s+|the\s+)?(?:spokes(?:man|woman|person)|representative)\s+(?:for|of)\s+(?P<body>.+)$", re.I
)
_BODY_SPOKES = re.compile(r"^(?:[Aa]n?|[Tt]he)\s+(?P<body>[a-z]+)\s+(?:spokes(?:man|woman|person)|representative)$")
_NAMED_BODY_SPOKES = re.compile(
    r"^(?:[Aa]n?|[Tt]he)\s+(?P<body>[A-Z][\w\-]+)(?:\s+(?:military|army|press|government|foreign\s+ministry))?"
    r"\s+(?:spokes(?:man|woman|person)|representative)$"
)
_OWNER_PERSON = re.compile(r"^(?P<owner>[A-Z][^']{1,60}?)['’]s\s+(?P<name>[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+){1,2})$")
_DESCRIBED_ONE = re.compile(
    r"^(?:an?|one)\s+(?:(?:[a-z][\w\-]*\s+){1,3}(?:source|official|officer|diplomat|insider|witness)$"
    r"|(?:[a-z][\w\-]*\s+){0,2}(?:source|official|officer|diplomat|insider|witness)\s+(?:in|at|from|close\s+to|with)\s+\S)",
    re.I,
)
_DESCRIBED_PLURAL = re.compile(
    r"^(?:(?:some|several|two|three|many)\s+)?(?P<head>officials|sources|residents|witnesses|people|diplomats|analysts)"
    r"\s+(?:in|at|from|of|with|close\s+to|familiar\s+with)\s+\S",
    re.I,
)
# "The IRGC and Iranian media" parsed as one phrase: two parties when the second is a common-noun phrase
_AND_SPLIT = re.compile(r"\s+and\s+(?=(?:the\s+)?(?:[A-Z][\w\-]*\s+)?[a-z][\w\-]*$)")


@dataclass
class _Phrase:
    """A party's noun phrase with what the party rules read of it."""

    text: str
    at: int  # offset of its sentence
    mentions: MentionRegistry
    state: _State
    attribution: object = None  # the english.Attribution, for its apposition

    @functools.cached_property
    def words(self) -> list[str]:
        return self.text.split()

    @functools.cached_property
    def lower(self) -> list[str]:
        return [w.lower().strip(_STRIP) for w in self.words]


def _rule_pronoun_after_spokesman(phrase: _Phrase) -> _Resolved | None:
    """ "A Houthi spokesman said ... He added ...": the body the unnamed spokesman speaks for."""
    if (
        len(phrase.words) == 1
        and phrase.lower[0] in lexicon_en.SUBJECT_PRONOUNS
        and phrase.mentions.spokesman_body is not None
    ):
        body_at, body = phrase.mentions.spokesman_body
        if body_at > phrase.mentions.person_at:
            return body
    return None


def _rule_definite_description(phrase: _Phrase) -> _Resolved | None:
    """ "the channel", "the news agency", "the armed forces": the nearest party described so, or the latest
    source of a kind that fits the noun."""
    if not (
        phrase.lower
        and phrase.lower[0] in lexicon_en.DEFINITE_WORDS
        and 2 <= len(phrase.words) <= 4
        and all(w.islower() for w in phrase.words[1:])
    ):
        return None
    head = phrase.lower[-1]
    if head not in GENERIC_HEADS:
        return None
    mods = tuple(w for w in phrase.lower[1:-1] if w not in lexicon_en.SAME_MODIFIERS)
    name = phrase.mentions.resolve(head, phrase.at, modifiers=mods)
    if name is not None:
        res = _resolve(name, phrase.state)
        if res is not None and res.kind != "unnamed":
            return res
    kinds = lexicon_en.BACKREF_KINDS.get(head) if not mods else None  # "the agriculture ministry" is a new party
    ent = phrase.state.latest(kinds) if kinds else None
    return _from_entity(ent) if ent is not None else None


def _rule_owned_body(phrase: _Phrase) -> _Resolved | None:
    """ "Its defence ministry posted": the owner's ministry, named by the owner's acronym."""
    if not (
        phrase.lower
        and phrase.lower[0] in lexicon_en.BODY_POSSESSIVES
        and 2 <= len(phrase.words) <= 4
        and phrase.lower[-1] in lexicon_en.OWNED_BODIES
    ):
        return None
    owner = _resolve(phrase.lower[0], phrase.state)
    if owner is None or owner.kind == "unnamed":
        return None
    short = min((a for a in owner.aliases if a.isupper() and 2 <= len(a) <= 6), key=len, default=owner.name)
    return _Resolved(f"{short} {' '.join(phrase.words[1:])}", "organization", (), owner.name)


def _rule_owner_person(phrase: _Phrase) -> _Resolved | None:
    """ "Al Jazeera's Resul Serdar": the person, of the outlet."""
    m = _OWNER_PERSON.match(phrase.text)
    if not (m and _person_split(m.group("name").split())):
        return None
    return _resolve(m.group("name"), phrase.state, affiliation=m.group("owner"), is_person=True)


def _rule_named_body_spokesman(phrase: _Phrase) -> _Resolved | None:
    """ "A Houthi military spokesman": the body he speaks for (CONVENTIONS 3.5)."""
    m = _NAMED_BODY_SPOKES.match(phrase.text)
    if not m:
        return None
    name = phrase.mentions.with_word(m.group("body"), phrase.at)
    res = _resolve(name or m.group("body"), phrase.state)
    if res is None or res.kind == "unnamed":
        return None
    phrase.mentions.spokesman_body = (phrase.at, res)
    return res


def _rule_message_back_reference(phrase: _Phrase) -> _Resolved | None:
    """ "the latest report said", "the statement said": the latest organisation or outlet, its author."""
    if not (
        phrase.lower
        and phrase.lower[0] in lexicon_en.MESSAGE_OWNER_WORDS
        and phrase.lower[-1] in lexicon_en.MESSAGE_BACKREF_HEADS
    ):
        return None
    if not phrase.words[-1].islower() or len(phrase.words) > 4:
        return None
    ent = phrase.state.latest(("organization", "outlet", "group"))
    return _from_entity(ent) if ent is not None else None


def _rule_common_body_spokesman(phrase: _Phrase) -> _Resolved | None:
    """ "An army spokesman": the army he speaks for."""
    m = _BODY_SPOKES.match(phrase.text)
    if not (m and m.group("body").lower() in GENERIC_HEADS):
        return None
    inner = _party(f"the {m.group('body')}", phrase.at, phrase.mentions, phrase.state, None)
    return inner if inner is not None and inner.kind != "unnamed" else None


def _rule_spokesman_for(phrase: _Phrase) -> _Resolved | None:
    """ "a spokesman for the group": the group; "a spokesman for a brigade ...": the description."""
    m = _SPOKES_FOR.match(phrase.text)
    if not m:
        return None
    if m.group("body").split()[0].lower() in lexicon.INDEFINITE_ARTICLES:
        return _Resolved(
            phrase.text.split(None, 1)[1] if phrase.lower[0] in lexicon.ARTICLES else phrase.text, "unnamed", ()
        )
    inner = _party(m.group("body"), phrase.at, phrase.mentions, phrase.state, None)
    return inner if inner is not None and inner.kind != "unnamed" else None


def _rule_described_anonymous(phrase: _Phrase) -> _Resolved | None:
    """ "a military source", "officials in Rwanda": an unnamed source keeps its description (3.9)."""
    if not ((_DESCRIBED_PLURAL.match(phrase.text) or _DESCRIBED_ONE.match(phrase.text)) and len(phrase.words) <= 8):
        return None
    desc = re.sub(r"^(?:an?|the|one)\s+", "", phrase.text, flags=re.I)
    return _from_entity(phrase.state.add(_Entity(desc, "unnamed")))


# Tried in order; the first that resolves the phrase wins, and the name rules (_resolve) come last.
# A new rule is a small function here, with its example sentences in tests/test_extraction_rules.py.
_PARTY_RULES = (
    _rule_pronoun_after_spokesman,
    _rule_definite_description,
    _rule_owned_body,
    _rule_owner_person,
    _rule_named_body_spokesman,
    _rule_message_back_reference,
    _rule_common_body_spokesman,
    _rule_spokesman_for,
    _rule_described_anonymous,
)


def _party(phrase: str, at: int, mentions: MentionRegistry, state: _State, attribution) -> _Resolved | None:
    """Resolve one party's noun phrase: the back-reference and description rules, then the name rules."""
    party = _Phrase(_POSSESSIVE_END.sub("", phrase.strip()), at, mentions, state, attribution)
    if not party.words:
        return None
    for rule in _PARTY_RULES:
        res = rule(party)
        if res is not None:
            return res
    return _resolve(
        party.text,
        state,
        affiliation=attribution.affiliation if attribution else "",
        is_person=attribution.person if attribution else False,
    )


def _english_claims(
    sent: str, start: int, end: int, doc, state: _State, mentions: MentionRegistry
) -> list[ExtractedClaim]:
    """The claims of a parsed English sentence: one per outermost cue and party (english.attributions)."""
    found_attributions = english.attributions(doc, _quote_spans(sent) if _QUOTE_CHARS.search(sent) else [])
    out: list[ExtractedClaim] = []
    seen: set[str] = set()
    for attribution in found_attributions:
        parts = [attribution.phrase]
        if not attribution.agentless and " and " in attribution.phrase:
            pieces = _AND_SPLIT.split(attribution.phrase)
            if len(pieces) == 2 and all(len(piece.split()) <= 6 for piece in pieces):
                parts = pieces
        for phrase in parts:
            res = _unnamed() if attribution.agentless else _party(phrase, start, mentions, state, attribution)
            if res is None and phrase.split() and phrase.split()[0].lower() in lexicon_en.DEFINITE_WORDS:
                # "By the monitor's count" with no monitor named before: the description, not nothing
                res = _from_entity(state.add(_Entity(phrase.split(None, 1)[1], "organization")))
            if res is None or res.name in seen:
                continue
            seen.add(res.name)
            if res.kind != "unnamed" or " " in res.name:
                mentions.note(res.name, start, descriptors(phrase) | descriptors(attribution.affiliation), source=True)
            if res.kind == "person" and phrase.split()[0].lower() not in lexicon_en.SUBJECT_PRONOUNS:
                mentions.person_at = start
            if _BODY_SPOKES.match(phrase) or _SPOKES_FOR.match(phrase):
                mentions.spokesman_body = (start, res)
            via = _via(sent) or attribution.via or res.via
            if attribution.via and not _via(sent) and (" " in attribution.via.strip() or attribution.via[:1].isupper()):
                inner = _party(attribution.via, start, mentions, state, None)
                via = (
                    inner.name
                    if inner is not None and inner.kind != "unnamed"
                    else re.sub(r"^(?:an?|the)\s+", "", attribution.via)
                )
            part = sent if len(found_attributions) == 1 else sent[attribution.start : attribution.end]
            if attribution.rejected is not None:  # "denied the militia's claim that ...": not this party's hedge
                a, b = (
                    attribution.rejected[0] - (0 if len(found_attributions) == 1 else attribution.start),
                    attribution.rejected[1] - (0 if len(found_attributions) == 1 else attribution.start),
                )
                part = part[: max(a, 0)] + " " + part[max(b, 0) :]
            hedged = attribution.agentless or attribution.hearsay or _is_hedged(part)
            affiliation = _affiliation(attribution.affiliation) if attribution.affiliation else ""
            out.append(
                _claim_of(
                    sent,
                    start,
                    end,
                    res,
                    via=via,
                    cue=attribution.cue,
                    affiliation=affiliation,
                    hedged=hedged,
                    state=state,
                )
            )
    return out


_CYR_PERSON_PRONOUNS = lexicon_uk.PERSON_PRONOUNS | lexicon_ru.PERSON_PRONOUNS
_CYR_PLURAL_PRONOUNS = lexicon_uk.PLURAL_PRONOUNS | lexicon_ru.PLURAL_PRONOUNS
_SAME_AS_BEFORE = re.compile(r"^(?:все\s+)?(?:тієї\s+ж|того\s+ж|той\s+же|тот\s+же|того\s+же|той\s+самої)\s+", re.I)
_LOCATIVE = re.compile(r"^(?:у|в|во)\s+(?=\S)", re.I)
_OF_THEM = re.compile(r"\b(?:з|із|из)\s+(?:них|собеседников|співрозмовників|источников|джерел)\b", re.I)


def _cyr_latest(state: _State, kinds: tuple[str, ...]) -> _Resolved | None:
    for ent in reversed(state.recent):
        if ent.kind in kinds and ent.name != "unnamed":
            return _from_entity(ent)
    return None


def _cyr_party(phrase: str, state: _State, lang: str) -> _Resolved | None:
    """Resolve a Ukrainian or Russian party phrase: back-references to the latest fitting source, else a name."""
    lex = lexicon_uk if lang == "uk" else lexicon_ru
    phrase = _SAME_AS_BEFORE.sub("", phrase.strip(' «»"“”„,'))
    phrase = _LOCATIVE.sub("", phrase)  # "у МЗС Росії заявляють", "додали в розвідці"
    words = phrase.split()
    if not words or len(words) > 12:
        return None
    first = words[0].lower().strip("«»")
    if len(words) == 1 and first in _CYR_PERSON_PRONOUNS:
        return _cyr_latest(state, ("person", "unnamed"))
    if first in _CYR_PLURAL_PRONOUNS:
        return _cyr_latest(state, ("unnamed", "organization", "group", "outlet"))
    if any(w.lower().startswith(lex.BACKREF_ANON) for w in words[:2]) or _OF_THEM.search(phrase):
        got = _cyr_latest(state, ("unnamed",))
        if got is not None:
            return got
        return _from_entity(state.add(_Entity(phrase, "unnamed")))  # "джерело в СБУ": a described source
    if len(words) <= 2 and first.startswith(lex.BACKREF_OUTLET) and not any(w[:1].isupper() for w in words[1:]):
        got = _cyr_latest(state, ("outlet",))
        if got is not None:
            return got
    if len(words) <= 2 and first.startswith(lex.BACKREF_ORG) and not any(w[:1].isupper() for w in words[1:]):
        got = _cyr_latest(state, ("organization", "group"))
        if got is not None:
            return got
    if first.startswith(lex.BACKREF_PERSON) and not any(w[:1].isupper() for w in words[1:]):
        got = _cyr_latest(state, ("person",))
        if got is not None:
            return got
    return _resolve(phrase, state)


def _cyrillic_claims(sent: str, start: int, end: int, state: _State, lang: str) -> list[ExtractedClaim]:
    out: list[ExtractedClaim] = []
    for attribution in cyrillic.attributions(sent, lang):
        res = _unnamed() if attribution.agentless else _cyr_party(attribution.phrase, state, lang)
        if res is None:
            continue
        via = attribution.via
        if via:
            inner = _cyr_party(via, state, lang) if via[:1].isupper() else None
            via = inner.name if inner is not None and inner.kind != "unnamed" else via
        hedged = attribution.agentless or _is_hedged(sent)
        out.append(
            _claim_of(sent, start, end, res, via=via, cue=attribution.cue, affiliation="", hedged=hedged, state=state)
        )
    return out
