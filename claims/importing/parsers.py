"""Streaming parsers: files (or zip members) in, ArticleRecord / RecordError / SourceRegistry out.

Pure apart from reading the files: no database, no Django models. Line-based formats (JSONL, CSV)
and top-level JSON lists are read record by record, so memory stays flat in the file size; whole
documents (one text article, an HTML page, a feed, a JSON object such as a NewsAPI response) are
read whole, bounded by the per-file size limit. No parser raises on bad input.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import html
import io
import itertools
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from claims.importing.detect import (
    SNIFF_BYTES,
    ZIP_MAGIC,
    UnreadableFile,
    codec_label,
    detect_format,
    extension_format,
    sniff_encoding,
)
from claims.importing.records import ArticleRecord, Limits, RecordError, SourceRegistry

Item = ArticleRecord | RecordError | SourceRegistry

CHUNK_CHARS = 256 * 1024
# csv refuses fields over 128 KB by default; articles can be longer (bounded by the article limit).
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class Input:
    """One file to read: a path on disk or a member of a zip archive (`archive.zip/member`)."""

    label: str
    size: int
    open: Callable[[], BinaryIO]


# --- finding the files ----------------------------------------------------------------------


def _hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in Path(name).parts if part not in {".", ".."})


def _folder_files(folder: Path, label: str) -> list[tuple[Path, str]]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__MACOSX")
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = Path(dirpath) / name
            found.append((full, os.path.join(label, os.path.relpath(full, folder))))
    return found


def iter_inputs(paths: Iterable[str], *, root: str | os.PathLike | None = None) -> Iterator[Input | RecordError]:
    """Expand paths (files, folders recursively, globs, zip archives) into Inputs, in a stable order.

    Relative paths are taken from `root` when given (labels stay as written). A path that does not
    exist gives a RecordError; so does an unreadable or broken archive.
    """
    seen: set[str] = set()
    for raw in paths:
        raw = str(raw)
        path = Path(root, raw) if root is not None else Path(raw)
        if path.is_dir():
            files = _folder_files(path, raw)
        elif path.is_file():
            files = [(path, raw)]
        elif glob.has_magic(raw):
            files = []
            for match in sorted(glob.glob(raw, root_dir=root, recursive=True)):
                m = Path(root, match) if root is not None else Path(match)
                files.extend(_folder_files(m, match) if m.is_dir() else [(m, match)] if m.is_file() else [])
            if not files:
                yield RecordError(raw, 1, "no file matches this pattern")
                continue
        else:
            yield RecordError(raw, 1, "no such file or directory")
            continue
        for file, label in files:
            try:
                key = str(file.resolve())
            except OSError:
                key = str(file)
            if key in seen:
                continue
            seen.add(key)
            yield from _file_inputs(file, label)


def _file_inputs(file: Path, label: str) -> Iterator[Input | RecordError]:
    try:
        size = file.stat().st_size
        with open(file, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        yield RecordError(label, 1, f"cannot read: {exc.strerror or exc}")
        return
    if magic.startswith(ZIP_MAGIC) or (extension_format(label) == "zip" and size > 0):
        yield from _zip_inputs(file, label)
        return
    yield Input(label=label, size=size, open=lambda: open(file, "rb"))  # noqa: SIM115 - the reader closes it


def _zip_inputs(file: Path, label: str) -> Iterator[Input | RecordError]:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield RecordError(label, 1, f"broken zip archive: {exc}")
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir() and not _hidden(info.filename)]
        if not members:
            yield RecordError(label, 1, "the zip archive holds no files")
        for info in members:
            member_label = f"{label}/{info.filename}"
            if info.flag_bits & 0x1:
                yield RecordError(member_label, 1, "encrypted archive member; cannot read it")
            elif extension_format(info.filename) == "zip":
                yield RecordError(member_label, 1, "archive inside an archive; unpack it first")
            else:
                yield Input(label=member_label, size=info.file_size, open=lambda info=info: archive.open(info))


# --- reading one file ------------------------------------------------------------------------


def parse_input(inp: Input, limits: Limits | None = None) -> Iterator[Item]:
    """Every record in one file. Never raises: problems come out as RecordErrors."""
    limits = limits or Limits()
    if inp.size == 0:
        yield RecordError(inp.label, 1, "empty file")
        return
    if inp.size > limits.max_file_bytes:
        yield RecordError(
            inp.label, 1, f"file is {_mb(inp.size)}, over the {_mb(limits.max_file_bytes)} limit per file"
        )
        return
    try:
        fh = inp.open()
    except (OSError, zipfile.BadZipFile, RuntimeError, ValueError, NotImplementedError) as exc:
        yield RecordError(inp.label, 1, f"cannot read: {exc}")
        return
    try:
        yield from _guard(_parse_stream(inp.label, fh, limits), inp.label)
    finally:
        with contextlib.suppress(Exception):  # closing a broken archive member must not hide the real error
            fh.close()


def parse_bytes(label: str, data: bytes, limits: Limits | None = None) -> Iterator[Item]:
    """Parse in-memory bytes as if they were a file called `label` (zip archives included)."""
    if data.startswith(ZIP_MAGIC) or extension_format(label) == "zip":
        yield from _guard(_parse_zip_bytes(label, data, limits), label)
        return
    yield from parse_input(Input(label=label, size=len(data), open=lambda: io.BytesIO(data)), limits)


def _parse_zip_bytes(label: str, data: bytes, limits: Limits | None) -> Iterator[Item]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield RecordError(label, 1, f"broken zip archive: {exc}")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir() or _hidden(info.filename):
                continue
            member = f"{label}/{info.filename}"
            if extension_format(info.filename) == "zip" or info.flag_bits & 0x1:
                yield RecordError(member, 1, "archive inside an archive or encrypted member; unpack it first")
                continue
            yield from parse_input(Input(member, info.file_size, lambda info=info: archive.open(info)), limits)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _guard(items: Iterator[Item], label: str) -> Iterator[Item]:
    """Turn any exception inside a parser into a RecordError after the last good record."""
    last = 0
    try:
        for item in items:
            if not isinstance(item, SourceRegistry):
                last = item.line
            yield item
    except UnicodeDecodeError as exc:
        yield RecordError(label, last + 1, f"cannot decode the text ({exc.encoding}); the rest of the file was skipped")
    except (zipfile.BadZipFile, EOFError) as exc:
        yield RecordError(label, last + 1, f"broken zip archive member: {exc}")
    except MemoryError:
        yield RecordError(label, last + 1, "record too large to read")
    except Exception as exc:
        yield RecordError(label, last + 1, f"could not read the rest of the file ({type(exc).__name__}: {exc})")


def _parse_stream(label: str, fh: BinaryIO, limits: Limits) -> Iterator[Item]:
    head = fh.read(SNIFF_BYTES)
    if not head:
        yield RecordError(label, 1, "empty file")
        return
    if head.startswith(ZIP_MAGIC):
        yield RecordError(label, 1, "zip archive where a document was expected; unpack it first")
        return
    complete = len(head) < SNIFF_BYTES
    try:
        codec = sniff_encoding(head, complete=complete)
    except UnreadableFile as exc:
        yield RecordError(label, 1, str(exc))
        return
    head_text = head.decode(codec, errors="ignore")
    if not head_text.strip():
        yield RecordError(label, 1, "empty file (white space only)")
        return
    fmt = detect_format(label, head_text)
    raw = io.BufferedReader(_Rewound(head, fh))
    stream = io.TextIOWrapper(raw, encoding=codec, newline="" if fmt == "csv" else None)
    try:
        if fmt == "jsonl":
            yield from parse_jsonl(label, stream, limits)
        elif fmt == "csv":
            yield from parse_csv(label, stream, limits)
        elif fmt == "json":
            yield from parse_json(label, stream, limits)
        else:
            try:
                text = stream.read()
            except UnicodeDecodeError:
                yield RecordError(label, 1, f"cannot decode as {codec_label(codec)}; not imported")
                return
            if fmt == "html":
                yield from parse_html(label, text)
            elif fmt == "feed":
                yield from parse_feed(label, text)
            else:
                yield from parse_txt(label, text)
    finally:
        stream.detach()


class _Rewound(io.RawIOBase):
    """The sniffed head followed by the rest of the stream, without seeking."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


# --- formats ---------------------------------------------------------------------------------


def parse_txt(label: str, text: str) -> Iterator[Item]:
    """A seed-style article: one file, one article; title and noise are handled when cleaning."""
    if not text.strip():
        yield RecordError(label, 1, "empty file (white space only)")
        return
    yield ArticleRecord(path=label, line=1, text=text, plain=True)


def parse_jsonl(label: str, stream: TextIO, limits: Limits) -> Iterator[Item]:
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        if len(line) > limits.max_article_chars * 2 + 100_000:
            yield RecordError(label, n, f"line is {len(line):,} characters, over the limit for one article")
            continue
        try:
            obj = json.loads(line.strip())
        except ValueError as exc:
            where = f" (column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
            yield RecordError(label, n, f"broken JSON: {getattr(exc, 'msg', exc)}{where}")
            continue
        yield record_from_mapping(label, n, obj)


def parse_json(label: str, stream: TextIO, limits: Limits) -> Iterator[Item]:
    """A JSON list (streamed record by record), or one object: an article, a NewsAPI response, a registry."""
    first = ""
    buf = ""
    while not first:
        chunk = stream.read(CHUNK_CHARS)
        if not chunk:
            break
        buf += chunk
        first = buf.lstrip("\ufeff \t\r\n")[:1]
    if first == "[":
        yield from _json_array(label, stream, buf, limits)
        return
    rest = stream.read()
    text = buf + rest
    try:
        obj = json.loads(text.lstrip("\ufeff"))
    except ValueError as exc:
        yield RecordError(label, 1, f"broken JSON: {_json_msg(exc)}")
        return
    if isinstance(obj, dict) and isinstance(obj.get("articles"), list):
        # A NewsAPI response (or any {"articles": [...]} wrapper): N is the article's number.
        for n, item in enumerate(obj["articles"], 1):
            yield record_from_mapping(label, n, item)
        if not obj["articles"]:
            yield RecordError(label, 1, "the JSON 'articles' list is empty")
        return
    if isinstance(obj, dict) and _is_registry(obj):
        yield SourceRegistry(path=label, sources=obj["sources"])
        return
    if isinstance(obj, list):  # only reached when the list did not start the text (cannot happen)
        for n, item in enumerate(obj, 1):
            yield record_from_mapping(label, n, item)
        return
    yield record_from_mapping(label, 1, obj)


def _is_registry(obj: dict) -> bool:
    sources = obj.get("sources")
    return (
        isinstance(sources, list)
        and bool(sources)
        and all(isinstance(s, dict) and isinstance(s.get("name"), str) for s in sources)
        and not any(key in obj for key in ("maintext", "text", "content", "body", "articles"))
    )


def _json_array(label: str, stream: TextIO, buf: str, limits: Limits) -> Iterator[Item]:
    decoder = json.JSONDecoder()
    ws = " \t\r\n\ufeff"
    max_record = limits.max_article_chars * 2 + 100_000
    pos = len(buf) - len(buf.lstrip(ws)) + 1  # just after "["
    eof = False
    n = 0
    expect = "first"  # "first" (value or "]"), "value", "sep" ("," or "]")

    def more() -> bool:
        nonlocal buf, eof
        if eof:
            return False
        chunk = stream.read(CHUNK_CHARS)
        if not chunk:
            eof = True
            return False
        buf += chunk
        return True

    while True:
        while True:
            while pos < len(buf) and buf[pos] in ws:
                pos += 1
            if pos < len(buf) or not more():
                break
        if pos >= len(buf):
            yield RecordError(label, n + 1, "broken JSON: the file ends before the list is closed")
            return
        ch = buf[pos]
        if expect == "sep":
            if ch == ",":
                pos += 1
                expect = "value"
                continue
            if ch == "]":
                break
            yield RecordError(label, n + 1, f"broken JSON after record {n}: expected ',' or ']'; rest skipped")
            return
        if ch == "]" and expect == "first":
            break
        while True:
            try:
                obj, end = decoder.raw_decode(buf, pos)
            except ValueError as exc:
                if len(buf) - pos > max_record or not more():
                    why = "record too large" if len(buf) - pos > max_record else _json_msg(exc)
                    yield RecordError(label, n + 1, f"broken JSON: {why}; the rest of the list was skipped")
                    return
                continue
            if end >= len(buf) and more():  # a number or literal may continue in the next chunk
                continue
            break
        n += 1
        pos = end
        expect = "sep"
        yield record_from_mapping(label, n, obj)
        if pos > CHUNK_CHARS:
            buf = buf[pos:]
            pos = 0
    # Only white space may follow the closing bracket.
    pos += 1
    while True:
        tail = buf[pos:].strip(ws)
        if tail:
            yield RecordError(label, n + 1, "broken JSON: text after the end of the list")
            return
        buf, pos = "", 0
        if not more():
            return


def _json_msg(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (line {exc.lineno} column {exc.colno})"
    return str(exc)


_CHARS_TAIL = re.compile(r"\s*(?:…|\.\.\.)?\s*\[\+\d+ chars\]\s*$")
_HTMLISH = re.compile(r"<(?:p|br|div|a|span|li|strong|em|b|i)\b[^>]*>", re.I)

_BODY_KEYS = ("maintext", "text", "body", "content", "article", "article_text", "raw_text", "fulltext", "full_text")
_FALLBACK_KEYS = ("description", "summary", "excerpt", "lead")
_TITLE_KEYS = ("title", "headline", "title_page", "title_rss", "name")
_URL_KEYS = ("url", "link", "canonical_url", "source_url", "uri")
_PUBLISHER_KEYS = ("publisher", "source_domain", "sitename", "site_name", "hostname", "source-hostname", "domain")
_DATE_KEYS = ("date_publish", "publishedAt", "published_at", "published", "date", "pubDate", "datePublished")
_LANG_KEYS = ("language", "lang", "inLanguage")
_AUTHOR_KEYS = ("authors", "author", "byline")


def _text(value) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("value") or "")
    return ""


def _first(obj: dict, keys: Iterable[str]) -> str:
    for key in keys:
        value = _text(obj.get(key)).strip()
        if value:
            return value
    return ""


def record_from_mapping(label: str, n: int, obj) -> ArticleRecord | RecordError:
    """One JSON object as news-please, trafilatura or NewsAPI write it (or close to it)."""
    if not isinstance(obj, dict):
        return RecordError(label, n, f"expected a JSON object for an article, found {type(obj).__name__}")
    newsapi = isinstance(obj.get("source"), dict) and ("publishedAt" in obj or "urlToImage" in obj)
    body = _first(obj, _BODY_KEYS)
    description = _first(obj, _FALLBACK_KEYS)
    if newsapi:
        content = _CHARS_TAIL.sub("", _text(obj.get("content"))).strip()
        if content and description and not _same_start(content, description):
            body = f"{description}\n\n{content}"
        else:
            body = content or description
    elif not body:
        body = description
    if _HTMLISH.search(body[:5000]):
        body = html_to_text(body)
    if not body.strip():
        title = _first(obj, _TITLE_KEYS)
        what = f" ({title[:60]!r})" if title else ""
        fields = ", ".join(sorted(k for k in obj if isinstance(k, str))[:8]) or "none"
        if newsapi:
            return RecordError(label, n, f"no article text{what}: the NewsAPI record has no content or description")
        return RecordError(label, n, f"no article text{what}; fields found: {fields}")
    source = obj.get("source")
    publisher = _first(obj, _PUBLISHER_KEYS)
    if isinstance(source, dict):
        publisher = _text(source.get("name")).strip() or publisher
    url = _first(obj, _URL_KEYS)
    if not url and isinstance(source, str) and source.startswith(("http://", "https://")):
        url = source  # trafilatura's "source" is the page URL
    return ArticleRecord(
        path=label,
        line=n,
        text=body,
        title=_first(obj, _TITLE_KEYS),
        url=url,
        publisher=publisher,
        published=_first(obj, _DATE_KEYS),
        language=_first(obj, _LANG_KEYS),
        author=_first(obj, _AUTHOR_KEYS),
    )


def _same_start(a: str, b: str) -> bool:
    key = min(len(a), len(b), 60)
    return a[:key].strip().casefold() == b[:key].strip().casefold()


_CSV_COLUMNS = {
    "title": ("title", "headline"),
    "body": ("body", "text", "maintext", "content", "article"),
    "url": ("url", "link"),
    "publisher": ("publisher", "source", "source_domain", "outlet"),
    "published_at": ("published_at", "published", "date", "date_publish", "publishedat"),
    "language": ("language", "lang"),
    "author": ("author", "authors"),
    "description": ("description", "summary"),
}


def parse_csv(label: str, stream: TextIO, limits: Limits) -> Iterator[Item]:
    header_line = stream.readline()
    while header_line and not header_line.strip():
        header_line = stream.readline()
    if not header_line:
        yield RecordError(label, 1, "empty CSV file")
        return
    candidates = [d for d in (",", ";", "\t", "|") if d in header_line]
    delimiter = max(candidates, key=header_line.count) if candidates else ","
    reader = csv.reader(itertools.chain([header_line], stream), delimiter=delimiter)
    try:
        header = [h.strip().lstrip("\ufeff").strip('"').lower() for h in next(reader)]
    except (csv.Error, StopIteration) as exc:
        yield RecordError(label, 1, f"broken CSV header: {exc}")
        return
    index = {}
    for field, names in _CSV_COLUMNS.items():
        for name in names:
            if name in header:
                index[field] = header.index(name)
                break
    if "body" not in index:
        found = ", ".join(h for h in header if h)[:200] or "none"
        yield RecordError(label, 1, f"CSV header has no 'body' column (columns found: {found})")
        return
    errors_in_a_row = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors_in_a_row += 1
            yield RecordError(label, start, f"broken CSV: {exc}")
            if errors_in_a_row >= 50:
                yield RecordError(label, reader.line_num + 1, "too many broken CSV lines; the rest was skipped")
                return
            continue
        errors_in_a_row = 0
        if not any(cell.strip() for cell in row):
            continue

        def cell(field: str, row=row) -> str:
            i = index.get(field)
            return row[i].strip() if i is not None and i < len(row) else ""

        body = cell("body") or cell("description")
        if not body:
            title = cell("title")
            what = f" ({title[:60]!r})" if title else ""
            yield RecordError(label, start, f"no article text{what}: the 'body' cell is empty")
            continue
        if _HTMLISH.search(body[:5000]):
            body = html_to_text(body)
        yield ArticleRecord(
            path=label,
            line=start,
            text=body,
            title=cell("title"),
            url=cell("url"),
            publisher=cell("publisher"),
            published=cell("published_at"),
            language=cell("language"),
            author=cell("author"),
        )


def parse_html(label: str, text: str) -> Iterator[Item]:
    """A saved web page: main text and metadata by trafilatura."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, include_tables=False)
    except Exception as exc:
        yield RecordError(label, 1, f"could not read the HTML page ({type(exc).__name__})")
        return
    body = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not body:
        yield RecordError(label, 1, "no article text found in the HTML page")
        return
    title = (doc.title or "").strip()
    lines = body.split("\n")
    if title and lines and " ".join(lines[0].split()) == " ".join(title.split()):
        lines = lines[1:]  # trafilatura repeats the headline as the first line
    body = "\n\n".join(ln.strip() for ln in lines if ln.strip())
    if not body:
        yield RecordError(label, 1, "no article text found in the HTML page (only a headline)")
        return
    date = doc.date or ""
    yield ArticleRecord(
        path=label,
        line=1,
        text=body,
        title=title,
        url=(doc.url or "").strip(),
        publisher=(doc.sitename or doc.hostname or "").strip(),
        published=date if date and len(date) >= 10 else "",
        language=(doc.language or "").strip(),
        author=(doc.author or "").strip(),
    )


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def parse_feed(label: str, text: str) -> Iterator[Item]:
    """RSS 2.0 / Atom / RDF: one article per item; N is the item's number."""
    import feedparser

    # Hand feedparser a byte stream (a string could be taken for a URL or a path), already UTF-8.
    data = b'<?xml version="1.0" encoding="utf-8"?>\n' + _XML_DECL.sub("", text, count=1).encode("utf-8")
    try:
        feed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    except Exception as exc:
        yield RecordError(label, 1, f"broken feed ({type(exc).__name__})")
        return
    entries = feed.get("entries") or []
    if not entries:
        problem = feed.get("bozo_exception")
        yield RecordError(label, 1, f"broken feed: {problem}" if problem else "the feed has no items")
        return
    publisher = _text(feed.get("feed", {}).get("title")).strip()
    for n, entry in enumerate(entries, 1):
        content = entry.get("content") or []
        raw = ""
        if content and isinstance(content, list):
            raw = max((_text(c.get("value")) for c in content if isinstance(c, dict)), key=len, default="")
        raw = raw or _text(entry.get("summary")) or _text(entry.get("description"))
        body = html_to_text(raw)
        title = html_to_text(_text(entry.get("title"))).replace("\n", " ").strip()
        if not body.strip():
            what = f" ({title[:60]!r})" if title else ""
            yield RecordError(label, n, f"no article text{what}: the feed item has no description or content")
            continue
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        published = ""
        if parsed:
            try:
                published = datetime(*parsed[:6], tzinfo=UTC).isoformat()
            except (TypeError, ValueError):
                published = _text(entry.get("published") or entry.get("updated"))
        else:
            published = _text(entry.get("published") or entry.get("updated"))
        yield ArticleRecord(
            path=label,
            line=n,
            text=body,
            title=title,
            url=_text(entry.get("link")).strip(),
            publisher=publisher,
            published=published,
            language=_text(feed.get("feed", {}).get("language")).strip(),
            author=_text(entry.get("author")).strip(),
        )


_SCRIPT = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_LINK_ONLY_PARA = re.compile(r"<p\b[^>]*>\s*<a\b[^>]*>[^<]{0,40}</a>\s*</p>", re.I)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_BLOCK = re.compile(r"</?(?:p|div|li|ul|ol|h[1-6]|blockquote|section|article|tr|table|figure|figcaption)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]{0,2000}>")
_BLANKS = re.compile(r"\n\s*\n\s*")


def html_to_text(fragment: str) -> str:
    """HTML (a feed description, a CMS body) reduced to paragraphs of plain text."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    text = _SCRIPT.sub(" ", fragment)
    text = _LINK_ONLY_PARA.sub("\n\n", text)  # "Source" / "Read more" links
    text = _BREAK.sub("\n", text)
    text = _BLOCK.sub("\n\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
