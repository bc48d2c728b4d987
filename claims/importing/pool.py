"""Claim extraction for stored articles, as plain data: runs in this process or in pool processes.

No model imports here: a pool process sets Django up in its initializer, then loads the extraction
model once, before its first article.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from claims.extraction import ExtractedClaim, extract_claims
from claims.importing.limits import TookTooLong, time_limit


@dataclass(slots=True)
class ArticleToExtract:
    id: int
    location: str  # "path:line" of the record it came from
    body: str
    title: str
    language: str


@dataclass(slots=True)
class Extracted:
    id: int
    claims: list[ExtractedClaim] | None  # None when extraction failed
    error: str = ""


def extract_one(item: ArticleToExtract, *, seconds: float | None) -> Extracted:
    """The article's claims, or why there are none: an extractor bug or the time limit."""
    try:
        with time_limit(seconds):
            claims = extract_claims(item.body, title=item.title, language=item.language)
    except TookTooLong as exc:
        return Extracted(item.id, None, str(exc))
    except Exception as exc:  # an extractor bug must not stop the import
        return Extracted(item.id, None, f"claim extraction failed ({type(exc).__name__})")
    return Extracted(item.id, valid_claims(claims, item.body))


def valid_claims(claims: list[ExtractedClaim], body: str) -> list[ExtractedClaim]:
    """Claims whose span is inside the body, once per span (the database refuses anything else)."""
    seen = set()
    valid = []
    for c in claims:
        span = (c.start, c.end)
        if not (0 <= c.start < c.end <= len(body)) or span in seen or not body[c.start : c.end].strip():
            continue
        seen.add(span)
        valid.append(c)
    return valid


def pool_init() -> None:
    """Pool process start: Django settings, then the extraction model, once per process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")
    import django

    django.setup()
    extract_claims("The ministry said on Monday that the bridge was open.", title="Warm-up", language="en")


def pool_extract(items: list[ArticleToExtract], seconds: float | None) -> list[Extracted]:
    return [extract_one(item, seconds=seconds) for item in items]
