"""Source names as people read them: invisible characters out, look-alikes flagged.

"Reuters\u200b", "Kyiv Post\u200c" or "\u202eReuters" look exactly like the graded source, and a
Cyrillic "е" in "Rеuters" does too. Names are cleaned (NFKC; zero-width, bidi and other format
characters removed) before the registry looks them up, so the first three find Reuters. A word that
mixes letters of Latin, Cyrillic or Greek cannot be cleaned into anything: it is flagged for review.
"""

from __future__ import annotations

import re
import unicodedata

from claims.extraction import normalise_source_name

# Zero-width characters, bidi embeddings/overrides/isolates/marks, word joiners, BOM, soft hyphen,
# and the Mongolian vowel separator: format characters nobody sees in a name.
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def strip_bidi(text: str) -> str:
    """Text without bidi controls (embeddings, overrides, isolates, marks), which can reorder what a
    reader sees; used for titles, whose letters are otherwise kept as written."""
    return _BIDI.sub("", text) if text else text


def source_name_clean(name: str) -> str:
    """The name as it should be stored and shown: NFKC, no invisible characters, single spaces."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _INVISIBLE.sub("", text)
    return " ".join(text.split())


def source_name_key(name: str) -> str:
    """The registry lookup key (SourceAlias.normalized) of a name, after cleaning it."""
    return normalise_source_name(source_name_clean(name))


def _script(ch: str) -> str | None:
    try:
        first = unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return None
    return first if first in _CONFUSABLE_SCRIPTS else None


def mixed_script_words(name: str) -> list[str]:
    """Words of `name` whose letters come from more than one of Latin, Cyrillic and Greek."""
    found = []
    for word in source_name_clean(name).split():
        scripts = {s for ch in word if ch.isalpha() and (s := _script(ch))}
        if len(scripts) > 1:
            found.append(word)
    return found


def look_alike_reason(name: str) -> str:
    """Why a new source named `name` needs a person's look, or "" when nothing is odd about it."""
    words = mixed_script_words(name)
    if not words:
        return ""
    detail = ", ".join(
        f"{w!r} ({'+'.join(sorted({s for ch in w if ch.isalpha() and (s := _script(ch))}))})" for w in words[:3]
    )
    return f"letters of different scripts in one word: {detail}; it may imitate another source's name"[:300]
