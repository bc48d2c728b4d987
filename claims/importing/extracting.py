"""Claims for stored articles: lease the articles, extract (here, in a process pool or in tasks),
store the claims. Several workers share a job's articles: an article is taken by writing a lease
token where no live lease is, and its claims are stored only by the lease holder, once.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from claims.extraction import ExtractedClaim, normalise_source_name
from claims.importing.bulk import ClaimRow, claims_write
from claims.importing.jobs import import_job_finish_if_complete
from claims.importing.limits import Heartbeat
from claims.importing.pool import ArticleToExtract, Extracted, extract_one, pool_extract, pool_init
from claims.models import Article, ImportJob, Source, SourceAlias, SourceKind, Status
from claims.services.corroboration import claims_corroborate
from claims.services.sources import SourceRef, source_resolve

# Articles per chunk sent to a pool process (per extraction task: limits.TASK_BATCH).
POOL_CHUNK = 8
# Fewer articles than this are extracted inline: starting processes that each load the model costs
# more than it saves.
POOL_MIN_ARTICLES = 64

logger = logging.getLogger(__name__)


def extraction_time_limit() -> float | None:
    """Seconds one article's extraction may take (VERIFIER_EXTRACTION_SECONDS; 0 for none)."""
    return settings.VERIFIER_EXTRACTION_SECONDS or None


# --- sources -----------------------------------------------------------------------------------


class SourceCache:
    """source_resolve once per name per run (resolving is several queries)."""

    def __init__(self):
        self._by_key: dict[str, Source] = {}
        self._known: dict[str, Source] = {}  # prefetched: names (normalised) that already name a source
        self._affiliated: set[tuple[int, int]] = set()

    def prefetch(self, claims: Iterable[ExtractedClaim]) -> None:
        """Look up every name these claims use in one query; a claim whose names are all registered
        then needs no further query (the same answer source_resolve gives: nothing to create or add)."""
        keys = {normalise_source_name("unnamed source")}
        for c in claims:
            for name in (c.source, *c.source_aliases, c.affiliation):
                key = normalise_source_name(" ".join((name or "").split())[:300])
                if key and key not in self._by_key:
                    keys.add(key)
        keys.difference_update(self._known)
        if keys:
            for alias in SourceAlias.objects.filter(normalized__in=keys).select_related("source"):
                self._known[alias.normalized] = alias.source

    def get(self, name: str, kind: str, aliases: Iterable[str] = ()) -> Source | None:
        name = " ".join((name or "").split())[:300]
        key = normalise_source_name(name)
        if not key:
            return None
        source = self._by_key.get(key)
        if source is None:
            aliases = tuple(a for a in aliases if a and normalise_source_name(a))
            kind = kind if kind in SourceKind.values else SourceKind.ORGANIZATION
            if key in self._known and all(normalise_source_name(a) in self._known for a in aliases):
                source = self._known[key]
            else:
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

    def claim_sources(self, claims: list[ExtractedClaim]) -> list[tuple[ExtractedClaim, Source]]:
        rows = []
        for c in claims:
            source = self.get(c.source, c.source_kind, c.source_aliases)
            if source is None:
                source = self.get("unnamed source", SourceKind.UNNAMED)
            if c.affiliation:
                organisation = self.get(c.affiliation, SourceKind.ORGANIZATION)
                if organisation is not None:
                    self.affiliate(source, organisation)
            rows.append((c, source))
        return rows


# --- leases ------------------------------------------------------------------------------------


def articles_lease(*, ids: list[int], token: str) -> list[int]:
    """Take the articles among `ids` still without claims and not held by a live lease; return them.

    One UPDATE: on PostgreSQL a concurrent taker waits for the row and re-checks the condition, so
    each article goes to one lease holder only.
    """
    if not ids:
        return []
    now = timezone.now()
    free = Q(extraction_lease="") | Q(extraction_lease_until__lt=now) | Q(extraction_lease=token)
    Article.objects.filter(pk__in=ids, extracted_at__isnull=True).filter(free).update(
        extraction_lease=token, extraction_lease_until=now + timedelta(seconds=settings.VERIFIER_IMPORT_STALL_SECONDS)
    )
    return list(
        Article.objects.filter(pk__in=ids, extraction_lease=token, extracted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def articles_lease_renew(*, ids: Iterable[int], token: str) -> None:
    ids = list(ids)
    if ids:
        Article.objects.filter(pk__in=ids, extraction_lease=token, extracted_at__isnull=True).update(
            extraction_lease_until=timezone.now() + timedelta(seconds=settings.VERIFIER_IMPORT_STALL_SECONDS)
        )


# --- storing claims ----------------------------------------------------------------------------


def articles_claims_store(
    *, done: list[tuple[ArticleToExtract, Extracted]], token: str, job_id: int | None, sources: SourceCache
) -> tuple[list[tuple[ArticleToExtract, int]], list[tuple[ArticleToExtract, str]]]:
    """Store the claims found for leased articles and mark them extracted; remove the articles whose
    extraction failed (their records fail). Only articles this token still holds are written.
    Returns ([(article stored, its number of claims)], [(article removed, why)])."""
    if not done:
        return [], []
    # Sources first, each in its own short transaction: two workers creating the same source then
    # wait on each other only briefly, never while holding the article rows.
    rows: dict[int, list[tuple[ExtractedClaim, Source]]] = {}
    errors: dict[int, str] = {}
    with contextlib.suppress(DatabaseError):  # on an error each name is resolved on its own below
        sources.prefetch(c for _, result in done for c in result.claims or ())
    for item, result in done:
        if result.claims is None:
            errors[item.id] = result.error
            continue
        try:
            rows[item.id] = sources.claim_sources(result.claims)
        except DatabaseError as exc:
            errors[item.id] = f"could not store the article's sources: {exc}"
    now = timezone.now()
    with transaction.atomic():
        mine = set(
            Article.objects.select_for_update()
            .filter(pk__in=[item.id for item, _ in done], extraction_lease=token, extracted_at__isnull=True)
            .values_list("pk", flat=True)
        )
        stored = [(item, len(rows[item.id])) for item, _ in done if item.id in mine and item.id in rows]
        failed = [(item, errors[item.id]) for item, _ in done if item.id in mine and item.id in errors]
        claims_insert([(item.id, item.body, rows[item.id]) for item, _ in stored])
        Article.objects.filter(pk__in=[item.id for item, _ in stored]).update(
            extracted_at=now, extraction_lease="", extraction_lease_until=None
        )
        if failed:
            Article.objects.filter(pk__in=[item.id for item, _ in failed]).delete()
        if job_id is not None and (failed or stored):
            _job_note_extraction(job_id, stored=stored, failed=failed)
    if stored:
        # After the claims committed, so other workers' linkers see them (issue 15). A failure here
        # leaves the claims stored and unlinked; `manage.py corroborate_claims` links them later.
        try:
            claims_corroborate(article_ids=[item.id for item, _ in stored])
        except DatabaseError:
            logger.exception("corroboration failed for articles %s", [item.id for item, _ in stored])
    return stored, failed


def _job_note_extraction(job_id: int, *, stored, failed) -> None:
    """Failures go into the job (by record location); a record that now succeeded (a resumed job
    re-created it) leaves the list."""
    locations = {item.location for item, _ in stored}
    job = ImportJob.objects.filter(pk=job_id).only("extraction_failures").first()
    if job is None or (not failed and not locations.intersection(job.extraction_failures)):
        return
    job = ImportJob.objects.select_for_update().only("extraction_failures").get(pk=job_id)
    failures = dict(job.extraction_failures)
    for location in locations:
        failures.pop(location, None)
    for item, message in failed:
        failures[item.location] = message
    ImportJob.objects.filter(pk=job_id).update(extraction_failures=failures)


def _claim_values(c: ExtractedClaim) -> dict:
    return {
        "start": c.start,
        "end": c.end,
        "via": (c.via or "")[:300],
        "hedged": bool(c.hedged),
        "cue": (c.cue or "")[:100],
        "status_hint": c.status_hint if c.status_hint in Status.values else "",
    }


def claims_insert(items: list[tuple[int, str, list[tuple[ExtractedClaim, Source]]]]) -> None:
    """Insert the claims of articles [(article id, body, [(claim, source)])] through the bulk writer
    (COPY on PostgreSQL): each starts undecided, unassigned, with no creator (the extractor found it)."""
    now = timezone.now()
    records = [
        ClaimRow(article_id=article_id, source_id=source.pk, created_at=now, **_claim_values(c))
        for article_id, _body, rows in items
        for c, source in rows
    ]
    claims_write(claims=records, bodies={article_id: body for article_id, body, _rows in items})


# --- drivers -----------------------------------------------------------------------------------

# ([(stored article, claims)], [(removed article, why)]) after each store.
OnStored = Callable[[list[tuple[ArticleToExtract, int]], list[tuple[ArticleToExtract, str]]], None]


class LeaseSet:
    """The article ids a process holds leases on, shared with its heartbeat thread."""

    def __init__(self):
        self._ids: set[int] = set()
        self._lock = threading.Lock()

    def add(self, ids: Iterable[int]) -> None:
        with self._lock:
            self._ids.update(ids)

    def discard(self, ids: Iterable[int]) -> None:
        with self._lock:
            self._ids.difference_update(ids)

    def ids(self) -> list[int]:
        with self._lock:
            return list(self._ids)


class LocalExtraction:
    """Extraction inside the importing process: inline (workers=1) or over a pool of processes,
    each loading the model once. The importer submits articles as it stores them; claims are
    stored here, in this process, as results come back."""

    def __init__(
        self, *, token: str, job_id: int | None, workers: int, on_stored: OnStored, holding: LeaseSet | None = None
    ):
        self.token = token
        self.job_id = job_id
        self.workers = max(1, workers)
        self.on_stored = on_stored
        self.seconds = extraction_time_limit()
        self.sources = SourceCache()
        self.holding = holding if holding is not None else LeaseSet()
        self.expected = 0  # records the importer expects; the pool starts only for enough of them
        self._futures: dict[concurrent.futures.Future, list[ArticleToExtract]] = {}
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: a forked child would share this process's database connections.
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=pool_init
            )
        return self._pool

    def submit(self, items: list[ArticleToExtract]) -> int:
        """Extract (or start extracting) the articles; returns how many another worker holds."""
        leased = set(articles_lease(ids=[item.id for item in items], token=self.token))
        held_elsewhere = len(items) - len(leased)
        items = [item for item in items if item.id in leased]
        if not items:
            return held_elsewhere
        self.holding.add(leased)
        if self.workers == 1 or (self._pool is None and self.expected < POOL_MIN_ARTICLES):
            self._store([(item, extract_one(item, seconds=self.seconds)) for item in items])
            return held_elsewhere
        for i in range(0, len(items), POOL_CHUNK):
            chunk = items[i : i + POOL_CHUNK]
            self._futures[self._executor().submit(pool_extract, chunk, self.seconds)] = chunk
        # Keep the pool busy but bounded: the importer stores far faster than extraction runs.
        while len(self._futures) > self.workers * 4:
            self.collect(wait=True)
        return held_elsewhere

    def collect(self, *, wait: bool) -> None:
        if not self._futures:
            return
        finished, _ = concurrent.futures.wait(
            self._futures, timeout=None if wait else 0, return_when=concurrent.futures.FIRST_COMPLETED
        )
        for future in finished:
            chunk = self._futures.pop(future)
            results = future.result()
            self._store(list(zip(chunk, results, strict=True)))

    def finish(self) -> None:
        while self._futures:
            self.collect(wait=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _store(self, done: list[tuple[ArticleToExtract, Extracted]]) -> None:
        stored, failed = articles_claims_store(done=done, token=self.token, job_id=self.job_id, sources=self.sources)
        self.holding.discard(item.id for item, _ in done)
        self.on_stored(stored, failed)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# --- the task path -----------------------------------------------------------------------------


def articles_extract(*, job_id: int | None, items: list[tuple[int, str]], token: str) -> dict:
    """What an extraction task does: lease `items` [(article id, location)], extract, store; then
    finish the job when it was the last work. Articles another worker holds or did are skipped."""
    locations = dict(items)
    leased = articles_lease(ids=list(locations), token=token)
    stored_n = failed_n = 0
    if leased:
        seconds = extraction_time_limit()
        sources = SourceCache()

        def beat() -> bool:
            articles_lease_renew(ids=leased, token=token)
            return True

        interval = settings.VERIFIER_IMPORT_HEARTBEAT_SECONDS
        with Heartbeat(beat, interval=interval, enabled=not connection.in_atomic_block):
            done = []
            for article in Article.objects.filter(pk__in=leased).only("id", "body", "title", "language"):
                item = ArticleToExtract(
                    article.pk, locations[article.pk], article.body, article.title, article.language
                )
                done.append((item, extract_one(item, seconds=seconds)))
            stored, failed = articles_claims_store(done=done, token=token, job_id=job_id, sources=sources)
            stored_n, failed_n = len(stored), len(failed)
    if job_id is not None:
        import_job_finish_if_complete(job_id=job_id)
    return {"job": job_id, "extracted": stored_n, "failed": failed_n, "skipped": len(items) - len(leased)}
