"""No decision is lost or doubled when many analysts decide on the same claims at the same moment.

Real HTTP against a threaded live server, and against two gunicorn processes sharing one PostgreSQL
database: the row lock and version check in claim_decide, and the (claim, version) unique
constraint behind them, are what these tests put under load. SQLite serialises writers for the whole
database, so the race these tests look for cannot happen there; they run on PostgreSQL only.
"""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from claims.integrity import integrity_check
from claims.models import Claim, VerificationStatus
from tests.factories import make_analyst, make_claim

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (row locks under real concurrency); SQLite serialises all writers",
    ),
]

N_CLIENTS = 8
STATUSES = ["confirmed", "being_clarified", "unverified"]
ACCEPTED = {200, 303}
BASE_DIR = Path(settings.BASE_DIR)


@dataclass
class Browser:
    """One signed-in analyst: a session cookie and a CSRF secret, as a browser holds them."""

    user: object
    cookie: str
    csrf: str


@dataclass
class Attempt:
    client: int
    claim: int
    status: str
    note: str
    version: int | None
    code: int = 0
    body: str = ""


def _sign_in(user) -> Browser:
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret, valid in cookie and header alike
    return Browser(
        user=user, cookie=f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}", csrf=csrf
    )


def _post(base_url: str, path: str, fields: dict, browser: Browser, *, htmx: bool) -> tuple[int, str]:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {
        "Cookie": browser.cookie,
        "X-CSRFToken": browser.csrf,
        "Origin": f"{parts.scheme}://{parts.netloc}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    if htmx:
        headers["HX-Request"] = "true"
    try:
        conn.request("POST", path, body=urlencode(fields), headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _decide(base_url: str, browser: Browser, attempt: Attempt, *, htmx: bool) -> Attempt:
    fields = {"status": attempt.status, "note": attempt.note}
    if attempt.version is not None:
        fields["version"] = attempt.version
    attempt.code, attempt.body = _post(
        base_url, reverse("claims:set_status", kwargs={"pk": attempt.claim}), fields, browser, htmx=htmx
    )
    return attempt


def _all_at_once(base_urls: list[str], browsers: list[Browser], attempts: list[Attempt]) -> list[Attempt]:
    """Send one attempt per client, released together by a barrier; clients spread over the servers."""
    barrier = threading.Barrier(len(attempts))

    def run(attempt: Attempt) -> Attempt:
        barrier.wait(timeout=30)
        base_url = base_urls[attempt.client % len(base_urls)]
        # Half the clients are htmx (row fragment, 200), half plain forms (303 to the queue).
        return _decide(base_url, browsers[attempt.client], attempt, htmx=attempt.client % 2 == 0)

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(run, attempts))


def _assert_nothing_lost_or_doubled(attempts: list[Attempt], claims: list[Claim]) -> None:
    codes = {a.code for a in attempts}
    assert codes <= ACCEPTED | {409}, f"unexpected answers: {sorted(codes)}"
    for attempt in attempts:
        recorded = list(VerificationStatus.objects.filter(note=attempt.note).values("claim", "status", "analyst"))
        if attempt.code in ACCEPTED:
            assert len(recorded) == 1, f"accepted decision {attempt.note} recorded {len(recorded)} times"
            assert recorded[0]["claim"] == attempt.claim
            assert recorded[0]["status"] == attempt.status
        else:
            assert recorded == [], f"refused decision {attempt.note} was recorded"
    accepted_per_claim = {c.pk: 0 for c in claims}
    for attempt in attempts:
        if attempt.code in ACCEPTED:
            accepted_per_claim[attempt.claim] += 1
    for claim in claims:
        claim.refresh_from_db()
        decisions = list(claim.decisions.order_by("version").values_list("version", "status"))
        assert [v for v, _ in decisions] == list(range(1, len(decisions) + 1))
        assert len(decisions) == accepted_per_claim[claim.pk]
        assert claim.version == len(decisions)
        if decisions:
            assert claim.status == decisions[-1][1]
    assert integrity_check().problems == []


def _same_version_rounds(base_urls, browsers, claim, rounds: int) -> list[Attempt]:
    everything = []
    for round_no in range(rounds):
        version = Claim.objects.values_list("version", flat=True).get(pk=claim.pk)
        attempts = [
            Attempt(i, claim.pk, STATUSES[(i + round_no) % 3], f"r{round_no}-c{i}-{secrets.token_hex(3)}", version)
            for i in range(len(browsers))
        ]
        _all_at_once(base_urls, browsers, attempts)
        winners = [a for a in attempts if a.code in ACCEPTED]
        assert len(winners) == 1, f"round {round_no}: {[a.code for a in attempts]}"
        assert sorted(a.code for a in attempts if a not in winners) == [409] * (len(browsers) - 1)
        everything += attempts
    return everything


def _mixed_rounds(base_urls, browsers, claims, rounds: int) -> list[Attempt]:
    """Clients pick claims at random; some send the version they last saw, some send none."""
    rng = secrets.SystemRandom()
    everything = []
    for round_no in range(rounds):
        seen = dict(Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("pk", "version"))
        attempts = []
        for i in range(len(browsers)):
            claim = rng.choice(claims)
            version = None if i % 4 == 3 else seen[claim.pk]
            attempts.append(
                Attempt(i, claim.pk, rng.choice(STATUSES), f"m{round_no}-c{i}-{secrets.token_hex(3)}", version)
            )
        _all_at_once(base_urls, browsers, attempts)
        everything += attempts
    return everything


@pytest.fixture
def analysts_signed_in(transactional_db):
    return [_sign_in(make_analyst()) for _ in range(N_CLIENTS)]


def test_eight_clients_sending_the_same_version_at_once_exactly_one_wins(live_server, analysts_signed_in):
    claim = make_claim()
    attempts = _same_version_rounds([live_server.url], analysts_signed_in, claim, rounds=4)
    _assert_nothing_lost_or_doubled(attempts, [claim])
    assert Claim.objects.get(pk=claim.pk).version == 4


def test_concurrent_decisions_on_shared_claims_are_each_recorded_once(live_server, analysts_signed_in):
    claims = [make_claim() for _ in range(3)]
    attempts = _mixed_rounds([live_server.url], analysts_signed_in, claims, rounds=6)
    _assert_nothing_lost_or_doubled(attempts, claims)
    assert any(a.code == 409 for a in attempts), "the rounds should have produced stale versions"
    assert any(a.code in ACCEPTED and a.version is None for a in attempts)


def test_stale_version_answer_carries_the_current_row(live_server, analysts_signed_in):
    claim = make_claim()
    first, second = analysts_signed_in[:2]
    ok = _decide(live_server.url, first, Attempt(0, claim.pk, "confirmed", "first", 0), htmx=True)
    stale = _decide(live_server.url, second, Attempt(2, claim.pk, "unverified", "second", 0), htmx=True)
    assert (ok.code, stale.code) == (200, 409)
    assert f'id="claim-{claim.pk}"' in stale.body
    assert VerificationStatus.objects.filter(claim=claim).count() == 1


# --- two gunicorn processes, one database -----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def _wait_until_serving(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn on port {port} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    pytest.fail(f"gunicorn on port {port} did not answer /healthz:\n{log.read_text()[-3000:]}")


@pytest.fixture
def two_gunicorns(transactional_db, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "AXES_"))}
    env.update(
        DATABASE_URL=_database_url(),
        DJANGO_DEBUG="0",
        # The test's own key: the sessions made by force_login are signed with it.
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DJANGO_HTTPS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
    )
    # As a deployment does: DJANGO_DEBUG=0 serves hashed static names from collectstatic's manifest.
    env["DJANGO_STATIC_ROOT"] = str(tmp_path / "static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    procs = []
    try:
        for n in range(2):
            port = _free_port()
            log = tmp_path / f"gunicorn{n}.log"
            command = [
                sys.executable, "-m", "gunicorn", "verifier.wsgi:application",
                "--bind", f"127.0.0.1:{port}",
                "--workers", "2", "--worker-class", "gthread", "--threads", "4",
                "--timeout", "60", "--graceful-timeout", "5", "--error-logfile", "-",
            ]  # fmt: skip
            with log.open("wb") as out:
                proc = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
            procs.append((port, proc, log))
        for port, proc, log in procs:
            _wait_until_serving(port, proc, log)
        yield [f"http://127.0.0.1:{port}" for port, _, _ in procs], [log for _, _, log in procs]
    finally:
        for _, proc, _ in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc, _ in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def test_two_gunicorn_servers_on_one_database_lose_no_decision(two_gunicorns, analysts_signed_in):
    base_urls, logs = two_gunicorns
    claims = [make_claim() for _ in range(3)]
    attempts = _same_version_rounds(base_urls, analysts_signed_in, claims[0], rounds=3)
    attempts += _mixed_rounds(base_urls, analysts_signed_in, claims, rounds=6)
    _assert_nothing_lost_or_doubled(attempts, claims)
    for log in logs:
        assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
