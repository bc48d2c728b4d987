"""Exports: schema.org ClaimReview (JSON-LD), CSV and JSON Lines, as streams of text chunks.

Every exporter takes a queryset of claims (filtered by the caller: the command's --status, the
queue's filters, the admin's selection) and returns a generator of strings. Rows are read with
`values()` through `.iterator(chunk_size=...)` (the last decision comes from correlated subqueries
in the same query), so memory stays constant however many claims there are; the command writes
the chunks as they come and the downloads wrap them in a StreamingHttpResponse.

Formats
- "claimreview": one ClaimReview per *reviewed* claim: its current status is a verdict (confirmed
  or unverified) and it has at least one decision. A claim that nobody has decided is unverified
  by default, not reviewed; "being clarified" is not a verdict. Emitted as one JSON-LD document,
  `{"@context": "https://schema.org", "@graph": [...]}`.
- "csv" / "jsonl": one row per claim (CLAIM_FIELDS) with its source, article and last decision.
- history (`kind="decisions"`): one row per decision (DECISION_FIELDS), oldest first per claim.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse

from claims.models import Claim, SourceKind, Status, VerificationStatus, status_key, status_key_label
from claims.selectors.corroboration import corroboration_annotations

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000

FORMATS = ("claimreview", "csv", "jsonl")
KINDS = ("claims", "decisions")
# Statuses that are verdicts; "being clarified" is work in progress, never a review.
VERDICTS = (Status.CONFIRMED, Status.UNVERIFIED)

CLAIM_FIELDS = [
    "claim_id",
    "claim_url",
    "text",
    "status",
    "status_label",  # for people: "Undecided" until the first decision (the stored status is `unverified`)
    "version",
    "hedged",
    "via",
    "cue",
    "source_id",
    "source_name",
    "source_kind",
    "source_reliability",
    "article_id",
    "article_title",
    "article_url",
    "article_published_at",
    "article_publisher",
    "last_decision_analyst",
    "last_decision_at",
    "last_decision_note",
    "last_decision_evidence_url",
    "cluster_id",
    "credibility",
]

DECISION_FIELDS = [
    "decision_id",
    "claim_id",
    "version",
    "status",
    "analyst",
    "decided_at",
    "note",
    "evidence_url",
    "claim_text",
    "claim_status",
    "source_name",
    "article_id",
]

CONTENT_TYPES = {
    "claimreview": "application/ld+json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
EXTENSIONS = {"claimreview": "jsonld", "csv": "csv", "jsonl": "jsonl"}

# Cells a spreadsheet would read as a formula (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """An export that cannot be made as asked (unknown format, history as ClaimReview...)."""


# --- helpers -----------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def site_base_url(request=None) -> str:
    """Where links point: VERIFIER_ORG_URL when set, else the request's own host (a web export),
    else the HOST and PORT the app is served on (a command-line export)."""
    if settings.VERIFIER_SITE_URL:
        return settings.VERIFIER_SITE_URL
    if request is not None:
        return request.build_absolute_uri("/")
    return settings.VERIFIER_ORGANIZATION["url"]


def _claim_url_maker(base_url: str | None = None):
    """A function id -> absolute URL of the claim's page, reversing the route only once."""
    marker = 987654321
    path = reverse("claims:claim_detail", kwargs={"pk": marker})
    head, tail = path.split(str(marker), 1)
    base = (base_url or site_base_url()).rstrip("/")
    return lambda pk: f"{base}{head}{pk}{tail}"


def _latest_decisions() -> QuerySet:
    return VerificationStatus.objects.filter(claim=OuterRef("pk")).order_by("-version")


def csv_safe(value):
    """Neutralise a cell a spreadsheet would evaluate as a formula, by prefixing a single quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


class _Line:
    """A file-like object for csv.writer that hands back each line instead of storing it."""

    def write(self, value: str) -> str:
        return value


# --- claim rows (CSV, JSONL) -------------------------------------------------------------------

_CLAIM_VALUES = (
    "id",
    "text",
    "status",
    "version",
    "hedged",
    "via",
    "cue",
    "source_id",
    "source__name",
    "source__kind",
    "source__reliability",
    "article_id",
    "article__title",
    "article__url",
    "article__published_at",
    "article__publisher__name",
)


def claim_rows(claims: QuerySet, *, base_url: str | None = None) -> Iterator[dict]:
    """One dict per claim (keys CLAIM_FIELDS, JSON-ready values), in claim id order."""
    claim_url = _claim_url_maker(base_url)
    latest = _latest_decisions()
    # Correlated subqueries on the (claim, -version) index: one query in all, however many rows.
    qs = (
        claims.order_by("id")
        .annotate(
            export_last_by=Subquery(latest.values("analyst__username")[:1]),
            export_last_at=Subquery(latest.values("created_at")[:1]),
            export_last_note=Subquery(latest.values("note")[:1]),
            export_last_evidence=Subquery(latest.values("evidence_url")[:1]),
        )
        .annotate(**corroboration_annotations())
        .values(
            *_CLAIM_VALUES,
            "export_last_by",
            "export_last_at",
            "export_last_note",
            "export_last_evidence",
            "cluster_key",
            "credibility_value",
        )
    )
    for row in qs.iterator(chunk_size=CHUNK_SIZE):
        yield {
            "claim_id": row["id"],
            "claim_url": claim_url(row["id"]),
            "text": row["text"],
            "status": row["status"],
            "status_label": status_key_label(status_key(row["status"], row["version"])),
            "version": row["version"],
            "hedged": row["hedged"],
            "via": row["via"],
            "cue": row["cue"],
            "source_id": row["source_id"],
            "source_name": row["source__name"],
            "source_kind": row["source__kind"],
            "source_reliability": row["source__reliability"],
            "article_id": row["article_id"],
            "article_title": row["article__title"],
            "article_url": row["article__url"],
            "article_published_at": _iso(row["article__published_at"]),
            "article_publisher": row["article__publisher__name"],
            "last_decision_analyst": row["export_last_by"],
            "last_decision_at": _iso(row["export_last_at"]),
            "last_decision_note": row["export_last_note"],
            "last_decision_evidence_url": row["export_last_evidence"],
            "cluster_id": row["cluster_key"],
            "credibility": row["credibility_value"],
        }


# --- decision rows (history) -------------------------------------------------------------------

_DECISION_VALUES = {
    "decision_id": "id",
    "claim_id": "claim_id",
    "version": "version",
    "status": "status",
    "analyst": "analyst__username",
    "decided_at": "created_at",
    "note": "note",
    "evidence_url": "evidence_url",
    "claim_text": "claim__text",
    "claim_status": "claim__status",
    "source_name": "claim__source__name",
    "article_id": "claim__article_id",
}


def decision_rows(claims: QuerySet) -> Iterator[dict]:
    """One dict per decision on the given claims (keys DECISION_FIELDS), by claim id then version."""
    qs = (
        VerificationStatus.objects.filter(claim_id__in=claims.order_by().values("id"))
        .order_by("claim_id", "version")
        .values(*_DECISION_VALUES.values())
    )
    for row in qs.iterator(chunk_size=CHUNK_SIZE):
        out = {name: row[column] for name, column in _DECISION_VALUES.items()}
        out["decided_at"] = _iso(out["decided_at"])
        yield out


# --- serialisers -------------------------------------------------------------------------------


def _rows(claims: QuerySet, kind: str, base_url: str | None = None) -> tuple[list[str], Iterator[dict]]:
    if kind == "claims":
        return CLAIM_FIELDS, claim_rows(claims, base_url=base_url)
    if kind == "decisions":
        return DECISION_FIELDS, decision_rows(claims)
    raise ExportError(f"Unknown export kind {kind!r}; use one of {', '.join(KINDS)}.")


def csv_stream(claims: QuerySet, *, kind: str = "claims", base_url: str | None = None) -> Iterator[str]:
    """CSV with a header row; cells that would start a formula are prefixed with a quote."""
    fields, rows = _rows(claims, kind, base_url)
    writer = csv.writer(_Line())
    yield writer.writerow(fields)
    for row in rows:
        yield writer.writerow(
            [
                "true" if value is True else "false" if value is False else csv_safe(value)
                for value in (row[name] for name in fields)
            ]
        )


def jsonl_stream(claims: QuerySet, *, kind: str = "claims", base_url: str | None = None) -> Iterator[str]:
    """One JSON object per line."""
    _, rows = _rows(claims, kind, base_url)
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


# --- ClaimReview -------------------------------------------------------------------------------


def reviewed_claims(claims: QuerySet) -> QuerySet:
    """The claims that have a verdict: status confirmed or unverified, and at least one decision."""
    return (
        claims.filter(status__in=VERDICTS)
        .annotate(review_decided_at=Subquery(_latest_decisions().values("created_at")[:1]))
        .filter(review_decided_at__isnull=False)
    )


def organization() -> dict:
    org = settings.VERIFIER_ORGANIZATION
    return {"@type": "Organization", "name": org["name"], "url": org["url"]}


def _review_author(kind: str, name: str) -> dict:
    return {"@type": "Person" if kind == SourceKind.PERSON else "Organization", "name": name}


def claimreview_item(row: dict, *, claim_url: str, author: dict) -> dict:
    """A ClaimReview for one row of `claimreview_rows`'s query."""
    appearance = {"@type": "CreativeWork", "headline": row["article__title"]}
    if row["article__url"]:
        appearance["url"] = row["article__url"]
    if row["article__published_at"]:
        appearance["datePublished"] = row["article__published_at"].isoformat()
    if row["article__publisher__name"]:
        appearance["publisher"] = {"@type": "Organization", "name": row["article__publisher__name"]}
    item_reviewed = {
        "@type": "Claim",
        "author": _review_author(row["source__kind"], row["source__name"]),
    }
    if row["article__published_at"]:
        item_reviewed["datePublished"] = row["article__published_at"].isoformat()
    item_reviewed["appearance"] = [appearance]
    item_reviewed["firstAppearance"] = appearance
    return {
        "@type": "ClaimReview",
        "url": claim_url,
        "claimReviewed": " ".join(row["text"].split()),
        "datePublished": row["review_decided_at"].isoformat(),
        "author": author,
        # The verdict scale is not numeric: "unverified" means "not shown true", not "false", so
        # only the textual rating is given (Google requires alternateName; ratingValue is optional).
        "reviewRating": {"@type": "Rating", "alternateName": Status(row["status"]).label},
        "itemReviewed": item_reviewed,
    }


def claimreview_items(claims: QuerySet, *, base_url: str | None = None) -> Iterator[dict]:
    """One ClaimReview dict per reviewed claim among `claims`, in claim id order."""
    claim_url = _claim_url_maker(base_url)
    author = organization()
    qs = (
        reviewed_claims(claims)
        .order_by("id")
        .values(
            "id",
            "text",
            "status",
            "source__name",
            "source__kind",
            "article__title",
            "article__url",
            "article__published_at",
            "article__publisher__name",
            "review_decided_at",
        )
    )
    for row in qs.iterator(chunk_size=CHUNK_SIZE):
        yield claimreview_item(row, claim_url=claim_url(row["id"]), author=author)


def claimreview_stream(claims: QuerySet, *, base_url: str | None = None) -> Iterator[str]:
    """A JSON-LD document: `{"@context": "https://schema.org", "@graph": [ClaimReview, ...]}`."""
    yield '{"@context": "https://schema.org", "@graph": ['
    separator = "\n"
    for item in claimreview_items(claims, base_url=base_url):
        yield separator + json.dumps(item, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


# --- entry point -------------------------------------------------------------------------------


def export_stream(
    claims: QuerySet | None = None, *, format: str, kind: str = "claims", base_url: str | None = None
) -> Iterator[str]:
    """The chosen export of `claims` (all claims when None) as a stream of text chunks; claim links
    start with `base_url` (default: site_base_url())."""
    if claims is None:
        claims = Claim.objects.all()
    if format not in FORMATS:
        raise ExportError(f"Unknown export format {format!r}; use one of {', '.join(FORMATS)}.")
    if kind not in KINDS:
        raise ExportError(f"Unknown export kind {kind!r}; use one of {', '.join(KINDS)}.")
    if format == "claimreview":
        if kind != "claims":
            raise ExportError("The decision history exports as csv or jsonl, not as ClaimReview.")
        return claimreview_stream(claims, base_url=base_url)
    if format == "csv":
        return csv_stream(claims, kind=kind, base_url=base_url)
    return jsonl_stream(claims, kind=kind, base_url=base_url)


def export_filename(*, format: str, kind: str = "claims", stamp: datetime | None = None) -> str:
    name = "claimreviews" if format == "claimreview" else kind
    suffix = f"-{stamp:%Y%m%d-%H%M%S}" if stamp else ""
    return f"verifier-{name}{suffix}.{EXTENSIONS[format]}"


# --- verifiable streams (downloads) --------------------------------------------------------------

CSV_TRAILER_PREFIX = "# end of export: "


def trailer_line(*, format: str, rows: int) -> str:
    """The last line of a complete CSV or JSONL download, with its row count."""
    if format == "csv":
        return f"{CSV_TRAILER_PREFIX}{rows} rows\r\n"
    return json.dumps({"export_complete": True, "rows": rows}) + "\n"


def verifiable_stream(
    claims: QuerySet | None = None, *, format: str, kind: str = "claims", base_url: str | None = None
) -> Iterator[str]:
    """The export for a download: CSV and JSONL end with a trailer line naming the row count, so a
    stream cut short (a server timeout, a dropped connection) never looks complete; a ClaimReview
    document cut short is not valid JSON. A failure while streaming ends the stream where it is,
    without the trailer: it is logged, and no error text ever lands inside the file. Claim links start
    with `base_url` (default: site_base_url())."""
    stream = export_stream(
        claims, format=format, kind=kind, base_url=base_url
    )  # ExportError here, before any byte is sent

    def generate() -> Iterator[str]:
        rows = 0
        try:
            for rows, chunk in enumerate(stream, start=1 if format == "jsonl" else 0):  # noqa: B007
                yield chunk
        except Exception:
            logger.exception(
                "export (%s, %s) failed after %d rows; the download ends without its trailer", format, kind, rows
            )
            return
        if format in ("csv", "jsonl"):
            yield trailer_line(format=format, rows=rows)

    return generate()
