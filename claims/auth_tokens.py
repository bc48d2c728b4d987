"""Per-user API tokens: created in the admin, shown once, stored only as a SHA-256 hash.

A token is `secrets.token_urlsafe(32)` (256 bits of randomness), so a plain SHA-256 is enough:
there is nothing to brute-force that a slow hash would protect.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from claims.models import ApiToken

# How stale last_used_at may get before a request writes it again (one write a minute at most).
LAST_USED_RESOLUTION = timedelta(minutes=1)
# token_urlsafe(32) is 43 characters; anything far longer is not one of ours.
MAX_TOKEN_CHARS = 200


def api_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_check_owner(*, actor, user) -> None:
    """A token acts as its user: only that user, or a superuser, may create one for them."""
    if actor is None:
        return  # the command line (`manage.py api_token`): whoever runs it holds the server
    if not actor.is_active or not (actor.is_superuser or actor.pk == user.pk):
        raise PermissionDenied("You may only create API tokens for yourself.")


def api_token_create(*, user, name: str = "", actor=None) -> tuple[ApiToken, str]:
    """Create a token for `user` (by `actor`, None for the command line); returns the row and the
    raw token, which is never stored."""
    api_token_check_owner(actor=actor, user=user)
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=api_token_hash(raw), prefix=raw[:8])
    return token, raw


def api_token_issue(*, token: ApiToken) -> str:
    """Fill an unsaved ApiToken (the admin's add form) with a fresh key; returns the raw token."""
    raw = secrets.token_urlsafe(32)
    token.key_hash = api_token_hash(raw)
    token.prefix = raw[:8]
    return raw


def api_token_authenticate(*, raw: str):
    """The active user the raw token belongs to, or None. Records the use at most once a minute."""
    if not raw or len(raw) > MAX_TOKEN_CHARS:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=api_token_hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.user
