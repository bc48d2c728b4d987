"""Who gets in: sign-in everywhere but healthz and the sign-in page, roles enforced on the server,
failed sign-ins throttled per username and client address, and generated passwords (no fixed password
anywhere: .ci/source_checks.py)."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

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
from tests.factories import BODY, make_analyst, make_user, make_viewer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """These tests sign in dozens of times; the production hasher's deliberate slowness is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


SAMPLE_ID = 900001  # every <int:...> in a URL; fixtures create objects with this pk
PASSWORD = "correct horse battery staple"  # the factories' test password

# --- every URL pattern, made concrete ---------------------------------------------------------

_CONVERTER_SAMPLES = {"int": str(SAMPLE_ID), "str": "x", "slug": "x", "path": str(SAMPLE_ID), "uuid": "0" * 32}


def _regex_sample(group: str) -> str:
    if re.fullmatch(r"[\w|]+", group):  # alternatives of literal names, as in the admin's app index
        return group.split("|")[0]
    if r"\d" in group or "0-9" in group:
        return str(SAMPLE_ID)
    return "x"


def _concrete(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: _CONVERTER_SAMPLES.get(m.group(1) or "str", "x"), pattern._route)
    regex = pattern._regex.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    regex = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", lambda m: _regex_sample(m.group(1)), regex)
    return regex.replace(".*", "x").replace("\\", "")


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + _concrete(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield "/" + prefix + _concrete(p.pattern), f"{namespace}{p.name or p.lookup_str}"


def all_urls() -> list[tuple[str, str]]:
    """(path, name) for every URL pattern in the project, each made concrete and checked to resolve back."""
    urls = list(_walk(get_resolver().url_patterns))
    for path, _name in urls:
        resolve(path)  # raises Resolver404 if the sampling made a path that no pattern serves
    return urls


ALL_URLS = all_urls()
# Public on purpose: liveness, the sign-in pages (site and admin), and two API answers that hold no data.
PUBLIC = {"healthz", "login", "admin:login"}
API_PUBLIC = {"api:api-root", "api:not_found"}


def _login_redirect(response, path: str) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith(reverse("login") + "?next=") or location.startswith(reverse("admin:login") + "?next=")
    )


def test_url_enumeration_covers_the_app_admin_and_api():
    names = {name for _, name in ALL_URLS}
    assert {"claims:queue", "claims:set_status", "claims:claim_detail", "admin:index", "healthz", "login"} <= names
    assert any(name.startswith("api:") for name in names)
    assert len(ALL_URLS) > 50


@pytest.mark.parametrize("path,name", ALL_URLS, ids=[f"{n}:{p}" for p, n in ALL_URLS])
def test_anonymous_visitor_is_sent_to_sign_in(client, path, name):
    for method in (client.get, client.post):
        response = method(path)
        if name in PUBLIC:
            assert response.status_code in {200, 405}, (path, response.status_code)
        elif name.startswith("api:"):
            if name in API_PUBLIC:
                assert response.status_code in {200, 404}
                assert set(response.json()) <= {"detail", "openapi"}
            else:
                # 405 for the method an endpoint does not serve; its own method gets 401 (next test).
                assert response.status_code in {401, 405}, (path, response.status_code)
        else:
            assert _login_redirect(response, path), (method.__name__, path, response.status_code)


def test_every_api_data_endpoint_answers_401_without_a_token(client):
    data_endpoints = [(p, n) for p, n in ALL_URLS if n.startswith("api:") and n not in API_PUBLIC]
    assert data_endpoints
    for path, _name in data_endpoints:
        codes = {
            client.get(path).status_code,
            client.post(path, content_type="application/json", data={}).status_code,
        }
        # The method the endpoint serves says 401; the other one 405.
        assert 401 in codes and codes <= {401, 405}, (path, codes)


# --- roles, on the server ---------------------------------------------------------------------


@pytest.fixture
def sample_objects(db):
    return make_sample_objects()


def make_sample_objects() -> dict:
    """One of everything, at the pk every concrete URL uses, so that write views reach their checks."""
    source = Source.objects.create(pk=SAMPLE_ID, name="Sample source")
    SourceAlias.objects.create(source=source, name=source.name)
    other = Source.objects.create(pk=SAMPLE_ID + 1, name="Other source")
    SourceAlias.objects.create(source=other, name=other.name)
    article = Article.objects.create(
        pk=SAMPLE_ID, title="Sample", body=BODY, original_text=BODY, content_hash="sample-hash"
    )
    claim = Claim.objects.create(pk=SAMPLE_ID, article=article, source=source, start=0, end=9, text=BODY[0:9])
    ImportJob.objects.create(pk=SAMPLE_ID, state=ImportJob.State.FAILED)
    return {"source": source, "other": other, "article": article, "claim": claim}


def _snapshot() -> dict:
    models = [Source, SourceAlias, Article, Claim, VerificationStatus, AuditEvent, ImportJob, ApiToken]
    state = {m.__name__: list(m._base_manager.order_by("pk").values()) for m in models}
    state["users"] = list(User.objects.order_by("pk").values("pk", "username", "password", "is_staff"))
    return state


WRITE_FORM = {
    "status": "confirmed",
    "note": "written by someone who may not",
    "version": 0,
    "ids": [SAMPLE_ID],
    "start": 10,
    "end": 30,
    "text": BODY[10:30],
    "source_name": "Other source",
    "create": "on",
    "kind": "person",
    "reliability": "A",
    "notes": "rewritten",
    "other": "Other source",
}

APP_URLS = [(p, n) for p, n in ALL_URLS if n.startswith("claims:")]


@pytest.mark.parametrize("action", ["assign", "resume"])
def test_viewer_cannot_change_anything_with_any_post(client, sample_objects, action):
    viewer = make_viewer()
    client.force_login(viewer)
    before = _snapshot()
    answers = {}
    for path, name in APP_URLS:
        response = client.post(path, {**WRITE_FORM, "action": action})
        answers[name] = response.status_code
        assert response.status_code in {403, 405}, (name, response.status_code)
    assert _snapshot() == before
    assert answers["claims:set_status"] == 403


def test_analyst_who_is_not_staff_cannot_edit_merge_or_import(client, sample_objects):
    analyst = make_analyst()
    client.force_login(analyst)
    before = _snapshot()
    for name in ["claims:source_edit", "claims:source_merge", "claims:import_job"]:
        response = client.post(reverse(name, kwargs={"pk": SAMPLE_ID}), {**WRITE_FORM, "action": "resume"})
        assert response.status_code == 403, name
    assert _snapshot() == before
    assert _login_redirect(client.get(reverse("admin:index")), "/admin/")


def test_same_post_by_an_analyst_is_recorded(client, sample_objects):
    """The control for the viewer test: the form it posts is a valid decision."""
    client.force_login(make_analyst())
    response = client.post(reverse("claims:set_status", kwargs={"pk": SAMPLE_ID}), {**WRITE_FORM, "action": "x"})
    assert response.status_code == 303
    assert VerificationStatus.objects.filter(claim_id=SAMPLE_ID, status="confirmed").count() == 1


def test_viewer_pages_offer_no_decision_buttons_but_the_server_is_what_refuses(client, sample_objects):
    client.force_login(make_viewer())
    assert client.get(reverse("claims:queue")).status_code == 200
    response = client.post(reverse("claims:set_status", kwargs={"pk": SAMPLE_ID}), {"status": "confirmed"})
    assert response.status_code == 403
    assert not VerificationStatus.objects.exists()


def test_inactive_analyst_session_cannot_decide(client, sample_objects):
    analyst = make_analyst()
    client.force_login(analyst)
    User.objects.filter(pk=analyst.pk).update(is_active=False)
    response = client.post(reverse("claims:set_status", kwargs={"pk": SAMPLE_ID}), {"status": "confirmed"})
    assert response.status_code in {302, 403}
    assert not VerificationStatus.objects.exists()


def test_a_signed_in_session_grants_nothing_on_the_api(client, sample_objects):
    """The API is exempt from CSRF because only a token authenticates it; a session cookie must not."""
    client.force_login(make_analyst())
    response = client.post(
        f"/api/claims/{SAMPLE_ID}/decisions", {"status": "confirmed"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert client.get("/api/claims").status_code == 401
    assert not VerificationStatus.objects.exists()


# --- sign-in throttling (django-axes) ------------------------------------------------------------


def _sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _normalised(response, username: str) -> str:
    """The page without what differs on every request (CSRF tokens, CSP nonces, the name typed in)."""
    html = response.content.decode().replace(f'value="{username}"', 'value="USERNAME"')
    html = re.sub(r'value="[A-Za-z0-9]{32,}"', 'value="TOKEN"', html)
    html = re.sub(r'"X-CSRFToken": "[A-Za-z0-9]+"', '"X-CSRFToken": "TOKEN"', html)
    return re.sub(r'nonce="[^"]*"', 'nonce="NONCE"', html)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    make_user(username="mira")
    known = _sign_in(client, "mira", "wrong password 1")
    unknown = _sign_in(Client(), "nobody-here", "wrong password 1")
    assert known.status_code == unknown.status_code == 200
    assert _normalised(known, "mira") == _normalised(unknown, "nobody-here")
    assert "didn" in known.content.decode()  # "Your username and password didn't match"


def test_sixth_attempt_is_refused_even_with_the_right_password(client):
    make_user(username="mira")
    codes = [_sign_in(client, "mira", f"wrong {n}").status_code for n in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    response = _sign_in(client, "mira", PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)


def test_locked_out_page_is_a_proper_page_with_status_429(client):
    make_user(username="mira")
    for n in range(5):
        _sign_in(client, "mira", f"wrong {n}")
    response = _sign_in(client, "mira", PASSWORD)
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "Try again in 15 minutes" in html
    assert "mira" not in html


def test_lockout_does_not_reveal_whether_the_user_exists(client):
    make_user(username="mira")
    for n in range(5):
        _sign_in(client, "mira", f"wrong {n}")
        _sign_in(client, "ghost", f"wrong {n}")
    known = _sign_in(client, "mira", PASSWORD)
    unknown = _sign_in(client, "ghost", PASSWORD)
    assert known.status_code == unknown.status_code == 429
    assert _normalised(known, "mira") == _normalised(unknown, "ghost")


def test_the_user_can_still_sign_in_from_another_address(client):
    make_user(username="mira")
    for n in range(5):
        _sign_in(client, "mira", f"wrong {n}", REMOTE_ADDR="198.51.100.66")
    elsewhere = Client()
    response = _sign_in(elsewhere, "mira", PASSWORD, REMOTE_ADDR="203.0.113.10")
    assert response.status_code == 302
    assert _signed_in(elsewhere)


def test_lockout_of_one_user_leaves_other_users_at_that_address_alone(client):
    make_user(username="mira")
    make_user(username="oleh")
    for n in range(5):
        _sign_in(client, "mira", f"wrong {n}")
    other = Client()
    assert _sign_in(other, "oleh", PASSWORD).status_code == 302


def test_without_a_proxy_a_spoofed_forwarded_for_does_not_reset_the_count(client):
    make_user(username="mira")
    for n in range(5):
        _sign_in(client, "mira", f"wrong {n}", REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"10.9.8.{n}")
    response = _sign_in(Client(), "mira", PASSWORD, REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429


@override_settings(VERIFIER_PROXY_COUNT=1)
def test_behind_one_proxy_each_client_address_has_its_own_count(client):
    make_user(username="mira")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(5):
        _sign_in(client, "mira", f"wrong {n}", HTTP_X_FORWARDED_FOR="198.51.100.66", **proxy)
    # The attacker cannot escape by writing its own X-Forwarded-For: the proxy appends the real address.
    spoofed = _sign_in(Client(), "mira", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.66", **proxy)
    assert spoofed.status_code == 429
    # ...and the real user, behind the same proxy, is not locked out by the attacker.
    real = Client()
    assert _sign_in(real, "mira", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy).status_code == 302
    assert _signed_in(real)


@pytest.mark.parametrize(
    "proxies,forwarded,expected",
    [
        (0, "192.0.2.1", "10.0.0.1"),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.2", "192.0.2.1"),
        (2, "192.0.2.1", "10.0.0.1"),  # fewer entries than proxies: not through them, judged by itself
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_for_throttling(proxies, forwarded, expected):
    from claims.ratelimit import client_ip_address

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(VERIFIER_PROXY_COUNT=proxies):
        assert client_ip_address(request) == expected


def test_successful_sign_in_resets_the_failure_count(client):
    make_user(username="mira")
    for n in range(4):
        _sign_in(client, "mira", f"wrong {n}")
    assert _sign_in(client, "mira", PASSWORD).status_code == 302
    client.logout()
    codes = [_sign_in(client, "mira", f"again {n}").status_code for n in range(4)]
    assert codes == [200, 200, 200, 200]


# --- generated passwords (.ci/source_checks.py finds password literals in the code) ---------------------


def test_ensure_analyst_generates_a_different_strong_password_each_time(capsys):
    passwords = []
    for username in ["alice", "bob"]:
        call_command("ensure_analyst", username=username)
        passwords.append(re.search(r"Password: (\S+)", capsys.readouterr().out).group(1))
    call_command("ensure_analyst", username="alice", reset_password=True)
    passwords.append(re.search(r"Password: (\S+)", capsys.readouterr().out).group(1))
    assert len(set(passwords)) == 3
    assert all(len(p) >= 16 for p in passwords)
    assert User.objects.get(username="alice").check_password(passwords[2])
    assert not User.objects.get(username="alice").check_password(passwords[0])
