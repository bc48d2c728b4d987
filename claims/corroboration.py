"""Is this the same claim? Pure text -> signature -> verdict; no ORM, no request.

A claim's *signature* keeps what makes it that claim and drops how it was reported:
- `tokens`: content words, lower-cased, lightly stemmed and mapped to one word per meaning where
  conflict reporting has several ("died", "killed", "dead"), without stop words, attribution cue
  words ("said", "according to"), hedges ("reportedly") and the words of the source's name;
- `numbers`: the figures, digits and number words alike ("three" -> 3, "1,500" -> 1500, "two
  hundred" -> 200), without dates and years;
- `dates`: explicit dates (months, weekdays, years, day numbers next to a month);
- `places`: capitalised names other than the source's (places, units, people);
- `negated`: the claim denies or negates something ("not", "no", "denied").

`compare` is the cheap exact check run on the few candidates the band index returns: similar words,
and numbers, places, dates and negation that agree. Where the words match and places and dates
agree but a figure differs or one side denies, the two claims *contradict* each other.

Only English vocabulary is built in; other languages still match on words, digits and names.
"""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

# --- thresholds ------------------------------------------------------------------------------

# Jaccard similarity of the content words from which two claims may be the same claim (or
# contradict each other). Measured on tests/data/corroboration_pairs.jsonl (test_corroboration.py).
SAME_MIN_SIMILARITY = 0.34

# --- vocabulary ------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


STOPWORDS = frozenset(
    _words(
        """a an the and or but if then than that this these those there here of in on at to for from by with
    without about over under into onto out up off as is are was were be been being has have had having do does
    did will would shall should can could may might must it its it's they them their he she his her him we
    us our you your i me my who whom whose which what when where while also just only very so such some any
    all each every both either more most less least other another same own again further once after before
    during since until near nearly around about approximately roughly some least at-least more-than almost
    just up-to over-the yet still already now earlier later past last next day days week weeks hour hours
    overnight morning evening night today yesterday tonight recently currently far however meanwhile
    including include includes included among between through across along against within amid per
    s t d ll re ve m"""
    )
)

# Attribution and hedging: how a claim was reported, not what it says.
CUE_WORDS = frozenset(
    _words(
        """say says said saying tell tells told telling report reports reported reporting according accord
    state states stated statement statements announce announces announced announcement claim claims claimed
    claiming confirm confirms confirmed confirming add adds added write writes wrote written note notes noted
    post posts posted posting cite cites cited citing quote quotes quoted quoting suggest suggests suggested
    allege alleges alleged allegedly reportedly apparently purportedly likely possibly probably unconfirmed
    unverified evidence providing provided information data message telegram channel briefing reporters
    reporter press spokesperson spokesman spokeswoman official officials source sources media local news
    agency outlet interview comment comments commented assert asserts asserted insist insists insisted
    warn warns warned explain explains explained update updated via per publish published publishes
    show shows showed shown describe described indicate indicated indicates emphasise emphasised emphasize
    emphasized stress stressed underline underlined remark remarked inform informed informs"""
    )
)

NEGATION_WORDS = frozenset(
    _words(
        """not no never none nobody nothing neither nor deny denies denied denying denial refute refutes refuted
    refuting false fake untrue baseless groundless hoax dismiss dismissed dismisses reject rejected rejects
    fabricated fabrication"""
    )
)

# One word per meaning, applied after stemming (keys are stems or plain words).
SYNONYMS = {
    # deaths and injuries
    "die": "kill",
    "died": "kill",
    "dead": "kill",
    "death": "kill",
    "fatality": "kill",
    "fatalitie": "kill",
    "kill": "kill",
    "wound": "injur",
    "injury": "injur",
    "injurie": "injur",
    "hurt": "injur",
    "injur": "injur",
    # people
    "civilian": "people",
    "resident": "people",
    "person": "people",
    "inhabitant": "people",
    "people": "people",
    "children": "child",
    "kid": "child",
    # attacks
    "strike": "attack",
    "struck": "attack",
    "hit": "attack",
    "shell": "attack",
    "shelling": "attack",
    "bombard": "attack",
    "bombardment": "attack",
    "assault": "attack",
    "raid": "attack",
    "target": "attack",
    # weapons and interceptions
    "uav": "drone",
    "shahed": "drone",
    "rocket": "missile",
    "shot": "down",
    "shoot": "down",
    "intercept": "down",
    "downed": "down",
    "neutralis": "down",
    "neutraliz": "down",
    # forces and places
    "troop": "force",
    "army": "force",
    "military": "force",
    "soldier": "force",
    "oblast": "region",
    "province": "region",
    "town": "city",
    "house": "building",
    "home": "building",
    "russian": "russia",
    "ukrainian": "ukraine",
    "electricity": "power",
    "blackout": "power",
    "outage": "power",
    "evacuation": "evacuat",
    "evacuate": "evacuat",
}

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "dozen": 12,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_WORD_VALUES = {**_UNITS, **_TENS, **_SCALES}


def _word_value(word: str) -> int:
    """A number word's value ("zero" is 0, so not `or`-chained lookups)."""
    return _WORD_VALUES[word]


NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES)

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = frozenset(_words("monday tuesday wednesday thursday friday saturday sunday"))

# --- tokenising ------------------------------------------------------------------------------

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"', "„": '"'})
_NT = re.compile(r"(?i)\b(can)not\b|n't\b")
# A number with thousands separators or a decimal part, a word (letters, apostrophes, hyphens),
# or a sentence boundary.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['-][^\W\d_]+)*|[.!?:;\"(]")
_BOUNDARY = frozenset('.!?:;"(')
_YEAR = re.compile(r"^(19|20)\d\d$")


def _stem(word: str) -> str:
    """A light suffix stripper: enough to meet 'killed'/'kills'/'killing' at 'kill'."""
    if word in SYNONYMS:
        return SYNONYMS[word]
    w = word
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 3 and (w.endswith("ed") or (w.endswith("es") and w[-3] in "sxz")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":  # "shelled" -> "shell", "hitt" -> "hit"
        w = w[:-1]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return SYNONYMS.get(w, w)


def _number(text: str) -> str:
    """A digit token as a canonical figure: '1,500' -> '1500', '2.5' -> '2.5'."""
    if "," in text and re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        return text.replace(",", "")
    return text.replace(",", ".")


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True, slots=True)
class Signature:
    tokens: frozenset[str]
    numbers: frozenset[str]
    dates: frozenset[str]
    places: frozenset[str]
    negated: bool

    @property
    def is_empty(self) -> bool:
        return not self.tokens


@functools.lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern:
    return re.compile(r"(?i)(?<!\w)(?:the\s+)?" + re.escape(name).replace(r"\ ", r"\s+") + r"(?:'s)?(?!\w)")


def _remove_names(text: str, names: tuple[str, ...]) -> tuple[str, frozenset[str]]:
    """Blank out the source's (and intermediary's) name; the words of names not found verbatim are
    returned for removal one by one."""
    leftover: set[str] = set()
    for name in names:
        name = " ".join(name.split())
        if len(name) < 2:
            continue
        text, n = _name_pattern(name).subn(" , ", text)
        if not n:
            leftover.update(w.lower().strip("'") for w in _TOKEN.findall(name.translate(_QUOTES)))
    return text, frozenset(leftover)


def claim_signature(text: str, *, source_names: tuple[str, ...] | list[str] = ()) -> Signature:
    """The signature of a claim's sentence, leaving out the words of `source_names` (the source, the
    intermediary it relays)."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    text = _NT.sub(lambda m: f"{m.group(1) or ''} not", text)
    text, name_words = _remove_names(text, tuple(n for n in source_names if n))
    return _SignatureReader(_TOKEN.findall(text), name_words).read()


class _SignatureReader:
    """One pass over a sentence's tokens, sorting each into the words, numbers, dates and places of
    its Signature."""

    def __init__(self, raw: list[str], name_words: frozenset[str]) -> None:
        self.raw = raw
        self.name_words = name_words
        self.tokens: set[str] = set()
        self.numbers: set[str] = set()
        self.dates: set[str] = set()
        self.places: set[str] = set()
        self.negated = False
        self.pending: list[int] = []  # a run of number words being read ("two hundred and five")

    def read(self) -> Signature:
        at_start = True
        for i, tok in enumerate(self.raw):
            if tok in _BOUNDARY:
                self.flush_number_words()
                at_start = True
                continue
            start_here, at_start = at_start, False
            low = tok.lower()
            if tok[0].isdigit():
                self.flush_number_words()
                self.read_figure(i, tok)
            elif not self.read_number_word(i, low):
                self.flush_number_words()
                self.read_word(tok, low, start_here)
        self.flush_number_words()
        return Signature(
            tokens=frozenset(self.tokens),
            numbers=frozenset(self.numbers),
            dates=frozenset(self.dates),
            places=frozenset(self.places),
            negated=self.negated,
        )

    def flush_number_words(self) -> None:
        """Add the number the pending number words spell, if any."""
        if not self.pending:
            return
        total, current = 0, 0
        for value in self.pending:
            if value >= 100:
                current = max(current, 1) * value
                if value >= 1000:
                    total, current = total + current, 0
            else:
                current += value
        self.numbers.add(_fmt(total + current))
        self.pending.clear()

    def read_figure(self, i: int, tok: str) -> None:
        """A token in digits: a year, a day of a month, or a number (scaled by a word after it)."""
        raw = self.raw
        prev = raw[i - 1].lower() if i else ""
        nxt = raw[i + 1].lower() if i + 1 < len(raw) else ""
        if _YEAR.match(tok):
            self.dates.add(tok)
        elif prev in MONTHS or nxt in MONTHS or nxt in {"th", "st", "nd", "rd"}:
            month = MONTHS.get(prev) or MONTHS.get(nxt) or 0
            self.dates.add(f"{month}-{int(tok.split('.')[0].split(',')[0])}")
        else:
            value = _number(tok)
            # "1.5 million", "3 thousand"
            if nxt in _SCALES:
                with contextlib.suppress(ValueError):
                    value = _fmt(float(value) * _SCALES[nxt])
            self.numbers.add(value)

    def read_number_word(self, i: int, low: str) -> bool:
        """Take `low` into the pending number words if it is one (or the "and" inside them); False if not."""
        raw, pending = self.raw, self.pending
        if low in NUMBER_WORDS:
            if low in _SCALES and not pending and i and raw[i - 1][0].isdigit():
                return True  # already folded into the digits before it
            if low == "dozen" and pending:
                pending.append(12)
                return True
            pending.append(_word_value(low))
            return True
        if low == "and" and pending and i + 1 < len(raw) and raw[i + 1].lower() in NUMBER_WORDS:
            return True
        if "-" in low and all(part in NUMBER_WORDS for part in low.split("-")):
            pending.extend(_word_value(p) for p in low.split("-"))
            return True
        return False

    def read_word(self, tok: str, low: str, start_here: bool) -> None:
        """Any other token: a negation, a month or weekday, or a content word (a place if it is a name)."""
        if low in NEGATION_WORDS:
            self.negated = True
            return
        if low in MONTHS and tok[0].isupper():
            self.dates.add(f"m{MONTHS[low]}")
            return
        if low in WEEKDAYS:
            self.dates.add(low)
            return
        word = low[:-2] if low.endswith("'s") else low.rstrip("'")
        if word in STOPWORDS or word in CUE_WORDS or word in self.name_words or len(word) < 2:
            return
        stem = _stem(word)
        if stem in CUE_WORDS:
            return
        is_name = tok[0].isupper() and not (start_here and (word in SYNONYMS or stem != word or _is_common(word)))
        if is_name:
            self.places.add(stem)
        self.tokens.add(stem)


# A few capitalised sentence openers that are common words, not names (others are taken for names).
_COMMON_OPENERS = frozenset(
    _words(
        """air enemy local regional heavy several many dozens hundreds thousands unknown two russian-backed
    fighting explosions explosion fire firefighters rescuers police emergency power authorities
    shelling drones drone missiles missile strikes attacks artillery troops forces units defenders
    residents civilians people children"""
    )
)


def _is_common(word: str) -> bool:
    return word in _COMMON_OPENERS


# --- the exact check -------------------------------------------------------------------------


class Verdict(StrEnum):
    SAME = "same"
    CONTRADICTS = "contradicts"
    DIFFERENT = "different"


@dataclass(frozen=True, slots=True)
class Comparison:
    verdict: Verdict
    similarity: float
    reason: str = ""


def similarity(a: Signature, b: Signature) -> float:
    """Jaccard similarity of the content words."""
    if not a.tokens or not b.tokens:
        return 0.0
    return len(a.tokens & b.tokens) / len(a.tokens | b.tokens)


def _conflict(x: frozenset[str], y: frozenset[str]) -> bool:
    """Each side has something the other lacks: 'Odesa' vs 'Kharkiv' (not 'Kupiansk' vs 'Kupiansk, Kharkiv')."""
    return bool(x - y) and bool(y - x)


def compare(a: Signature, b: Signature) -> Comparison:
    """Same claim, contradiction (same event, another figure or a denial), or different.

    Numbers must agree (equal, or one side's figures all among the other's), places and dates must
    not conflict, and both must negate or neither.
    """
    sim = similarity(a, b)
    if sim < SAME_MIN_SIMILARITY:
        return Comparison(Verdict.DIFFERENT, sim, "different words")
    if _conflict(a.dates, b.dates):
        return Comparison(Verdict.DIFFERENT, sim, "another date")
    if _conflict(a.places, b.places):
        return Comparison(Verdict.DIFFERENT, sim, "another place")
    if a.negated != b.negated:
        return Comparison(Verdict.CONTRADICTS, sim, "a denial")
    if _conflict(a.numbers, b.numbers):
        figures = f"{', '.join(sorted(a.numbers))} vs {', '.join(sorted(b.numbers))}"
        return Comparison(Verdict.CONTRADICTS, sim, f"another figure ({figures})")
    if bool(a.numbers) != bool(b.numbers):
        return Comparison(Verdict.DIFFERENT, sim, "a figure on one side only")
    return Comparison(Verdict.SAME, sim)


# --- information credibility -----------------------------------------------------------------

CREDIBILITY_LABELS = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}
RELIABLE_GRADES = frozenset("ABC")


@dataclass(frozen=True, slots=True)
class Corroborator:
    """One independent upstream behind a cluster's claims: its name and its best reliability grade."""

    name: str
    grade: str


@dataclass(frozen=True, slots=True)
class Assessment:
    value: int
    explanation: str


def credibility_suggest(
    *,
    corroborators: list[Corroborator],
    members: int,
    confirmed: list[int] = (),
    rejected: list[int] = (),
    opposing: list[Corroborator] = (),
    opposing_confirmed: list[int] = (),
) -> Assessment:
    """Admiralty information credibility (1-6) for a claim from its cluster.

    `corroborators` are the cluster's independent upstreams (different sources, relays of one upstream
    counted once), `confirmed`/`rejected` the members analysts decided Confirmed / Unverified,
    `opposing` the independent upstreams of claims that contradict it.
    """
    n = len(corroborators)
    names = ", ".join(f"{c.name} ({c.grade})" for c in corroborators)
    reliable = sum(1 for c in corroborators if c.grade in RELIABLE_GRADES)
    if confirmed:
        value, why = 1, f"an analyst confirmed claim {', '.join(f'#{i}' for i in confirmed)}"
    elif n >= 3 or (n == 2 and reliable >= 1):
        value, why = 1, f"corroborated by {n} independent sources: {names}"
    elif n == 2:
        value, why = 2, f"reported by 2 independent sources of unproven reliability: {names}"
    elif members > 1:
        value, why = 3, f"{members} reports, all from one upstream: {names}"
    else:
        value, why = 6, f"a single report from {names}" if names else "a single report"
    notes = [why]
    if rejected and not confirmed:
        value = max(value, 4)
        notes.append(f"an analyst marked claim {', '.join(f'#{i}' for i in rejected)} Unverified")
    if opposing_confirmed and not confirmed:
        value = 5
        notes.append(f"contradicted by confirmed claim {', '.join(f'#{i}' for i in opposing_confirmed)}")
    elif opposing:
        m = len(opposing)
        against = ", ".join(c.name for c in opposing)
        if not confirmed:
            value = 5 if m > n else 4 if m == n else max(value, 2)
        notes.append(f"contradicted by {m} independent source{'s' if m != 1 else ''}: {against}")
    return Assessment(value, "; ".join(notes))
