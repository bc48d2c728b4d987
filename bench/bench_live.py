"""Live updates benchmark: many open queues polling `claims:live` under gunicorn on PostgreSQL.

Every open queue, reader or claim page polls `/live/?view=...&since=<cursor>` every 3 s (htmx
`hx-trigger="every 3s"`). This script measures what that costs the server:

1. "open queues": N clients (default 50) each load `/queue/` once (its rows and live cursor, as a
   browser does), then poll the live endpoint every `--interval` seconds with the shown row ids,
   following the cursor each answer carries, while a second analyst records `--write-rate`
   decisions a second on those claims. Reports poll latency p50/p99, polls/s, errors, and how long
   a decision took to reach the pollers (p50 / max: at most the interval plus one poll).
2. "saturation": `--connections` clients poll back to back (no sleep) for `--duration` seconds:
   the live polls/s this server holds, i.e. about `rps x interval` open pages.

Uses bench_web.py's database preparation (a `verifier_bench_<size>` database from
generate_demo_data; `--reuse` keeps it) and gunicorn start-up, with production settings.

    .venv/bin/python -m bench.bench_live --size 100000 --reuse
    .venv/bin/python -m bench.bench_live --size 2000 --queues 5 --duration 5   # a quick try
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import statistics
import sys
import threading
import time
from datetime import UTC, datetime
from urllib.parse import quote

from bench import bench_web

ROOT = bench_web.ROOT
PY = bench_web.PY
OUT = bench_web.OUT


def request(port: int, method: str, path: str, cookie: str, body: str = "", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request(method, path, body=body or None, headers={"Cookie": cookie, **(headers or {})})
    response = conn.getresponse()
    data = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, data


def open_queue(port: int, cookie: str) -> tuple[str, list[str]]:
    """What a browser has after loading /queue/: the live cursor and the shown row ids."""
    status, html = request(port, "GET", "/queue/", cookie)
    if status != 200:
        raise RuntimeError(f"/queue/ answered {status}")
    cursor = re.search(r"since=([\d.]+)", html).group(1)
    return cursor, re.findall(r'<tr id="claim-(\d+)"', html)


def live_path(cursor: str, ids: list[str]) -> str:
    return f"/live/?view=queue&since={cursor}&ids={quote(','.join(ids))}"


class Poller(threading.Thread):
    def __init__(self, port, cookie, interval, until, seen, lock):
        super().__init__(daemon=True)
        self.port, self.cookie, self.interval, self.until = port, cookie, interval, until
        self.seen, self.lock = seen, lock
        self.latencies: list[float] = []
        self.errors = 0

    def run(self):
        cursor, ids = open_queue(self.port, self.cookie)
        time.sleep(random.uniform(0, self.interval))  # pages open at different moments
        while time.monotonic() < self.until:
            started = time.monotonic()
            try:
                status, body = request(self.port, "GET", live_path(cursor, ids), self.cookie)
            except OSError:
                self.errors += 1
                status, body = 0, ""
            now = time.monotonic()
            self.latencies.append(now - started)
            if status != 200:
                self.errors += 1
            else:
                cursor = re.search(r"since=([\d.]+)", body).group(1)
                with self.lock:
                    for pk in re.findall(r'<tr id="claim-(\d+)"', body):
                        self.seen.setdefault(pk, now)
            time.sleep(max(0.0, self.interval - (time.monotonic() - started)))


def writer(port, cookie, csrf, ids, rate, until, posted, lock):
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf, "HX-Request": "true"}
    statuses = ("confirmed", "being_clarified", "unverified")
    i = 0
    while time.monotonic() < until and rate > 0:
        pk = ids[i % len(ids)]
        body = f"status={statuses[i % 3]}&note=bench+live+{i}"
        t = time.monotonic()
        status, _ = request(port, "POST", f"/claims/{pk}/status/", cookie, body, headers)
        if status == 200:
            with lock:
                posted.append((pk, t))
        i += 1
        time.sleep(max(0.0, 1 / rate - (time.monotonic() - t)))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def open_queues(args, port, reader_cookie, writer_cookie, csrf) -> dict:
    _, ids = open_queue(port, reader_cookie)
    until = time.monotonic() + args.duration
    seen: dict[str, float] = {}
    posted: list[tuple[str, float]] = []
    lock = threading.Lock()
    pollers = [Poller(port, reader_cookie, args.interval, until, seen, lock) for _ in range(args.queues)]
    for p in pollers:
        p.start()
    time.sleep(args.interval)  # every page open before decisions start
    seen.clear()
    w = threading.Thread(
        target=writer, args=(port, writer_cookie, csrf, ids, args.write_rate, until - args.interval, posted, lock)
    )
    w.start()
    w.join()
    for p in pollers:
        p.join()
    latencies = [x for p in pollers for x in p.latencies]
    # A claim decided several times: the first poll after its first decision counts.
    first_post: dict[str, float] = {}
    for pk, t in posted:
        first_post.setdefault(pk, t)
    delays = [seen[pk] - t for pk, t in first_post.items() if pk in seen and seen[pk] >= t]
    return {
        "queues": args.queues,
        "interval_s": args.interval,
        "polls": len(latencies),
        "polls_per_s": round(len(latencies) / args.duration, 1),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "errors": sum(p.errors for p in pollers),
        "decisions": len(posted),
        "seen_p50_s": round(statistics.median(delays), 2) if delays else None,
        "seen_max_s": round(max(delays), 2) if delays else None,
        "decided_claims_never_seen": len(first_post) - len(delays),
    }


def saturation(args, port, cookie) -> dict:
    cursor, ids = open_queue(port, cookie)
    path = live_path(cursor, ids)
    until = time.monotonic() + args.duration
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def loop():
        mine = []
        while time.monotonic() < until:
            t = time.monotonic()
            status, _ = request(port, "GET", path, cookie)
            mine.append(time.monotonic() - t)
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=loop) for _ in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rps = len(latencies) / args.duration
    return {
        "connections": args.connections,
        "rps": round(rps, 1),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "errors": errors[0],
        "open_pages_held": int(rps * args.interval),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="claims in the database")
    parser.add_argument("--claims-per-article", type=int, default=10)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--db-prefix", default="verifier_bench")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--queues", type=int, default=50, help="open queues polling")
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between polls (the page's)")
    parser.add_argument("--write-rate", type=float, default=2.0, help="decisions a second by another analyst")
    parser.add_argument("--connections", type=int, default=8, help="clients for the saturation run")
    parser.add_argument("--duration", type=int, default=30, help="seconds per phase")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_hex(24),
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    bench_web.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], {**env, "DATABASE_URL": "sqlite:///:memory:"})
    db = bench_web.prepare(args, args.size, env)
    env["DATABASE_URL"] = f"{args.pg}/{db['database']}"
    fx = json.loads(bench_web.run([PY, "-m", "bench.bench_fixtures"], env, capture_output=True).stdout)
    writer_key = bench_web.run(
        [PY, "-m", "bench.bench_fixtures", "--session", "bench.writer"], env, capture_output=True
    ).stdout.split()[-1]
    csrf = f"{fx['csrf_cookie']}={fx['csrf']}"
    reader_cookie = f"{fx['session_cookie']}={fx['session']}; {csrf}"
    writer_cookie = f"{fx['session_cookie']}={writer_key}; {csrf}"
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = {
        "date": stamp,
        "machine": bench_web.machine(),
        "code": bench_web.code_state(),
        "command": " ".join(["python -m bench.bench_live", *sys.argv[1:]]),
        "database": db,
        "gunicorn": f"{args.workers} workers" + (f" x {args.threads} threads" if args.threads > 1 else " (sync)"),
    }
    with bench_web.gunicorn(args, env) as port:
        report["open_queues"] = open_queues(args, port, reader_cookie, writer_cookie, fx["csrf"])
        print("open queues:", json.dumps(report["open_queues"]), flush=True)
        report["saturation"] = saturation(args, port, reader_cookie)
        print("saturation:", json.dumps(report["saturation"]), flush=True)
        report["loadavg_1m"] = round(os.getloadavg()[0], 2)
    path = OUT / f"live-{stamp.replace(':', '')}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"JSON: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
