"""Cost of one request per page, in process: wall time, the app's own CPU time, SQL time and queries.

Complements bench/bench_web.py (throughput and latency under load): it runs each scenario's URLs
through Django's handler one request at a time, so the numbers say where a request's time goes
(Python vs PostgreSQL) and hardly move when other work shares the machine (CPU time is the
process's own). Run it against a database that bench_web.py filled:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/verifier_bench_100000 \\
        .venv/bin/python -m bench.bench_views [--repeat 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-views-only")
os.environ.setdefault("DJANGO_HTTPS", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.bench_web import scenario_requests  # noqa: E402
from claims.models import Claim  # noqa: E402

SCENARIOS = [
    "healthz",
    "queue_default",
    "queue_status",
    "queue_source",
    "queue_search",
    "queue_deep",
    "queue_page",
    "decide",
    "article",
]


class SqlTimer:
    def __init__(self):
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def fixtures() -> dict:
    import subprocess

    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_fixtures"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    return json.loads(out.stdout)


def measure(client: Client, reqs, repeat: int) -> dict:
    walls, cpus, sqls, queries, sizes = [], [], [], [], []
    for i in range(repeat + 1):
        method, path, body, headers = reqs[i % len(reqs)]
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
        timer = SqlTimer()
        wall, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(timer):
            if method == "POST":
                response = client.post(path, data=body, content_type=headers["Content-Type"], **extra)
            else:
                response = client.get(path, **extra)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert response.status_code == 200, (path, response.status_code)
        if i == 0:
            continue  # warm-up
        walls.append(wall * 1000)
        cpus.append(cpu * 1000)
        sqls.append(timer.seconds * 1000)
        queries.append(timer.count)
        sizes.append(len(response.content))
    return {
        "wall_ms": round(statistics.median(walls), 2),
        "app_cpu_ms": round(statistics.median(cpus), 2),
        "sql_ms": round(statistics.median(sqls), 2),
        "queries": max(queries),
        "kb": round(statistics.median(sizes) / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--json", help="also write the numbers to this file")
    args = parser.parse_args()
    fx = fixtures()
    client = Client()
    client.cookies[fx["session_cookie"]] = fx["session"]
    client.cookies[fx["csrf_cookie"]] = fx["csrf"]
    claims = Claim.objects.count()
    print(f"{claims:,} claims, median of {args.repeat} requests")
    print("| scenario | wall ms | app CPU ms | SQL ms | queries | KB |")
    print("|---|---|---|---|---|---|")
    results = {}
    for name in args.scenarios.split(","):
        r = measure(client, scenario_requests(name, fx), args.repeat)
        results[name] = r
        print(
            f"| {name} | {r['wall_ms']} | {r['app_cpu_ms']} | {r['sql_ms']} | {r['queries']} | {r['kb']} |", flush=True
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"claims": claims, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
