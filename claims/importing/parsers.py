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
from urllib.parse import urlsplit

from claims.importing.detect import (
    SNIFF_BYTES,
    ZIP_MAGIC,
    UnreadableFile,
    codec_label,
    detect_format,
    extension_format,
    mostly_utf8,
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
        # A line-based file with a few undecodable bytes is still UTF-8: only its bad lines fail.
        codec = None
        if mostly_utf8(head) and detect_format(label, head.decode("utf-8", "replace")) in LINE_FORMATS:
            codec = "utf-8"
        if codec is None:
            yield RecordError(label, 1, str(exc))
            return
    head_text = head.decode(codec, errors="ignore")
    if not head_text.strip():
        yield RecordError(label, 1, "empty file (white space only)")
        return
    fmt = detect_format(label, head_text)
    raw = io.BufferedReader(_Rewound(head, fh))
    if fmt in LINE_FORMATS and codec != "utf-16":
        # Each line decoded on its own, so that one undecodable byte fails exactly its line.
        lines = _decoded_lines(raw, codec, _max_line_chars(limits) * 4)
        if fmt == "jsonl":
            yield from _jsonl(label, lines, limits)
        else:
            yield from _csv(label, lines, limits)
        return
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
                yield RecordError(
                    label, _bad_byte_line(head, fh, codec), f"cannot decode as {codec_label(codec)}; not imported"
                )
                return
            if fmt == "html":
                yield from parse_html(label, text)
            elif fmt == "feed":
                yield from parse_feed(label, text)
            else:
                yield from parse_txt(label, text)
    finally:
        stream.detach()


LINE_FORMATS = ("jsonl", "csv")


def _max_line_chars(limits: Limits) -> int:
    return limits.max_article_chars * 2 + 100_000


def _bad_byte_line(head: bytes, fh: BinaryIO, codec: str) -> int:
    """The line of the first byte `codec` cannot decode, re-reading the file when it can be rewound."""
    data = head
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        if fh.seekable():
            fh.seek(0)
            data = fh.read()
    try:
        data.decode(codec)
    except UnicodeDecodeError as exc:
        if codec == "utf-16":
            return data[: exc.start].decode(codec, "replace").count("\n") + 1
        return data[: exc.start].count(b"\n") + 1
    return 1


@dataclass(frozen=True, slots=True)
class _BadLine:
    """A physical line that cannot be read (undecodable bytes, far too long); `message` says why."""

    message: str


_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def _decoded_lines(raw: BinaryIO, codec: str, max_bytes: int) -> Iterator[tuple[int, str | _BadLine]]:
    """(line number, text) per physical line of an ASCII-compatible encoding, decoded line by line."""
    n = 0
    while True:
        line = raw.readline(max_bytes + 1)
        if not line:
            return
        n += 1
        if len(line) > max_bytes:
            while line and not line.endswith(b"\n"):  # skip the rest of it, a chunk at a time
                line = raw.readline(CHUNK_CHARS)
            yield n, _BadLine("line is far over the limit for one article; skipped")
            continue
        try:
            text = line.decode(codec)
        except UnicodeDecodeError as exc:
            column = len(line[: exc.start].decode(codec, "replace")) + 1
            message = (
                f"cannot decode the line as {codec_label(codec)} (byte 0x{line[exc.start]:02X} at column {column})"
            )
            yield n, _BadLine(f"{message}; line skipped")
            continue
        if "\r" in text[:-2]:  # old Mac line ends (a lone CR), split as universal newlines would
            *pieces, text = _LONE_CR.split(text)
            for piece in pieces:
                yield n, piece
                n += 1
        yield n, text


def _text_lines(stream: TextIO, max_chars: int) -> Iterator[tuple[int, str | _BadLine]]:
    """(line number, text) per line of an already decoding text stream."""
    n = 0
    while True:
        try:
            line = stream.readline(max_chars + 1)
        except UnicodeDecodeError as exc:
            yield n + 1, _BadLine(f"cannot decode the text ({exc.encoding}); the rest of the file was skipped")
            return
        if not line:
            return
        n += 1
        if len(line) > max_chars and not line.endswith("\n"):
            while line and not line.endswith("\n"):
                try:
                    line = stream.readline(CHUNK_CHARS)
                except UnicodeDecodeError:
                    return
            yield n, _BadLine("line is far over the limit for one article; skipped")
            continue
        yield n, line


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
    yield from _jsonl(label, _text_lines(stream, _max_line_chars(limits)), limits)


def _jsonl(label: str, lines: Iterable[tuple[int, str | _BadLine]], limits: Limits) -> Iterator[Item]:
    """One record per line; a line that cannot be decoded, is too long or is broken fails alone."""
    for n, line in lines:
        if isinstance(line, _BadLine):
            yield RecordError(label, n, line.message)
            continue
        if not line.strip():
            continue
        if len(line) > _max_line_chars(limits):
            yield RecordError(label, n, f"line is {len(line):,} characters, over the limit for one article")
            continue
        try:
            obj = json.loads(line.strip())
        except RecursionError:
            yield RecordError(label, n, "broken JSON: nested too deeply to be an article record")
            continue
        except ValueError as exc:
            where = f" (column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
            yield RecordError(label, n, f"broken JSON: {getattr(exc, 'msg', exc)}{where}")
            continue
        yield record_from_mapping(label, n, obj, limits)


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
    except RecursionError:
        yield RecordError(label, 1, "broken JSON: nested too deeply to be article records")
        return
    except ValueError as exc:
        yield RecordError(label, 1, f"broken JSON: {_json_msg(exc)}")
        return
    if isinstance(obj, dict) and isinstance(obj.get("articles"), list):
        # A NewsAPI response (or any {"articles": [...]} wrapper): N is the article's number.
        for n, item in enumerate(obj["articles"], 1):
            yield record_from_mapping(label, n, item, limits)
        if not obj["articles"]:
            yield RecordError(label, 1, "the JSON 'articles' list is empty")
        return
    if isinstance(obj, dict) and _is_registry(obj):
        yield SourceRegistry(path=label, sources=obj["sources"])
        return
    if isinstance(obj, list):  # only reached when the list did not start the text (cannot happen)
        for n, item in enumerate(obj, 1):
            yield record_from_mapping(label, n, item, limits)
        return
    yield record_from_mapping(label, 1, obj, limits)


def _is_registry(obj: dict) -> bool:
    sources = obj.get("sources")
    return (
        isinstance(sources, list)
        and bool(sources)
        and all(isinstance(s, dict) and isinstance(s.get("name"), str) for s in sources)
        and not any(key in obj for key in ("maintext", "text", "content", "body", "articles"))
    )


_JSON_SPACE = " \t\r\n\ufeff"


def _json_array(label: str, stream: TextIO, buf: str, limits: Limits) -> Iterator[Item]:
    """The records of a top-level JSON list, decoded one at a time; a broken one ends the list."""
    decoder = json.JSONDecoder()
    max_record = limits.max_article_chars * 2 + 100_000
    text = _StreamText(stream, buf, pos=len(buf) - len(buf.lstrip(_JSON_SPACE)) + 1)  # just after "["
    n = 0
    expect = "first"  # "first" (value or "]"), "value", "sep" ("," or "]")
    while True:
        ch = text.next_char()
        if ch is None:
            yield RecordError(label, n + 1, "broken JSON: the file ends before the list is closed")
            return
        if expect == "sep":
            if ch == ",":
                text.pos += 1
                expect = "value"
                continue
            if ch == "]":
                break
            yield RecordError(label, n + 1, f"broken JSON after record {n}: expected ',' or ']'; rest skipped")
            return
        if ch == "]" and expect == "first":
            break
        obj, error = _json_next_value(text, decoder, max_record)
        if error is not None:
            yield RecordError(label, n + 1, f"broken JSON: {error}; the rest of the list was skipped")
            return
        n += 1
        expect = "sep"
        yield record_from_mapping(label, n, obj, limits)
        text.forget_read()
    text.pos += 1  # past the closing bracket: only white space may follow it
    if not text.only_space_left():
        yield RecordError(label, n + 1, "broken JSON: text after the end of the list")


class _StreamText:
    """The part of a stream read so far (`buf`), the place reading is at (`pos`), and more on demand."""

    def __init__(self, stream: TextIO, buf: str, pos: int) -> None:
        self.stream = stream
        self.buf = buf
        self.pos = pos
        self.eof = False

    def more(self) -> bool:
        """Read one more chunk onto `buf`; False at the end of the stream."""
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK_CHARS)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def next_char(self) -> str | None:
        """Move past white space (reading on as needed) to the next character; None at the end."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _JSON_SPACE:
                self.pos += 1
            if self.pos < len(self.buf) or not self.more():
                break
        return self.buf[self.pos] if self.pos < len(self.buf) else None

    def forget_read(self) -> None:
        """Drop what is behind `pos` once it passes a chunk, so memory stays flat in the file size."""
        if self.pos > CHUNK_CHARS:
            self.buf = self.buf[self.pos :]
            self.pos = 0

    def only_space_left(self) -> bool:
        """Whether everything from `pos` to the end of the stream is white space."""
        while True:
            if self.buf[self.pos :].strip(_JSON_SPACE):
                return False
            self.buf, self.pos = "", 0
            if not self.more():
                return True


def _json_next_value(text: _StreamText, decoder: json.JSONDecoder, max_record: int) -> tuple[object, str | None]:
    """The JSON value at `text.pos`, reading on until it is whole, and None; or None and why it is broken."""
    while True:
        try:
            obj, end = decoder.raw_decode(text.buf, text.pos)
        except RecursionError:
            return None, "nested too deeply"
        except ValueError as exc:
            too_large = len(text.buf) - text.pos > max_record
            if too_large or not text.more():
                return None, "record too large" if too_large else _json_msg(exc)
            continue
        if end >= len(text.buf) and text.more():  # a number or literal may continue in the next chunk
            continue
        text.pos = end
        return obj, None


def _json_msg(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} (line {exc.lineno} column {exc.colno})"
    return str(exc)


# NewsAPI cuts `content` at 200 characters and appends "… [+3188 chars]". Matched on the last few
# characters only: the old pattern, two \s* runs searched from every position, was cubic in a run of spaces.
_CHARS_TAIL = re.compile(r"(?:…|\.\.\.)?[ \t]{0,8}\[\+\d{1,9} chars\]$")


def cut_marker_strip(content: str) -> tuple[str, bool]:
    """`content` without NewsAPI's trailing "[+N chars]" marker, and whether the marker was there."""
    stripped = content.rstrip()
    if not stripped.endswith(" chars]"):
        return content, False
    tail_at = max(0, len(stripped) - 40)
    m = _CHARS_TAIL.search(stripped, tail_at)
    if m is None:
        return content, False
    return stripped[: m.start()].rstrip(), True


_HTMLISH = re.compile(r"<(?:p|br|div|a|span|li|strong|em|b|i)\b[^>]*>", re.I)

_BODY_KEYS = ("maintext", "text", "body", "content", "article", "article_text", "raw_text", "fulltext", "full_text")
_FALLBACK_KEYS = ("description", "summary", "excerpt", "lead")
_TITLE_KEYS = ("title", "headline", "title_page", "title_rss", "name")
_URL_KEYS = ("url", "link", "canonical_url", "source_url", "uri")
_PUBLISHER_KEYS = ("publisher", "source_domain", "sitename", "site_name", "hostname", "source-hostname", "domain")
_DATE_KEYS = ("date_publish", "publishedAt", "published_at", "published", "date", "pubDate", "datePublished")
_LANG_KEYS = ("language", "lang", "inLanguage")
_AUTHOR_KEYS = ("authors", "author", "byline")


def _text(value, depth: int = 0) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if depth >= 4:  # a name or a list of names is shallow; deeper nesting is not text we want
        return ""
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v, depth + 1) for v in value) if t)
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("value") or "", depth + 1)
    return ""


def _first(obj: dict, keys: Iterable[str]) -> str:
    for key in keys:
        value = _text(obj.get(key)).strip()
        if value:
            return value
    return ""


def _too_long_to_convert(body: str, limits: Limits | None) -> bool:
    """Markup beyond four times the article limit cannot shrink into an article: refuse it before
    converting (the limit is checked before any expensive work, not after)."""
    return len(body) > (limits or Limits()).max_article_chars * 4


def record_from_mapping(label: str, n: int, obj, limits: Limits | None = None) -> ArticleRecord | RecordError:
    """One JSON object as news-please, trafilatura or NewsAPI write it (or close to it)."""
    if not isinstance(obj, dict):
        return RecordError(label, n, f"expected a JSON object for an article, found {type(obj).__name__}")
    newsapi = isinstance(obj.get("source"), dict) and ("publishedAt" in obj or "urlToImage" in obj)
    body = _first(obj, _BODY_KEYS)
    description = _first(obj, _FALLBACK_KEYS)
    truncated = False
    if newsapi:
        content, truncated = cut_marker_strip(_text(obj.get("content")))
        content = content.strip()
        if content and description and not _same_start(content, description):
            body = f"{description}\n\n{content}"
        else:
            body = content or description
    elif not body:
        body = description
    if _too_long_to_convert(body, limits):
        return RecordError(label, n, f"article text is {len(body):,} characters, over the limit for one article")
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
        truncated=truncated,
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
    yield from _csv(label, _text_lines(stream, _max_line_chars(limits)), limits)


def _csv(label: str, lines: Iterable[tuple[int, str | _BadLine]], limits: Limits) -> Iterator[Item]:
    """Rows by their first physical line; a row holding an undecodable or far too long line fails alone."""
    numbered = iter(lines)
    first = _csv_header_line(label, numbered)
    if isinstance(first, RecordError):
        yield first
        return
    header_line, offset = first  # offset: the blank lines before the header (csv counts lines from it on)
    bad: dict[int, str] = {}
    reader = csv.reader(
        itertools.chain([header_line], _csv_physical_lines(numbered, bad)), delimiter=_csv_delimiter(header_line)
    )
    try:
        header = [h.strip().lstrip("\ufeff").strip('"').lower() for h in next(reader)]
    except (csv.Error, StopIteration) as exc:
        yield RecordError(label, offset + 1, f"broken CSV header: {exc}")
        return
    index = _csv_column_index(header)
    if "body" not in index:
        found = ", ".join(h for h in header if h)[:200] or "none"
        yield RecordError(label, offset + 1, f"CSV header has no 'body' column (columns found: {found})")
        return
    yield from _csv_rows(label, reader, offset, bad, index, limits)


def _csv_header_line(label: str, numbered: Iterator[tuple[int, str | _BadLine]]) -> tuple[str, int] | RecordError:
    """The first line that is not blank and how many blank lines came before it, or why there is none."""
    for blank_before, (n, line) in enumerate(numbered):  # every line before this one was blank
        if isinstance(line, _BadLine):
            return RecordError(label, n, f"broken CSV header: {line.message}")
        if line.strip():
            return line, blank_before
    return RecordError(label, 1, "empty CSV file")


def _csv_physical_lines(numbered: Iterator[tuple[int, str | _BadLine]], bad: dict[int, str]) -> Iterator[str]:
    """The lines for csv to read; a bad line is noted in `bad` by its number and read as an empty line."""
    for n, line in numbered:
        if isinstance(line, _BadLine):
            bad[n] = line.message
            yield "\n"
        else:
            yield line


def _csv_delimiter(header_line: str) -> str:
    """The most frequent of , ; tab | in the header (a comma if none is there)."""
    candidates = [d for d in (",", ";", "\t", "|") if d in header_line]
    return max(candidates, key=header_line.count) if candidates else ","


def _csv_column_index(header: list[str]) -> dict[str, int]:
    """Each known field's column: the first of its names that the header has."""
    index = {}
    for field, names in _CSV_COLUMNS.items():
        for name in names:
            if name in header:
                index[field] = header.index(name)
                break
    return index


def _csv_rows(
    label: str, reader, offset: int, bad: dict[int, str], index: dict[str, int], limits: Limits
) -> Iterator[Item]:
    """The rows after the header, each numbered by its first line; 50 broken rows in a row end the file."""
    errors_in_a_row = 0
    while True:
        start = reader.line_num + 1 + offset
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors_in_a_row += 1
            yield RecordError(label, start, f"broken CSV: {exc}")
            if errors_in_a_row >= 50:
                yield RecordError(
                    label, reader.line_num + offset + 1, "too many broken CSV lines; the rest was skipped"
                )
                return
            continue
        broken = [n for n in range(start, reader.line_num + offset + 1) if n in bad]
        if broken:
            message = bad[broken[0]]
            for n in broken:
                del bad[n]
            yield RecordError(label, broken[0], message)
            continue
        errors_in_a_row = 0
        item = _csv_record(label, start, row, index, limits)
        if item is not None:
            yield item


def _csv_record(
    label: str, start: int, row: list[str], index: dict[str, int], limits: Limits
) -> ArticleRecord | RecordError | None:
    """One row as an article record, or why it cannot be one; None for a blank row."""
    if not any(cell.strip() for cell in row):
        return None

    def cell(field: str) -> str:
        i = index.get(field)
        return row[i].strip() if i is not None and i < len(row) else ""

    body = cell("body") or cell("description")
    if not body:
        title = cell("title")
        what = f" ({title[:60]!r})" if title else ""
        return RecordError(label, start, f"no article text{what}: the 'body' cell is empty")
    if _too_long_to_convert(body, limits):
        return RecordError(label, start, f"article text is {len(body):,} characters, over the limit for one article")
    if _HTMLISH.search(body[:5000]):
        body = html_to_text(body)
    return ArticleRecord(
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
    feed_title = _text(feed.get("feed", {}).get("title")).strip()
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
        url = _entry_url(entry)
        yield ArticleRecord(
            path=label,
            line=n,
            text=body,
            title=title,
            url=url,
            publisher=_entry_publisher(entry, url) or feed_title,
            published=published,
            language=_text(feed.get("feed", {}).get("language")).strip(),
            author=_text(entry.get("author")).strip(),
        )


def _http(value: str) -> str:
    value = value.strip()
    return value if value.lower().startswith(("http://", "https://")) else ""


def _entry_url(entry) -> str:
    """The item's own address: its link, else a permalink guid / Atom id, else an alternate link."""
    for candidate in (_text(entry.get("link")), _text(entry.get("id"))):
        if _http(candidate):
            return _http(candidate)
    for link in entry.get("links") or []:
        if isinstance(link, dict) and link.get("rel", "alternate") == "alternate" and _http(_text(link.get("href"))):
            return _http(_text(link.get("href")))
    return ""


def host_name(url: str) -> str:
    """The host of an http(s) URL without "www.", as the source registry lists outlets' domains."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") and "." in host[4:] else host


def _entry_publisher(entry, url: str) -> str:
    """Who published the item: its <source> element, else the domain of its link (which the registry
    maps to an outlet by alias). An aggregator's feed title names the feed, not the item's publisher."""
    source = entry.get("source")
    if isinstance(source, dict):
        name = _text(source.get("title")).strip()
        if name:
            return name
        if _http(_text(source.get("href"))):
            return host_name(_text(source.get("href")))
    return host_name(url) if url else ""


# Every pattern here is linear in its input: no unbounded run that can rescan text from each of many
# start positions (`[^>]*` from each of 100k unclosed "<p " was quadratic, as was a lazy `.*?` to a
# "</script>" that never comes). Raw-text elements and tags are found by a forward scan instead.
_RAW_OPEN = re.compile(r"<(script|style|noscript|template)\b", re.I)
_RAW_CLOSE = {
    name: re.compile(rf"</{name}\b[^<>]{{0,200}}>", re.I) for name in ("script", "style", "noscript", "template")
}
_LINK_ONLY_PARA = re.compile(r"<p\b[^<>]{0,2000}>\s*<a\b[^<>]{0,2000}>[^<]{0,40}</a\s*>\s*</p\s*>", re.I)
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})")
_TAG_REST = re.compile(r"[^<>]{0,2000}>")
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "tr",
        "table",
        "figure",
        "figcaption",
    ]
)
_BLANKS = re.compile(r"\n\s*\n\s*")


def _drop_raw_text(fragment: str) -> str:
    """Remove <script>, <style>, <noscript> and <template> elements; one left open runs to the end."""
    out, pos = [], 0
    while (m := _RAW_OPEN.search(fragment, pos)) is not None:
        out.append(fragment[pos : m.start()])
        out.append(" ")
        close = _RAW_CLOSE[m.group(1).lower()].search(fragment, m.end())
        if close is None:
            return "".join(out)
        pos = close.end()
    out.append(fragment[pos:])
    return "".join(out)


def _strip_tags(fragment: str) -> str:
    """Tags removed, <br> as a line break and block elements as paragraph breaks; comments dropped."""
    out, pos, n = [], 0, len(fragment)
    while (i := fragment.find("<", pos)) >= 0:
        out.append(fragment[pos:i])
        if fragment.startswith("<!--", i):
            end = fragment.find("-->", i + 4)
            pos = n if end < 0 else end + 3
            continue
        if fragment.startswith(("<!", "<?"), i):
            rest = _TAG_REST.match(fragment, i + 2)
            if rest is None:
                out.append("<")
                pos = i + 1
            else:
                pos = rest.end()
            continue
        name = _TAG_NAME.match(fragment, i)
        rest = _TAG_REST.match(fragment, name.end()) if name else None
        if rest is None:  # "a < b", "<3", or a tag never closed: text, as a browser would keep it
            out.append("<")
            pos = i + 1
            continue
        tag = name.group(2).lower()
        if tag == "br":
            out.append("\n")
        elif tag in _BLOCK_TAGS:
            out.append("\n\n")
        pos = rest.end()
    out.append(fragment[pos:])
    return "".join(out)


def html_to_text(fragment: str) -> str:
    """HTML (a feed description, a CMS body) reduced to paragraphs of plain text, in linear time."""
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    text = _drop_raw_text(fragment)
    text = _LINK_ONLY_PARA.sub("\n\n", text)  # "Source" / "Read more" links
    text = html.unescape(_strip_tags(text))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
