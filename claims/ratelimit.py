"""Request rate limits on Django's cache: fixed windows counted per client address or API token.

django-axes locks a username+address pair after repeated failures; these limits add what it does
not cover: password spraying (many usernames from one address) and API floods (per token and per
address, bad tokens counted separately). Counters live in the configured cache (`CACHES`): the
in-process LocMem cache by default, which counts per server process, or Redis when
`VERIFIER_CACHE_URL` is set, which counts across processes and machines (see README).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache


def client_ip_address(request) -> str:
    """The address sign-in throttling counts failures against.

    With no proxy configured (VERIFIER_PROXY_COUNT = 0) only REMOTE_ADDR counts: X-Forwarded-For is
    whatever the client wrote. Behind N trusted proxies, each appending the address it saw, the client
    is the N-th entry from the right; entries further left were written by the client and are ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "VERIFIER_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote  # not through all the proxies: a direct connection, judge it by itself
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _key(scope: str, ident: str, window: int, now: float) -> tuple[str, float]:
    bucket = int(now // window)
    digest = hashlib.sha256(ident.encode("utf-8", "replace")).hexdigest()[:32]  # tokens never in the cache
    return f"rl:{scope}:{digest}:{bucket}", (bucket + 1) * window - now


def rate_limit_hit(scope: str, ident: str) -> int | None:
    """Count one request in `scope` for `ident`; the seconds to wait when that went over the limit."""
    limit, window = settings.VERIFIER_RATE_LIMITS[scope]
    key, left = _key(scope, ident, window, time.time())
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return max(1, math.ceil(left)) if count > limit else None


def rate_limit_blocked(scope: str, ident: str) -> int | None:
    """The seconds to wait when `ident` already used up `scope`'s limit in this window (counts nothing)."""
    limit, window = settings.VERIFIER_RATE_LIMITS[scope]
    key, left = _key(scope, ident, window, time.time())
    return max(1, math.ceil(left)) if (cache.get(key) or 0) >= limit else None
