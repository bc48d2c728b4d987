"""The admin "Import articles" page (upload, preview, confirm) and the import job page."""

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from claims.importing.service import article_import
from claims.models import Article, AuditEvent, ImportJob
from tests.factories import make_analyst, make_viewer

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data" / "import"
SEEDS = TESTS.parent / "seeds"
IMPORT_URL = "admin:claims_article_import"


@pytest.fixture(autouse=True)
def immediate_tasks_and_media(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def upload(path: Path):
    return open(path, "rb")  # noqa: SIM115 - the test client reads and the test closes it


def post_files(client, *paths):
    handles = [upload(p) for p in paths]
    try:
        return client.post(reverse(IMPORT_URL), {"files": handles})
    finally:
        for h in handles:
            h.close()


@pytest.fixture
def preview(client, django_capture_on_commit_callbacks):
    """Upload files, let the preview task run (immediate backend), and answer the preview page."""

    def upload_and_preview(*paths):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_files(client, *paths)
        assert response.status_code == 302
        return client.get(response["Location"])

    return upload_and_preview


# --- the upload and preview ----------------------------------------------------------------------


@pytest.mark.django_db
def test_article_list_has_an_import_articles_link(client, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:claims_article_changelist"))
    assert response.status_code == 200
    assert reverse(IMPORT_URL).encode() in response.content
    assert b"Import articles" in response.content


@pytest.mark.django_db
def test_import_page_has_a_multiple_file_input(client, staff):
    client.force_login(staff)
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 200
    assert b'type="file" name="files"' in response.content and b"multiple" in response.content


@pytest.mark.django_db
def test_import_page_is_not_for_non_staff(client):
    analyst = make_analyst()
    client.force_login(analyst)
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_import_page_needs_sign_in(client):
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_uploading_a_zip_shows_a_preview_and_writes_no_article(client, staff, settings, preview):
    article_import(paths=[str(SEEDS)])  # so that the seed copy in the upload is a duplicate
    before = Article.objects.count()
    client.force_login(staff)
    response = preview(DATA / "bundle.zip", SEEDS / "002_6f2129f11252ae90.txt")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview: nothing has been imported yet" in html
    assert "Would create 3</strong> articles" in html
    assert "skip <strong>1</strong> duplicate" in html
    assert "bundle.zip/bundle/junk.bin:1" in html and "binary file (contains NUL bytes)" in html
    assert "Duplicate, skipped" in html and "Rejected" in html
    assert "Confirm import" in html
    assert Article.objects.count() == before
    job = ImportJob.objects.get(dry_run=True)
    assert job.state == "pending"
    assert sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "imports" / str(job.pk)).iterdir()) == [
        "002_6f2129f11252ae90.txt",
        "bundle.zip",
    ]


@pytest.mark.django_db
def test_confirming_the_preview_imports_and_redirects_to_the_job_page(
    client, staff, django_capture_on_commit_callbacks, preview
):
    client.force_login(staff)
    preview(DATA / "bundle.zip", DATA / "mixed.jsonl")
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(IMPORT_URL), {"action": "confirm", "job": job.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:import_job", kwargs={"pk": job.pk})
    job.refresh_from_db()
    assert (job.dry_run, job.state, job.imported, job.failed, job.created_by) == (False, "done", 6, 4, staff)
    assert Article.objects.filter(import_job=job).count() == 6
    assert AuditEvent.objects.filter(action="import", object_id=str(job.pk), actor=staff).exists()
    assert any(e.startswith(f"imports/{job.pk}/mixed.jsonl:3: broken JSON") for e in job.errors)


@pytest.mark.django_db
def test_confirming_twice_does_not_start_a_second_import(client, staff, django_capture_on_commit_callbacks, preview):
    client.force_login(staff)
    preview(DATA / "mixed.jsonl")
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(IMPORT_URL), {"action": "confirm", "job": job.pk})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse(IMPORT_URL), {"action": "confirm", "job": job.pk})
    assert response.status_code == 404
    assert callbacks == []  # nothing queued
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_uploading_nothing_is_refused_with_a_message(client, staff):
    client.force_login(staff)
    response = client.post(reverse(IMPORT_URL), {})
    assert response.status_code == 400
    assert b"Choose one or more files" in response.content
    assert ImportJob.objects.count() == 0


# --- the job page --------------------------------------------------------------------------------


def make_job(**fields):
    defaults = {
        "files": ["imports/x/a.jsonl"],
        "state": "running",
        "total": 10,
        "processed": 3,
        "imported": 2,
        "heartbeat_at": timezone.now(),
    }
    return ImportJob.objects.create(**{**defaults, **fields})


@pytest.mark.django_db
def test_job_page_shows_a_progress_bar_that_polls_while_running(client, staff):
    job = make_job(failed=1, errors=["a.jsonl:3: broken JSON"])
    client.force_login(staff)
    response = client.get(reverse("claims:import_job", kwargs={"pk": job.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'max="10" value="3"' in html and "<progress" in html
    assert 'hx-trigger="every 1s"' in html
    assert reverse("claims:import_job_progress", kwargs={"pk": job.pk}) in html
    assert "a.jsonl:3: broken JSON" in html


@pytest.mark.django_db
def test_finished_job_page_stops_polling(client, staff):
    job = make_job(state="done", processed=10, imported=10, finished_at=timezone.now())
    client.force_login(staff)
    html = client.get(reverse("claims:import_job", kwargs={"pk": job.pk})).content.decode()
    assert "hx-trigger" not in html
    assert "Finished" in html


@pytest.mark.django_db
def test_htmx_request_gets_only_the_progress_partial(client, staff):
    job = make_job()
    client.force_login(staff)
    response = client.get(reverse("claims:import_job", kwargs={"pk": job.pk}), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="import-progress"')
    assert "<html" not in html and "<progress" in html


@pytest.mark.django_db
def test_progress_url_answers_the_partial(client, staff):
    job = make_job(processed=7)
    client.force_login(staff)
    html = client.get(reverse("claims:import_job_progress", kwargs={"pk": job.pk})).content.decode()
    assert "<html" not in html and 'value="7"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["analyst", "viewer"])
def test_job_page_is_forbidden_to_non_staff(client, who):
    job = make_job()
    client.force_login(make_analyst() if who == "analyst" else make_viewer())
    assert client.get(reverse("claims:import_job", kwargs={"pk": job.pk})).status_code == 403
    assert client.get(reverse("claims:import_job_progress", kwargs={"pk": job.pk})).status_code == 403


@pytest.mark.django_db
def test_job_page_needs_sign_in(client):
    job = make_job()
    response = client.get(reverse("claims:import_job", kwargs={"pk": job.pk}))
    assert response.status_code == 302 and "login" in response["Location"]


def _job_with_uploaded_files(settings, *names) -> ImportJob:
    job = ImportJob.objects.create(files=[], state="pending")
    folder = Path(settings.MEDIA_ROOT) / "imports" / str(job.pk)
    folder.mkdir(parents=True)
    for name in names:
        shutil.copy(DATA / name, folder / name)
    job.files = [f"imports/{job.pk}/{name}" for name in names]
    job.save()
    return job


@pytest.mark.django_db
def test_a_failed_job_can_be_resumed_without_duplicating(client, staff, settings, django_capture_on_commit_callbacks):
    job = _job_with_uploaded_files(settings, "mixed.jsonl", "other_order.csv")
    # A first run stored some articles, then the worker died.
    article_import(paths=job.files[:1], job=job, root=settings.MEDIA_ROOT)
    ImportJob.objects.filter(pk=job.pk).update(state="failed")
    assert Article.objects.count() == 3
    client.force_login(staff)
    page = client.get(reverse("claims:import_job", kwargs={"pk": job.pk})).content.decode()
    assert "Resume import" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("claims:import_job", kwargs={"pk": job.pk}), {"action": "resume"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.state, job.imported, job.duplicates, job.failed) == ("done", 5, 0, 4)
    assert Article.objects.count() == 5


@pytest.mark.django_db
def test_a_running_job_that_stopped_moving_offers_resume(client, staff):
    job = make_job()
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    client.force_login(staff)
    html = client.get(reverse("claims:import_job", kwargs={"pk": job.pk})).content.decode()
    assert "Resume import" in html and "the worker may have stopped" in html


@pytest.mark.django_db
def test_a_live_job_is_not_resumed_twice(client, staff):
    job = make_job()
    client.force_login(staff)
    html = client.get(reverse("claims:import_job", kwargs={"pk": job.pk})).content.decode()
    assert "Resume import" not in html
    response = client.post(reverse("claims:import_job", kwargs={"pk": job.pk}), {"action": "resume"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == "running"


# --- in a real browser ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        if os.environ.get("VERIFIER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and VERIFIER_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser.new_context()
        finally:
            browser.close()
            # ORM calls made while Playwright runs may have opened a connection of their own.
            connections.close_all()


def _sign_in(context, client, live_server, user):
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_zip_upload_previews_then_shows_the_finished_job_in_a_browser(live_server, browser_page, client):
    # Transactional tests may start with an empty database (no groups): a plain superuser will do.
    staff = User.objects.create_user("browserstaff", password="correct horse battery staple", is_staff=True)
    staff.is_superuser = True
    staff.save()
    _sign_in(browser_page, client, live_server, staff)
    page = browser_page.new_page()
    page.goto(live_server.url + reverse("admin:claims_article_changelist"))
    page.get_by_role("link", name="Import articles").click()
    page.set_input_files("#id_files", [str(DATA / "bundle.zip")])
    page.get_by_role("button", name="Preview import").click()
    page.get_by_text("Preview: nothing has been imported yet").wait_for()
    assert page.get_by_text("junk.bin:1").is_visible()
    assert Article.objects.count() == 0
    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_url("**/imports/*/")
    page.get_by_role("heading", name="Finished").wait_for()
    assert page.locator(f"#import-bar-{ImportJob.objects.get().pk}").get_attribute("value") == "4"
    assert Article.objects.count() == 3


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_job_page_progress_bar_updates_live_until_the_job_ends(live_server, browser_page, client):
    staff = User.objects.create_user("browserstaff2", password="correct horse battery staple", is_staff=True)
    from playwright.sync_api import expect

    job = make_job(total=10, processed=1)
    _sign_in(browser_page, client, live_server, staff)
    page = browser_page.new_page()
    page.goto(live_server.url + reverse("claims:import_job", kwargs={"pk": job.pk}))
    bar = page.locator(f"#import-bar-{job.pk}")
    assert bar.get_attribute("value") == "1"
    ImportJob.objects.filter(pk=job.pk).update(processed=6, imported=5, updated_at=timezone.now())
    expect(bar).to_have_attribute("value", "6", timeout=5000)
    ImportJob.objects.filter(pk=job.pk).update(processed=10, state="done", finished_at=timezone.now())
    page.get_by_role("heading", name="Finished").wait_for(timeout=5000)
    assert page.locator("#import-progress").get_attribute("hx-trigger") is None


@pytest.mark.django_db
def test_an_unknown_job_page_action_is_a_bad_request(client, staff):
    job = make_job(state="failed")
    client.force_login(staff)
    response = client.post(reverse("claims:import_job", kwargs={"pk": job.pk}), {"action": "delete"})
    assert response.status_code == 400
    job.refresh_from_db()
    assert job.state == "failed"


@pytest.mark.django_db
def test_import_job_admin_links_to_the_job_page(client, staff):
    job = make_job(state="done")
    client.force_login(staff)
    html = client.get(reverse("admin:claims_importjob_change", args=[job.pk])).content.decode()
    assert reverse("claims:import_job", kwargs={"pk": job.pk}) in html
