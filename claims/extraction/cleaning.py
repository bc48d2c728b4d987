"""Turn raw article text into a clean body: page noise out, title and publisher hint found."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CleanedArticle:
    title: str
    body: str
    publisher_hint: str
    language_hint: str


# Zero-width, bidi controls and C0/C1 controls other than newline and tab.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Runs of two or more spaces, or any other horizontal space: a single " " (a lone space is left alone).
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_LANG_CODE = r"(?:ua|uk|en|eng|ru|rus|de|fr|pl|es|укр|рус|eng)"
_LANG_SWITCH_LINE = re.compile(rf"^(?:{_LANG_CODE}[ \t]*[|/·•,]?[ \t]*){{2,8}}$", re.I)
# A switcher glued to the end of a line ("... press Ctrl + Enterua en ru").
_LANG_SWITCH_TAIL = re.compile(r"(?:ua|uk)[ \t]*[|/]?[ \t]*en[ \t]*[|/]?[ \t]*ru[ \t]*$")

_NOISE_LINE = re.compile(
    r"""^(?:
        advertisement|advertising|sponsored(?:\ content)?|реклама|ads?
      | other\ topics\ of\ interest|most\ read|most\ popular|popular|trending(?:\ now)?|latest\ news|top\ stories
      | share(?:\ this(?:\ article|\ story)?)?|subscribe.*|follow\ us.*|sign\ up.*|join\ (?:us|our)\b.*
      | tags?:.*|topics?:.*|photo:.*|photos?\ credit.*|source:\ .{0,60}|image:.*|video:.*|credit:.*
      | (?:read|see)\ (?:also|more)\b.*|related(?:\ (?:news|stories|articles|topics))?:?.*|also\ read\b.*|more\ on\ this.*|more\ from\b.*
      | читайте\ (?:також|также)\b.*|дивіться\ також\b.*|смотрите\ также\b.*|підписуйтесь.*|подписывайтесь.*
      | to\ suggest\ a\ correction.*|you\ can\ also\ highlight\ the\ text.*|.*\bctrl\ ?\+\ ?enter\b.*
      | .*\ball\ rights\ reserved\b.*|©.*|copyright\b.*|click\ here\b.*|print\ this\ article|comments?\ \(\d+\)
      | loading\.*|\.{3}|back\ to\ top|next\ article|previous\ article|skip\ to\ content
      | by\ [^.!?;:]{2,80}|(?:published|updated|posted|last\ updated)\b:?\ [^.!?]{0,20}\d[^.!?]{0,80}
      | editor['’]?s\ note\b.*|got\ a\ (?:news\ )?tip\b.*|support\ (?:us|our|independent)\b.*|donate\b.*
      | get\ the\ latest\b.*|this\ (?:article|story)\ was\ (?:originally\ )?(?:published|first\ published)\b.*
    )$""",
    re.I | re.X,
)
# Every _NOISE_LINE branch starts with one of these (lower case), or contains one of the anywhere-keys;
# the cheap test spares the regex on ordinary lines.
_NOISE_PREFIXES = (
    "ad", "sponsored", "реклама", "other", "most", "popular", "trending", "latest", "top", "share", "subscribe",
    "follow", "sign", "join", "tag", "topic", "photo", "source", "image", "video", "credit", "read", "see",
    "related", "also", "more", "читайте", "дивіться", "смотрите", "підписуйтесь", "подписывайтесь", "to", "you",
    "©", "copyright", "click", "print", "comment", "loading", "...", "back", "next", "previous", "skip",
    "by ", "published", "updated", "posted", "last updated", "editor", "got a", "support", "donate", "get the",
    "this article", "this story",
)  # fmt: skip
_NOISE_ANYWHERE = ("ctrl", "rights reserved")
# Two-letter language codes, the only way a switcher line can start.
_LANG_PREFIXES = ("ua", "uk", "en", "ru", "de", "fr", "pl", "es", "укр", "рус")


def noise_line(line: str) -> bool:
    """A short line that is page furniture (ads, share/subscribe, read-also, copyright, language switcher)."""
    if len(line) >= 300:
        return False
    low = line[:40].lower()
    if low.startswith(_LANG_PREFIXES) and _LANG_SWITCH_LINE.match(line):
        return True
    if low.startswith(_NOISE_PREFIXES):
        return bool(_NOISE_LINE.match(line))
    low = line.lower()
    return any(k in low for k in _NOISE_ANYWHERE) and bool(_NOISE_LINE.match(line))


_TEASER_MARKER = re.compile(
    r"^(?:other topics of interest|related(?: news| stories| articles| topics)?:?|read also:?|see also:?|more on this:?|also read:?|most read|читайте також:?|читайте также:?)$",
    re.I,
)
_CAPTION = re.compile(r"\((?:photo|фото|image|picture|pic)s?\b[^)]{0,200}\)|^(?:photo|фото)\s*[:©]", re.I)
_PUBLISHER = re.compile(
    r"(?:read|see)\s+(?:the\s+)?(?:full\s+|original\s+)?(?:article|story|material|report|piece)\s+(?:by|on|at|from)\s+"
    r"([A-Z\u0400-\u04ff][\w.\-]*(?:[ \-][A-Z\u0400-\u04ff][\w.\-]*){0,4})\.?\s*$"
    r"|(?:читайте|дивіться)\s+(?:у\s+|в\s+)?(?:матеріалі|статті|статье|материале)\s+([А-ЯІЇЄҐ][\w\-]*(?:[ \-][А-ЯІЇЄҐ][\w\-]*){0,4})\.?\s*$",
)
_CAPTION_KEYS = ("(photo", "(фото", "(image", "(picture", "(pic")


def caption(line: str) -> bool:
    """A photo caption or credit: '(photo: ...)' anywhere in the first 600 characters, or 'Photo:' first."""
    head = line[:600].lower()
    return (head.startswith(("photo", "фото")) or any(k in head for k in _CAPTION_KEYS)) and bool(
        _CAPTION.search(line[:600])
    )


def publisher_link(line: str) -> re.Match[str] | None:
    """'read the article by RBC-Ukraine' at the end of a line (the publisher hint)."""
    tail = line[-300:]
    if "read" not in tail and "see" not in tail and "читайте" not in tail and "дивіться" not in tail:
        return None
    return _PUBLISHER.search(tail)


def _strip_switcher_tail(line: str) -> str:
    return _LANG_SWITCH_TAIL.sub("", line).strip() if line.rstrip(" \t").endswith("ru") else line


_SENT_END_BEFORE = re.compile(r"[.!?…][\"”’»)]?\s+")
_FINAL_PUNCT = re.compile(r"[.!?…:;][\"”’»)\]]*$|[\"”»]$")
_WORD = re.compile(r"[^\W_][\w'’\-]*")


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text)


def is_heading(line: str) -> bool:
    """A short title-like line without final punctuation (subheading, teaser title)."""
    line = line.strip()
    if not line or len(line) > 160:
        return False
    # _FINAL_PUNCT without the regex: final punctuation, perhaps before closing quotes or brackets
    bare = line.rstrip('"”’»)]')
    if (bare and bare[-1] in ".!?…:;") or line[-1] in '"”»':
        return False
    words = _WORD.findall(line)
    if not words or len(words) > 14:
        return False
    first = words[0]
    return first[:1].isupper() or first[:1].isdigit()


def _key(line: str) -> str:
    return " ".join(w.casefold() for w in _WORD.findall(line))


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def language_hint(text: str) -> str:
    sample = text[:5000]
    if not _CYRILLIC.search(sample):  # the common case, decided without counting
        return "en" if _LATIN.search(sample) else ""
    cyr = _CYRILLIC.subn("", sample)[1]  # counted in C, not character by character
    lat = _LATIN.subn("", sample)[1]
    if not cyr and not lat:
        return ""
    if cyr > lat:
        uk = sum(sample.count(c) for c in "іїєґІЇЄҐ")
        ru = sum(sample.count(c) for c in "ыэъёЫЭЪЁ")
        return "uk" if uk > ru else "ru"
    return "en"


def clean_body(text: str) -> tuple[str, str]:
    """Remove page noise; return (body, publisher_hint). Paragraphs are joined with a blank line."""
    if not isinstance(text, str):
        text = str(text or "")
    return _clean_normalised(_normalise(text))


def _clean_normalised(text: str) -> tuple[str, str]:
    lines = [ln.strip() for ln in text.split("\n")]
    publisher = ""
    kept: list[str] = []
    for raw in lines:
        line = _strip_switcher_tail(raw) if len(raw) < 2000 else raw
        if not line:
            kept.append("")
            continue
        if noise_line(line):
            if _TEASER_MARKER.match(line):
                kept.append("\x00marker")
            continue
        if len(line) < 600 and caption(line):
            continue
        m = publisher_link(line)
        if m:
            publisher = publisher or (m.group(1) or m.group(2) or "").strip(" .")
            cut = len(line) - 300 + m.start() if len(line) > 300 else m.start()
            prior = [e.end() for e in _SENT_END_BEFORE.finditer(line, 0, cut)]
            line = line[: prior[-1]].strip() if prior else ""
            if not line:
                continue
        kept.append(line)

    # Teaser blocks: heading(s) around a marker line, and the teaser paragraph under a heading after it.
    paras = [ln for ln in kept if ln]
    drop: set[int] = set()
    for i, line in enumerate(paras):
        if line != "\x00marker":
            continue
        drop.add(i)
        j = i - 1
        if j >= 0 and is_heading(paras[j]):
            drop.add(j)
        j = i + 1
        if j < len(paras) and is_heading(paras[j]):
            drop.add(j)
            if j + 1 < len(paras) and paras[j + 1] != "\x00marker" and not is_heading(paras[j + 1]):
                drop.add(j + 1)
    # A heading line that repeats is a teaser or navigation title.
    seen: dict[str, list[int]] = {}
    for i, line in enumerate(paras):
        if is_heading(line):
            seen.setdefault(_key(line), []).append(i)
    for idxs in seen.values():
        if len(idxs) > 1:
            drop.update(idxs)
    body = "\n\n".join(p for i, p in enumerate(paras) if i not in drop and p != "\x00marker")
    return body, publisher


def derive_title(text: str) -> str:
    """A title from the lead: its first sentence, shortened at a word boundary to about 100 chars."""
    text = " ".join(_normalise(text or "").split())
    if not text:
        return ""
    m = re.search(r"[.!?…](?=\s+[\"“«A-ZА-ЯІЇЄҐ0-9])", text[:400])
    first = text[: m.start()] if m and m.start() > 20 else text
    first = first.strip().rstrip(".!?… ")
    if len(first) <= 100:
        return first
    cut = first[:101]
    space = cut.rfind(" ")
    cut = cut[:space] if space > 40 else cut[:100]
    return cut.rstrip(" ,;:-–—") + "…"


def _looks_like_lead(line: str) -> bool:
    words = _WORD.findall(line)
    return len(words) >= 10 and bool(re.search(r"[.!?…][\"”’»)]?$", line))


def clean_article_text(raw: str, *, has_title_line: bool | None = None) -> CleanedArticle:
    """Seed-style plain text: first meaningful line is the title unless it is the lead sentence."""
    if not isinstance(raw, str):
        raw = str(raw or "")
    lines = _normalise(raw).split("\n")
    idx = 0
    while idx < len(lines):
        line = lines[idx].strip()
        if line and not noise_line(line):
            break
        idx += 1
    if idx >= len(lines):
        return CleanedArticle(title="", body="", publisher_hint="", language_hint="")
    first = _strip_switcher_tail(lines[idx].strip())
    lead = (not has_title_line) if has_title_line is not None else _looks_like_lead(first)
    if lead:
        title = derive_title(first)
        rest = lines[idx:]
    else:
        title = first
        tkey = _key(first)
        # The title often repeats at the top of the body (alone or glued to a photo caption).
        size = len(first)
        rest = [
            ln
            for ln in lines[idx + 1 :]
            # only a line of about the title's length can repeat it
            if not (tkey and abs(len(ln) - size) <= 20 + size // 2 and _key(ln) == tkey)
        ]
    body, publisher = _clean_normalised("\n".join(rest))  # lines are normalised already
    return CleanedArticle(title=title, body=body, publisher_hint=publisher, language_hint=language_hint(body or title))
