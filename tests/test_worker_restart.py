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
