"""What the benchmarks need from a database: signed-in bench users and ids to aim at.

Run inside Django (`python -m bench.bench_fixtures` prints it as JSON for the web benchmarks).
"""

from __future__ import annotations

import random

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, User
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from claims.models import Article, Claim
from claims.selectors import live_start

BENCH_USER = "bench.analyst"


def bench_session(username: str = BENCH_USER, *, staff: bool = False) -> str:
    """The key of a database session for a bench user (in Analysts, no usable password; `staff`:
    staff and superuser, for the admin): signed in without any password."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, is_staff=staff, is_superuser=staff)
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name="Analysts"))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(24 * 3600)
    session.save()
    return session.session_key


def csrf_token() -> str:
    """A CSRF token the way a browser gets one: the cookie the sign-in page sets. Sent back as both
    the cookie and the X-CSRFToken header, it passes the CSRF check."""
    hosts = [h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))]
    client = Client(SERVER_NAME=hosts[0] if hosts else "localhost")
    response = client.get(reverse(settings.LOGIN_URL))
    if response.status_code != 200 or settings.CSRF_COOKIE_NAME not in response.cookies:
        raise RuntimeError(f"the sign-in page set no CSRF cookie (status {response.status_code})")
    return response.cookies[settings.CSRF_COOKIE_NAME].value


def web_targets(*, seed: int = 1) -> dict:
    """Sessions, the CSRF token and the ids the web scenarios request (sources, articles, claims,
    deep keyset cursors, the live cursor)."""
    rng = random.Random(seed)
    top_sources = list(
        Claim.objects.order_by().values("source").annotate(n=Count("id")).order_by("-n").values_list("source", "n")
    )
    max_id = Claim.objects.order_by("-id").values_list("id", flat=True).first() or 0
    min_id = Claim.objects.order_by("id").values_list("id", flat=True).first() or 0
    claim_ids = list(Claim.objects.order_by("?").values_list("id", flat=True)[:2000])
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session": bench_session(),
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf": csrf_token(),
        "claims": Claim.objects.count(),
        "articles": Article.objects.count(),
        # the busiest source, one from the middle, and a rare one
        "sources": [s for s, _n in (top_sources[0], top_sources[len(top_sources) // 2], top_sources[-1])]
        if top_sources
        else [],
        # deep keyset cursors: 80-95% of the way down the newest-first queue
        "deep_after": [int(max_id - (max_id - min_id) * f) for f in (0.80, 0.85, 0.90, 0.95)],
        "article_ids": list(Article.objects.order_by("?").values_list("id", flat=True)[:200]),
        "claim_ids": rng.sample(claim_ids, len(claim_ids)),
        # a staff session for the Django admin's claim list (the yardstick)
        "admin_session": bench_session("bench.admin", staff=True),
        # where an open page's live updates start (claims.selectors.live_start)
        "live_cursor": str(live_start()),
    }
