"""The one import service: files in, articles stored at once, their claims extracted, a report out.

`article_import` reads, cleans and dedupes records and stores each new article without waiting for
its claims; extraction follows (`claims.importing.extracting`): in this process or a process pool
(the command), or as tasks that `db_worker`s share (the admin upload and the API, through
`claims.services.imports`). The unique constraints on Article.url_key and Article.content_hash are the
last word on duplicates, so concurrent imports cannot double anything.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from claims.extraction import normalise_source_name
from claims.importing.detect import SNIFF_BYTES, UnreadableFile, detect_format, sniff_encoding
from claims.importing.extracting import (
    LeaseSet,
    LocalExtraction,
    SourceCache,
    articles_lease_renew,
    extraction_time_limit,
)
from claims.importing.jobs import import_job_beat, import_job_start, import_job_stored, new_token
from claims.importing.limits import TASK_BATCH, Heartbeat, TookTooLong, time_limit
from claims.importing.parsers import Input, iter_inputs, parse_input
from claims.importing.pool import ArticleToExtract, extract_one
from claims.importing.prepare import PreparedArticle, prepare_record
from claims.importing.records import ArticleRecord, Limits, RecordError, SourceRegistry
from claims.models import Article, ImportJob, Reliability, Source, SourceKind
from claims.services.imports import import_articles_queue, import_job_create
from claims.services.sources import SourceRef, source_grade_record, source_resolve

BATCH_SIZE = 200
PROGRESS_EVERY = 100
PROGRESS_SECONDS = 1.0
JOB_ERRORS_MAX = 1000
OUTCOMES_MAX = 5000
# A registry file is loaded whole; larger JSON objects are not taken for one.
REGISTRY_MAX_BYTES = 20 * 1024 * 1024

Extraction = Literal["here", "tasks", "skip"]


class ImportBusy(Exception):
    """Another runner holds the job (or it is finished, cancelled or a dry run)."""


class ImportStopped(Exception):
    """The job was taken over (its runner was judged dead) or cancelled while this runner worked."""


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
    failures: list[RecordOutcome] = field(default_factory=list)  # every failed record
    registries: list[str] = field(default_factory=list)
    job: ImportJob | None = None
    # Stored articles whose claims are not stored yet, and records that failed at extraction.
    awaiting_claims: int = 0
    extraction_failed: int = 0
    storing_errors: list[str] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.imported + self.duplicates + self.failed

    @property
    def done(self) -> int:
        """Records finished: duplicates, failures and articles stored with their claims."""
        return self.processed - self.awaiting_claims

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
            self.storing_errors.append(self.errors[-1])
            self.failures.append(outcome)
        if len(self.outcomes) < OUTCOMES_MAX:
            self.outcomes.append(outcome)
        else:
            self.outcomes_dropped += 1

    def claims_stored(self, claims: int) -> None:
        self.awaiting_claims -= 1
        self.claims += claims

    def extraction_failure(self, item: ArticleToExtract, message: str) -> None:
        """A stored article's extraction failed: the article was removed and its record fails."""
        self.awaiting_claims -= 1
        self.imported -= 1
        self.failed += 1
        self.extraction_failed += 1
        self.errors.append(f"{item.location}: {message}")
        path, _, line = item.location.rpartition(":")
        self.failures.append(RecordOutcome(path, int(line or 0), "failed", item.title, message))


ProgressCallback = Callable[[int, int], None]


# --- sources -----------------------------------------------------------------------------------


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
                source_grade_record(source=source, actor=None, before=Reliability.F, after=reliability, via="registry")
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


def _records(inp: Input, limits: Limits, seconds: float | None) -> Iterator:
    """The file's records; reading one may take `seconds` at most (then the rest of the file fails)."""
    items = iter(parse_input(inp, limits))
    line = 0
    while True:
        try:
            with time_limit(seconds):
                item = next(items)
        except StopIteration:
            return
        except TookTooLong as exc:
            yield RecordError(inp.label, line + 1, f"reading this record {exc}; the rest of the file was skipped")
            return
        line = getattr(item, "line", line)
        yield item


def _prepared(record: ArticleRecord, limits: Limits, seconds: float | None) -> PreparedArticle | RecordError:
    try:
        with time_limit(seconds):
            return prepare_record(record, limits=limits)
    except TookTooLong as exc:
        return RecordError(record.path, record.line, f"cleaning the text {exc}")


class _Run:
    def __init__(
        self,
        *,
        report: ImportReport,
        limits: Limits,
        job: ImportJob | None,
        progress,
        total: int,
        extraction: Extraction,
        local: LocalExtraction | None = None,
        token: str = "",
        beat: Heartbeat | None = None,
    ):
        self.report = report
        self.limits = limits
        self.job = job
        self.progress = progress
        self.total = total
        self.extraction = extraction
        self.local = local
        self.token = token
        self.beat = beat
        self.seconds = extraction_time_limit()
        self.batch: list[PreparedArticle] = []
        self.sources = SourceCache()
        # Dedupe within a dry run (nothing is written, so the database cannot tell).
        self.seen_urls: set[str] = set()
        self.seen_hashes: set[str] = set()
        self._last_flush = time.monotonic()
        self._last_processed = 0
        self.batches_queued = 0
        self._flushing = False

    # progress ------------------------------------------------------------------------------
    def tick(self, force: bool = False) -> None:
        # Not in the middle of a batch: what a batch stored must also have its extraction queued.
        if self.beat is not None and self.beat.lost.is_set() and not self._flushing:
            raise ImportStopped("the import was cancelled or taken over by another worker")
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
            self.progress(self.report.done, self.total)
        if self.job is not None and not self.report.dry_run:
            _job_save_counts(self.job, self.report, total=self.total, token=self.token)

    def outcome(self, outcome: RecordOutcome) -> None:
        self.report.add(outcome)
        self.tick()

    def fail(self, error: RecordError) -> None:
        self.outcome(RecordOutcome(error.path, error.line, "failed", message=error.message))

    # claims coming back from LocalExtraction --------------------------------------------------
    def claims_done(
        self, stored: list[tuple[ArticleToExtract, int]], failed: list[tuple[ArticleToExtract, str]]
    ) -> None:
        for _item, claims in stored:
            self.report.claims_stored(claims)
        for item, message in failed:
            self.report.extraction_failure(item, message)
        if self.progress is not None:
            self.progress(self.report.done, max(self.total, self.report.processed))

    # articles ------------------------------------------------------------------------------
    def read(self, paths: list[str], *, root, seconds: float | None) -> None:
        """Every record of every file, in order: failures noted, articles batched for storing."""
        for inp in iter_inputs(paths, root=root):
            if isinstance(inp, RecordError):
                self.fail(inp)
                continue
            for item in _records(inp, self.limits, seconds):
                if isinstance(item, SourceRegistry):
                    continue  # loaded before the articles
                if isinstance(item, RecordError):
                    self.fail(item)
                    continue
                prepared = _prepared(item, self.limits, seconds) if isinstance(item, ArticleRecord) else item
                if isinstance(prepared, RecordError):
                    self.fail(prepared)
                else:
                    self.add(prepared)
                if self.local is not None:
                    self.local.collect(wait=False)

    def add(self, prepared: PreparedArticle) -> None:
        self.batch.append(prepared)
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        self._flushing = True
        try:
            self._flush(batch)
        finally:
            self._flushing = False
        self.tick()

    def _flush(self, batch: list[PreparedArticle]) -> None:
        known_urls: dict[str, tuple] = {}
        known_hashes: dict[str, tuple] = {}
        urls = [p.url_key for p in batch if p.url_key]
        hashes = [p.content_hash for p in batch]
        query = Q(content_hash__in=hashes) | (Q(url_key__in=urls) if urls else Q(pk__in=[]))
        for pk, url_key, chash, job_id, extracted_at in Article.objects.filter(query).values_list(
            "pk", "url_key", "content_hash", "import_job_id", "extracted_at"
        ):
            if url_key:
                known_urls[url_key] = (pk, job_id, extracted_at)
            known_hashes[chash] = (pk, job_id, extracted_at)
        batch_urls: set[str] = set()
        batch_hashes: set[str] = set()
        fresh: list[_Ready] = []
        to_extract: list[ArticleToExtract] = []
        for p in batch:
            seen_urls = self.seen_urls if self.report.dry_run else batch_urls
            seen_hashes = self.seen_hashes if self.report.dry_run else batch_hashes
            if (p.url_key and p.url_key in seen_urls) or p.content_hash in seen_hashes:
                self.outcome(RecordOutcome(p.path, p.line, "duplicate", p.title, "same article earlier in this import"))
                continue
            known = known_urls.get(p.url_key) if p.url_key in known_urls else known_hashes.get(p.content_hash)
            if known is not None:
                pk, job_id, extracted_at = known
                if self.job is not None and job_id == self.job.pk:
                    # Stored by this very job before it was interrupted: resuming, not duplicating.
                    self.outcome(RecordOutcome(p.path, p.line, "created", p.title, "imported earlier by this job"))
                    if extracted_at is None:  # ... and its claims are still to come
                        self.report.awaiting_claims += 1
                        to_extract.append(ArticleToExtract(pk, p.location, p.body, p.title, p.language))
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
        for outcome, article_id, ready in self._write(fresh):
            if article_id is not None:
                self.report.awaiting_claims += 1
                to_extract.append(
                    ArticleToExtract(article_id, ready.p.location, ready.p.body, ready.p.title, ready.p.language)
                )
            self.outcome(outcome)
        self._extract(to_extract)

    def _extract(self, items: list[ArticleToExtract]) -> None:
        if not items:
            return
        if self.local is not None:
            # Articles another live worker holds are its to finish (a resumed job's leftovers).
            held_elsewhere = self.local.submit(items)  # (first: submitting updates the report)
            self.report.awaiting_claims -= held_elsewhere
        elif self.extraction == "tasks":
            for i in range(0, len(items), TASK_BATCH):
                pairs = [[item.id, item.location] for item in items[i : i + TASK_BATCH]]
                # A job's later batches go behind the first batches of jobs queued after it, so that a
                # small import is not stuck behind a large one (priority -1 per 4 batches, to -100).
                import_articles_queue(job_id=self.job.pk, pairs=pairs, priority=-min(100, self.batches_queued // 4))
                self.batches_queued += 1

    def _ready(self, p: PreparedArticle) -> _Ready | RecordOutcome:
        """A dry run: the outcome (with the claims it would have, unless extraction is skipped).
        A real run: the article with its publisher resolved (outside the write transaction)."""
        if self.report.dry_run:
            if self.extraction == "skip":
                return RecordOutcome(p.path, p.line, "created", p.title)
            result = extract_one(ArticleToExtract(0, p.location, p.body, p.title, p.language), seconds=self.seconds)
            if result.claims is None:
                return RecordOutcome(p.path, p.line, "failed", p.title, result.error)
            return RecordOutcome(p.path, p.line, "created", p.title, claims=len(result.claims))
        try:
            publisher = self.sources.get(_publisher_name(p.publisher), SourceKind.OUTLET) if p.publisher else None
        except DatabaseError as exc:
            return RecordOutcome(p.path, p.line, "failed", p.title, f"could not store the article's sources: {exc}")
        return _Ready(p, publisher)

    def _write(self, batch: list[_Ready]) -> list[tuple[RecordOutcome, int | None, _Ready]]:
        """Store a batch: one transaction and one bulk insert when nothing conflicts (the usual case);
        otherwise one transaction per article, where the unique constraints sort out duplicates."""
        if not batch:
            return []
        try:
            with transaction.atomic():
                articles = Article.objects.bulk_create([r.article(self.job) for r in batch])
                if any(a.pk is None for a in articles):
                    raise _NoBulkIds
        except (DatabaseError, _NoBulkIds):
            return [self._write_one(r) for r in batch]
        return [
            (RecordOutcome(r.p.path, r.p.line, "created", r.p.title), a.pk, r)
            for r, a in zip(batch, articles, strict=True)
        ]

    def _write_one(self, r: _Ready) -> tuple[RecordOutcome, int | None, _Ready]:
        p = r.p
        try:
            with transaction.atomic():
                article = r.article(self.job)
                article.save(force_insert=True)
        except IntegrityError as exc:
            # Another import stored the same article meanwhile: the unique constraints caught it.
            same = Q(content_hash=p.content_hash) | (Q(url_key=p.url_key) if p.url_key else Q(pk__in=[]))
            if Article.objects.filter(same).exists():
                return RecordOutcome(p.path, p.line, "duplicate", p.title, "stored by a concurrent import"), None, r
            return RecordOutcome(p.path, p.line, "failed", p.title, f"could not store the article: {exc}"), None, r
        except DatabaseError as exc:
            return RecordOutcome(p.path, p.line, "failed", p.title, f"could not store the article: {exc}"), None, r
        return RecordOutcome(p.path, p.line, "created", p.title), article.pk, r


class _NoBulkIds(Exception):
    """The database did not return the new articles' ids from a bulk insert."""


@dataclass(slots=True)
class _Ready:
    """An article about to be stored, with its publisher resolved; its claims come later."""

    p: PreparedArticle
    publisher: Source | None

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
            truncated=p.truncated,
            import_job=job,
            extracted_at=None,
        )


def _job_save_counts(job: ImportJob, report: ImportReport, *, total: int, token: str) -> None:
    """The runner's counts of records read (extraction failures are the job's own list)."""
    errors = report.storing_errors[:JOB_ERRORS_MAX]
    if len(report.storing_errors) > JOB_ERRORS_MAX:
        errors.append(f"... and {len(report.storing_errors) - JOB_ERRORS_MAX} more errors")
    job.total = total
    job.processed = report.processed
    job.imported = report.imported + report.extraction_failed
    job.duplicates = report.duplicates
    job.failed = report.failed - report.extraction_failed
    job.errors = errors
    ImportJob.objects.filter(pk=job.pk, runner=token).update(
        total=job.total,
        processed=job.processed,
        imported=job.imported,
        duplicates=job.duplicates,
        failed=job.failed,
        errors=job.errors,
        updated_at=timezone.now(),
    )


def _job_failed(job: ImportJob, report: ImportReport, *, token: str, exc: BaseException) -> None:
    """The runner stopped on an error (or was interrupted): the job fails, resumable, with its counts."""
    report.errors.append(f"import stopped: {type(exc).__name__}: {exc}")
    report.storing_errors.append(report.errors[-1])
    _job_save_counts(job, report, total=max(job.total, report.processed), token=token)
    ImportJob.objects.filter(pk=job.pk, runner=token).update(state=ImportJob.State.FAILED, finished_at=timezone.now())
    job.state = ImportJob.State.FAILED


def article_import(
    *,
    paths: Iterable[str],
    user=None,
    dry_run: bool = False,
    job: ImportJob | None = None,
    progress: ProgressCallback | None = None,
    limits: Limits | None = None,
    root: str | os.PathLike | None = None,
    extraction: Extraction = "here",
    workers: int = 1,
    token: str | None = None,
) -> ImportReport:
    """Import articles from files, folders, globs and zip archives; return what happened.

    extraction="here" returns when every stored article has its claims (extracted in this process,
    or in `workers` pool processes); "tasks" queues extraction for db_worker and returns once the
    articles are stored; "skip" (dry runs only) counts without extracting. A dry run reads, cleans
    and dedupes the same way but writes nothing at all. A real run records an ImportJob (the one
    given, or a new one) and holds it as its one runner; running again on a failed or stalled job
    resumes it: what the job already stored counts as imported, not duplicated. Relative paths are
    read from `root` when given (uploads: MEDIA_ROOT), else from the working directory.
    """
    paths = [str(p) for p in paths]
    limits = limits or Limits.from_settings()
    report = ImportReport(dry_run=dry_run)
    if dry_run:
        return _import_records(
            paths=paths, root=root, limits=limits, report=report, progress=progress, extraction=extraction
        )
    if extraction == "skip":
        raise ValueError("only a dry run can skip extraction")
    token = token or new_token()
    report.job = job = _job_take(job=job, user=user, paths=paths, root=root, token=token)
    holding = LeaseSet()
    try:
        with _job_heartbeat(job=job, token=token, holding=holding) as heartbeat:
            _import_records(
                paths=paths,
                root=root,
                limits=limits,
                report=report,
                progress=progress,
                extraction=extraction,
                job=job,
                token=token,
                beat=heartbeat,
                workers=workers,
                holding=holding,
            )
    except ImportStopped:
        raise
    except BaseException as exc:
        _job_failed(job, report, token=token, exc=exc)
        raise
    import_job_stored(job_id=job.pk, token=token)
    job.refresh_from_db()
    return report


def _job_take(*, job: ImportJob | None, user, paths: list[str], root, token: str) -> ImportJob:
    """The job this run records (a new one over `paths` when none is given), held as its one runner."""
    if job is None:
        job = import_job_create(user=user, paths=[os.path.join(root, p) if root else p for p in paths])
    if not import_job_start(job=job, token=token):
        raise ImportBusy(f"import #{job.pk} is run by another worker, or is not waiting to run")
    return job


def _job_heartbeat(*, job: ImportJob, token: str, holding: LeaseSet) -> Heartbeat:
    """The runner's heartbeat: it renews the leases of the articles this process extracts, and
    notices when the job was cancelled or taken over."""

    def beat() -> bool:
        articles_lease_renew(ids=holding.ids(), token=token)
        return import_job_beat(job_id=job.pk, token=token)

    return Heartbeat(beat, interval=settings.VERIFIER_IMPORT_HEARTBEAT_SECONDS, enabled=not connection.in_atomic_block)


def _import_records(
    *,
    paths: list[str],
    root,
    limits: Limits,
    report: ImportReport,
    progress,
    extraction: Extraction,
    job: ImportJob | None = None,
    token: str = "",
    beat: Heartbeat | None = None,
    workers: int = 1,
    holding: LeaseSet | None = None,
) -> ImportReport:
    seconds = extraction_time_limit()
    total = _prepass(
        paths=paths, root=root, limits=limits, report=report, count=progress is not None or job is not None
    )
    run = _Run(
        report=report,
        limits=limits,
        job=job,
        progress=progress,
        total=total,
        extraction=extraction,
        token=token,
        beat=beat,
    )
    if job is not None and extraction == "here":
        run.local = LocalExtraction(
            token=token, job_id=job.pk, workers=workers, on_stored=run.claims_done, holding=holding
        )
        run.local.expected = total
    try:
        run.tick(force=True)
        run.read(paths, root=root, seconds=seconds)
        run.flush()
        if run.local is not None:
            run.local.finish()
        run.total = report.processed
        run.tick(force=True)
    except ImportStopped:
        # Cancelled (or taken over): what this run stored still gets its claims, as with tasks.
        # (Taken over, the stores find the leases gone and write nothing; the new runner does it.)
        if run.local is not None:
            run.local.finish()
        raise
    finally:
        if run.local is not None:
            run.local.close()
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
            try:
                with time_limit(extraction_time_limit()):  # a count for the progress bar, never worth more
                    total += _count_records(inp, limits)
            except TookTooLong:
                total += 1
    return total
