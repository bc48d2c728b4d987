"""Backup and restore (docs/backup.md) round-trip every decision into a fresh database, and a restore
can add decisions to an empty database but never replace recorded ones."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from claims.integrity import integrity_check
from claims.models import VerificationStatus
from claims.services import claim_assign, claim_decide, source_merge
from tests.factories import make_analyst, make_article, make_claim, make_source, make_viewer

BASE_DIR = Path(settings.BASE_DIR)
# XML, not JSON: Django's JSON encoder cuts timestamps to milliseconds; XML keeps every microsecond.
DUMP_ARGS = ["claims", "auth.user", "auth.group", "--natural-foreign", "--natural-primary", "--format", "xml"]

# What a restore must give back, decision by decision.
DECISIONS_SCRIPT = """
import json
import django
django.setup()
from claims.models import VerificationStatus
rows = VerificationStatus.objects.order_by("claim_id", "version").values_list(
    "claim_id", "version", "status", "analyst__username", "note", "evidence_url", "created_at"
)
print(json.dumps([[*row[:-1], row[-1].isoformat()] for row in rows]))
"""


def _decisions() -> list:
    rows = VerificationStatus.objects.order_by("claim_id", "version").values_list(
        "claim_id", "version", "status", "analyst__username", "note", "evidence_url", "created_at"
    )
    return [[*row[:-1], row[-1].isoformat()] for row in rows]


def _history():
    """Claims with several decisions each, by several analysts, plus the other kinds of rows."""
    analysts = [make_analyst(), make_analyst()]
    make_viewer()
    staff = make_analyst()
    staff.is_staff = True
    staff.save()
    keep, merged = make_source(name="Ministry of Defence", aliases=["MoD"]), make_source(name="Defence Ministry")
    claims = [make_claim(source=keep), make_claim(source=merged), make_claim()]
    statuses = ["being_clarified", "confirmed", "unverified", "confirmed"]
    for i, claim in enumerate(claims):
        for n, status in enumerate(statuses[: i + 2]):
            claim_decide(
                claim=claim,
                status=status,
                analyst=analysts[n % 2],
                note=f"decision {n} on claim {i} — “quoted”, \u202eRTL",
                evidence_url="https://example.org/evidence" if n % 2 else "",
            )
    claim_assign(claim=claims[0], assignee=analysts[1], actor=analysts[0])
    source_merge(keep=keep, merge=merged, actor=staff)
    make_article()  # an article without claims
    assert integrity_check().problems == []


def _env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DATABASE_URL=database_url, DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="verifier.settings")
    return env


def _run(args: list[str], database_url: str, *, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=BASE_DIR, env=_env(database_url), capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def _manage(*args: str, database_url: str, check: bool = True) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", *args], database_url, check=check)


def _restored_decisions(database_url: str) -> list:
    return json.loads(_run([sys.executable, "-c", DECISIONS_SCRIPT], database_url).stdout)


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory) -> Path:
    """An empty, migrated SQLite database, made once; each test restores into a copy of it."""
    path = tmp_path_factory.mktemp("backup") / "template.sqlite3"
    _manage("migrate", "--noinput", "-v0", database_url=f"sqlite:///{path}")
    return path


@pytest.fixture
def fresh(migrated_template, tmp_path) -> str:
    path = tmp_path / "fresh.sqlite3"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.mark.django_db
def test_dumpdata_and_loaddata_round_trip_every_decision_into_a_fresh_database(tmp_path, fresh):
    _history()
    original = _decisions()
    assert len(original) == 2 + 3 + 4
    dump = tmp_path / "verifier.xml"
    call_command("dumpdata", *DUMP_ARGS, "--output", str(dump), verbosity=0)

    loaded = _manage("loaddata", str(dump), database_url=fresh)
    assert "Installed" in loaded.stdout
    assert _restored_decisions(fresh) == original
    integrity = _manage("verify_integrity", database_url=fresh)
    assert "integrity ok" in integrity.stdout
    assert "9 decisions" in integrity.stdout


@pytest.mark.django_db
def test_loading_a_dump_again_over_restored_data_is_refused(tmp_path, fresh):
    _history()
    dump = tmp_path / "verifier.xml"
    call_command("dumpdata", *DUMP_ARGS, "--output", str(dump), verbosity=0)
    _manage("loaddata", str(dump), database_url=fresh)
    before = _restored_decisions(fresh)

    again = _manage("loaddata", str(dump), database_url=fresh, check=False)
    assert again.returncode != 0
    assert "a fixture cannot replace it" in again.stderr
    assert _restored_decisions(fresh) == before


@pytest.mark.django_db
def test_a_dump_holds_no_sessions_or_sign_in_logs(tmp_path):
    _history()
    dump = tmp_path / "verifier.xml"
    call_command("dumpdata", *DUMP_ARGS, "--output", str(dump), verbosity=0)
    models = set(re.findall(r'<object model="([\w.]+)"', dump.read_text()))
    assert {"claims.verificationstatus", "claims.claim", "claims.source", "auth.user", "auth.group"} <= models
    assert not any(m.startswith(("sessions.", "axes.", "admin.")) for m in models)


# --- PostgreSQL: pg_dump / pg_restore ----------------------------------------------------------------------


def _pg_url(name: str) -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}{port}/{name}"


def _pg_env() -> dict:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(PGHOST=db["HOST"] or "127.0.0.1", PGUSER=db["USER"] or "", PGPORT=str(db["PORT"] or "5432"))
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump/pg_restore need PostgreSQL")
@pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="pg_dump not installed")
@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_pg_restore_round_trip_every_decision_and_keep_the_trigger(tmp_path):
    _history()
    original = _decisions()
    source_db = connection.settings_dict["NAME"]
    restored_db = f"{source_db}_restore"
    dump = tmp_path / "verifier.dump"
    env = _pg_env()
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(dump), source_db], env=env, check=True, timeout=300)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{restored_db}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", "-d", restored_db, str(dump)],
            env=env,
            check=True,
            timeout=300,
            capture_output=True,
        )
        url = _pg_url(restored_db)
        assert _restored_decisions(url) == original
        assert "integrity ok" in _manage("verify_integrity", database_url=url).stdout
        refused = subprocess.run(
            ["psql", "-v", "ON_ERROR_STOP=1", "-d", restored_db, "-c", "UPDATE claims_verificationstatus SET note=''"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode != 0 and "append-only" in refused.stderr
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)')
