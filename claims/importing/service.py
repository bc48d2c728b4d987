"""The one import service: files in, articles with their extracted claims stored, a report out.

The command, the admin upload and the background task all call `article_import`. Each article is
stored with its claims in one transaction; the unique constraints on Article.url_key and
Article.content_hash are the last word on duplicates, so concurrent imports cannot double anything.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from claims.corroboration_services import claims_corroborate
from claims.extraction import ExtractedClaim, extract_claims, normalise_source_name
from claims.importing.detect import SNIFF_BYTES, UnreadableFile, detect_format, sniff_encoding
from claims.importing.parsers import Input, iter_inputs, parse_input
from claims.importing.prepare import PreparedArticle, prepare_record
from claims.importing.records import ArticleRecord, Limits, RecordError, SourceRegistry
from claims.models import Article, Claim, ImportJob, Reliability, Source, SourceKind, Status

BATCH_SIZE = 200
PROGRESS_EVERY = 100
PROGRESS_SECONDS = 1.0
JOB_ERRORS_MAX = 1000
OUTCOMES_MAX = 5000
# A registry file is loaded whole; larger JSON objects are not taken for one.
REGISTRY_MAX_BYTES = 20 * 1024 * 1024


@dataclass(slots=True)
class RecordOutcome:
    """What happened (or, in a dry run, would happen) to one record."""

    path: str
    line: int
    outcome: str  # "created", "duplicate" or "failed"
    title: str = ""
    message: str = ""
    claims: int = 0

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class ImportReport:
    dry_run: bool = False
    imported: int = 0
    duplicates: int = 0
    failed: int = 0
    claims: int = 0
    errors: list[str] = field(default_factory=list)
    outcomes: list[RecordOutcome] = field(default_factory=list)
    outcomes_dropped: int = 0
    registries: list[str] = field(default_factory=list)
    job: ImportJob | None = None

    @property
    def processed(self) -> int:
        return self.imported + self.duplicates + self.failed

    @property
    def summary(self) -> str:
        return f"imported {self.imported}, duplicates {self.duplicates}, failed {self.failed}"

    def add(self, outcome: RecordOutcome) -> None:
        if outcome.outcome == "created":
            self.imported += 1
            self.claims += outcome.claims
        elif outcome.outcome == "duplicate":
            self.duplicates += 1
        else:
            self.failed += 1
            self.errors.append(f"{outcome.location}: {outcome.message}")
        if len(self.outcomes) < OUTCOMES_MAX:
            self.outcomes.append(outcome)
        else:
            self.outcomes_dropped += 1


ProgressCallback = Callable[[int, int], None]


# --- sources -----------------------------------------------------------------------------------


class _SourceCache:
    """source_resolve once per name per run (resolving is several queries)."""

    def __init__(self):
        self._by_key: dict[str, Source] = {}
        self._affiliated: set[tuple[int, int]] = set()

    def get(self, name: str, kind: str, aliases: Iterable[str] = ()) -> Source | None:
        from claims.services import SourceRef, source_resolve

        name = " ".join((name or "").split())[:300]
        key = normalise_source_name(name)
        if not key:
            return None
        source = self._by_key.get(key)
        if source is None:
            aliases = tuple(a for a in aliases if a and normalise_source_name(a))
            kind = kind if kind in SourceKind.values else SourceKind.ORGANIZATION
            source = source_resolve(ref=SourceRef(name=name, kind=kind, aliases=aliases))
            self._by_key[key] = source
            for alias in aliases:
                self._by_key.setdefault(normalise_source_name(alias), source)
        return source

    def affiliate(self, source: Source, organisation: Source) -> None:
        """Record whom a source speaks for, unless it already has an affiliation."""
        pair = (source.pk, organisation.pk)
        if source.pk == organisation.pk or pair in self._affiliated:
            return
        self._affiliated.add(pair)
        if source.affiliation_id is None:
            Source.objects.filter(pk=source.pk, affiliation__isnull=True).update(affiliation=organisation)
            source.affiliation_id = organisation.pk


def _publisher_name(name: str) -> str:
    name = name.strip()
    if name.lower().startswith("www.") and "." in name[4:] and " " not in name:
        name = name[4:]
    return name


def source_registry_load(*, entries: list[dict]) -> tuple[int, list[tuple[int, str]]]:
    """Load well-known sources (name, kind, reliability, aliases), idempotently.

    An existing source keeps an analyst's grade: kind and reliability are only filled in when its
    reliability is still ungraded (F). Returns (number of sources loaded, [(entry number, problem)]).
    """
    from claims.services import SourceRef, source_resolve

    loaded = 0
    problems = []
    for n, entry in enumerate(entries, 1):
        name = " ".join(str(entry.get("name") or "").split())
        kind = entry.get("kind") or SourceKind.ORGANIZATION
        reliability = entry.get("reliability") or Reliability.F
        aliases = entry.get("aliases") or []
        if not name or not normalise_source_name(name):
            problems.append((n, "source registry entry without a name"))
            continue
        if kind not in SourceKind.values:
            problems.append((n, f"unknown source kind {kind!r} for {name!r}"))
            continue
        if reliability not in Reliability.values:
            problems.append((n, f"unknown reliability {reliability!r} for {name!r} (use A-F)"))
            continue
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            problems.append((n, f"aliases of {name!r} must be a list of names"))
            continue
        with transaction.atomic():
            source = source_resolve(ref=SourceRef(name=name, kind=kind, aliases=tuple(aliases)))
            if source.reliability == Reliability.F and (source.kind, source.reliability) != (kind, reliability):
                Source.objects.filter(pk=source.pk).update(kind=kind, reliability=reliability)
        loaded += 1
    return loaded, problems


def _registry_of(inp: Input, limits: Limits) -> SourceRegistry | None:
    """The source registry in this file, when it is one (a small JSON object with "sources")."""
    if inp.size == 0 or inp.size > min(REGISTRY_MAX_BYTES, limits.max_file_bytes):
        return None
    try:
        with inp.open() as fh:
            head = fh.read(SNIFF_BYTES)
        codec = sniff_encoding(head, complete=len(head) < SNIFF_BYTES)
    except (OSError, UnreadableFile, ValueError, RuntimeError):
        return None
    text = head.decode(codec, errors="ignore").lstrip("\ufeff \t\r\n")
    if (
        not text.startswith("{")
        or detect_format(inp.label, text) != "json"
        or '"sources"' not in head.decode(codec, errors="ignore")
    ):
        return None
    for item in parse_input(inp, limits):
        return item if isinstance(item, SourceRegistry) else None
    return None


def _count_records(inp: Input, limits: Limits) -> int:
    """How many records (and per-record errors) a file will give, cheaply, for the progress bar."""
    try:
        with inp.open() as fh:
            head = fh.read(SNIFF_BYTES)
            codec = sniff_encoding(head, complete=len(head) < SNIFF_BYTES)
            fmt = detect_format(inp.label, head.decode(codec, errors="ignore"))
            if fmt == "txt" or fmt == "html" or inp.size > limits.max_file_bytes:
                return 1
            if fmt == "jsonl" and codec in {"utf-8", "utf-8-sig"}:
                lines = head.count(b"\n") + sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
                return max(1, lines)
    except (OSError, UnreadableFile, ValueError, RuntimeError, EOFError):
        return 1
    except Exception:
        return 1
    return sum(1 for item in parse_input(inp, limits) if not isinstance(item, SourceRegistry)) or 1


# --- the import --------------------------------------------------------------------------------


class _Run:
    def __init__(self, *, report: ImportReport, limits: Limits, job: ImportJob | None, progress, total: int):
        self.report = report
        self.limits = limits
        self.job = job
        self.progress = progress
        self.total = total
        self.batch: list[PreparedArticle] = []
        self.sources = _SourceCache()
        # Dedupe within a dry run (nothing is written, so the database cannot tell).
        self.seen_urls: set[str] = set()
        self.seen_hashes: set[str] = set()
        self._last_flush = time.monotonic()
        self._last_processed = 0

    # progress ------------------------------------------------------------------------------
    def tick(self, force: bool = False) -> None:
        processed = self.report.processed
        now = time.monotonic()
        if (
            not force
            and processed - self._last_processed < PROGRESS_EVERY
            and now - self._last_flush < PROGRESS_SECONDS
        ):
            return
        self._last_processed, self._last_flush = processed, now
        if processed > self.total:
            self.total = processed
        if self.progress is not None:
            self.progress(processed, self.total)
        if self.job is not None and not self.report.dry_run:
            _job_save_counts(self.job, self.report, total=self.total)

    def outcome(self, outcome: RecordOutcome) -> None:
        self.report.add(outcome)
        self.tick()

    def fail(self, error: RecordError) -> None:
        self.outcome(RecordOutcome(error.path, error.line, "failed", message=error.message))

    # articles ------------------------------------------------------------------------------
    def add(self, prepared: PreparedArticle) -> None:
        self.batch.append(prepared)
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        known_urls: dict[str, int | None] = {}
        known_hashes: dict[str, int | None] = {}
        urls = [p.url_key for p in batch if p.url_key]
        hashes = [p.content_hash for p in batch]
        query = Q(content_hash__in=hashes) | (Q(url_key__in=urls) if urls else Q(pk__in=[]))
        for url_key, chash, job_id in Article.objects.filter(query).values_list(
            "url_key", "content_hash", "import_job_id"
        ):
            if url_key:
                known_urls[url_key] = job_id
            known_hashes[chash] = job_id
        batch_urls: set[str] = set()
        batch_hashes: set[str] = set()
        fresh: list[_Ready] = []
        for p in batch:
            seen_urls = self.seen_urls if self.report.dry_run else batch_urls
            seen_hashes = self.seen_hashes if self.report.dry_run else batch_hashes
            if (p.url_key and p.url_key in seen_urls) or p.content_hash in seen_hashes:
                self.outcome(RecordOutcome(p.path, p.line, "duplicate", p.title, "same article earlier in this import"))
                continue
            if (p.url_key and p.url_key in known_urls) or p.content_hash in known_hashes:
                job_id = known_urls.get(p.url_key) if p.url_key in known_urls else known_hashes.get(p.content_hash)
                if self.job is not None and job_id == self.job.pk:
                    # Stored by this very job before it was interrupted: resuming, not duplicating.
                    self.outcome(RecordOutcome(p.path, p.line, "created", p.title, "imported earlier by this job"))
                else:
                    self.outcome(RecordOutcome(p.path, p.line, "duplicate", p.title, "already in the database"))
                continue
            if p.url_key:
                seen_urls.add(p.url_key)
            seen_hashes.add(p.content_hash)
            ready = self._ready(p)
            if isinstance(ready, RecordOutcome):
                self.outcome(ready)
            else:
                fresh.append(ready)
        for outcome in self._write(fresh):
            self.outcome(outcome)

    def _ready(self, p: PreparedArticle) -> _Ready | RecordOutcome:
        """Extract the claims and resolve their sources (outside the write transaction)."""
        try:
            claims = extract_claims(p.body, title=p.title, language=p.language)
        except Exception as exc:  # an extractor bug must not stop the import, nor store half an article
            return RecordOutcome(p.path, p.line, "failed", p.title, f"claim extraction failed ({type(exc).__name__})")
        claims = _valid_claims(claims, p.body)
        if self.report.dry_run:
            return RecordOutcome(p.path, p.line, "created", p.title, claims=len(claims))
        try:
            publisher = self.sources.get(_publisher_name(p.publisher), SourceKind.OUTLET) if p.publisher else None
            rows = []
            for c in claims:
                source = self.sources.get(c.source, c.source_kind, c.source_aliases)
                if source is None:
                    source = self.sources.get("unnamed source", SourceKind.UNNAMED)
                if c.affiliation:
                    organisation = self.sources.get(c.affiliation, SourceKind.ORGANIZATION)
                    if organisation is not None:
                        self.sources.affiliate(source, organisation)
                rows.append((c, source))
        except DatabaseError as exc:
            return RecordOutcome(p.path, p.line, "failed", p.title, f"could not store the article's sources: {exc}")
        return _Ready(p, publisher, rows)

    def _write(self, batch: list[_Ready]) -> list[RecordOutcome]:
        """Store a batch: one transaction and two bulk inserts when nothing conflicts (the usual case);
        otherwise one transaction per article, where the unique constraints sort out duplicates."""
        if not batch:
            return []
        try:
            with transaction.atomic():
                articles = Article.objects.bulk_create([r.article(self.job) for r in batch])
                if any(a.pk is None for a in articles):
                    raise _NoBulkIds
                _claims_insert([(r, a.pk) for r, a in zip(batch, articles, strict=True)])
        except (DatabaseError, _NoBulkIds):
            return [self._write_one(r) for r in batch]
        claims_corroborate(article_ids=[a.pk for a in articles])  # issue 15: link to the same claim elsewhere
        return [RecordOutcome(r.p.path, r.p.line, "created", r.p.title, claims=len(r.rows)) for r in batch]

    def _write_one(self, r: _Ready) -> RecordOutcome:
        p = r.p
        try:
            with transaction.atomic():
                article = r.article(self.job)
                article.save(force_insert=True)
                Claim.objects.bulk_create(r.claims(article))
        except IntegrityError as exc:
            # Another import stored the same article meanwhile: the unique constraints caught it.
            same = Q(content_hash=p.content_hash) | (Q(url_key=p.url_key) if p.url_key else Q(pk__in=[]))
            if Article.objects.filter(same).exists():
                return RecordOutcome(p.path, p.line, "duplicate", p.title, "stored by a concurrent import")
            return RecordOutcome(p.path, p.line, "failed", p.title, f"could not store the article: {exc}")
        except DatabaseError as exc:
            return RecordOutcome(p.path, p.line, "failed", p.title, f"could not store the article: {exc}")
        claims_corroborate(article_ids=[article.pk])  # issue 15: link to the same claim elsewhere
        return RecordOutcome(p.path, p.line, "created", p.title, claims=len(r.rows))


# Claim columns the fast insert fills; anything else on the model means the model changed: use the ORM.
_CLAIM_COLUMNS = (
    "article",
    "start",
    "end",
    "text",
    "source",
    "via",
    "hedged",
    "cue",
    "status_hint",
    "status",
    "version",
    "assignee",
    "created_by",
    "created_at",
    "updated_at",
)


def _claims_insert(items: list[tuple[_Ready, int]]) -> None:
    """Insert the claims of freshly stored articles with a few multi-row INSERTs.

    bulk_create spends most of its time building SQL value by value; for tens of thousands of
    claims a plain parameterised INSERT is several times cheaper. Values are the model's defaults
    for a claim the extractor found (unverified, version 0, no assignee, no creator).
    """
    fields = [f for f in Claim._meta.concrete_fields if not f.primary_key]
    if {f.name for f in fields} != set(_CLAIM_COLUMNS):
        Claim.objects.bulk_create([c for r, pk in items for c in r.claims(Article(pk=pk))], batch_size=2000)
        return
    connection = connections[Claim.objects.db]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(Claim._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    index = {name: i for i, name in enumerate(f.name for f in fields)}
    rows = []
    for r, article_id in items:
        body = r.p.body
        for c, source in r.rows:
            row = [None] * len(fields)
            row[index["article"]] = article_id
            row[index["start"]] = c.start
            row[index["end"]] = c.end
            row[index["text"]] = body[c.start : c.end]
            row[index["source"]] = source.pk
            row[index["via"]] = (c.via or "")[:300]
            row[index["hedged"]] = bool(c.hedged)
            row[index["cue"]] = (c.cue or "")[:100]
            row[index["status_hint"]] = c.status_hint if c.status_hint in Status.values else ""
            row[index["status"]] = Status.UNVERIFIED.value
            row[index["version"]] = 0
            row[index["created_at"]] = now
            row[index["updated_at"]] = now
            rows.append(row)
    # Multi-row INSERTs: one statement per chunk, so per-statement costs (round trips, PostgreSQL's
    # status-tally trigger) are paid per chunk, not per claim. 500 rows keep the parameter count
    # far below SQLite's and PostgreSQL's limits.
    chunk = 500
    with connection.cursor() as cursor:
        for i in range(0, len(rows), chunk):
            part = rows[i : i + chunk]
            values = ", ".join([f"({placeholders})"] * len(part))
            params = [value for row in part for value in row]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}", params)  # noqa: S608


class _NoBulkIds(Exception):
    """The database did not return the new articles' ids from a bulk insert."""


@dataclass(slots=True)
class _Ready:
    """An article about to be stored, with its claims' resolved sources."""

    p: PreparedArticle
    publisher: Source | None
    rows: list[tuple[ExtractedClaim, Source]]

    def article(self, job: ImportJob | None) -> Article:
        p = self.p
        return Article(
            title=p.title,
            body=p.body,
            original_text=p.original_text,
            url=p.url,
            url_key=p.url_key,
            publisher=self.publisher,
            published_at=p.published_at,
            language=p.language,
            content_hash=p.content_hash,
            import_job=job,
        )

    def claims(self, article: Article) -> list[Claim]:
        body = self.p.body
        return [
            Claim(
                article_id=article.pk,
                start=c.start,
                end=c.end,
                text=body[c.start : c.end],
                source_id=source.pk,
                via=(c.via or "")[:300],
                hedged=bool(c.hedged),
                cue=(c.cue or "")[:100],
                status_hint=c.status_hint if c.status_hint in Status.values else "",
            )
            for c, source in self.rows
        ]


def _valid_claims(claims: list[ExtractedClaim], body: str) -> list[ExtractedClaim]:
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


def _job_save_counts(job: ImportJob, report: ImportReport, *, total: int) -> None:
    errors = report.errors[:JOB_ERRORS_MAX]
    if len(report.errors) > JOB_ERRORS_MAX:
        errors.append(f"... and {len(report.errors) - JOB_ERRORS_MAX} more errors")
    job.total = total
    job.processed = report.processed
    job.imported = report.imported
    job.duplicates = report.duplicates
    job.failed = report.failed
    job.errors = errors
    ImportJob.objects.filter(pk=job.pk).update(
        total=job.total,
        processed=job.processed,
        imported=job.imported,
        duplicates=job.duplicates,
        failed=job.failed,
        errors=job.errors,
        updated_at=timezone.now(),
    )


def article_import(
    *,
    paths: Iterable[str],
    user=None,
    dry_run: bool = False,
    job: ImportJob | None = None,
    progress: ProgressCallback | None = None,
    limits: Limits | None = None,
    root: str | os.PathLike | None = None,
) -> ImportReport:
    """Import articles from files, folders, globs and zip archives; return what happened.

    A dry run reads, cleans, dedupes and extracts exactly the same way but writes nothing at all.
    A real run records an ImportJob (the one given, or a new one), keeps its progress up to date,
    and records the import in the audit log. Running again on the same job resumes it: what the
    job already stored counts as imported, not duplicated. Relative paths are read from `root` when
    given (uploads: MEDIA_ROOT), else from the working directory.
    """
    from claims.services import audit_record

    paths = [str(p) for p in paths]
    limits = limits or Limits.from_settings()
    report = ImportReport(dry_run=dry_run)
    if not dry_run:
        if job is None:
            # Absolute, so that the job can be resumed from anywhere (the job page's Resume button).
            stored = paths if root is not None else [os.path.abspath(p) for p in paths]
            job = ImportJob.objects.create(created_by=user, files=stored, dry_run=False)
        job.state = ImportJob.State.RUNNING
        job.started_at = timezone.now()
        job.finished_at = None
        job.save(update_fields=["state", "started_at", "finished_at", "updated_at"])
        report.job = job
    try:
        total = _prepass(
            paths=paths, root=root, limits=limits, report=report, count=progress is not None or job is not None
        )
        run = _Run(report=report, limits=limits, job=job, progress=progress, total=total)
        run.tick(force=True)
        for inp in iter_inputs(paths, root=root):
            if isinstance(inp, RecordError):
                run.fail(inp)
                continue
            for item in parse_input(inp, limits):
                if isinstance(item, SourceRegistry):
                    continue  # loaded before the articles
                if isinstance(item, RecordError):
                    run.fail(item)
                    continue
                prepared = prepare_record(item, limits=limits) if isinstance(item, ArticleRecord) else item
                if isinstance(prepared, RecordError):
                    run.fail(prepared)
                else:
                    run.add(prepared)
        run.flush()
        run.total = report.processed
        run.tick(force=True)
    except BaseException as exc:
        if job is not None and not dry_run:
            report.errors.append(f"import stopped: {type(exc).__name__}: {exc}")
            _job_save_counts(job, report, total=max(job.total, report.processed))
            ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED, finished_at=timezone.now())
            job.state = ImportJob.State.FAILED
        raise
    if job is not None and not dry_run:
        job.state = ImportJob.State.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "finished_at", "updated_at"])
        audit_record(
            actor=user,
            action="import",
            obj=job,
            details={
                "files": paths[:100],
                "imported": report.imported,
                "duplicates": report.duplicates,
                "failed": report.failed,
                "claims": report.claims,
                "registries": report.registries,
            },
        )
    return report


def _prepass(*, paths: list[str], root, limits: Limits, report: ImportReport, count: bool) -> int:
    """Load the source registries among the files (before any article) and count the records."""
    total = 0
    for inp in iter_inputs(paths, root=root):
        if isinstance(inp, RecordError):
            total += 1
            continue
        registry = _registry_of(inp, limits)
        if registry is not None:
            if report.dry_run:
                report.registries.append(
                    f"source registry {registry.path}: {len(registry.sources)} sources (dry run: not loaded)"
                )
                continue
            loaded, problems = source_registry_load(entries=registry.sources)
            report.registries.append(f"loaded source registry {registry.path}: {loaded} sources")
            for n, problem in problems:
                report.add(RecordOutcome(registry.path, n, "failed", message=problem))
            continue
        if count:
            total += _count_records(inp, limits)
    return total
