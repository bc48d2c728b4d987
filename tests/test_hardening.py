"""Issue 14, security and reliability: token ownership, idempotent decisions, look-alike sources, NUL
in API input, rate limits, cache headers, export ends, truncated articles, feed publishers, grade
and assignment audit, merge confirmation and clear error messages."""

import json
import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from claims.api import claims as api_module
from claims.auth_tokens import api_token_authenticate, api_token_create
from claims.importing.prepare import prepare_record
from claims.importing.records import ArticleRecord
from claims.importing.service import article_import
from claims.models import ApiToken, Article, AuditEvent, Claim, ImportJob, Source, VerificationStatus
from claims.services import SourceRef, claim_assign, claim_decide, source_resolve
from tests.factories import make_analyst, make_article, make_claim, make_source, make_user

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_json(client, path, body, token=None, **headers):
    if token:
        headers.update(bearer(token))
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def decide_url(claim):
    return reverse("api:claim_decide", kwargs={"claim_id": claim.pk})


@pytest.fixture
def analyst_token(analyst):
    return api_token_create(user=analyst)[1]


def _limits(settings, **overrides):
    settings.VERIFIER_RATE_LIMITS = {**settings.VERIFIER_RATE_LIMITS, **overrides}


@pytest.fixture(autouse=True)
def _one_rate_window(monkeypatch):
    """Counters are fixed windows: a test that straddled a window's end would see its count restart.
    The clock the limits read stands still in the middle of a window (Retry-After stays positive)."""
    import types

    import claims.ratelimit

    now = (int(time.time()) // 86400) * 86400 + 30.0
    monkeypatch.setattr(claims.ratelimit, "time", types.SimpleNamespace(time=lambda: now))  # that module's clock only


# --- 6: API tokens only for oneself -----------------------------------------------------------------


@pytest.fixture
def token_clerk(db):
    """A staff user holding only the API-token permissions (the issue's attacker)."""
    user = make_user(username="clerk", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["add_apitoken", "view_apitoken"]))
    return user


def test_staff_with_add_token_permission_cannot_mint_a_token_for_the_superuser(client, token_clerk):
    boss = make_user(username="boss", is_staff=True, is_superuser=True)
    client.force_login(token_clerk)
    response = client.post(reverse("admin:claims_apitoken_add"), {"user": boss.pk, "name": "mine now"})
    assert response.status_code == 200  # the form again, with an error
    assert "Select a valid choice" in response.content.decode()
    assert not ApiToken.objects.filter(user=boss).exists()


def test_staff_creates_a_token_for_themselves_in_the_admin(client, token_clerk):
    client.force_login(token_clerk)
    form = client.get(reverse("admin:claims_apitoken_add")).content.decode()
    assert "boss" not in form and "clerk" in form
    response = client.post(reverse("admin:claims_apitoken_add"), {"user": token_clerk.pk, "name": "script"})
    assert response.status_code == 302
    assert ApiToken.objects.filter(user=token_clerk).count() == 1
    assert AuditEvent.objects.filter(action="api_token_create", actor=token_clerk).exists()


def test_a_superuser_may_create_a_token_for_someone_else(client, staff, analyst):
    client.force_login(staff)
    response = client.post(reverse("admin:claims_apitoken_add"), {"user": analyst.pk, "name": "for them"})
    assert response.status_code == 302
    assert ApiToken.objects.filter(user=analyst).exists()


def test_the_token_service_refuses_a_token_for_another_user(token_clerk, analyst):
    with pytest.raises(PermissionDenied):
        api_token_create(user=analyst, actor=token_clerk)
    assert api_token_create(user=token_clerk, actor=token_clerk)[1]


def test_api_token_command_prints_a_working_token_as_its_last_line(analyst):
    out, err = StringIO(), StringIO()
    call_command("api_token", analyst.username, stdout=out, stderr=err)
    raw = out.getvalue().strip().splitlines()[-1]
    assert api_token_authenticate(raw=raw) == analyst
    assert raw not in err.getvalue()
    assert ApiToken.objects.get(user=analyst).key_hash != raw  # only the hash is stored


def test_api_token_command_for_an_unknown_user_is_a_usage_error(db):
    result = subprocess.run(
        [sys.executable, "manage.py", "api_token", "nobody-at-all"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and result.stdout == ""


# --- 8: idempotent decisions ---------------------------------------------------------------------


def test_the_same_idempotency_key_records_one_decision_and_answers_the_same(client, analyst_token, claim):
    body = {"status": "confirmed", "note": "checked"}
    first = post_json(client, decide_url(claim), body, analyst_token, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post_json(client, decide_url(claim), body, analyst_token, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert first.json()["decision"] == again.json()["decision"]
    assert VerificationStatus.objects.filter(claim=claim).count() == 1
    claim.refresh_from_db()
    assert claim.version == 1


def test_a_retry_after_a_failed_response_does_not_record_twice(client, analyst_token, claim, monkeypatch):
    # The decision commits, then building the answer fails (the issue: a database outage) -> 500.
    real = api_module._claim_with_history
    calls = []

    def flaky(claim_id):
        calls.append(claim_id)
        if len(calls) == 1:
            raise RuntimeError("connection lost")
        return real(claim_id)

    monkeypatch.setattr(api_module, "_claim_with_history", flaky)
    body = {"status": "unverified"}  # no version: a plain retry would record twice
    assert post_json(client, decide_url(claim), body, analyst_token, HTTP_IDEMPOTENCY_KEY="retry").status_code == 500
    retry = post_json(client, decide_url(claim), body, analyst_token, HTTP_IDEMPOTENCY_KEY="retry")
    assert retry.status_code == 201
    assert VerificationStatus.objects.filter(claim=claim).count() == 1


def test_an_idempotency_key_reused_for_another_decision_is_refused(client, analyst_token, claim):
    post_json(client, decide_url(claim), {"status": "confirmed"}, analyst_token, HTTP_IDEMPOTENCY_KEY="k")
    response = post_json(client, decide_url(claim), {"status": "unverified"}, analyst_token, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422 and "idempotency key" in response.json()["detail"]
    assert VerificationStatus.objects.filter(claim=claim).count() == 1


def test_different_keys_and_no_key_record_separately(client, analyst_token, claim):
    # Each a decision that changes something (a note): an unchanged one records nothing (issue 13).
    for key in ("a", "b"):
        body = {"status": "confirmed", "note": f"checked {key}"}
        post_json(client, decide_url(claim), body, analyst_token, HTTP_IDEMPOTENCY_KEY=key)
    post_json(client, decide_url(claim), {"status": "confirmed", "note": "checked again"}, analyst_token)
    assert VerificationStatus.objects.filter(claim=claim).count() == 3


def test_an_overlong_idempotency_key_is_invalid_input(client, analyst_token, claim):
    response = post_json(
        client, decide_url(claim), {"status": "confirmed"}, analyst_token, HTTP_IDEMPOTENCY_KEY="x" * 101
    )
    assert response.status_code == 422
    assert not VerificationStatus.objects.exists()


def test_the_database_refuses_two_decisions_under_one_key(analyst, claim):
    claim_decide(claim=claim, status="confirmed", analyst=analyst, idempotency_key="dup")
    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationStatus.objects.create(
            claim=claim, status="confirmed", version=2, analyst=analyst, idempotency_key="dup"
        )


def test_the_same_key_from_two_analysts_is_two_decisions(claim):
    first, second = make_analyst(), make_analyst()
    claim_decide(claim=claim, status="confirmed", analyst=first, idempotency_key="same")
    claim_decide(claim=claim, status="confirmed", analyst=second, note="agreed", idempotency_key="same")
    assert VerificationStatus.objects.filter(claim=claim).count() == 2


def _form_key(html: str) -> str:
    marker = 'name="idempotency_key" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_decision_forms_carry_a_fresh_token_and_a_resubmitted_form_records_once(client, analyst, claim):
    client.force_login(analyst)
    page = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    queue = client.get(reverse("claims:queue")).content.decode()
    key = _form_key(page)
    assert len(key) == 32 and key != _form_key(queue)
    form = {"status": "confirmed", "note": "", "idempotency_key": key}
    for _ in range(2):  # a double click, or a resubmit after a lost answer
        response = client.post(reverse("claims:set_status", args=[claim.pk]), form, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    assert VerificationStatus.objects.filter(claim=claim).count() == 1
    # Another button of the same form is a new decision.
    client.post(reverse("claims:set_status", args=[claim.pk]), {**form, "status": "being_clarified"})
    assert VerificationStatus.objects.filter(claim=claim).count() == 2


# --- 10: look-alike source names -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["Reuters\u200b", "\u200bReuters", "Reu\u200dters", "\u202eReuters\u202c", "Reuters\u2066", "Ｒｅｕｔｅｒｓ"],
)
def test_invisible_and_compatibility_characters_find_the_registered_source(name):
    reuters = make_source(name="Reuters", kind="outlet", reliability="B")
    assert source_resolve(ref=SourceRef(name=name, kind="outlet")) == reuters
    assert Source.objects.count() == 1


def test_kyiv_post_with_a_zero_width_non_joiner_is_kyiv_post():
    post = make_source(name="Kyiv Post", kind="outlet")
    assert source_resolve(ref=SourceRef(name="Kyiv Post\u200c")) == post


def test_a_mixed_script_look_alike_is_flagged_for_review_not_created_silently(client, viewer):
    make_source(name="Reuters", kind="outlet", reliability="B")
    fake = source_resolve(ref=SourceRef(name="R\u0435uters", kind="outlet"))  # Cyrillic е
    assert fake.name == "R\u0435uters"
    assert fake.needs_review and "CYRILLIC+LATIN" in fake.review_reason
    assert AuditEvent.objects.filter(action="source_flagged", object_id=str(fake.pk)).exists()
    client.force_login(viewer)
    assert "Needs review" in client.get(reverse("claims:source_detail", args=[fake.pk])).content.decode()
    assert "needs review" in client.get(reverse("claims:source_list")).content.decode()


def test_names_in_one_script_per_word_are_not_flagged(db):
    for name in ("Радіо Свобода", "Radio Свобода", "ΕΡΤ News", "Kyiv Independent"):
        assert not source_resolve(ref=SourceRef(name=name)).needs_review


def test_import_maps_a_look_alike_publisher_to_the_registered_outlet(tmp_path):
    reuters = make_source(name="Reuters", kind="outlet", aliases=["reuters.com"])
    path = tmp_path / "a.jsonl"
    record = {"title": "T", "text": "The mayor said that the ferry runs again.", "publisher": "\u202eReuters\u200b"}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    article_import(paths=[str(path)])
    assert Article.objects.get().publisher == reuters


def test_bidi_controls_are_stripped_from_titles():
    record = ArticleRecord(
        path="a", line=1, text="The mayor said so.", title="Port \u202eattacked\u202c in \u2067Izmail\u2069"
    )
    assert prepare_record(record).title == "Port attacked in Izmail"


# --- 11 and 17: NUL and other wrong input in the API -----------------------------------------------


@pytest.mark.parametrize("field", ["note", "evidence_url"])
def test_a_nul_in_a_decision_note_or_evidence_url_is_a_422(client, analyst_token, claim, field):
    value = "seen\x00it" if field == "note" else "https://example.com/\x00"
    response = post_json(client, decide_url(claim), {"status": "confirmed", field: value}, analyst_token)
    assert response.status_code == 422 and "NUL" in response.json()["detail"]
    assert not VerificationStatus.objects.exists()


def test_a_nul_in_a_note_through_the_service_is_a_validation_error(analyst, claim):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        claim_decide(claim=claim, status="confirmed", analyst=analyst, note="a\x00b")


def test_api_import_text_with_a_nul_is_refused_with_the_reason_not_queued(client, staff):
    token = api_token_create(user=staff)[1]
    response = post_json(client, reverse("api:import_create"), {"text": "Title\n\nThe mayor\x00 said so."}, token)
    assert response.status_code == 422 and "NUL" in response.json()["detail"]
    assert not ImportJob.objects.exists()


def test_a_body_nested_100k_deep_is_called_that_not_invalid_json(client, staff):
    token = api_token_create(user=staff)[1]
    body = '{"articles": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(reverse("api:import_create"), body, content_type="application/json", **bearer(token))
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_uploading_101_files_says_too_many_files(client, staff):
    client.force_login(staff)
    files = [SimpleUploadedFile(f"a{n}.txt", b"The mayor said so.") for n in range(101)]
    response = client.post(reverse("admin:claims_article_import"), {"files": files})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Too many files in one upload: at most 100" in text and ".zip" in text


# --- 12: rate limits -------------------------------------------------------------------------------


def _sign_in(client, username, **extra):
    return client.post(reverse("login"), {"username": username, "password": "wrong password!"}, **extra)


def test_password_spraying_from_one_address_is_stopped_with_429_and_retry_after(settings, db):
    _limits(settings, login_ip=(5, 900))
    client = Client()
    codes = [_sign_in(client, f"user{n}").status_code for n in range(5)]
    assert codes == [200] * 5  # five usernames, one try each: axes' username+address lock never trips
    response = _sign_in(client, "user6")
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 900
    # The admin's sign-in is the same door.
    assert client.post(reverse("admin:login"), {"username": "x", "password": "y"}).status_code == 429
    # Another address is not affected.
    assert _sign_in(Client(), "user7", REMOTE_ADDR="10.0.0.7").status_code == 200


def test_a_blocked_address_cannot_sign_in_even_with_the_right_password(settings, db):
    _limits(settings, login_ip=(2, 900))
    make_user(username="mira")
    client = Client()
    _sign_in(client, "a"), _sign_in(client, "b")
    response = client.post(reverse("login"), {"username": "mira", "password": "correct horse battery staple"})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_bad_api_tokens_from_one_address_get_429(settings, client, analyst_token):
    _limits(settings, api_auth_failures=(3, 60))
    codes = [client.get(reverse("api:claim_list"), **bearer(f"guess-{n}")).status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]
    response = client.get(reverse("api:claim_list"), **bearer("guess-5"))
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "try again" in response.json()["detail"]
    assert Client(REMOTE_ADDR="10.0.0.9").get(reverse("api:claim_list"), **bearer(analyst_token)).status_code == 200


def test_one_token_is_limited_per_window(settings, client, analyst_token, analyst):
    _limits(settings, api_token=(3, 60))
    codes = [client.get(reverse("api:claim_list"), **bearer(analyst_token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = api_token_create(user=analyst)[1]
    assert client.get(reverse("api:claim_list"), **bearer(other)).status_code == 200


def test_one_address_is_limited_whatever_the_tokens(settings, client, analyst):
    _limits(settings, api_ip=(3, 60))
    tokens = [api_token_create(user=analyst)[1] for _ in range(4)]
    codes = [client.get(reverse("api:claim_list"), **bearer(t)).status_code for t in tokens]
    assert codes == [200, 200, 200, 429]


@pytest.mark.skipif(
    os.environ.get("VERIFIER_TEST_REDIS") != "1", reason="set VERIFIER_TEST_REDIS=1 with Redis on 127.0.0.1:6379"
)
def test_counters_are_shared_through_redis(settings):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}
    }
    _limits(settings, login_ip=(2, 60))
    from claims.ratelimit import rate_limit_blocked, rate_limit_hit

    caches["default"].clear()
    assert rate_limit_hit("login_ip", "1.2.3.4") is None
    assert rate_limit_hit("login_ip", "1.2.3.4") is None
    assert rate_limit_blocked("login_ip", "1.2.3.4") is not None
    caches["default"].clear()


# --- 18: Cache-Control ----------------------------------------------------------------------------


def _private(response) -> bool:
    value = response.get("Cache-Control", "")
    return "private" in value and "no-store" in value


def test_signed_in_pages_fragments_and_exports_are_private_and_not_stored(client, viewer, claim):
    client.force_login(viewer)
    for url in (
        reverse("claims:dashboard"),
        reverse("claims:queue"),
        reverse("claims:claim_detail", args=[claim.pk]),
        reverse("claims:article_detail", args=[claim.article_id]),
        reverse("claims:export") + "?format=csv",
        reverse("admin:index"),
    ):
        assert _private(client.get(url)), url
    assert _private(client.get(reverse("claims:queue"), HTTP_HX_REQUEST="true"))


def test_api_answers_are_private_and_not_stored(client, analyst_token):
    assert _private(client.get(reverse("api:claim_list"), **bearer(analyst_token)))
    assert _private(client.get(reverse("api:claim_list")))


# --- 5 and 19: exports that end visibly --------------------------------------------------------------


def test_a_download_that_fails_midway_has_no_trailer_and_no_error_text(client, viewer, monkeypatch):
    for _ in range(3):
        make_claim()
    from claims import exporting

    real = exporting.claim_rows

    def failing(claims, **kwargs):
        rows = real(claims, **kwargs)
        yield next(rows)
        raise RuntimeError("server went away")

    monkeypatch.setattr(exporting, "claim_rows", failing)
    client.force_login(viewer)
    for fmt in ("csv", "jsonl"):
        response = client.get(reverse("claims:export"), {"format": fmt})
        text = b"".join(response.streaming_content).decode()
        assert "end of export" not in text and "export_complete" not in text
        assert "server went away" not in text and "Error" not in text and "500" not in text
        assert len(text.strip().splitlines()) == (2 if fmt == "csv" else 1)


def test_a_complete_download_ends_with_its_row_count(client, viewer):
    for _ in range(3):
        make_claim()
    client.force_login(viewer)
    csv_text = b"".join(client.get(reverse("claims:export"), {"format": "csv"}).streaming_content).decode()
    assert csv_text.endswith("# end of export: 3 rows\r\n")
    lines = b"".join(client.get(reverse("claims:export"), {"format": "jsonl"}).streaming_content).decode().splitlines()
    assert json.loads(lines[-1]) == {"export_complete": True, "rows": 3} and len(lines) == 4


def test_export_claims_into_a_closed_pipe_ends_quietly(tmp_path):
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'pipe.sqlite3'}"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "generate_demo_data", "--articles", "150", "--claims-per-article", "10"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        f"{' '.join(manage)} export_claims --format jsonl | head -n 1",
        shell=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.count("\n") == 1 and json.loads(result.stdout)["claim_id"]
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr


# --- 21: text cut by the provider -------------------------------------------------------------------


def test_a_truncated_article_says_so_wherever_it_is_read(client, viewer, analyst_token):
    article = make_article(truncated=True)
    claim = make_claim(article=article)
    client.force_login(viewer)
    for url in (
        reverse("claims:article_detail", args=[article.pk]),
        reverse("claims:claim_detail", args=[claim.pk]),
        reverse("claims:article_list"),
    ):
        assert "ext cut by the provider" in client.get(url).content.decode(), url
    api = Client().get(reverse("api:claim_get", kwargs={"claim_id": claim.pk}), **bearer(analyst_token))
    assert api.json()["article"]["truncated"] is True


def test_a_whole_article_has_no_cut_notice(client, viewer):
    article = make_article()
    client.force_login(viewer)
    assert "cut by the provider" not in client.get(reverse("claims:article_detail", args=[article.pk])).content.decode()


def test_importing_a_newsapi_record_with_the_cut_marker_flags_the_article(tmp_path):
    record = {
        "source": {"id": None, "name": "Wire"},
        "title": "Drones over Odesa",
        "publishedAt": "2024-05-01T08:00:00Z",
        "content": "The regional governor said that drones attacked the port overnight and that… [+3188 chars]",
    }
    path = tmp_path / "newsapi.json"
    path.write_text(json.dumps({"status": "ok", "articles": [record]}), encoding="utf-8")
    article_import(paths=[str(path)])
    article = Article.objects.get()
    assert article.truncated and "chars]" not in article.body


# --- 22: feed items' publisher and link ----------------------------------------------------------------


def test_feed_items_are_published_by_their_registered_outlet_with_their_link(tmp_path):
    reuters = make_source(name="Reuters", kind="outlet", aliases=["reuters.com"])
    feed = tmp_path / "feed.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Example Feed</title>'
        "<item><title>Port</title><link>https://www.reuters.com/world/port-1</link>"
        "<description>The governor said that the port was hit.</description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    article_import(paths=[str(feed)])
    article = Article.objects.get()
    assert article.publisher == reuters
    assert article.url == "https://www.reuters.com/world/port-1"
    assert not Source.objects.filter(name="Example Feed").exists()


# --- 23: merge confirmation, grade history --------------------------------------------------------------


def test_merge_first_shows_what_moves_and_changes_nothing(client, staff):
    keep = make_source(name="General Staff", reliability="B")
    merge = make_source(name="Genshtab", aliases=["GS"], reliability="D")
    for _ in range(2):
        make_claim(source=merge)
    client.force_login(staff)
    response = client.post(reverse("claims:source_merge", args=[keep.pk]), {"other": "Genshtab"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>2</strong> claims" in html and "GS" in html and "keeps its grade <strong>B</strong>" in html
    assert Source.objects.filter(pk=merge.pk).exists() and Claim.objects.filter(source=merge).count() == 2
    assert not AuditEvent.objects.filter(action="source_merge").exists()


def test_confirming_the_merge_merges_exactly_the_previewed_source(client, staff):
    keep, merge = make_source(name="General Staff"), make_source(name="Genshtab")
    make_claim(source=merge)
    client.force_login(staff)
    data = {"other": "something else entirely", "other_id": merge.pk, "confirm": "1"}
    response = client.post(reverse("claims:source_merge", args=[keep.pk]), data)
    assert response.status_code == 303
    assert not Source.objects.filter(pk=merge.pk).exists()
    assert Claim.objects.filter(source=keep).count() == 1


def test_a_grade_change_in_the_admin_is_an_audit_event_on_the_source_page(client, staff):
    source = make_source(name="Rybar", reliability="F")
    client.force_login(staff)
    change = reverse("admin:claims_source_change", args=[source.pk])
    data = {
        "name": "Rybar",
        "kind": "group",
        "reliability": "E",
        "affiliation": "",
        "notes": "",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
    }
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="source_grade")
    assert (event.actor, event.details) == (staff, {"before": "F", "after": "E", "via": "admin"})
    page = client.get(reverse("claims:source_detail", args=[source.pk])).content.decode()
    assert "Grade history" in page and "<strong>F</strong> to <strong>E</strong>" in page


def test_a_grade_change_in_the_app_is_an_audit_event_and_an_edit_without_one_is_not(client, staff):
    source = make_source(reliability="C")
    client.force_login(staff)
    url = reverse("claims:source_edit", args=[source.pk])
    client.post(url, {"kind": "organization", "reliability": "C", "affiliation": "", "notes": "only notes"})
    assert not AuditEvent.objects.filter(action="source_grade").exists()
    client.post(url, {"kind": "organization", "reliability": "A", "affiliation": "", "notes": ""})
    event = AuditEvent.objects.get(action="source_grade")
    assert event.details == {"before": "C", "after": "A", "via": "app"} and event.actor == staff


def test_a_grade_set_by_a_registry_load_is_an_audit_event(db):
    from claims.importing.service import source_registry_load

    source_registry_load(entries=[{"name": "Reuters", "kind": "outlet", "reliability": "B", "aliases": []}])
    source_registry_load(entries=[{"name": "Reuters", "kind": "outlet", "reliability": "B", "aliases": []}])
    event = AuditEvent.objects.get(action="source_grade")
    assert event.details == {"before": "F", "after": "B", "via": "registry"} and event.actor is None


# --- 24: assignments -----------------------------------------------------------------------------------


def test_taking_over_anothers_assignment_is_recorded_and_shown_on_the_claim(client, claim):
    first, second = make_analyst(username="anna"), make_analyst(username="boris")
    claim_assign(claim=claim, assignee=first, actor=first)
    client.force_login(second)
    client.post(reverse("claims:claim_assign", args=[claim.pk]), {"action": "assign"})
    client.post(reverse("claims:claim_assign", args=[claim.pk]), {"action": "unassign"})
    events = list(AuditEvent.objects.filter(object_type="claim", object_id=str(claim.pk)).order_by("id"))
    assert [(e.action, e.actor.username, e.details["previous_name"]) for e in events] == [
        ("claim_assign", "anna", None),
        ("claim_assign", "boris", "anna"),
        ("claim_unassign", "boris", "boris"),
    ]
    page = client.get(reverse("claims:claim_detail", args=[claim.pk])).content.decode()
    assert "assigned it to boris" in page and "(was anna)" in page and "unassigned it from boris" in page
