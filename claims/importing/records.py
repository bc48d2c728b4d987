"""What the parsers produce: article records, per-record errors and source registries.

Parsers never raise on bad input; they yield a RecordError naming the file and the line (line-based
formats) or the record number (JSON lists, feed items), 1 for a whole-file problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(slots=True)
class ArticleRecord:
    """One article as found in a file, before cleaning. `text` is the article text as received."""

    path: str
    line: int
    text: str
    title: str = ""
    url: str = ""
    publisher: str = ""
    published: str = ""
    language: str = ""
    author: str = ""
    # Seed-style plain text: the title is the first meaningful line and page noise is still in.
    plain: bool = False
    # The provider sent only the start of the text (NewsAPI's "[+3188 chars]").
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class RecordError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(slots=True)
class SourceRegistry:
    """A `{"sources": [{"name", "kind", "reliability", "aliases"}]}` file: well-known sources."""

    path: str
    sources: list[dict] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int = 200 * 1024 * 1024
    max_article_chars: int = 500_000

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_file_bytes=getattr(settings, "VERIFIER_MAX_FILE_BYTES", cls.max_file_bytes),
            max_article_chars=getattr(settings, "VERIFIER_MAX_ARTICLE_CHARS", cls.max_article_chars),
        )
