"""The import pipeline: articles stored at once, claims extracted after them (inline, in a process
pool, or by tasks that several db_workers share), and the import job's lifecycle around it."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from claims.extraction import extract_claims
from claims.importing import jobs
from claims.importing import pool as extraction_pool
from claims.importing.extracting import SourceCache, articles_claims_store, articles_lease
from claims.importing.limits import TASK_BATCH
from claims.importing.pool import ArticleToExtract, extract_one
from claims.importing.service import BATCH_SIZE, ImportStopped, article_import
from claims.models import Article, Claim, ClaimCluster, ImportJob
from claims.services import imports
from tests.test_import_command import run_command

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = TESTS / "data" / "import"
SEEDS = REPO / "seeds"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def articles_jsonl(path: Path, n: int, *, tag: str = "a") -> Path:
    """n distinct articles of about 3 KB, each with several attributed claims."""
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            sentences = [
                f"The regional governor said on day {i} that {j + 2} drones were shot down near village {tag}{i}-{j}."
                for j in range(12)
            ]
            body = " ".join(sentences) + f" According to the General Staff, the attack on {tag}{i} was repelled."
            record = {"title": f"Report {tag}{i}", "maintext": body, "url": f"https://news.example.com/{tag}/{i}"}
            out.write(json.dumps(record) + "\n")
    return path


def expected_claims(paths) -> int:
    return sum(len(extract_claims(a.body, title=a.title, language=a.language)) for a in Article.objects.all())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture
def immediate(media):
    media.TASKS = IMMEDIATE
    return media


@pytest.fixture
def no_extraction(monkeypatch):
    """Fail loudly if anything extracts claims."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("claims were extracted here")

    monkeypatch.setattr(extraction_pool, "extract_claims", refuse)
    return calls


def upload(client, *paths):
    handles = [open(p, "rb") for p in paths]  # noqa: SIM115 - closed below
    try:
        return client.post(reverse("admin:claims_article_import"), {"files": handles})
    finally:
        for h in handles:
            h.close()


# --- no extraction in a web request ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_upload_answers_before_any_record_is_read_and_queues_the_preview(client, staff, media):
    client.force_login(staff)
    response = upload(client, DATA / "mixed.jsonl")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("admin:claims_article_import_preview", kwargs={"pk": job.pk})
    page = client.get(response["Location"]).content.decode()
    assert "Reading the files" in page and 'http-equiv="refresh"' in page
    assert "Confirm import" not in page
    assert job.preview is None and not Article.objects.exists()


@pytest.mark.django_db
def test_the_preview_reads_and_dedupes_without_extracting_claims(
    client, staff, immediate, no_extraction, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, DATA / "mixed.jsonl")
    page = client.get(response["Location"]).content.decode()
    assert "Would create 3</strong> articles" in page and "reject <strong>3</strong>" in page
    assert no_extraction == [] and not Article.objects.exists()


@pytest.mark.django_db
def test_an_api_import_answers_202_and_leaves_all_the_work_to_the_workers(api_client, staff_token, media):
    response = api_client.post(
        reverse("api:import_create"),
        data=json.dumps({"text": "Bridge reopened\n\nThe mayor said the bridge was open again."}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {staff_token}"},
    )
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get()
    assert (job.state, job.dry_run) == ("pending", False)
    assert not Article.objects.exists()
    assert job.files == [f"imports/{job.pk}/api.txt"]
    assert (
        Path(media.MEDIA_ROOT) / job.files[0]
    ).read_text() == "Bridge reopened\n\nThe mayor said the bridge was open again."


@pytest.fixture
def api_client(client):
    return client


@pytest.fixture
def staff_token(staff):
    from claims.auth_tokens import api_token_create

    return api_token_create(user=staff)[1]


# --- storing, then extraction as tasks --------------------------------------------------------------


@pytest.mark.django_db
def test_articles_are_stored_at_once_and_their_extraction_queued_in_batches(
    immediate, tmp_path, staff, django_capture_on_commit_callbacks
):
    path = articles_jsonl(tmp_path / "a.jsonl", TASK_BATCH + 5)
    job = imports.import_job_create(user=staff, paths=[str(path)])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        report = article_import(paths=job.files, job=job, extraction="tasks")
    assert report.imported == TASK_BATCH + 5
    assert Article.objects.filter(extracted_at__isnull=True).count() == TASK_BATCH + 5
    assert not Claim.objects.exists()
    job.refresh_from_db()
    assert job.state == "running" and job.stored_at is not None  # waiting for its claims only
    assert len(queued) == 2  # two extraction tasks: 25 articles and 5
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.state == "done"
    assert not Article.objects.filter(extracted_at__isnull=True).exists()
    assert Claim.objects.count() == expected_claims([path]) > 0


@pytest.mark.django_db
def test_confirming_runs_storage_then_extraction_tasks_to_a_done_job(
    client, staff, immediate, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, DATA / "mixed.jsonl", SEEDS / "002_6f2129f11252ae90.txt")
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:claims_article_import"), {"action": "confirm", "job": job.pk})
    job.refresh_from_db()
    assert job.state == "done" and job.imported_net == 4
    page = client.get(reverse("claims:import_job", kwargs={"pk": job.pk})).content.decode()
    assert "extracted 4 of 4 articles" in page
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_job_page_shows_how_many_articles_have_their_claims(client, staff):
    job = ImportJob.objects.create(state="running", total=3, processed=3, imported=3, heartbeat_at=timezone.now())
    for n in range(3):
        Article.objects.create(
            title=f"t{n}",
            body=f"body {n}",
            original_text="x",
            content_hash=f"h{n}",
            import_job=job,
            extracted_at=timezone.now() if n == 0 else None,
        )
    client.force_login(staff)
    html = client.get(reverse("claims:import_job_progress", kwargs={"pk": job.pk})).content.decode()
    assert "extracted 1 of 3 articles" in html and 'hx-trigger="every 1s"' in html


# --- leases: several workers, no article twice -------------------------------------------------------


@pytest.mark.django_db
def test_two_workers_taking_the_same_articles_get_disjoint_shares():
    ids = [
        Article.objects.create(title="t", body=f"b{n}", original_text="x", content_hash=f"h{n}", extracted_at=None).pk
        for n in range(6)
    ]
    first = articles_lease(ids=ids[:4], token="worker-1")
    second = articles_lease(ids=ids, token="worker-2")
    assert first == ids[:4] and sorted(second) == ids[4:]


@pytest.mark.django_db
def test_an_expired_lease_is_taken_over_and_the_old_holder_can_no_longer_store(settings):
    article = Article.objects.create(
        title="t", body="The mayor said the bridge was open.", original_text="x", content_hash="h", extracted_at=None
    )
    assert articles_lease(ids=[article.pk], token="dead") == [article.pk]
    Article.objects.filter(pk=article.pk).update(extraction_lease_until=timezone.now() - timedelta(seconds=1))
    assert articles_lease(ids=[article.pk], token="alive") == [article.pk]
    item = ArticleToExtract(article.pk, "f:1", article.body, article.title, "en")
    result = extract_one(item, seconds=None)
    stored, failed = articles_claims_store(done=[(item, result)], token="dead", job_id=None, sources=SourceCache())
    assert (stored, failed) == ([], []) and not Claim.objects.exists()
    stored, _ = articles_claims_store(done=[(item, result)], token="alive", job_id=None, sources=SourceCache())
    assert len(stored) == 1 and Claim.objects.count() == len(result.claims) > 0
    # Done is done: a second store (a late duplicate task) writes nothing more.
    assert articles_claims_store(done=[(item, result)], token="alive", job_id=None, sources=SourceCache()) == ([], [])
    assert Claim.objects.count() == len(result.claims)


# --- time limits --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_article_whose_extraction_overruns_fails_and_the_import_goes_on(settings, monkeypatch, tmp_path):
    settings.VERIFIER_EXTRACTION_SECONDS = 0.5
    real = extraction_pool.extract_claims

    def slow_on_one(body, **kwargs):
        if "SLOW" in body:
            time.sleep(5)
        return real(body, **kwargs)

    monkeypatch.setattr(extraction_pool, "extract_claims", slow_on_one)
    path = articles_jsonl(tmp_path / "a.jsonl", 3)
    lines = path.read_text().splitlines()
    record = json.loads(lines[1])
    record["maintext"] += " SLOW"
    lines[1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    report = article_import(paths=[str(path)])
    assert time.monotonic() - started < 4
    assert report.errors == [f"{path}:2: took longer than 0.5 s"]
    assert report.summary == "imported 2, duplicates 0, failed 1"
    job = report.job
    assert (job.state, job.imported_net, job.failed_net) == ("done", 2, 1)
    assert job.all_errors == [f"{path}:2: took longer than 0.5 s"]
    assert Article.objects.count() == 2 and not Article.objects.filter(extracted_at__isnull=True).exists()


# --- one runner per job, stalled by heartbeat ---------------------------------------------------------


@pytest.mark.django_db
def test_a_job_has_one_runner_until_its_heartbeat_stops(settings):
    job = imports.import_job_create(paths=["x.jsonl"])
    assert jobs.import_job_start(job=job, token="first")
    assert not jobs.import_job_start(job=job, token="second")
    assert jobs.import_job_beat(job_id=job.pk, token="first")
    ImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.VERIFIER_IMPORT_STALL_SECONDS + 1)
    )
    assert jobs.import_job_start(job=job, token="second")
    # The first runner learns at its next beat that the job is no longer its own.
    assert not jobs.import_job_beat(job_id=job.pk, token="first")


@pytest.mark.django_db
def test_a_runner_busy_on_one_slow_record_is_not_called_stalled(client, staff):
    job = ImportJob.objects.create(state="running", files=["x"], heartbeat_at=timezone.now())
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    job.refresh_from_db()
    assert not job.is_stalled and not job.is_resumable
    client.force_login(staff)
    html = client.get(reverse("claims:import_job", kwargs={"pk": job.pk})).content.decode()
    assert "Resume import" not in html
    assert imports.import_job_resume(job_id=job.pk) is None


@pytest.mark.django_db(transaction=True)
def test_a_runner_whose_job_was_cancelled_stops_at_its_next_heartbeat(settings, monkeypatch, tmp_path):
    settings.VERIFIER_IMPORT_HEARTBEAT_SECONDS = 0.1
    real = extraction_pool.extract_claims
    path = articles_jsonl(tmp_path / "a.jsonl", 30)
    job = imports.import_job_create(paths=[str(path)])

    def cancel_then_slow(body, **kwargs):
        ImportJob.objects.filter(pk=job.pk).update(state="cancelled")
        time.sleep(0.3)
        return real(body, **kwargs)

    monkeypatch.setattr(extraction_pool, "extract_claims", cancel_then_slow)
    monkeypatch.setattr("claims.importing.service.BATCH_SIZE", 1)
    with pytest.raises(ImportStopped):
        article_import(paths=job.files, job=job)
    assert Article.objects.count() < 30


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_start_one_import(settings, tmp_path, django_capture_on_commit_callbacks):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")
    settings.MEDIA_ROOT = tmp_path
    user = User.objects.create_user("boss", is_staff=True, is_superuser=True)
    job = ImportJob.objects.create(dry_run=True, files=["x"], preview={"imported": 3})
    barrier = threading.Barrier(4)
    confirmed = []

    def confirm():
        try:
            barrier.wait()
            confirmed.append(imports.import_job_confirm(job_id=job.pk, user=user))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for c in confirmed if c is not None) == 1
    assert DBTaskResult.objects.filter(task_path="claims.tasks.import_job_run").count() == 1


# --- resume, cancel, permissions ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_resumes_a_failed_import_and_refuses_a_live_one(
    client, staff_token, immediate, django_capture_on_commit_callbacks
):
    job = imports.import_job_create(paths=[str(DATA / "mixed.jsonl")])
    ImportJob.objects.filter(pk=job.pk).update(state="failed")
    auth = {"Authorization": f"Bearer {staff_token}"}
    url = reverse("api:import_resume", kwargs={"job_id": job.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, headers=auth)
    assert response.status_code == 202, response.content
    assert client.get(reverse("api:import_get", kwargs={"job_id": job.pk}), headers=auth).json()["state"] == "done"
    again = client.post(url, headers=auth)
    assert again.status_code == 409
    assert client.post(reverse("api:import_resume", kwargs={"job_id": 999999}), headers=auth).status_code == 404


@pytest.mark.django_db
def test_staff_without_the_import_permission_get_403_from_the_api_as_in_the_admin(client, media):
    from claims.auth_tokens import api_token_create

    clerk = User.objects.create_user("clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_article"))
    token = api_token_create(user=clerk)[1]
    response = client.post(
        reverse("api:import_create"),
        data=json.dumps({"text": "Title\n\nThe mayor said so."}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    client.force_login(clerk)
    assert client.get(reverse("admin:claims_article_import")).status_code == 403


@pytest.mark.django_db
def test_cancelling_a_preview_removes_it_and_its_files(client, staff, media, django_capture_on_commit_callbacks):
    client.force_login(staff)
    upload(client, DATA / "mixed.jsonl")
    job = ImportJob.objects.get()
    folder = Path(media.MEDIA_ROOT) / "imports" / str(job.pk)
    assert folder.is_dir()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:claims_article_import"), {"action": "discard", "job": job.pk})
    assert not ImportJob.objects.exists() and not folder.exists()


@pytest.mark.django_db(transaction=True)
def test_a_cancel_that_rolls_back_keeps_the_preview_files(client, staff, media):
    """The files go when the row's deletion commits, not before: a rollback leaves both."""
    client.force_login(staff)
    upload(client, DATA / "mixed.jsonl")
    job = ImportJob.objects.get()
    folder = Path(media.MEDIA_ROOT) / "imports" / str(job.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert imports.import_job_cancel(job_id=job.pk)
        raise RuntimeError("the outer transaction fails")
    assert ImportJob.objects.filter(pk=job.pk).exists() and folder.is_dir()
    assert imports.import_job_cancel(job_id=job.pk)
    assert not ImportJob.objects.exists() and not folder.exists()


@pytest.mark.django_db
def test_an_upload_that_fails_while_saving_leaves_no_files(staff, media):
    class Broken:
        name = "feed.jsonl"

        def chunks(self):
            yield b'{"title": "a"}\n'
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        imports.import_job_create(user=staff, uploads=[ContentFile(b"{}", name="ok.json"), Broken()], dry_run=True)
    assert not ImportJob.objects.exists()
    assert not any((Path(media.MEDIA_ROOT) / "imports").glob("*/*"))


# --- the preview ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_rejection_is_listed_in_pages_however_many_records_there_are(
    client, staff, immediate, tmp_path, django_capture_on_commit_callbacks
):
    path = articles_jsonl(tmp_path / "big.jsonl", 700)
    lines = path.read_text().splitlines()
    bad = [150, 499, 650]
    for n in bad:
        lines[n - 1] = "{broken"
    path.write_text("\n".join(lines) + "\n")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path)
    page = client.get(response["Location"]).content.decode()
    assert "Rejected records (3)" in page
    for n in bad:
        assert f"big.jsonl:{n}" in page
    assert "more records to create or skip, not listed" in page  # the accepted ones are cut, not the rejections


@pytest.mark.django_db
def test_rejections_page_past_the_first_hundred(client, staff, immediate, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "bad.jsonl"
    path.write_text("".join("{broken\n" for _ in range(150)))
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path)
    first = client.get(response["Location"]).content.decode()
    assert "bad.jsonl:100<" in first and "bad.jsonl:101<" not in first and "page 1 of 2" in first
    second = client.get(response["Location"] + "?page=2").content.decode()
    assert "bad.jsonl:150<" in second and "bad.jsonl:1<" not in second


@pytest.mark.django_db
def test_confirm_is_not_offered_when_nothing_would_be_created(
    client, staff, immediate, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "bad.jsonl"
    path.write_text("{broken\n")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path)
    page = client.get(response["Location"]).content.decode()
    assert "Confirm import" not in page and "Nothing would be created" in page
    job = ImportJob.objects.get()
    client.post(reverse("admin:claims_article_import"), {"action": "confirm", "job": job.pk})
    job.refresh_from_db()
    assert job.dry_run


@pytest.mark.django_db
def test_old_previews_expire_with_their_files_and_confirmed_jobs_stay(
    client, staff, media, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    upload(client, DATA / "mixed.jsonl")
    upload(client, DATA / "mixed.jsonl")
    old, recent = ImportJob.objects.order_by("pk")
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=30))
    real = ImportJob.objects.create(dry_run=False, state="done", created_at=timezone.now() - timedelta(days=9))
    with django_capture_on_commit_callbacks(execute=True):
        code, out, _ = run_command("import_previews_expire")
    assert (code, out) == (0, ["deleted 1 preview"])
    assert set(ImportJob.objects.values_list("pk", flat=True)) == {recent.pk, real.pk}
    assert not (Path(media.MEDIA_ROOT) / "imports" / str(old.pk)).exists()
    assert (Path(media.MEDIA_ROOT) / "imports" / str(recent.pk)).exists()


# --- the command ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_workers_extract_in_a_process_pool_with_the_same_claims_as_inline(tmp_path):
    path = articles_jsonl(tmp_path / "a.jsonl", 80)
    code, out, err = run_command("import_articles", str(path), "--workers", "2")
    assert (code, out[-1], err) == (0, "imported 80, duplicates 0, failed 0", [])
    assert not Article.objects.filter(extracted_at__isnull=True).exists()
    pooled = sorted(Claim.objects.values_list("article__url", "start", "end", "source__name"))
    ClaimCluster.objects.all().delete()  # a cluster protects the claim it is keyed by
    Claim.objects.all().delete()
    Article.objects.all().delete()
    seen = []
    article_import(paths=[str(path)], workers=2, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (80, 80) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    ClaimCluster.objects.all().delete()  # a cluster protects the claim it is keyed by
    Claim.objects.all().delete()
    Article.objects.all().delete()
    code, out, _ = run_command("import_articles", str(path), "--workers", "1")
    inline = sorted(Claim.objects.values_list("article__url", "start", "end", "source__name"))
    assert pooled == inline and len(inline) >= 80 * 10


@pytest.mark.django_db
def test_background_queues_the_job_for_db_worker_and_prints_its_id(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        code, out, _ = run_command("import_articles", "--background", str(DATA / "mixed.jsonl"))
    job = ImportJob.objects.get()
    assert (code, out) == (0, [str(job.pk)])
    assert (job.state, job.dry_run, job.files) == ("pending", False, [str(DATA / "mixed.jsonl")])
    assert not Article.objects.exists()
    assert DBTaskResult.objects.filter(task_path="claims.tasks.import_job_run", status="READY").count() == 1


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_workers_must_be_a_positive_number(value):
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "import_articles", "seeds/", "--workers", value],
        cwd=REPO,
        env={**os.environ, "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--workers" in done.stderr


# --- real db_workers on PostgreSQL -------------------------------------------------------------------


def _worker(env: dict, log: Path, *args: str) -> subprocess.Popen:
    with open(log, "w") as out:  # a file, not a pipe: a chatty worker must never block on it
        worker = subprocess.Popen(
            [sys.executable, str(TESTS / "slow_db_worker.py"), *args],
            cwd=REPO,
            env={**os.environ, "DJANGO_DEBUG": "1", "PYTHONPATH": str(REPO), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    worker.log = log
    return worker


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait(condition, *, seconds: float, what: str, workers=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        for w in workers:
            if w.poll() is not None:
                pytest.fail(f"a worker exited ({w.returncode}) while waiting for {what}: {w.log.read_text()[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _stop(workers):
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(timeout=15)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait()


@pytest.fixture
def postgres_workers(transactional_db, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("db_worker sharing is for PostgreSQL (SELECT ... FOR UPDATE SKIP LOCKED)")
    settings.MEDIA_ROOT = tmp_path / "media"
    started = []
    env = {"DATABASE_URL": _database_url()}

    def start(*args, **extra):
        worker = _worker({**env, **extra}, tmp_path / f"worker-{len(started)}.log", *args)
        started.append(worker)
        return worker

    yield start
    _stop(started)


def test_two_db_workers_share_a_job_and_do_no_article_twice(postgres_workers, tmp_path):
    path = articles_jsonl(tmp_path / "a.jsonl", 120)
    job = imports.import_job_create(paths=[str(path)])
    with transaction.atomic():
        imports.import_job_queue(job=job)
    # Also queue every article a second time, in other batches, as a resume racing the first run would.
    workers = [
        postgres_workers("--worker-id", "w1", TEST_EXTRACT_DELAY="0.03"),
        postgres_workers("--worker-id", "w2", TEST_EXTRACT_DELAY="0.03"),
    ]
    _wait(
        lambda: Article.objects.filter(import_job=job).count() == 120, seconds=90, what="the articles", workers=workers
    )
    from claims.tasks import import_articles_extract

    ids = list(Article.objects.filter(import_job=job).order_by("-pk").values_list("pk", flat=True))
    for i in range(0, len(ids), 10):
        import_articles_extract.enqueue(job.pk, [[pk, f"again:{pk}"] for pk in ids[i : i + 10]])
    _wait(
        lambda: ImportJob.objects.get(pk=job.pk).state == "done"
        and not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"], task_path__endswith="_extract").exists(),
        seconds=120,
        what="the job to finish",
        workers=workers,
    )
    results = DBTaskResult.objects.filter(task_path="claims.tasks.import_articles_extract")
    assert not results.exclude(status="SUCCESSFUL").exists()
    assert sum(r.return_value["extracted"] for r in results) == 120  # each article once, by one worker
    assert sum(r.return_value["skipped"] for r in results) == 120  # the second round found them done or taken
    assert {w for r in results if r.return_value["extracted"] for w in r.worker_ids} == {"w1", "w2"}
    assert not Article.objects.filter(extracted_at__isnull=True).exists()
    assert Claim.objects.count() == expected_claims([path])


def test_a_job_whose_worker_is_killed_recovers_by_heartbeat(postgres_workers, tmp_path):
    fast = {
        "VERIFIER_IMPORT_HEARTBEAT_SECONDS": "0.3",
        "VERIFIER_IMPORT_STALL_SECONDS": "2",
        "VERIFIER_IMPORT_WATCH_SECONDS": "0.5",
    }
    path = articles_jsonl(tmp_path / "a.jsonl", 60)
    job = imports.import_job_create(paths=[str(path)])
    with transaction.atomic():
        imports.import_job_queue(job=job)
    doomed = postgres_workers("--worker-id", "doomed", TEST_EXTRACT_DELAY="0.3", **fast)

    def extracting():
        return DBTaskResult.objects.filter(
            status="RUNNING", task_path="claims.tasks.import_articles_extract", worker_ids__contains=["doomed"]
        ).first()

    _wait(lambda: extracting() is not None, seconds=90, what="an extraction task to start", workers=[doomed])
    killed_task = extracting()
    time.sleep(0.5)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    held = Article.objects.filter(extraction_lease=str(killed_task.pk), extracted_at__isnull=True).count()
    assert held > 0
    survivor = postgres_workers("--worker-id", "survivor", **fast)
    _wait(lambda: ImportJob.objects.get(pk=job.pk).state == "done", seconds=120, what="recovery", workers=[survivor])
    assert not Article.objects.filter(extracted_at__isnull=True).exists()
    assert Article.objects.filter(import_job=job).count() == 60
    assert Claim.objects.count() == expected_claims([path])
    killed_task.refresh_from_db()
    assert killed_task.status == "FAILED" and "stopped beating" in killed_task.traceback
    job.refresh_from_db()
    assert (job.imported_net, job.failed_net) == (60, 0)


@pytest.mark.django_db
def test_a_large_jobs_later_batches_queue_behind_a_new_jobs_first(tmp_path, django_capture_on_commit_callbacks):
    big = imports.import_job_create(paths=[str(articles_jsonl(tmp_path / "big.jsonl", TASK_BATCH * 9, tag="b"))])
    with django_capture_on_commit_callbacks(execute=True):
        article_import(paths=big.files, job=big, extraction="tasks")
    small = imports.import_job_create(paths=[str(articles_jsonl(tmp_path / "small.jsonl", 3, tag="s"))])
    with django_capture_on_commit_callbacks(execute=True):
        article_import(paths=small.files, job=small, extraction="tasks")
    queue = DBTaskResult.objects.filter(task_path="claims.tasks.import_articles_extract").order_by(
        *DBTaskResult._meta.ordering
    )
    order = [r.args_kwargs["args"][0] for r in queue]
    assert order.index(small.pk) < len(order) - 1  # not last: ahead of the big job's later batches
    assert order[:4] == [big.pk] * 4 and order.count(big.pk) == 9


@pytest.mark.django_db
def test_a_record_whose_cleaning_overruns_fails_alone(settings, monkeypatch, tmp_path):
    from claims.importing import service

    settings.VERIFIER_EXTRACTION_SECONDS = 0.5
    real = service.prepare_record

    def slow_on_one(record, **kwargs):
        if record.line == 2:
            time.sleep(5)
        return real(record, **kwargs)

    monkeypatch.setattr(service, "prepare_record", slow_on_one)
    path = articles_jsonl(tmp_path / "a.jsonl", 3)
    report = article_import(paths=[str(path)])
    assert report.errors == [f"{path}:2: cleaning the text took longer than 0.5 s"]
    assert report.summary == "imported 2, duplicates 0, failed 1"


@pytest.mark.django_db
def test_verify_integrity_flags_articles_no_import_will_extract(article):
    from claims.integrity import integrity_check

    assert integrity_check().problems == []
    job = ImportJob.objects.create(state="running")
    Article.objects.filter(pk=article.pk).update(extracted_at=None, import_job=job)
    assert integrity_check().problems == []  # its import is still running
    ImportJob.objects.filter(pk=job.pk).update(state="done")
    assert any(f"article {article.pk}: claims never extracted" in p for p in integrity_check().problems)


@pytest.mark.django_db
def test_a_second_run_task_for_a_job_with_a_live_runner_does_nothing(immediate):
    from claims.tasks import import_job_run

    job = imports.import_job_create(paths=[str(DATA / "mixed.jsonl")])
    assert jobs.import_job_start(job=job, token="live-runner")
    result = import_job_run.enqueue(job.pk)
    assert result.return_value["skipped"] is True
    assert not Article.objects.exists()
    job.refresh_from_db()
    assert (job.state, job.runner) == ("running", "live-runner")


@pytest.mark.django_db
def test_the_api_job_says_how_many_articles_have_their_claims(client, staff_token, immediate):
    job = ImportJob.objects.create(state="running", imported=2, heartbeat_at=timezone.now())
    Article.objects.create(title="a", body="a", original_text="a", content_hash="a", import_job=job)
    Article.objects.create(title="b", body="b", original_text="b", content_hash="b", import_job=job, extracted_at=None)
    got = client.get(
        reverse("api:import_get", kwargs={"job_id": job.pk}), headers={"Authorization": f"Bearer {staff_token}"}
    ).json()
    assert (got["imported"], got["extracted"], got["resumable"]) == (2, 1, False)


@pytest.mark.django_db(transaction=True)
def test_a_cancelled_job_stops_reading_but_what_it_stored_gets_its_claims(settings, monkeypatch, tmp_path):
    from claims.importing import service

    settings.TASKS = IMMEDIATE
    settings.VERIFIER_IMPORT_HEARTBEAT_SECONDS = 0.1
    monkeypatch.setattr(service, "BATCH_SIZE", 2)
    path = articles_jsonl(tmp_path / "a.jsonl", 20)
    job = imports.import_job_create(paths=[str(path)])
    real = service.prepare_record

    def cancel_at_the_fifth(record, **kwargs):
        if record.line == 5:
            assert imports.import_job_cancel(job_id=job.pk)
        time.sleep(0.15)
        return real(record, **kwargs)

    monkeypatch.setattr(service, "prepare_record", cancel_at_the_fifth)
    with pytest.raises(ImportStopped):
        article_import(paths=job.files, job=job, extraction="tasks")
    job.refresh_from_db()
    stored = Article.objects.filter(import_job=job)
    assert job.state == "cancelled" and 4 <= stored.count() < 20
    assert not stored.filter(extracted_at__isnull=True).exists()
    assert Claim.objects.filter(article__import_job=job).count() > 0


@pytest.mark.django_db
def test_discard_and_confirm_only_touch_previews(client, staff):
    running = ImportJob.objects.create(state="running", heartbeat_at=timezone.now())
    client.force_login(staff)
    for action in ("discard", "confirm"):
        response = client.post(reverse("admin:claims_article_import"), {"action": action, "job": running.pk})
        assert response.status_code == 404
        assert client.post(reverse("admin:claims_article_import"), {"action": action, "job": "x"}).status_code == 404
    running.refresh_from_db()
    assert running.state == "running"


def test_a_job_whose_runner_is_killed_while_storing_recovers_by_heartbeat(postgres_workers, tmp_path):
    fast = {
        "VERIFIER_IMPORT_HEARTBEAT_SECONDS": "0.3",
        "VERIFIER_IMPORT_STALL_SECONDS": "2",
        "VERIFIER_IMPORT_WATCH_SECONDS": "0.5",
    }
    n = BATCH_SIZE + 60  # the first batch is stored, the rest is still being read when the worker dies
    path = articles_jsonl(tmp_path / "a.jsonl", n)
    job = imports.import_job_create(paths=[str(path)])
    with transaction.atomic():
        imports.import_job_queue(job=job)
    doomed = postgres_workers("--worker-id", "doomed", TEST_PREPARE_DELAY="0.04", **fast)
    _wait(lambda: Article.objects.filter(import_job=job).exists(), seconds=90, what="a batch", workers=[doomed])
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    runner = ImportJob.objects.get(pk=job.pk).runner
    assert ImportJob.objects.get(pk=job.pk).stored_at is None  # killed while still reading records
    survivor = postgres_workers("--worker-id", "survivor", **fast)
    _wait(lambda: ImportJob.objects.get(pk=job.pk).state == "done", seconds=120, what="recovery", workers=[survivor])
    job.refresh_from_db()
    assert (job.imported_net, job.duplicates, job.failed_net) == (n, 0, 0)
    assert Article.objects.filter(import_job=job).count() == n
    assert not Article.objects.filter(extracted_at__isnull=True).exists()
    assert Claim.objects.count() == expected_claims([path])
    assert DBTaskResult.objects.get(pk=runner).status == "FAILED"
