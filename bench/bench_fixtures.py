"""Print what the web benchmark needs from a database, as JSON (run by bench/bench_web.py).

A signed-in bench analyst (a session created in the database, so no password is involved), its
CSRF secret, and ids to aim at: sources, articles, claims and deep keyset cursors.
Needs DATABASE_URL (and DJANGO_SECRET_KEY when DJANGO_DEBUG=0) in the environment.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402

from claims.models import Article, Claim  # noqa: E402
from claims.selectors import live_start  # noqa: E402

BENCH_USER = "bench.analyst"


def bench_session(username: str = BENCH_USER, *, staff: bool = False) -> tuple[str, str]:
    """A database session for a bench user (in Analysts, no usable password; `staff`: staff and
    superuser, for the admin) and a CSRF secret."""
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
    return session.session_key, _get_new_csrf_string()


def main() -> None:
    rng = random.Random(1)
    session_key, csrf = bench_session()
    admin_session, _ = bench_session("bench.admin", staff=True)
    n_claims = Claim.objects.count()
    top_sources = list(
        Claim.objects.order_by().values("source").annotate(n=Count("id")).order_by("-n").values_list("source", "n")
    )
    max_id = Claim.objects.order_by("-id").values_list("id", flat=True).first() or 0
    min_id = Claim.objects.order_by("id").values_list("id", flat=True).first() or 0
    # Deep keyset cursors: 80-95% of the way down the newest-first queue.
    deep = [int(max_id - (max_id - min_id) * f) for f in (0.80, 0.85, 0.90, 0.95)]
    article_ids = list(Article.objects.order_by("?").values_list("id", flat=True)[:200])
    claim_ids = list(Claim.objects.order_by("?").values_list("id", flat=True)[:2000])
    print(
        json.dumps(
            {
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "session": session_key,
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
                "csrf": csrf,
                "claims": n_claims,
                "articles": Article.objects.count(),
                # the busiest source, one from the middle, and a rare one
                "sources": [s for s, _n in (top_sources[0], top_sources[len(top_sources) // 2], top_sources[-1])]
                if top_sources
                else [],
                "deep_after": deep,
                "article_ids": article_ids,
                "claim_ids": rng.sample(claim_ids, len(claim_ids)),
                # a staff session for the Django admin's claim list (the yardstick)
                "admin_session": admin_session,
                # where an open page's live updates start (claims.selectors.live_start)
                "live_cursor": str(live_start()),
            }
        )
    )


if __name__ == "__main__":
    main()
