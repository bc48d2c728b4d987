"""db_worker outlives a PostgreSQL restart (issue 14, point 4): a private PostgreSQL instance on a free
port is stopped and started again under a running worker, which must keep running and then run a task
queued after the restart. Needs the PostgreSQL 15 server binaries (initdb, pg_ctl); skipped without."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")

pytestmark = pytest.mark.skipif(
    not (PG_BIN / "initdb").exists() or not hasattr(os, "geteuid"), reason="needs PostgreSQL 15's initdb and pg_ctl"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    # initdb refuses to run as root: run the server as the postgres user when we are root.
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


@pytest.fixture
def private_postgres():
    # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="verifier-pg-"))
    data, log = base / "data", base / "log"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    port = _free_port()
    _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"])
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start():
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"])

    def stop():
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])

    start()
    _as_postgres([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "verifier"])
    yield {"url": f"postgres://postgres@127.0.0.1:{port}/verifier", "start": start, "stop": stop}
    with contextlib.suppress(subprocess.CalledProcessError):
        stop()
    shutil.rmtree(base, ignore_errors=True)


ENQUEUE = """
import django, sys
django.setup()
from tests.worker_tasks import touch
touch.enqueue(sys.argv[1])
"""


def test_db_worker_keeps_running_through_a_database_restart_and_then_runs_tasks(private_postgres, tmp_path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "verifier.settings",
        "DATABASE_URL": private_postgres["url"],
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--worker-id",
            "restart-test",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        before = tmp_path / "before"
        subprocess.run([sys.executable, "-c", ENQUEUE, str(before)], cwd=ROOT, env=env, check=True)
        _wait_for(before.exists, 30, "the task queued before the restart ran")

        private_postgres["stop"]()
        time.sleep(3)  # the worker polls a database that is gone: it must wait, not exit
        assert worker.poll() is None, worker.stdout.read()
        private_postgres["start"]()

        after = tmp_path / "after"
        subprocess.run([sys.executable, "-c", ENQUEUE, str(after)], cwd=ROOT, env=env, check=True)
        _wait_for(after.exists, 60, "the task queued after the restart ran")
        assert worker.poll() is None
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0]
    assert "Database unavailable" in output, output


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting: {what}")


# --- the fault test: decisions while the database restarts -----------------------------------------

SETUP = """
import django
django.setup()
from django.contrib.auth.models import Group, User
from claims.auth_tokens import api_token_create
from claims.models import Claim
user = User.objects.create_user("fault-analyst", password="not used here at all")
user.groups.add(Group.objects.get(name="Analysts"))
print(api_token_create(user=user)[1])
print(",".join(str(pk) for pk in Claim.objects.order_by("id").values_list("id", flat=True)[:200]))
"""

COUNT = """
import django, json
django.setup()
from django.db.models import Count
from claims.models import VerificationStatus
rows = VerificationStatus.objects.exclude(idempotency_key=None).values("idempotency_key").annotate(n=Count("id"))
print(json.dumps({r["idempotency_key"]: r["n"] for r in rows}))
"""


def test_decisions_posted_while_the_database_restarts_are_recorded_at_most_once(private_postgres):
    import json
    import threading
    import urllib.error
    import urllib.request
    import uuid

    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "verifier.settings",
        "DATABASE_URL": private_postgres["url"],
        "VERIFIER_API_TOKEN_LIMIT": "100000/60",
        "VERIFIER_API_IP_LIMIT": "100000/60",
    }
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], **run)
    demo = [sys.executable, "manage.py", "generate_demo_data", "--articles", "30", "--claims-per-article", "4"]
    made = subprocess.run(demo, **{**run, "check": False})
    assert made.returncode == 0, made.stdout + made.stderr
    token, ids = subprocess.run([sys.executable, "-c", SETUP], **run).stdout.split()
    claim_ids = [int(pk) for pk in ids.split(",")]
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "verifier.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    outcomes: dict[str, dict] = {}
    lock = threading.Lock()

    def post(claim_id: int, key: str) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/claims/{claim_id}/decisions",
            data=json.dumps({"status": "confirmed", "note": key[:8]}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Idempotency-Key": key},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return 0  # connection refused or reset

    def client(n: int) -> None:
        for i in range(12):
            key = str(uuid.uuid4())
            claim_id = claim_ids[(n * 12 + i) % len(claim_ids)]
            codes = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                codes.append(post(claim_id, key))
                if 200 <= codes[-1] < 300 or 400 <= codes[-1] < 500:
                    break
                time.sleep(0.25)  # a 5xx or no answer: retry with the same key
            with lock:
                outcomes[f"api:{key}"] = {"codes": codes}
            time.sleep(0.05)

    try:
        _wait_for(lambda: post(claim_ids[0], "warm-up") == 201, 30, "gunicorn answers")
        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        private_postgres["stop"]()
        time.sleep(2.0)
        private_postgres["start"]()
        for t in threads:
            t.join(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=20)

    recorded = json.loads(subprocess.run([sys.executable, "-c", COUNT], **run).stdout)
    assert len(outcomes) == 96
    failures_seen = sum(1 for o in outcomes.values() if any(c == 0 or c >= 500 for c in o["codes"]))
    assert failures_seen > 0, "the restart did not hit any request; the test proved nothing"
    for key, outcome in outcomes.items():
        final = outcome["codes"][-1]
        if 200 <= final < 300:
            assert recorded.get(key) == 1, (key, outcome)
        else:
            assert recorded.get(key, 0) <= 1, (key, outcome)
        assert not any(400 <= c < 500 for c in outcome["codes"]), (key, outcome)
    assert all(n == 1 for n in recorded.values())
    integrity = subprocess.run(
        [sys.executable, "manage.py", "verify_integrity"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert integrity.returncode == 0, integrity.stdout + integrity.stderr
