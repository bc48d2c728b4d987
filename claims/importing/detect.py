"""Recognise a file's text encoding and format from its first bytes and its name.

Encodings accepted: UTF-8 with or without BOM, UTF-16 with BOM, and Windows-1251 when the text is
plainly Cyrillic. Anything else (binary data, another 8-bit code page) is refused rather than read
as mojibake.
"""

from __future__ import annotations

import codecs
import json
import re

SNIFF_BYTES = 64 * 1024

FORMATS = ("txt", "json", "jsonl", "csv", "html", "feed", "zip")

_EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".zip": "zip",
}

# Magic numbers of common binary files people drop by mistake.
_MAGIC = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive (unpack it first)"),
    (b"BZh", "a bzip2 archive (unpack it first)"),
    (b"7z\xbc\xaf", "a 7-Zip archive (unpack it first)"),
    (b"Rar!", "a RAR archive (unpack it first)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
]
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_CYR_LOWER = re.compile(r"[\u0430-\u045f]")
_CYR_UPPER = re.compile(r"[\u0400-\u042f]")
_LETTER = re.compile(r"[^\W\d_]")


class UnreadableFile(Exception):
    """The file cannot be read as text in a supported encoding; the message says why."""


def extension_format(name: str) -> str | None:
    dot = name.rfind(".")
    slash = max(name.rfind("/"), name.rfind("\\"))
    if dot <= slash:
        return None
    return _EXTENSIONS.get(name[dot:].lower())


def sniff_encoding(head: bytes, *, complete: bool) -> str:
    """The codec to read a file whose first bytes are `head` (`complete` when head is the whole file).

    Raises UnreadableFile for binary data and for text in an encoding that is not supported.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise UnreadableFile(f"binary file ({what}), not article text")
    if b"\x00" in head:
        if _looks_like_utf16(head):
            raise UnreadableFile(
                "UTF-16 text without a byte-order mark (BOM): save the file as UTF-8, or as UTF-16 with a BOM"
            )
        raise UnreadableFile("binary file (contains NUL bytes), not article text")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is not an error.
        if not complete and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            text = head[: exc.start].decode("utf-8", errors="replace")
        else:
            return _cp1251_or_refuse(head)
    _refuse_control_heavy(text)
    return "utf-8"


def _looks_like_utf16(head: bytes) -> bool:
    """UTF-16 (LE or BE) without a BOM: text whose every other byte is NUL, decoding to readable text."""
    sample = head[: min(len(head), 8192) // 2 * 2]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    for zeros, codec in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros.count(0) >= 0.7 * len(zeros):
            try:
                text = sample.decode(codec)
            except UnicodeDecodeError:
                continue
            readable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
            if readable >= 0.95 * len(text):
                return True
    return False


def mostly_utf8(head: bytes) -> bool:
    """UTF-8 text with a few undecodable bytes (a corrupt line or two), not another encoding or binary."""
    if b"\x00" in head or any(head.startswith(magic) for magic, _ in _MAGIC):
        return False
    text = head.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad > max(3, len(head) // 2000):
        return False
    try:
        _refuse_control_heavy(text)
    except UnreadableFile:
        return False
    return True


def _cp1251_or_refuse(head: bytes) -> str:
    try:
        text = head.decode("cp1251")
    except UnicodeDecodeError:
        raise UnreadableFile("cannot decode: not UTF-8, UTF-16 with BOM or Windows-1251 text") from None
    _refuse_control_heavy(text)
    letters = len(_LETTER.findall(text))
    cyrillic = len(_CYRILLIC.findall(text))
    # Cyrillic text mostly in lower case; KOI8 or Mac bytes read as Windows-1251 come out mostly upper case.
    if letters and cyrillic >= 0.5 * letters and len(_CYR_LOWER.findall(text)) >= len(_CYR_UPPER.findall(text)):
        return "cp1251"
    raise UnreadableFile(
        "cannot decode: not UTF-8, UTF-16 with BOM or Windows-1251 Cyrillic text (save the file as UTF-8)"
    )


def _refuse_control_heavy(text: str) -> None:
    if text and len(_CONTROL.findall(text[:20000])) > max(2, len(text[:20000]) // 100):
        raise UnreadableFile("binary file (control characters), not article text")


def decode_bytes(data: bytes) -> str:
    """Decode a whole file's bytes with the sniffed encoding (UnreadableFile when that fails)."""
    codec = sniff_encoding(data[:SNIFF_BYTES], complete=len(data) <= SNIFF_BYTES)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(f"cannot decode as {codec_label(codec)} at line {line}") from None
    if codec == "utf-16":
        _refuse_control_heavy(text)
    return text


def codec_label(codec: str) -> str:
    return {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "utf-16": "UTF-16", "cp1251": "Windows-1251"}.get(codec, codec)


_XML_PROLOGUE = re.compile(r"^(?:\s*<\?xml[^>]*\?>|\s*<!--.*?-->|\s*<!DOCTYPE(?!\s+html)[^>]*>)*\s*", re.S | re.I)
_FEED_ROOT = re.compile(r"<(?:rss|feed|rdf:RDF|channel)\b", re.I)
_HTML_ROOT = re.compile(r"<(?:!doctype\s+html|html|head|body|article|main|div|p|meta|title|section)\b", re.I)
_JSON_START = re.compile(r'^\s*(?:\{\s*(?:"|\})|\[\s*(?:\{|\]|"|\[))')
_CSV_HEADER_WORDS = {"title", "body", "url", "publisher", "published_at", "language", "text", "content"}


def detect_format(name: str, head: str) -> str:
    """One of FORMATS, from the decoded start of the file (content first) and its name."""
    by_ext = extension_format(name)
    text = head.lstrip("\ufeff")
    if by_ext == "csv":
        return "csv"
    if _JSON_START.match(text):
        if by_ext == "jsonl":
            return "jsonl"
        if by_ext == "json":
            return "json"
        return "jsonl" if _looks_like_jsonl(text) else "json"
    stripped = _XML_PROLOGUE.sub("", text[:4096], count=1)
    if stripped.startswith("<"):
        if _FEED_ROOT.match(stripped):
            return "feed"
        if _HTML_ROOT.match(stripped):
            return "html"
    if by_ext in {"json", "jsonl", "html", "feed"}:
        return by_ext  # the parser will say why the content does not fit
    first_line = text.split("\n", 1)[0].strip().lower()
    if by_ext is None and first_line:
        cells = {c.strip().strip('"') for c in re.split(r"[,;\t|]", first_line)}
        if "body" in cells and len(cells & _CSV_HEADER_WORDS) >= 2:
            return "csv"
    return "txt"


def _looks_like_jsonl(text: str) -> bool:
    lines = [ln for ln in text.split("\n")[:3] if ln.strip()]
    if len(lines) < 2 or not lines[1].lstrip().startswith("{"):
        return False
    try:
        json.loads(lines[0])
    except ValueError:
        return False
    return True
