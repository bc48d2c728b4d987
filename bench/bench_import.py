"""Import throughput: articles stored per second (no extraction), and articles fully extracted per
second with 1 and 2 workers, with CPU time next to wall time.

    python -m bench.bench_import --sizes 10000 --database-url postgres://postgres@127.0.0.1:5432/import_bench

Generates JSONL files of ~3 KB conflict-reporting articles (news-please field names, every body
unique). For each size, each measurement runs in its own process on a freshly flushed database:

- store: `article_import(extraction="tasks")`, what a confirmed upload's runner does: parse, clean,
  dedupe, resolve publishers, store the articles and queue their extraction tasks; no extraction.
- db_worker N (for each N in --workers): the store step again, then N `manage.py db_worker --batch`
  processes extract the queued tasks until none is left (they share the job by article leases).
- command N (for each N in --workers): `import_articles --workers N` in process: store and extract
  (N pool processes, each loading the model once), returning when every article has its claims.

CPU seconds are this process's plus its children's (pool processes, db_workers; getrusage), and
peak RSS is the largest of any worker process (the model is loaded in each). Database: a fresh
SQLite file under bench/out/ by default (db_worker on SQLite serialises writers: use PostgreSQL);
with --database-url the named database is flushed and migrated first (use a scratch database!).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

OUTLETS = ["Kyiv Independent", "Reuters", "Ukrainska Pravda", "RBC-Ukraine", "Kyiv Post", "AP", "BBC", "Ukrinform"]
ORGS = [
    "the General Staff of the Armed Forces of Ukraine",
    "Ukraine's air force",
    "the Ministry of Defence of Russia",
    "the Center of National Resistance",
    "Defense Intelligence of Ukraine",
    "the Institute for the Study of War",
    "the regional military administration",
    "Ukraine's Ministry of Foreign Affairs",
]
PEOPLE = [
    ("Andriy Yusov", "a spokesman for Defense Intelligence of Ukraine"),
    ("Oleh Kiper", "the head of the Odesa regional administration"),
    ("Natalia Humeniuk", "a spokeswoman for the Southern Defense Forces"),
    ("Yurii Ihnat", "an air force spokesman"),
    ("Vadym Filashkin", "the governor of Donetsk Oblast"),
]
PLACES = ["Odesa", "Kharkiv", "Kherson", "Zaporizhzhia", "Pokrovsk", "Sumy", "Mykolaiv", "Dnipro", "Kramatorsk"]
THINGS = ["Shahed drones", "cruise missiles", "glide bombs", "ballistic missiles", "reconnaissance drones"]
TARGETS = ["an energy facility", "a railway depot", "a grain terminal", "a residential block", "a bridge"]
FILLER = [
    "Air raid alerts lasted for several hours across the region, and residents were urged to stay in shelters.",
    "Emergency crews worked through the night to clear debris and restore power to nearby districts.",
    "The attack was the latest in a series of strikes on infrastructure in the south of the country.",
    "Local residents described hearing a series of loud explosions shortly after midnight.",
    "Schools in the area moved to remote lessons for the rest of the week as a precaution.",
    "Repair work on the damaged lines is expected to take several days, depending on the weather.",
]


def article(rng: random.Random, n: int) -> dict:
    place, place2 = rng.sample(PLACES, 2)
    org, org2 = rng.sample(ORGS, 2)
    person, role = rng.choice(PEOPLE)
    outlet = rng.choice(OUTLETS)
    count = rng.randint(3, 90)
    down = rng.randint(1, count)
    day = rng.randint(1, 28)
    month = rng.randint(1, 12)
    thing = rng.choice(THINGS)
    target = rng.choice(TARGETS)
    paragraphs = [
        f"Russian forces launched {count} {thing} at {place} overnight on {day:02d}.{month:02d}, "
        f"{org} said on its Telegram channel, adding that {down} of them were shot down.",
        f"According to {org2}, debris damaged {target} in the {place} district, and {rng.randint(0, 12)} people "
        f"were injured. {rng.choice(FILLER)}",
        f"{person}, {role}, said that the strike was aimed at {target} and that air defence units had "
        f"been moved closer to {place2} in recent weeks. “We expect more attacks of this kind,” {person.split()[-1]} "
        f"told reporters on day {n}.",
        f"{rng.choice(FILLER)} {rng.choice(FILLER)}",
        f"The Ministry of Defence of Russia claimed that its forces had hit military targets in {place}, "
        f"a claim that could not be independently verified. Russian state media, citing unnamed sources, "
        f"reported that {rng.randint(10, 400)} Ukrainian servicemen had been killed.",
        f"Ukrainian partisans claim that they disabled a railway relay cabinet near {place2}, the Center of "
        f"National Resistance reported, citing its agents. {rng.choice(FILLER)}",
        f"It is also reported that {rng.randint(2, 40)} settlements in the {place2} region lost power after the "
        f"attack. {rng.choice(FILLER)} {rng.choice(FILLER)}",
        f"In a separate statement, {org} said that the situation at the front near {place2} remained difficult, "
        f"with {rng.randint(50, 220)} combat clashes recorded over the past day. {rng.choice(FILLER)}",
        f"{rng.choice(OUTLETS)} reported, citing a source in the military, that {rng.randint(2, 30)} "
        f"Russian aircraft had been moved to airfields near the border. {rng.choice(FILLER)}",
        f"Kyiv Post also reached out to {org2} for comment, to which a spokesperson replied: “This "
        f"information is currently being clarified.” {rng.choice(FILLER)} {rng.choice(FILLER)}",
        f"Officials in {place2} said that humanitarian aid deliveries would resume on day {rng.randint(1, 30)}, "
        f"once the roads were cleared. {rng.choice(FILLER)}",
        f"{rng.choice(FILLER)} {rng.choice(FILLER)} Reference {n}-{rng.getrandbits(40):010x}.",
    ]
    body = "\n\n".join(paragraphs)
    return {
        "title": f"{count} {thing} launched at {place}; {down} shot down",
        "maintext": body,
        "url": f"https://news.example.org/{place.lower()}/{n}-{rng.getrandbits(32):08x}",
        "source_domain": outlet,
        "date_publish": f"2024-{month:02d}-{day:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
        "language": "en",
    }


def generate(path: Path, n: int) -> None:
    if path.exists():
        return
    rng = random.Random(n)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps(article(rng, i), ensure_ascii=False))
            out.write("\n")
    tmp.rename(path)


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")
    # 100k articles of 3 KB make a 315 MB file, over the default 200 MB per-file limit.
    os.environ.setdefault("VERIFIER_MAX_FILE_BYTES", str(4 * 1024**3))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "postgresql":
        call_command("flush", verbosity=0, interactive=False)
        call_command("migrate", verbosity=0, interactive=False)


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def child(path: Path, database_url: str, mode: str, workers: int) -> None:
    """One measurement on a fresh database; prints one JSON line."""
    _setup(database_url)
    from django.db import connection

    from claims.importing.service import article_import
    from claims.models import Article, Claim, ImportJob
    from claims.services import import_job_create

    result = {"file": path.name, "db": connection.vendor, "mode": mode, "workers": workers}
    if mode == "command":
        start, cpu = time.perf_counter(), _cpu()
        report = article_import(paths=[str(path)], workers=workers)
        result.update(extract_seconds=time.perf_counter() - start, extract_cpu=_cpu() - cpu, imported=report.imported)
    else:
        job = import_job_create(paths=[str(path)])
        start, cpu = time.perf_counter(), _cpu()
        report = article_import(paths=job.files, job=job, extraction="tasks")
        result.update(store_seconds=time.perf_counter() - start, store_cpu=_cpu() - cpu, imported=report.imported)
        if mode == "db_worker":
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--no-reload"]
            command += ["--no-startup-delay", "--interval", "0.2", "-v0"]
            start, cpu = time.perf_counter(), _cpu()
            procs = [subprocess.Popen([*command, "--worker-id", f"bench{i}"], env=env) for i in range(workers)]
            for proc in procs:
                proc.wait()
            result.update(extract_seconds=time.perf_counter() - start, extract_cpu=_cpu() - cpu)
            result["job_state"] = ImportJob.objects.get(pk=job.pk).state
    result.update(
        articles=Article.objects.count(),
        unextracted=Article.objects.filter(extracted_at__isnull=True).count(),
        claims=Claim.objects.count(),
        peak_worker_rss_mb=round(
            max(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            )
            / 1024,
            1,
        ),
    )
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}))


def _line(r: dict) -> str:
    n = r["imported"]
    parts = [f"{r['db']} {r['mode']}" + (f" x{r['workers']}" if r["mode"] != "store" else "") + f": {n} articles"]
    if "store_seconds" in r:
        parts.append(
            f"stored in {r['store_seconds']} s = {n / r['store_seconds']:.0f}/s (CPU {r['store_cpu']} s, "
            f"{n / max(r['store_cpu'], 1e-9):.0f}/CPU-s)"
        )
    if "extract_seconds" in r:
        parts.append(
            f"extracted in {r['extract_seconds']} s = {n / r['extract_seconds']:.1f}/s (CPU {r['extract_cpu']} s, "
            f"{n / max(r['extract_cpu'], 1e-9):.1f}/CPU-s); {r['claims']} claims, {r['unextracted']} left"
        )
    parts.append(f"peak RSS {r['peak_worker_rss_mb']} MB")
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--modes", nargs="+", default=["store", "db_worker", "command"])
    parser.add_argument("--database-url", help="postgres://... of a scratch database (default: fresh SQLite files)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database_url, args.mode, args.workers[0])
        return
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")
    for n in args.sizes:
        path = OUT / f"articles_{n}.jsonl"
        started = time.perf_counter()
        generate(path, n)
        print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB ({time.perf_counter() - started:.0f} s to generate)")
        runs = [(mode, w) for mode in args.modes for w in (args.workers if mode != "store" else [1])]
        for mode, workers in runs:
            url = args.database_url
            if not url:
                db = OUT / f"bench_import_{n}.sqlite3"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                url = f"sqlite:///{db}"
            done = subprocess.run(
                [sys.executable, "-m", "bench.bench_import", "--child", str(path), "--database-url", url]
                + ["--mode", mode, "--workers", str(workers)],
                stdout=subprocess.PIPE,
                text=True,
                check=True,
                cwd=ROOT,
            )
            print("  " + _line(json.loads(done.stdout.strip().splitlines()[-1])), flush=True)


if __name__ == "__main__":
    main()
