"""A document-level registry of the parties an article names, for resolving back-references.

One linear pass over the body collects every name with the descriptor nouns the text gives it:
"Gray Zone, a Telegram channel linked to ..." (channel, telegram), "Syria's state news agency SANA"
(agency, news, state), "the paramilitary Rapid Support Forces" (paramilitary), and the name's own
words ("Syrian Army": army). A definite description later in the text ("the channel", "the agency",
"the paramilitaries", "the think tank") resolves to the nearest earlier party that the text described
that way, or whose name holds the word; a generic noun on its own is never a source name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import lexicon_en

# Each word's class: the words that name the same kind of party.
_CLASS: dict[str, frozenset[str]] = {}
for _group in lexicon_en.SYNONYMS:
    for _w in _group:
        _CLASS[_w] = _CLASS.get(_w, frozenset()) | frozenset(_group)
del _group, _w

GENERIC_HEADS = lexicon_en.GENERIC_HEADS  # the party rules read it from here


# At most eight words: a bounded name keeps every scan below linear in the text (a run of thousands
# of capitalised words would otherwise be re-read from each of its words).
_NAME = r"(?:[A-Z][\w'’.\-]{0,40}|al-[A-Z][\w'’\-]{0,40})(?:\s+(?:(?:of|the|for|and|on|al|de|du)\s+){0,2}(?:[A-Z][\w'’.\-]{0,40})){0,7}"
# "NAME, a Telegram channel linked to ...": an apposition after the name
_APPOS_AFTER = re.compile(rf"(?P<name>{_NAME})\s*(?:\([^()]{{1,20}}\))?,\s+(?:an?|the)\s+(?P<desc>[^,;:.()]{{2,80}})")
# "the Telegram channel Gray Zone", "Syria's state news agency SANA": lowercase descriptors before the name
_DESC_BEFORE = re.compile(
    rf"(?:\b(?:the|a|an)\s+|[A-Z][\w\-]*['’]s\s+)(?P<desc>(?:[A-Za-z][\w\-]*\s+){{0,3}}?[a-z][\w\-]*)\s+(?P<name>{_NAME})"
)
_CAPS = re.compile(_NAME)


def _words(text: str) -> list[str]:
    return [w.lower().strip("'’.,") for w in re.findall(r"[\w'’\-]+", text)]


def descriptors(text: str) -> frozenset[str]:
    """The content words of a description, up to its first clause word."""
    out = []
    for w in _words(text)[:8]:
        if w in lexicon_en.DESCRIPTION_ENDS:
            break  # "the head of the agency" describes a head, not an agency
        if w not in lexicon_en.DESCRIPTOR_STOP_WORDS and not w.isdigit():
            out.append(w)
    return frozenset(out)


@dataclass(slots=True)
class Mention:
    name: str
    at: int  # offset of the latest mention
    words: set[str] = field(default_factory=set)  # the name's own words and its descriptors
    source: bool = False  # already a claim's source


class MentionRegistry:
    """Named parties of one article with their descriptors, in text order."""

    def __init__(self, body: str, title: str = ""):
        self.by_name: dict[str, Mention] = {}
        self.spokesman_body: tuple[int, object] | None = None  # (offset, party) of the latest unnamed spokesman
        self.person_at = -1  # offset of the latest named person as a source
        for text, base in ((title, -1), (body, None)):
            for m in _APPOS_AFTER.finditer(text):
                self.note(m.group("name"), base if base is not None else m.start("name"), descriptors(m.group("desc")))
            for m in _DESC_BEFORE.finditer(text):
                desc = descriptors(m.group("desc"))
                last = m.group("desc").split()[-1].lower()
                if (
                    last in lexicon_en.PERSON_ROLES
                ):  # "ministry spokesman Ashraf Al-Qudra" is a spokesman, not a ministry
                    desc = frozenset({last})
                if desc and not desc <= lexicon_en.DESCRIPTOR_STOP_WORDS:
                    self.note(m.group("name"), base if base is not None else m.start("name"), desc)
            if base is not None:
                for m in _CAPS.finditer(text):
                    if " " in m.group():
                        self.note(m.group(), base)

    def note(self, name: str, at: int, extra: frozenset[str] | set[str] = frozenset(), *, source: bool = False) -> None:
        name = name.strip(" ,.;:")
        if not name or len(name) > 120:
            return
        key = name.lower()
        got = self.by_name.get(key)
        if got is None:
            got = self.by_name[key] = Mention(name, at, set(_words(name)) - lexicon_en.DESCRIPTOR_STOP_WORDS)
        if at >= got.at or source:
            got.at = max(got.at, at)
        got.words |= set(extra)
        got.source = got.source or source

    def with_word(self, word: str, before: int) -> str | None:
        """The nearest party before `before` whose name holds `word` ("Houthi" -> "Yemen's Houthi rebels")."""
        word = word.lower()
        hits = [m for m in self.by_name.values() if m.at < before and any(w.startswith(word) for w in m.words)]
        best = max(hits, key=lambda m: (m.source, m.at), default=None)
        return best.name if best is not None else None

    def resolve(self, head: str, before: int, *, modifiers: tuple[str, ...] = ()) -> str | None:
        """The nearest party before `before` described by `head` ("channel" -> "Gray Zone"), or None."""
        wanted = _CLASS.get(head, frozenset({head}))
        said = {head, *modifiers}
        best, best_rank = None, None
        for m in self.by_name.values():
            if m.at >= before or not (m.words & wanted):
                continue
            if any(not (m.words & _CLASS.get(mod, frozenset({mod}))) for mod in modifiers if mod not in wanted):
                continue
            if len(m.words) <= 1 and m.name.lower() in GENERIC_HEADS:
                continue
            # the words the description repeats ("the armed forces" ~ "Sudanese Armed Forces"), then sources,
            # then the nearest
            rank = (len(m.words & said), m.source, m.at)
            if best_rank is None or rank > best_rank:
                best, best_rank = m, rank
        return best.name if best is not None else None
