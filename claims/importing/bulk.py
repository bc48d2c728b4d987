"""Bulk writers for articles, claims and their decisions: named records in, rows out fast.

The importer stores the claims it extracts here, and the demo-data generator writes everything
here, so both keep the same invariants: a claim's text is its article's body at its offsets (the
writer slices it), its status and version are those of its latest decision (the writer derives
them from the decisions it records, one VerificationStatus each), an article's content hash and
URL key are the importer's. On PostgreSQL rows go in with COPY (explicit columns named after the
records' fields, primary keys taken from the table's sequence, so the status-tally trigger fires
once per batch); elsewhere with bulk_create.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, models, transaction
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from claims.importing.normalise import content_hash, normalise_url
from claims.models import Article, Claim, Source, Status, VerificationStatus
from claims.models.corroboration import ClaimBand
from claims.services.corroboration import band_keys, signature_of


@dataclass(slots=True)
class ArticleRow:
    """One article to store, its claims already found (`extracted_at` set) unless said otherwise."""

    title: str
    body: str
    original_text: str
    url: str
    url_key: str | None
    content_hash: str
    publisher_id: int | None = None
    published_at: datetime | None = None
    language: str = ""
    truncated: bool = False
    import_job_id: int | None = None
    created_at: datetime = field(default_factory=timezone.now)
    updated_at: datetime = field(default_factory=timezone.now)
    extracted_at: datetime | None = field(default_factory=timezone.now)

    @classmethod
    def of(cls, *, title: str, body: str, url: str = "", **fields) -> ArticleRow:
        """The record with the URL key and content hash computed as the importer computes them
        (so a later import of the same text finds the duplicate)."""
        fields.setdefault("original_text", body)
        url_key = normalise_url(url) if url else None
        return cls(title=title, body=body, url=url, url_key=url_key, content_hash=content_hash(body), **fields)


@dataclass(slots=True)
class DecisionRow:
    """One analyst decision, in the order they were made."""

    status: str
    analyst_id: int
    created_at: datetime
    note: str = ""
    evidence_url: str = ""

    def __post_init__(self):
        self.status = str(self.status)  # the value, not the enum member


@dataclass(slots=True)
class ClaimRow:
    """One claim: a span of its article's body (the text is taken from the body when written),
    with its decision history (none: an undecided claim)."""

    article_id: int
    start: int
    end: int
    source_id: int
    via: str = ""
    hedged: bool = False
    cue: str = ""
    status_hint: str = ""
    assignee_id: int | None = None
    created_by_id: int | None = None
    created_at: datetime = field(default_factory=timezone.now)
    decisions: list[DecisionRow] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.decisions[-1].status) if self.decisions else Status.UNVERIFIED.value

    def values(self, body: str) -> dict:
        """The claim's column values by field name: the text from `body`, status and version from
        the decisions."""
        if not 0 <= self.start < self.end <= len(body):
            raise ValueError(
                f"claim span {self.start}-{self.end} outside article {self.article_id} ({len(body)} chars)"
            )
        values = _values(self, _CLAIM_FIELDS)
        values.update(
            text=body[self.start : self.end],
            status=self.status,
            version=len(self.decisions),
            updated_at=self.decisions[-1].created_at if self.decisions else self.created_at,
        )
        return values


def _names(record_type, *, leave_out: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(record_type) if f.name not in leave_out)


def _values(record, names: tuple[str, ...]) -> dict:
    # Not dataclasses.asdict: it deep-copies every value, which costs more than the COPY.
    return {name: getattr(record, name) for name in names}


_ARTICLE_FIELDS = _names(ArticleRow)
_CLAIM_FIELDS = _names(ClaimRow, leave_out=("decisions",))
_DECISION_FIELDS = _names(DecisionRow)


@dataclass
class BulkResult:
    claim_ids: list[int]
    decisions: int = 0
    band_rows: int = 0


def articles_write(*, articles: list[ArticleRow]) -> list[int]:
    """Insert the articles; return their ids, in order."""
    return rows_write(Article, [_values(a, _ARTICLE_FIELDS) for a in articles])


def claims_write(*, claims: list[ClaimRow], bodies: Mapping[int, str], index: bool = False) -> BulkResult:
    """Insert the claims (spans of `bodies`, by article id) with their decisions, in one transaction.

    `index`: also write their corroboration band keys (what `corroborate_claims --index-only` would
    add later); the importer leaves that to the linker, which runs after the claims commit.
    """
    rows = [c.values(bodies[c.article_id]) for c in claims]
    with transaction.atomic():
        ids = rows_write(Claim, rows)
        decisions = [
            {**_values(d, _DECISION_FIELDS), "claim_id": claim_id, "version": version}
            for claim_id, claim in zip(ids, claims, strict=True)
            for version, d in enumerate(claim.decisions, start=1)
        ]
        rows_write(VerificationStatus, decisions)
        bands = _band_rows(ids, rows) if index else []
        rows_write(ClaimBand, bands)
    return BulkResult(claim_ids=ids, decisions=len(decisions), band_rows=len(bands))


def _band_rows(ids: list[int], rows: list[dict]) -> list[dict]:
    names = dict(Source.objects.filter(pk__in={r["source_id"] for r in rows}).values_list("pk", "name"))
    out = []
    for claim_id, row in zip(ids, rows, strict=True):
        signature = signature_of(text=row["text"], source_name=names[row["source_id"]], via=row["via"])
        out.extend({"key": key, "claim_id": claim_id} for key in band_keys(signature))
    return out


# --- the generic writer ------------------------------------------------------------------------


def rows_write(model: type[models.Model], rows: list[dict]) -> list[int]:
    """Insert rows (dicts keyed by field attname, all with the same keys) into `model`'s table and
    return the new primary keys (none for a model without an auto id). Fields a row leaves out get
    their database default, else their model default."""
    if not rows:
        return []
    names = list(rows[0])
    extra = _defaults_for(model, names)
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**extra, **row) for row in rows], batch_size=500)
        return [obj.pk for obj in objects] if _has_auto_id(model) else []
    ids = _reserve_ids(model, len(rows)) if _has_auto_id(model) else []
    columns = (["id"] if ids else []) + names + list(extra)
    qn = connection.ops.quote_name
    column_sql = ", ".join(qn(model._meta.get_field(name).column) for name in columns)
    tail = tuple(extra.values())
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {qn(model._meta.db_table)} ({column_sql}) FROM STDIN") as copy:
            for i, row in enumerate(rows):
                values = tuple(row[name] for name in names) + tail
                copy.write_row((ids[i], *values) if ids else values)
    return ids


def _has_auto_id(model: type[models.Model]) -> bool:
    return isinstance(model._meta.pk, models.AutoField)


def _defaults_for(model: type[models.Model], names: Iterable[str]) -> dict:
    """Values for the concrete fields the rows leave out and the database cannot fill: the model's
    default ("" for text without one), now for auto_now fields."""
    given = set(names)
    out = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in given or f.name in given or f.db_default is not NOT_PROVIDED:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out[f.attname] = timezone.now()
        else:
            out[f.attname] = f.get_default()
    return out


def _reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """n fresh primary keys for `model` from its sequence: COPY cannot return the ids it assigns."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [model._meta.db_table, n]
        )
        return [row[0] for row in cursor.fetchall()]
