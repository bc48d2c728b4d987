"""Who may call the API: the bearer token (a session cookie grants nothing here), the OpenAPI
schema's own check, the 401 answer, and the per-address and per-token rate limits."""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from ninja.security import HttpBearer

from claims.auth_tokens import api_token_authenticate
from claims.ratelimit import client_ip_address, rate_limit_blocked, rate_limit_hit
from claims.roles import user_can_import

# Messages, not secrets (ruff's S105 looks at the names).
MISSING_TOKEN_MESSAGE = "Authentication required: send 'Authorization: Bearer <token>' (tokens are made in the admin)."  # noqa: S105
INVALID_TOKEN_MESSAGE = "The API token is not valid: it is mistyped, revoked, or its user is inactive."  # noqa: S105
CHALLENGE = 'Bearer realm="verifier"'


def _bearer(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest):
        # As HttpBearer, minus its DEBUG log line that would print the header (a credential).
        token = _bearer(request)
        return None if token is None else self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(raw=token.strip())
        if user is None:
            request._api_auth_error = INVALID_TOKEN_MESSAGE
        return user


def auth_failure_message(request) -> str:
    """Why the request is not authenticated: no token, or one that is not valid."""
    return getattr(request, "_api_auth_error", MISSING_TOKEN_MESSAGE)


def schema_access(view):
    """The schema is for people and tools that may use the API: a signed-in user or a valid token."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated and not TokenAuth()(request):
            response = JsonResponse({"detail": auth_failure_message(request)}, status=401)
            response["WWW-Authenticate"] = CHALLENGE
            return response
        return view(request, *args, **kwargs)

    return wrapper


def require_staff(user) -> None:
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("Imports are for staff; this token's user is not staff.")


def require_import_permission(user) -> None:
    require_staff(user)
    if not user_can_import(user):
        raise PermissionDenied("This token's user may not add articles (the admin's import permission).")


# --- rate limits -----------------------------------------------------------------------------------


def _too_many(wait: int, why: str) -> JsonResponse:
    response = JsonResponse({"detail": f"Too many requests {why}; try again in {wait} s."}, status=429)
    response["Retry-After"] = str(wait)
    return response


def rate_limited(request) -> JsonResponse | None:
    """429 when this address keeps sending bad tokens, or this address or token sends too much."""
    ip = client_ip_address(request)
    if (wait := rate_limit_blocked("api_auth_failures", ip)) is not None:
        return _too_many(wait, "without a valid token from your address")
    if (wait := rate_limit_hit("api_ip", ip)) is not None:
        return _too_many(wait, "from your address")
    token = _bearer(request)
    if token and (wait := rate_limit_hit("api_token", token)):
        return _too_many(wait, "with this token")
    return None


def auth_failure_count(request) -> None:
    """Count a 401 against the address (enough of them and it is blocked for a while)."""
    rate_limit_hit("api_auth_failures", client_ip_address(request))
