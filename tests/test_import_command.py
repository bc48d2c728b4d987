"""`manage.py import_articles` and `manage.py extract_claims` as users and scripts call them."""

import io
import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from claims.models import Article, Claim, ImportJob

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = TESTS / "data" / "import"
SEEDS = REPO / "seeds"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SUMMARY = re.compile(r"^imported (\d+), duplicates (\d+), failed (\d+)$")


def run_command(*args):
    """call_command, returning (exit status, stdout lines, stderr lines)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


def manage(*args, env=None, **kwargs):
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env={**os.environ, "DJANGO_DEBUG": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    """A migrated SQLite file database that separate processes can share."""
    path = tmp_path_factory.mktemp("cli") / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{path}"}
    done = manage("migrate", "--noinput", "-v0", env=env)
    assert done.returncode == 0, done.stderr
    return env


# --- import_articles, in process -----------------------------------------------------------------


@pytest.mark.django_db
def test_import_seeds_then_reimport_is_idempotent():
    code, out, err = run_command("import_articles", str(SEEDS))
    assert code == 0 and err == []
    assert out == [f"loaded source registry {SEEDS / 'sources.json'}: 35 sources", "imported 2, duplicates 0, failed 0"]
    counts = (Article.objects.count(), Claim.objects.count())
    code, out, _ = run_command("import_articles", str(SEEDS))
    assert code == 0 and out[-1] == "imported 0, duplicates 2, failed 0"
    assert (Article.objects.count(), Claim.objects.count()) == counts


@pytest.mark.django_db
def test_each_failure_is_one_line_with_path_and_line_and_the_exit_status_is_1():
    path = DATA / "mixed.jsonl"
    code, out, err = run_command("import_articles", str(path))
    assert code == 1
    assert SUMMARY.match(out[-1]).groups() == ("3", "0", "3")
    assert [line.split(": ", 1)[0] for line in err] == [f"{path}:3", f"{path}:5", f"{path}:6"]
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_a_missing_path_is_a_failure_line():
    code, out, err = run_command("import_articles", str(SEEDS), "no/such/file.json")
    assert code == 1
    assert err == ["no/such/file.json:1: no such file or directory"]
    assert out[-1] == "imported 2, duplicates 0, failed 1"


@pytest.mark.django_db
def test_zip_member_failures_name_archive_slash_member():
    code, out, err = run_command("import_articles", str(DATA / "bundle.zip"))
    assert code == 1
    assert err == [f"{DATA / 'bundle.zip'}/bundle/junk.bin:1: binary file (contains NUL bytes), not article text"]
    assert out[-1] == "imported 3, duplicates 0, failed 1"


@pytest.mark.django_db
def test_globs_select_files():
    code, out, _ = run_command("import_articles", str(DATA / "*.rss"), str(DATA / "page.h*"))
    assert out[-1] == "imported 2, duplicates 0, failed 1"
    assert code == 1


@pytest.mark.django_db
def test_dry_run_reports_the_same_summary_and_writes_nothing():
    code, out, _ = run_command("import_articles", str(DATA / "mixed.jsonl"), str(SEEDS), "--dry-run")
    assert code == 1
    assert out[-2:] == ["dry run: nothing was written", "imported 5, duplicates 0, failed 3"]
    assert (Article.objects.count(), ImportJob.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_every_kind_of_bad_input_is_reported_and_the_good_records_still_import():
    code, out, err = run_command("import_articles", str(DATA))
    assert code == 1
    imported, duplicates, failed = map(int, SUMMARY.match(out[-1]).groups())
    assert failed == len(err) and imported == Article.objects.count() > 10
    joined = "\n".join(err)
    for expected in ("binary file", "empty file", "cannot decode", "broken JSON", "absurd publication date"):
        assert expected in joined
    assert all(re.match(r"^.+:\d+: \S", line) for line in err)


# --- import_articles, as a process ---------------------------------------------------------------


def test_no_paths_is_a_usage_error_with_exit_status_2():
    done = manage("import_articles")
    assert done.returncode == 2
    assert "PATH" in done.stderr and "Traceback" not in done.stderr


def test_background_with_dry_run_is_a_usage_error_with_exit_status_2(cli_db):
    done = manage("import_articles", "--background", "--dry-run", str(SEEDS), env=cli_db)
    assert done.returncode == 2
    assert "--background and --dry-run do not go together" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_command_line_import_is_idempotent_and_never_shows_a_traceback(cli_db):
    first = manage("import_articles", "seeds/", env=cli_db)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "imported 2, duplicates 0, failed 0"
    again = manage("import_articles", "seeds/", env=cli_db)
    assert again.returncode == 0
    assert again.stdout.splitlines()[-1] == "imported 0, duplicates 2, failed 0"
    bad = manage("import_articles", "seeds/nothing-here.txt", str(DATA / "binary.bin"), env=cli_db)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr + bad.stdout
    assert bad.stderr.splitlines() == [
        "seeds/nothing-here.txt:1: no such file or directory",
        f"{DATA / 'binary.bin'}:1: binary file (a PNG image), not article text",
    ]


def test_an_unreachable_database_is_a_one_line_error_not_a_traceback():
    done = manage("import_articles", "seeds/", env={"DATABASE_URL": "postgres://nobody@127.0.0.1:9/none"})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("import failed: OperationalError")


def test_no_progress_bar_when_stderr_is_not_a_terminal(cli_db):
    done = manage("import_articles", str(DATA / "mixed.jsonl"), env=cli_db)
    assert "%|" not in done.stderr and "article/s" not in done.stderr


def test_progress_bar_on_an_interactive_terminal(cli_db):
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, str(REPO / "manage.py"), "import_articles", str(DATA / "other_order.csv")],
            cwd=REPO,
            env={**os.environ, "DJANGO_DEBUG": "1", **cli_db},
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=120,
        )
        os.close(follower)
        follower = None
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert done.returncode == 1
    assert "article" in terminal and "3/3" in terminal


# --- extract_claims ------------------------------------------------------------------------------

KEYS = {"file", "text", "start", "end", "source", "source_kind", "via", "hedged", "status_hint", "cue"}


def test_extract_claims_prints_one_json_object_per_claim():
    code, out, _ = run_command("extract_claims", str(SEEDS), "--jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out]
    assert len(rows) > 10
    assert all(set(row) == KEYS for row in rows)
    assert {row["file"] for row in rows} == {
        str(SEEDS / "000_ea078edfdb169b11.txt"),
        str(SEEDS / "002_6f2129f11252ae90.txt"),
    }


@pytest.mark.django_db
def test_extract_claims_offsets_point_into_the_body_as_the_importer_stores_it():
    _, out, _ = run_command("extract_claims", str(SEEDS), str(DATA / "other_order.csv"), "--jsonl")
    rows = [json.loads(line) for line in out]
    run_command("import_articles", str(SEEDS), str(DATA / "other_order.csv"))
    bodies = {a.title: a.body for a in Article.objects.all()}
    stored = {(c.start, c.end, c.text) for c in Claim.objects.all()}
    assert len(stored) == len(rows)
    for row in rows:
        assert (row["start"], row["end"], row["text"]) in stored
        assert any(body[row["start"] : row["end"]] == row["text"] for body in bodies.values())


def test_extract_claims_needs_no_database():
    done = manage("extract_claims", "seeds/", "--jsonl", env={"DATABASE_URL": "postgres://nobody@127.0.0.1:9/none"})
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows and rows[0]["file"] == "seeds/000_ea078edfdb169b11.txt"


def test_extract_claims_exits_1_when_a_file_cannot_be_read():
    code, out, err = run_command("extract_claims", str(DATA / "binary.bin"), str(SEEDS / "000_ea078edfdb169b11.txt"))
    assert code == 1
    assert out and err == [f"{DATA / 'binary.bin'}:1: binary file (a PNG image), not article text"]


def test_extract_claims_exits_0_when_only_some_records_lack_text():
    code, out, err = run_command("extract_claims", str(DATA / "newsapi_no_text.json"))
    assert code == 0 and len(err) == 1


@pytest.mark.skipif(not (SHARED / "tools" / "score_extraction.py").exists(), reason="../shared/tools not present")
def test_score_extraction_tool_accepts_the_output(tmp_path):
    pred = tmp_path / "pred.jsonl"
    done = manage("extract_claims", "seeds/", "--jsonl", env={"DATABASE_URL": "postgres://nobody@127.0.0.1:9/none"})
    pred.write_text(done.stdout)
    scored = subprocess.run(
        [
            shutil.which("python3") or sys.executable,
            str(SHARED / "tools" / "score_extraction.py"),
            "--gold",
            str(SHARED / "gold" / "seed_claims.jsonl"),
            "--pred",
            str(pred),
            "--not-claims",
            str(SHARED / "gold" / "seed_not_claims.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert scored.returncode == 0, scored.stdout + scored.stderr
    last = scored.stdout.strip().splitlines()[-1]
    assert last.startswith("claims P=")
    assert float(re.search(r"sources acc=[\d.]+ F1=([\d.]+)", last).group(1)) > 0.5
