"""Record -> article ready to store: validated, cleaned, keyed for dedupe. Pure: no database."""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from claims.extraction import clean_article_text, clean_body, derive_title
from claims.extraction.cleaning import language_hint
from claims.importing.normalise import content_hash, normalise_url
from claims.importing.records import ArticleRecord, Limits, RecordError
from claims.sourcenames import source_name_clean, strip_bidi

TITLE_MAX = 1000
URL_MAX = 2000
# How far ahead a publication date may be before it is taken for a typo (time zones, embargoes).
FUTURE_SLACK = timedelta(days=2)
# No database stores NUL in text (PostgreSQL refuses it) and a lone surrogate cannot be encoded at
# all: both are dropped or replaced once, here, so that one hostile record cannot stop a run.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
# Other control characters have no place in a title or a name (the body keeps its text as received).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _storable(value: str) -> str:
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value) if value else value


def _storable_record(record: ArticleRecord) -> ArticleRecord:
    fields = ("text", "title", "url", "publisher", "published", "language", "author")
    dirty = {f: getattr(record, f) for f in fields if _UNSTORABLE.search(getattr(record, f) or "")}
    if not dirty:
        return record
    return replace(record, **{f: _storable(v) for f, v in dirty.items()})


EARLIEST_YEAR = 1900


@dataclass(slots=True)
class PreparedArticle:
    path: str
    line: int
    title: str
    body: str
    original_text: str
    url: str
    url_key: str | None
    publisher: str
    published_at: datetime | None
    language: str
    content_hash: str
    truncated: bool = False

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


class BadDate(ValueError):
    pass


_DATE_FORMATS = ("%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d/%m/%Y", "%Y%m%d")


def parse_date(value: str, *, now: datetime | None = None) -> datetime | None:
    """An aware datetime (UTC when no zone is given) or None; BadDate when unreadable or absurd."""
    value = (value or "").strip()
    if not value:
        return None
    dt = None
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", value):  # a Unix timestamp, seconds or milliseconds
        seconds = float(value) / (1000 if float(value) > 1e11 else 1)
        try:
            dt = datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise BadDate(f"unreadable date {value[:40]!r}") from None
    if dt is None:
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            dt = None
    if dt is None:
        try:
            dt = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            dt = None
    if dt is None:
        for fmt in _DATE_FORMATS:
            try:
                dt = datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware just below
                break
            except ValueError:
                continue
    if dt is None:
        raise BadDate(f"unreadable date {value[:40]!r}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    try:
        future = dt > now + FUTURE_SLACK
    except (OverflowError, ValueError):
        future = True
    if dt.year < EARLIEST_YEAR or future:
        raise BadDate(f"absurd publication date {value[:40]!r} (before {EARLIEST_YEAR} or in the future)")
    return dt.astimezone(UTC)


def _language(value: str) -> str:
    value = (value or "").strip().lower().replace("_", "-")
    if not re.fullmatch(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*", value):
        return ""
    return value[:16]


def prepare_record(record: ArticleRecord, *, limits: Limits | None = None) -> PreparedArticle | RecordError:
    """Validate and clean one record; a RecordError says why it cannot become an article."""
    limits = limits or Limits()
    record = _storable_record(record)
    text = record.text or ""
    if not text.strip():
        return RecordError(record.path, record.line, "no article text")
    if len(text) > limits.max_article_chars:
        return RecordError(
            record.path,
            record.line,
            f"article text is {len(text):,} characters, over the limit of {limits.max_article_chars:,}",
        )
    try:
        published_at = parse_date(record.published)
    except BadDate as exc:
        return RecordError(record.path, record.line, str(exc))
    if record.plain:
        cleaned = clean_article_text(text)
        title, body, hint, language = cleaned.title, cleaned.body, cleaned.publisher_hint, cleaned.language_hint
    else:
        body, hint = clean_body(text)
        title = " ".join(_CONTROLS.sub("", record.title or "").split())
        language = ""
    if not body.strip():
        return RecordError(record.path, record.line, "no article text left after removing page noise")
    # Bidi overrides in a title can make it read differently from what it says (and from the body).
    title = " ".join(strip_bidi(title).split()) or derive_title(body) or "Untitled"
    if len(title) > TITLE_MAX:
        title = title[: TITLE_MAX - 1].rstrip() + "…"
    url = (record.url or "").strip()
    url_key = normalise_url(url) if len(url) <= URL_MAX else None
    if url_key is None:
        url = ""  # not an http(s) address we can link to or dedupe on
    return PreparedArticle(
        path=record.path,
        line=record.line,
        title=title,
        body=body,
        original_text=text,
        url=url,
        url_key=url_key,
        publisher=source_name_clean(_CONTROLS.sub("", record.publisher or hint or ""))[:300],
        published_at=published_at,
        language=_language(record.language) or language or language_hint(body),
        content_hash=content_hash(body),
        truncated=record.truncated,
    )
