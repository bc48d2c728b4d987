"""Web benchmark: Verifier under gunicorn with production settings on PostgreSQL, loaded on loopback.

For each size (claims) it makes a database `<prefix>_<size>` (or reuses one with --reuse), migrates,
runs `generate_demo_data`, VACUUM ANALYZE, collects static files, starts gunicorn with
DJANGO_DEBUG=0, signs a bench analyst in (a session row, bench.bench_fixtures) and measures
p50/p90/p99 latency and requests/s per scenario with `wrk` (Debian package `wrk`), or with a small
multi-process Python client when wrk is missing. Prints a Markdown table and writes JSON to
bench/out/.

    .venv/bin/python -m bench.bench_web --sizes 10000,100000,1000000
    .venv/bin/python -m bench.bench_web --sizes 100000 --reuse --duration 20 --scenarios healthz,queue_search

See bench/README.md for what each scenario requests and bench/RESULTS.md for measured numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))
OUT = ROOT / "bench" / "out"

SEARCH_TERMS = [
    "drones",
    "Kharkiv",
    "evacuated",
    "power supply",
    "prisoner exchange",
    "Marchenko",
    "ammunition depot",
    "missile strike",
    "curfew",
    "dam Kherson",
]
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
    "queue_article_order",
    "queue_alias_search",
    "live_poll",
    "admin_claims",
]


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, **kwargs)


def psql(pg: str, sql: str, db: str = "postgres") -> str:
    out = subprocess.run(["psql", f"{pg}/{db}", "-Atqc", sql], check=True, text=True, capture_output=True, cwd=ROOT)
    return out.stdout.strip()


def database_claims(pg: str, db: str) -> int | None:
    if psql(pg, f"SELECT 1 FROM pg_database WHERE datname = '{db}'") != "1":
        return None
    try:
        return int(psql(pg, "SELECT count(*) FROM claims_claim", db))
    except (subprocess.CalledProcessError, ValueError):
        return None


def prepare(args, size: int, env: dict) -> dict:
    """Create and fill the database for `size` claims (unless --reuse finds it filled)."""
    db = f"{args.db_prefix}_{size}"
    info = {"database": db}
    existing = database_claims(args.pg, db)
    if args.reuse and existing is not None and existing >= size:
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], {**env, "DATABASE_URL": f"{args.pg}/{db}"})
        info["claims"] = existing
        info["generated"] = False
        return info
    psql(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    psql(args.pg, f"CREATE DATABASE {db}")
    # OLTP pages: JIT compilation costs more than it saves on queries this short (see RESULTS.md).
    psql(args.pg, f"ALTER DATABASE {db} SET jit = off")
    dbenv = {**env, "DATABASE_URL": f"{args.pg}/{db}"}
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], dbenv)
    per = args.claims_per_article
    started = time.monotonic()
    out = run(
        [PY, "manage.py", "generate_demo_data", "--articles", str(size // per), "--claims-per-article", str(per)]
        + ["--seed", "1"],
        dbenv,
        capture_output=True,
    )
    info["generate_seconds"] = round(time.monotonic() - started, 1)
    info["generate_output"] = out.stdout.strip()
    psql(args.pg, "VACUUM ANALYZE", db)
    info["claims"] = database_claims(args.pg, db)
    info["generated"] = True
    return info


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(args, env: dict):
    port = free_port()
    log = open(OUT / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - closed below
    cmd = [GUNICORN, "verifier.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
    if args.threads > 1:
        cmd += ["--worker-class", "gthread", "--threads", str(args.threads)]
    proc = subprocess.Popen(cmd + ["--log-level", "warning"], env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn did not answer on port {port}; see {log.name}")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def scenario_requests(name: str, fx: dict) -> list[tuple[str, str, str, dict]]:
    """(method, path, body, extra headers) tuples the load generator cycles through."""
    if name == "healthz":
        return [("GET", "/healthz", "", {})]
    if name == "queue_default":
        return [("GET", "/queue/", "", {})]
    if name == "queue_status":
        return [("GET", f"/queue/?status={s}", "", {}) for s in ("confirmed", "being_clarified", "unverified")]
    if name == "queue_source":
        return [("GET", f"/queue/?source={s}", "", {}) for s in fx["sources"]]
    if name == "queue_search":
        return [("GET", f"/queue/?q={quote_plus(t)}", "", {}) for t in SEARCH_TERMS]
    if name == "queue_deep":
        return [("GET", f"/queue/?after={a}", "", {}) for a in fx["deep_after"]]
    if name == "queue_page":
        return [("GET", f"/queue/?page={p}", "", {}) for p in (20, 50, 100, 200)]
    if name == "article":
        return [("GET", f"/articles/{pk}/", "", {}) for pk in fx["article_ids"]]
    if name == "queue_article_order":
        return [("GET", f"/queue/?sort=article&page={p}", "", {}) for p in (1, 2, 10)]
    if name == "queue_alias_search":
        return [("GET", f"/queue/?q={quote_plus(t)}", "", {}) for t in ("HUR", "Genshtab", "CNR")]
    if name == "live_poll":
        # an open queue's poll every 3 s: the 50 rows' ids and the cursor (nothing new: the steady state)
        ids = ",".join(str(pk) for pk in fx["claim_ids"][:50])
        return [("GET", f"/live/?view=queue&since={fx['live_cursor']}&ids={ids}", "", {})]
    if name == "admin_claims":
        cookie = f"{fx['session_cookie']}={fx['admin_session']}; {fx['csrf_cookie']}={fx['csrf']}"
        return [("GET", "/admin/claims/claim/", "", {"Cookie": cookie})]
    if name == "decide":
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": fx["csrf"],
            "HX-Request": "true",
        }
        statuses = ("confirmed", "being_clarified", "unverified")
        return [
            ("POST", f"/claims/{pk}/status/", f"status={statuses[i % 3]}&note=bench", headers)
            for i, pk in enumerate(fx["claim_ids"])
        ]
    raise ValueError(name)


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, '
    .. '"non2xx": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def load_wrk(port: int, reqs, cookie: str, args) -> dict:
    entries = []
    for method, path, body, headers in reqs:
        hs = {"Cookie": cookie, **headers}
        lua_headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in hs.items())
        entries.append(
            f"{{{_lua_string(method)}, {_lua_string(path)}, {{{lua_headers}}}, {_lua_string(body) if body else 'nil'}}}"
        )
    script = (
        "local reqs = {" + ",\n".join(entries) + "}\n"
        "local i = 0\n"
        "init = function(a) i = math.random(#reqs) end\n"
        "request = function()\n  i = i % #reqs + 1\n  local r = reqs[i]\n"
        "  return wrk.format(r[1], r[2], r[3], r[4])\nend\n" + WRK_DONE
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=OUT, delete=False) as f:
        f.write(script)
    url = f"http://127.0.0.1:{port}"
    common = ["wrk", "-t", str(min(2, args.connections)), "-c", str(args.connections), "-s", f.name, "--timeout", "10s"]
    subprocess.run([*common, "-d", f"{args.warmup}s", url], check=True, capture_output=True, text=True)
    out = subprocess.run([*common, "-d", f"{args.duration}s", url], check=True, capture_output=True, text=True)
    os.unlink(f.name)
    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
    raw = json.loads(line)
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "non2xx": raw["non2xx"],
        "errors": raw["errors"],
        "tool": "wrk",
    }


def _py_worker(port, reqs, cookie, seconds, offset, queue):
    lat, bad, i = [], 0, offset
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        method, path, body, headers = reqs[i % len(reqs)]
        i += 1
        t = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(method, path, body=body or None, headers={"Cookie": cookie, **headers})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        lat.append(time.perf_counter() - t)
        bad += resp.status >= 400
    queue.put((lat, bad))


def load_python(port: int, reqs, cookie: str, args) -> dict:
    def once(seconds):
        q = multiprocessing.Queue()
        procs = [
            multiprocessing.Process(target=_py_worker, args=(port, reqs, cookie, seconds, k * 7, q))
            for k in range(args.connections)
        ]
        for p in procs:
            p.start()
        results = [q.get() for _ in procs]
        for p in procs:
            p.join()
        return results

    once(args.warmup)
    results = once(args.duration)
    lat = sorted(x for r, _b in results for x in r)
    pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1000  # noqa: E731
    return {
        "requests": len(lat),
        "rps": round(len(lat) / args.duration, 1),
        "p50_ms": round(pct(0.50), 2),
        "p90_ms": round(pct(0.90), 2),
        "p99_ms": round(pct(0.99), 2),
        "non2xx": sum(b for _r, b in results),
        "errors": 0,
        "tool": "python",
    }


def code_state() -> str:
    """The commit served, and the tracked files that differed from it (a shared working tree)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "-uno"], cwd=ROOT, capture_output=True, text=True)
    changed = sorted(line[3:] for line in dirty.stdout.splitlines())
    return head.stdout.strip() + (f" + uncommitted changes in {', '.join(changed)}" if changed else "")


def machine() -> str:
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    return f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def measure_size(args, size: int, base_env: dict, tool: str) -> dict:
    """Prepare the database for `size` claims, serve it and load every scenario in turn."""
    print(f"== {size} claims", flush=True)
    db = prepare(args, size, base_env)
    print(f"   database {db}", flush=True)
    url = f"{args.pg}/{db['database']}" + ("?pool=1" if args.pool else "")
    env = {**base_env, "DATABASE_URL": url}
    fx = json.loads(run([PY, "-m", "bench.bench_fixtures"], env, capture_output=True).stdout)
    db["code"] = code_state()
    cookie = f"{fx['session_cookie']}={fx['session']}; {fx['csrf_cookie']}={fx['csrf']}"
    results = {}
    with gunicorn(args, env) as port:
        for name in args.scenarios.split(","):
            load = load_wrk if tool == "wrk" else load_python
            results[name] = r = load(port, scenario_requests(name, fx), cookie, args)
            r["loadavg_1m"] = round(os.getloadavg()[0], 2)  # other work on the machine skews numbers
            print(
                f"   {name:14s} p50 {r['p50_ms']:8.2f} ms  p90 {r['p90_ms']:8.2f}  p99 {r['p99_ms']:8.2f}  "
                f"{r['rps']:8.1f} req/s  non2xx {r['non2xx']} errors {r['errors']}  load {r['loadavg_1m']}",
                flush=True,
            )
    return {"database": db, "results": results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="claims per database, comma-separated")
    parser.add_argument("--claims-per-article", type=int, default=10)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--db-prefix", default="verifier_bench")
    parser.add_argument("--reuse", action="store_true", help="reuse a database that already holds the data")
    parser.add_argument("--pool", action="store_true", help="psycopg connection pool (?pool=1)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (>1: gthread worker)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent client connections")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per scenario")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    base_env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_hex(24),
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], {**base_env, "DATABASE_URL": "sqlite:///:memory:"})
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = {
        "date": stamp,
        "machine": machine(),
        "command": " ".join(["python -m bench.bench_web", *sys.argv[1:]]),
        "gunicorn": f"{args.workers} workers"
        + (f" x {args.threads} threads (gthread)" if args.threads > 1 else " (sync)"),
        "client": f"{tool}, {args.connections} connections, {args.duration} s per scenario after {args.warmup} s warm-up",
        "pool": args.pool,
        "sizes": {},
    }
    for size in [int(s) for s in args.sizes.split(",")]:
        report["sizes"][size] = measure_size(args, size, base_env, tool)
    path = OUT / f"web-{stamp.replace(':', '')}.json"
    path.write_text(json.dumps(report, indent=2))
    print(markdown(report))
    print(f"\nJSON: {path.relative_to(ROOT)}")
    return 0


def markdown(report: dict) -> str:
    lines = [
        f"Date {report['date']}; machine: {report['machine']}.",
        f"Command: `{report['command']}`; gunicorn {report['gunicorn']}; client {report['client']}; "
        f"pool {'on' if report['pool'] else 'off'}.",
        "",
    ]
    sizes = list(report["sizes"])
    head = "| scenario | " + " | ".join(f"{int(s):,} claims: p50 / p99 ms, req/s" for s in sizes) + " |"
    lines += [head, "|---" * (len(sizes) + 1) + "|"]
    names = list(next(iter(report["sizes"].values()))["results"]) if sizes else []
    for name in names:
        cells = []
        for s in sizes:
            r = report["sizes"][s]["results"].get(name)
            cells.append(f"{r['p50_ms']:.1f} / {r['p99_ms']:.1f}, {r['rps']:.0f}" if r else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
