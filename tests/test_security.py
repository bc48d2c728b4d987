"""Hostile input stays text, the browser is told what it may run (CSP), CSRF guards every POST,
GETs change nothing, bad requests get clear 4xx answers, and production settings are safe."""

import io
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from claims.models import (
    ApiToken,
    Article,
    AuditEvent,
    Claim,
    ImportJob,
    Source,
    SourceAlias,
    VerificationStatus,
)
from claims.services import NOTE_MAX_CHARS, claim_decide
from claims.templatetags.verifier import safe_url
from tests.chromium import launched_chromium
from tests.factories import make_analyst, make_article, make_claim, make_source, make_viewer
from tests.test_auth import ALL_URLS, APP_URLS, make_sample_objects
from verifier.env import parse_database_url, read

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)

# --- Content Security Policy and other headers --------------------------------------------------


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_strict_csp(response):
    csp = _csp(response)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert not any(value.startswith(("http:", "https:", "*")) or value == "*" for value in scripts)
    assert "'unsafe-inline'" not in csp.get("style-src", csp.get("default-src"))
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_sign_in_page_has_a_strict_csp(client):
    _assert_strict_csp(client.get(reverse("login")))


@pytest.mark.parametrize("name", ["claims:dashboard", "claims:queue", "claims:article_list", "claims:source_list"])
def test_app_pages_have_a_strict_csp(client, analyst, claim, name):
    client.force_login(analyst)
    response = client.get(reverse(name))
    assert response.status_code == 200
    _assert_strict_csp(response)


@pytest.mark.parametrize(
    "name,args",
    [("admin:index", []), ("admin:claims_claim_changelist", []), ("admin:claims_claim_change", ["claim"])],
)
def test_admin_pages_have_the_same_strict_csp(client, staff, claim, name, args):
    client.force_login(staff)
    response = client.get(reverse(name, args=[claim.pk for _ in args]))
    assert response.status_code == 200
    _assert_strict_csp(response)


def test_htmx_fragments_and_api_answers_carry_the_csp_too(client, analyst, claim):
    client.force_login(analyst)
    fragment = client.post(
        reverse("claims:set_status", kwargs={"pk": claim.pk}), {"status": "confirmed"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    _assert_strict_csp(fragment)
    assert "object-src" in Client().get("/api/claims")["Content-Security-Policy"]


def test_htmx_is_configured_without_eval_or_injected_styles(client, analyst):
    client.force_login(analyst)
    html = client.get(reverse("claims:dashboard")).content.decode()
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', html)
    assert meta, "base.html must configure htmx with a meta tag"
    config = json.loads(meta.group(1))
    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js"', html)


def test_csrf_token_is_set_once_on_body_for_htmx(client, analyst):
    client.force_login(analyst)
    html = client.get(reverse("claims:queue")).content.decode()
    assert re.search(r"<body[^>]*hx-headers='\{\"X-CSRFToken\": \"[A-Za-z0-9]{64}\"\}'", html)


# --- hostile content is shown as text -----------------------------------------------------------

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = '"><img src=x onerror=alert(1)>'
XSS_URL = "javascript:alert(1)"
HOSTILE = f"{XSS_SCRIPT}{XSS_IMG}"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


class _MarkupAudit(HTMLParser):
    """Everything in a page that could run script or leave the site unguarded."""

    LINK_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>: inline event handler")
            if name in self.LINK_ATTRIBUTES and value:
                scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"<{tag} {name}={value!r}>: script URL")
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.problems.append("<script> without src: inline script")
        if tag == "img" and values.get("src") == "x":
            self.problems.append("<img src=x>: injected image")
        if tag == "a" and values.get("href", "").lower().startswith(("http:", "https:", "//")):
            host = urlsplit(values["href"]).hostname
            if host not in {"testserver", "localhost", "127.0.0.1"}:
                rel = set((values.get("rel") or "").split())
                if not {"noopener", "noreferrer"} <= rel:
                    self.problems.append(f"<a href={values['href']!r}> off-site without rel=noopener noreferrer")
        if tag == "style":
            self.problems.append("<style>: inline style block")


def assert_inert(response, *, shows: str | None = ESCAPED_SCRIPT):
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert XSS_SCRIPT not in html
    assert "<img src=x onerror=alert(1)>" not in html
    audit = _MarkupAudit()
    audit.feed(html)
    assert audit.problems == []
    if shows:
        assert shows in html, "the hostile text should be shown, escaped"


def make_hostile(analyst) -> dict:
    """An article, sources, claims and decisions carrying XSS payloads everywhere imported text goes."""
    publisher = make_source(name=f"Outlet {HOSTILE}", kind="outlet")
    speaker = make_source(name=f"Ministry {HOSTILE}")
    body = (
        f"The Ministry said that {HOSTILE} the bridge was damaged overnight.\n\n"
        f"Officials said the road {XSS_IMG} is closed, according to {XSS_URL}."
    )
    article = make_article(title=f"Title {HOSTILE}", body=body, url=XSS_URL, publisher=publisher)
    first_end = body.index("overnight.") + len("overnight.")
    claim = make_claim(article=article, source=speaker, start=0, end=first_end, via=HOSTILE, cue="said")
    claim_decide(claim=claim, status="being_clarified", analyst=analyst, note=f"Note {HOSTILE}")
    second_start = article.body.index("Officials")
    second_end = article.body.index(f"{XSS_URL}.") + len(XSS_URL) + 1
    other = make_claim(article=article, source=publisher, start=second_start, end=second_end)
    # A decision that bypassed the service's URL check (old data, a raw import): still never a link.
    VerificationStatus.objects.create(
        claim=other, status="unverified", version=1, analyst=analyst, note=HOSTILE, evidence_url=XSS_URL
    )
    Claim.objects.filter(pk=other.pk).update(version=1)
    return {"article": article, "claim": claim, "other": other, "publisher": publisher, "speaker": speaker}


@pytest.fixture
def hostile(analyst):
    return make_hostile(analyst)


def _app_pages(h):
    return [
        reverse("claims:dashboard"),
        reverse("claims:queue"),
        reverse("claims:queue") + f"?source={h['speaker'].pk}",
        reverse("claims:article_list"),
        reverse("claims:article_detail", kwargs={"pk": h["article"].pk}),
        reverse("claims:claim_detail", kwargs={"pk": h["claim"].pk}),
        reverse("claims:claim_detail", kwargs={"pk": h["other"].pk}),
        reverse("claims:source_list"),
        reverse("claims:source_detail", kwargs={"pk": h["speaker"].pk}),
        reverse("claims:source_detail", kwargs={"pk": h["publisher"].pk}),
    ]


def test_hostile_titles_bodies_sources_and_urls_are_text_on_every_app_page(client, staff, hostile):
    client.force_login(staff)
    for path in _app_pages(hostile):
        assert_inert(client.get(path))


def test_hostile_data_is_text_in_htmx_fragments(client, analyst, hostile):
    client.force_login(analyst)
    claim = hostile["claim"]
    fragment = client.post(
        reverse("claims:set_status", kwargs={"pk": claim.pk}), {"status": "confirmed"}, headers={"HX-Request": "true"}
    )
    assert_inert(fragment)
    stale = client.post(
        reverse("claims:set_status", kwargs={"pk": claim.pk}),
        {"status": "unverified", "version": 0, "note": HOSTILE},
        headers={"HX-Request": "true"},
    )
    assert stale.status_code == 409
    assert XSS_SCRIPT not in stale.content.decode()
    more = client.get(reverse("claims:queue") + "?q=bridge", headers={"HX-Request": "true"})
    assert_inert(more)


def test_hostile_search_terms_are_not_reflected_as_markup(client, analyst, hostile):
    client.force_login(analyst)
    for name in ["claims:queue", "claims:article_list", "claims:source_list"]:
        response = client.get(reverse(name), {"q": HOSTILE[:150]})
        assert_inert(response, shows=None)
    response = client.get(reverse("claims:source_autocomplete"), {"q": "Ministry <script>"})
    assert response.status_code == 200
    assert XSS_SCRIPT not in response.content.decode()


def test_only_http_urls_become_links(client, analyst, hostile):
    client.force_login(analyst)
    html = client.get(reverse("claims:article_detail", kwargs={"pk": hostile["article"].pk})).content.decode()
    assert 'href="javascript:' not in html.lower()
    assert ">original</a>" not in html
    Article.objects.filter(pk=hostile["article"].pk).update(url="https://news.example/a?b=1&c=2")
    html = client.get(reverse("claims:article_detail", kwargs={"pk": hostile["article"].pk})).content.decode()
    assert '<a href="https://news.example/a?b=1&amp;c=2" rel="noopener noreferrer">' in html


@pytest.mark.parametrize(
    "name,obj",
    [
        ("admin:claims_article_change", "article"),
        ("admin:claims_claim_change", "claim"),
        ("admin:claims_source_change", "speaker"),
        ("admin:claims_article_changelist", None),
        ("admin:claims_claim_changelist", None),
        ("admin:claims_source_changelist", None),
        ("admin:claims_verificationstatus_changelist", None),
    ],
)
def test_hostile_data_is_text_in_the_admin(client, staff, hostile, name, obj):
    client.force_login(staff)
    response = client.get(reverse(name, args=[hostile[obj].pk] if obj else []))
    assert_inert(response)


def test_decision_admin_page_shows_a_hostile_note_as_text(client, staff, hostile):
    client.force_login(staff)
    decision = hostile["claim"].decisions.get()
    assert_inert(client.get(reverse("admin:claims_verificationstatus_change", args=[decision.pk])))


def test_imported_hostile_articles_are_stored_verbatim_and_shown_as_text(client, staff, tmp_path):
    feed = {
        "status": "ok",
        "articles": [
            {
                "source": {"id": None, "name": f"Evil Outlet {HOSTILE}"},
                "author": HOSTILE,
                "title": f"Breaking {HOSTILE}",
                "description": "",
                "url": XSS_URL,
                "publishedAt": "2025-03-01T10:00:00Z",
                "content": (
                    f"The regional governor said that {HOSTILE} the bridge was damaged overnight. "
                    f"According to the General Staff, 14 drones {XSS_IMG} were shot down over the south."
                ),
            }
        ],
    }
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(feed))
    call_command("import_articles", str(path), stdout=io.StringIO())
    article = Article.objects.get()
    assert XSS_SCRIPT in article.title  # stored as received: escaping is the page's job
    assert article.url == ""  # not an http(s) address: never stored as a link
    assert article.claims.exists()
    client.force_login(staff)
    assert_inert(client.get(reverse("claims:article_detail", kwargs={"pk": article.pk})))
    assert_inert(client.get(reverse("claims:queue")))
    assert_inert(client.get(reverse("claims:claim_detail", kwargs={"pk": article.claims.first().pk})))
    if article.publisher_id:
        assert_inert(client.get(reverse("claims:source_detail", kwargs={"pk": article.publisher_id})))
    assert_inert(client.get(reverse("admin:claims_article_change", args=[article.pk])))


@pytest.mark.parametrize(
    "value,expected",
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("http://example.org", "http://example.org"),
        ("  HTTPS://Example.org/x  ", "HTTPS://Example.org/x"),
        ("javascript:alert(1)", ""),
        ("JavaScript:alert(1)", ""),
        (" javascript:alert(1)", ""),
        ("java\tscript:alert(1)", ""),
        ("java\nscript:alert(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("vbscript:msgbox(1)", ""),
        ("//evil.example/x", ""),
        ("/relative/path", ""),
        ("ftp://example.org/file", ""),
        ("https://", ""),
        ("http://[::1", ""),
        ("", ""),
        (None, ""),
        (42, ""),
    ],
)
def test_safe_url_lets_only_absolute_http_urls_through(value, expected):
    assert safe_url(value) == expected


def test_safe_url_output_is_still_escaped_in_templates():
    html = Template('{% load verifier %}<a href="{{ u|safe_url }}">').render(
        Context({"u": 'https://example.org/"><script>alert(1)</script>'})
    )
    assert "<script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html


@pytest.fixture
def sample_objects(db):
    return make_sample_objects()


# --- CSRF on every POST -----------------------------------------------------------------------------


@pytest.fixture
def csrf_client(analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    client.get(reverse("claims:queue"))  # sets the CSRF cookie, as a page load does
    return client


def test_decision_without_csrf_token_is_refused(csrf_client, claim):
    response = csrf_client.post(reverse("claims:set_status", kwargs={"pk": claim.pk}), {"status": "confirmed"})
    assert response.status_code == 403
    assert not VerificationStatus.objects.exists()


def test_htmx_decision_without_csrf_token_is_refused(csrf_client, claim):
    response = csrf_client.post(
        reverse("claims:set_status", kwargs={"pk": claim.pk}), {"status": "confirmed"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    assert not VerificationStatus.objects.exists()


def test_htmx_decision_with_the_header_token_is_accepted(csrf_client, claim):
    token = csrf_client.cookies[settings.CSRF_COOKIE_NAME].value
    response = csrf_client.post(
        reverse("claims:set_status", kwargs={"pk": claim.pk}),
        {"status": "confirmed"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert VerificationStatus.objects.count() == 1


def test_a_forged_token_is_refused(csrf_client, claim):
    csrf_client.cookies[settings.CSRF_COOKIE_NAME] = "a" * 32
    response = csrf_client.post(
        reverse("claims:set_status", kwargs={"pk": claim.pk}),
        {"status": "confirmed"},
        headers={"X-CSRFToken": "b" * 32},
    )
    assert response.status_code == 403
    assert not VerificationStatus.objects.exists()


def test_every_app_post_without_csrf_token_is_refused(csrf_client, sample_objects, staff):
    staff_client = Client(enforce_csrf_checks=True)
    staff_client.force_login(staff)
    before = _snapshot()
    for client in (csrf_client, staff_client):
        for path, name in APP_URLS:
            response = client.post(path, {"status": "confirmed", "action": "assign", "other": "Other source"})
            assert response.status_code == 403, name
    assert _snapshot() == before


def test_admin_and_sign_out_posts_without_csrf_token_are_refused(staff, source):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(reverse("admin:claims_source_change", args=[source.pk]), {"name": "Renamed"})
    assert response.status_code == 403
    assert client.post(reverse("logout")).status_code == 403
    assert Source.objects.get(pk=source.pk).name == source.name
    assert "_auth_user_id" in client.session


def test_sign_in_without_csrf_token_is_refused(db):
    make_analyst(username="mira")
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "mira", "password": "correct horse battery staple"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# --- no GET changes data ----------------------------------------------------------------------------


def _snapshot() -> dict:
    models = [Source, SourceAlias, Article, Claim, VerificationStatus, AuditEvent, ImportJob, ApiToken]
    state = {m.__name__: list(m._base_manager.order_by("pk").values()) for m in models}
    state["users"] = list(User.objects.order_by("pk").values("pk", "username", "password", "is_active"))
    return state


def test_no_get_changes_data(client, staff, sample_objects):
    client.force_login(staff)
    before = _snapshot()
    answers = {}
    for path, name in ALL_URLS:
        if name.startswith("api:"):
            continue  # token-authenticated; covered by the API's own tests
        response = client.get(path)
        answers[name] = response.status_code
        assert response.status_code < 500, (name, path, response.status_code)
    assert _snapshot() == before
    for name in [
        "claims:decide",
        "claims:set_status",
        "claims:bulk_decide",
        "claims:bulk_set_status",
        "claims:source_merge",
        "logout",
        "admin:logout",
    ]:
        assert answers[name] == 405, name


# --- bad requests get 400 or 404 with a message, never 500 ---------------------------------------------


def _assert_clear_refusal(response, codes=(400, 404)):
    assert response.status_code in codes, response.status_code
    assert len(response.content.strip()) > 0


@pytest.mark.parametrize(
    "path",
    [
        "/claims/abc/",
        "/claims/abc/status/",
        "/claims/-1/",
        "/claims/0/",
        "/claims/99999999/",
        "/claims/99999999999999999999999999/",
        "/articles/99999999/",
        "/articles/99999999999999999999999999/",
        "/sources/99999999/",
        "/sources/1e5/",
        "/imports/99999999/",
        "/nothing-here/",
    ],
)
def test_unknown_or_malformed_ids_are_404(client, staff, path):
    client.force_login(staff)
    _assert_clear_refusal(client.get(path), codes=(404,))


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "true"},
        {"status": ""},
        {},
        {"status": "confirmed", "note": "x" * (NOTE_MAX_CHARS + 1)},
        {"status": "confirmed", "version": "abc"},
        {"status": "confirmed", "version": "-1"},
        {"status": "confirmed", "version": "1" * 40},
        {"status": "confirmed", "evidence_url": "javascript:alert(1)"},
        {"status": "confirmed", "evidence_url": "not a url"},
        {"status": "confirmed", "note": "a\x00b"},
        {"status": ["confirmed", "unverified"], "note": ["a", "b"]},
    ],
)
def test_bad_decisions_are_400_and_record_nothing(client, analyst, claim, fields):
    client.force_login(analyst)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(reverse("claims:set_status", kwargs={"pk": claim.pk}), fields, headers=headers)
        if fields.get("status") == ["confirmed", "unverified"]:
            # Repeated fields: the last value wins, as Django reads forms; a valid decision is recorded.
            assert response.status_code in {200, 303}
            continue
        # A version no claim has reached is either refused as invalid or answered as a conflict.
        _assert_clear_refusal(response, codes=(400, 409) if fields.get("version") == "1" * 40 else (400,))
    if not isinstance(fields.get("status"), list):
        assert not VerificationStatus.objects.exists()


def test_decision_on_an_unknown_claim_is_404(client, analyst):
    client.force_login(analyst)
    _assert_clear_refusal(client.post(reverse("claims:set_status", kwargs={"pk": 99999999}), {"status": "confirmed"}))


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-3",
        "page=99999999999999999999999",
        "page=1.5",
        "status=bogus",
        "source=abc",
        "source=-5",
        "source=99999999999999999999999",
        "article=x",
        "after=abc",
        "after=-1",
        "after=99999999999999999999999",
        "sort=bogus",
        "hedged=maybe",
        "assignee=bob",
        "q=" + "x" * 5000,
        "q=%00",
        "q=%FF%FE",
        "language=%3Cscript%3E",
        "status=confirmed&status=bogus",
        "q=%E2%80%AE%E2%80%8B",
    ],
)
def test_malformed_queue_parameters_never_break_the_queue(client, analyst, claim, query):
    client.force_login(analyst)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(reverse("claims:queue") + "?" + query, headers=headers)
        assert response.status_code in {200, 400}, (query, response.status_code)
        assert response.content.strip()


@pytest.mark.parametrize(
    "name,query",
    [
        ("claims:article_list", "page=abc"),
        ("claims:article_list", "q=%00"),
        ("claims:source_list", "page=-1"),
        ("claims:source_list", "q=" + "y" * 5000),
        ("claims:source_autocomplete", "q=%00"),
        ("claims:source_autocomplete", "q=" + "z" * 5000),
        ("claims:export", "format=bogus"),
        ("claims:export", "format=csv&status=bogus"),
    ],
)
def test_malformed_list_parameters_are_400_or_handled(client, staff, claim, name, query):
    client.force_login(staff)
    response = client.get(reverse(name) + "?" + query)
    assert response.status_code in {200, 400}, (name, query, response.status_code)


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "confirmed", "ids": ["abc"]},
        {"status": "confirmed", "ids": []},
        {"status": "confirmed", "ids": ["99999999"]},
        {"status": "confirmed", "ids": ["-1"]},
        {"status": "bogus", "ids": ["1"]},
        {"status": "confirmed", "ids": [str(n) for n in range(1, 2000)]},
    ],
)
def test_bad_bulk_decisions_are_400_and_record_nothing(client, analyst, claim, fields):
    client.force_login(analyst)
    _assert_clear_refusal(client.post(reverse("claims:bulk_set_status"), fields), codes=(400,))
    assert not VerificationStatus.objects.exists()


@pytest.mark.parametrize(
    "name,fields",
    [
        ("claims:claim_span", {"start": "abc", "end": "5"}),
        ("claims:claim_span", {"start": "50", "end": "10"}),
        ("claims:claim_span", {"start": "0", "end": "999999"}),
        ("claims:claim_span", {"start": "0", "end": "99999999999999999999999"}),
        ("claims:claim_source", {"source_name": ""}),
        ("claims:claim_source", {"source_name": "x" * 1000}),
        ("claims:claim_assign", {"action": "steal"}),
    ],
)
def test_bad_claim_edits_are_400_and_change_nothing(client, staff, claim, name, fields):
    client.force_login(staff)
    before = _snapshot()
    _assert_clear_refusal(client.post(reverse(name, kwargs={"pk": claim.pk}), fields), codes=(400,))
    assert _snapshot() == before


# --- production settings ------------------------------------------------------------------------------


def _env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "AXES_"))}
    env["DJANGO_SETTINGS_MODULE"] = "verifier.settings"
    env.update(overrides)
    return env


SECRET = "x7" + os.urandom(32).hex()


def _settings_values(**overrides) -> dict:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({n: getattr(s, n) for n in ["
        "'DEBUG', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS',"
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_HTTPONLY',"
        "'VERIFIER_PROXY_COUNT', 'SILENCED_SYSTEM_CHECKS']},"
        " default=list))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=_env(**overrides), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _manage(*args, **overrides):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=_env(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_is_clean_with_hsts_preload_asked_for():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_HSTS_PRELOAD="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_hsts_preload_is_opt_in_and_only_its_warning_is_silenced_without_it():
    default = _settings_values(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET)
    assert (default["SECURE_HSTS_PRELOAD"], default["SILENCED_SYSTEM_CHECKS"]) == (False, ["security.W021"])
    preload = _settings_values(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET, DJANGO_HSTS_PRELOAD="1")
    assert (preload["SECURE_HSTS_PRELOAD"], preload["SILENCED_SYSTEM_CHECKS"]) == (True, [])


def test_hsts_preload_needs_https():
    assert read({"DJANGO_SECRET_KEY": SECRET, "DJANGO_HSTS_PRELOAD": "1"})["HSTS_PRELOAD"] is True
    assert read({"DJANGO_SECRET_KEY": SECRET, "DJANGO_HSTS_PRELOAD": "1", "DJANGO_HTTPS": "0"})["HSTS_PRELOAD"] is False
    assert read({"DJANGO_DEBUG": "1", "DJANGO_HSTS_PRELOAD": "1", "DJANGO_HTTPS": "1"})["HSTS_PRELOAD"] is False


def test_deploy_check_fails_on_a_weak_secret_key():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="short")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_defaults_to_https_only():
    values = _settings_values(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_HTTPONLY"] is True


def test_https_0_serves_plain_http():
    values = _settings_values(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET, DJANGO_HTTPS="0")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_debug_turns_https_parts_off_whatever_https_says():
    values = _settings_values(DJANGO_DEBUG="1", DJANGO_HTTPS="1")
    assert values["DEBUG"] is True
    assert (values["SECURE_SSL_REDIRECT"], values["SESSION_COOKIE_SECURE"], values["SECURE_HSTS_SECONDS"]) == (
        False,
        False,
        0,
    )


def test_debug_is_off_unless_asked_for():
    assert read({"DJANGO_SECRET_KEY": SECRET})["DEBUG"] is False


@pytest.mark.parametrize("name,value", [("DJANGO_HTTPS", "maybe"), ("DJANGO_DEBUG", "yes please")])
def test_unclear_flags_are_refused(name, value):
    with pytest.raises(ImproperlyConfigured, match=name):
        read({"DJANGO_SECRET_KEY": SECRET, name: value})


@pytest.mark.parametrize("value", ["two", "-1"])
def test_bad_proxy_count_is_refused(value):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_PROXY_COUNT"):
        read({"DJANGO_SECRET_KEY": SECRET, "DJANGO_PROXY_COUNT": value})


def test_proxy_count_is_read_from_the_environment():
    assert read({"DJANGO_SECRET_KEY": SECRET})["PROXY_COUNT"] == 0
    assert read({"DJANGO_SECRET_KEY": SECRET, "DJANGO_PROXY_COUNT": "2"})["PROXY_COUNT"] == 2


def test_allowed_hosts_come_from_the_environment():
    hosts = read({"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": " verifier.example , ,10.0.0.5"})
    assert hosts["ALLOWED_HOSTS"] == ["verifier.example", "10.0.0.5"]


# --- DATABASE_URL -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,name",
    [
        ("sqlite:///db.sqlite3", "db.sqlite3"),
        ("sqlite:///data/verifier.db", "data/verifier.db"),
        ("sqlite:////var/lib/verifier/db.sqlite3", "/var/lib/verifier/db.sqlite3"),
        ("sqlite:////tmp/with%20space.db", "/tmp/with space.db"),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite://:memory:", ":memory:"),
    ],
)
def test_sqlite_urls(url, name):
    config = parse_database_url(url)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == name


def test_default_database_is_the_projects_sqlite_file():
    config = read({"DJANGO_DEBUG": "1"})["DATABASES"]["default"]
    assert config["NAME"] == str(BASE_DIR / "db.sqlite3")


def test_postgres_url_with_user_password_and_port():
    config = parse_database_url("postgres://verifier:p%40ss%2Fword@db.internal:6543/verifier_prod?sslmode=require")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("verifier_prod", "verifier", "p@ss/word")
    assert (config["HOST"], config["PORT"]) == ("db.internal", "6543")
    assert config["OPTIONS"] == {"sslmode": "require"}
    assert config["CONN_MAX_AGE"] > 0


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_postgres_schemes_and_defaults(scheme):
    config = parse_database_url(f"{scheme}://postgres@127.0.0.1/verifier")
    assert (config["NAME"], config["USER"], config["PASSWORD"], config["PORT"]) == ("verifier", "postgres", "", "")


def test_postgres_pool_option():
    config = parse_database_url("postgres://u@h:5432/n?pool=1&pool_max=20")
    assert config["OPTIONS"]["pool"]["max_size"] == 20
    assert config["CONN_MAX_AGE"] == 0  # Django refuses persistent connections together with a pool
    assert "pool" not in parse_database_url("postgres://u@h:5432/n")["OPTIONS"]


@pytest.mark.parametrize(
    "url,message",
    [
        ("mysql://u@h/n", "unsupported scheme"),
        ("redis://h", "unsupported scheme"),
        ("not a url", "unsupported scheme"),
        ("sqlite://", "needs a path"),
        ("sqlite:///", "needs a path"),
        ("sqlite://host/db.sqlite3", "unexpected host"),
        ("postgres://u@h:port/n", "DATABASE_URL"),
        ("postgres://u@h/n?pool=1&pool_max=lots", "DATABASE_URL"),
    ],
)
def test_bad_database_urls_are_refused_clearly(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_database_url(url)


# --- in the browser: the admin and hostile pages under the CSP ----------------------------------------


@pytest.fixture
def chromium():
    with launched_chromium() as browser:
        yield browser


class _WatchedPage:
    """A signed-in page that records CSP violations, console errors, uncaught errors and dialogs."""

    def __init__(self, browser, live_server, user):
        client = Client()
        client.force_login(user)
        self.context = browser.new_context(base_url=live_server.url)
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))
        self.page.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )

    def _console(self, message):
        # The admin's pages name no icon, so Chromium asks for /favicon.ico by itself: not the page's doing.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.problems.append(f"console: {message.text} {message.location}")

    def visit(self, path: str):
        response = self.page.goto(path)
        assert response.status < 400, (path, response.status)
        self.page.wait_for_load_state("load")
        self.check(path)
        return response

    def check(self, where: str):
        violations = self.page.evaluate("window.__csp || []")
        assert violations == [], (where, violations)
        assert self.problems == [], (where, self.problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_works_under_the_csp_in_a_browser(chromium, live_server):
    staff = make_analyst(username="chief")
    User.objects.filter(pk=staff.pk).update(is_staff=True, is_superuser=True)
    staff.refresh_from_db()
    source = make_source(name="Ministry of Defence")
    claim = make_claim(source=source)
    watched = _WatchedPage(chromium, live_server, staff)
    for path in [
        reverse("admin:index"),
        reverse("admin:claims_claim_changelist"),
        reverse("admin:claims_claim_change", args=[claim.pk]),
        reverse("admin:claims_source_changelist") + "?q=Ministry",
        reverse("admin:claims_verificationstatus_changelist"),
    ]:
        watched.visit(path)
    # A change form with autocomplete widgets and inlines saves, its scripts running under the CSP.
    watched.visit(reverse("admin:claims_source_change", args=[source.pk]))
    watched.page.fill("#id_notes", "Checked in the browser")
    watched.page.select_option("#id_reliability", "B")
    watched.page.click("input[name=_save]")
    watched.page.wait_for_url("**/admin/claims/source/")
    watched.check("after saving the source")
    assert "was changed successfully" in watched.page.content()
    source.refresh_from_db()
    assert (source.notes, source.reliability) == ("Checked in the browser", "B")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_hostile_pages_run_no_script_in_a_browser(chromium, live_server):
    analyst = make_analyst()
    staff = make_analyst(username="chief")
    User.objects.filter(pk=staff.pk).update(is_staff=True, is_superuser=True)
    staff.refresh_from_db()
    hostile_data = make_hostile(analyst)
    watched = _WatchedPage(chromium, live_server, staff)
    for path in _app_pages(hostile_data):
        watched.visit(path)
    watched.visit(reverse("admin:claims_article_change", args=[hostile_data["article"].pk]))
    watched.visit(reverse("claims:queue") + "?q=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    # The payloads are on screen as text (and nothing ran: visit() checks dialogs and CSP reports).
    watched.visit(reverse("claims:article_detail", kwargs={"pk": hostile_data["article"].pk}))
    assert "<script>alert(1)</script>" in watched.page.inner_text("main")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_viewer_pages_run_clean_under_the_csp(chromium, live_server):
    viewer = make_viewer()
    make_claim()
    watched = _WatchedPage(chromium, live_server, viewer)
    for path in [reverse("claims:dashboard"), reverse("claims:queue"), reverse("claims:source_list")]:
        watched.visit(path)
