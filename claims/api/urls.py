"""The API object and the URL patterns `verifier/urls.py` includes under /api/."""

from __future__ import annotations

import functools

from django.http import JsonResponse
from django.urls import URLPattern, re_path
from django.utils.cache import patch_cache_control
from ninja import NinjaAPI

from claims.api import claims, imports, sources
from claims.api.auth import TokenAuth, auth_failure_count, rate_limited, schema_access
from claims.api.errors import errors_install


class VerifierAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # The ids the schema gave when the API was one module (clients generated from it use them).
        return f"claims_api_{operation.view_func.__name__}"


api = VerifierAPI(
    title="Verifier API",
    version="1",
    description=(
        "Claims, decisions, sources and article imports. Authenticate every request with "
        "`Authorization: Bearer <token>`; staff create tokens in the admin (API tokens)."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url=None,  # Swagger UI would need inline scripts (CSP); the schema is at /api/openapi.json
    docs_decorator=schema_access,
)
errors_install(api)
api.add_router("", claims.router)
api.add_router("", imports.router)
api.add_router("", sources.router)


def _api_root(request):
    return JsonResponse({"detail": "Verifier API.", "openapi": request.build_absolute_uri("openapi.json")})


def _json_not_found(request, *args, **kwargs):
    return JsonResponse({"detail": f"No API endpoint at {request.path}; see /api/openapi.json."}, status=404)


def _api_view(view):
    """The API's own rules instead of the site's: rate limits, JSON for 405 as for the rest, no
    caching, and neither the login redirect nor CSRF (the token is the only credential)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = rate_limited(request) or view(request, *args, **kwargs)
        if response.status_code == 401:
            auth_failure_count(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = JsonResponse(
                {"detail": f"Method {request.method} not allowed here; use {allowed or 'another method'}."},
                status=405,
            )
            response["Allow"] = allowed
        # Claims, notes and decisions: never kept by a shared cache or the browser.
        patch_cache_control(response, private=True, no_store=True)
        return response

    wrapper.login_required = False
    wrapper.csrf_exempt = True
    return wrapper


def _urls() -> tuple[list, str, str]:
    """ninja's patterns with every callback wrapped in `_api_view`, its root answered by `_api_root`,
    and JSON 404 for any other path.

    ninja offers no hook for this: `add_decorator` wraps operations only (not the 405 answer, the
    schema or the root), and the URL callback is what LoginRequiredMiddleware reads `login_required`
    from (django-ninja issue #1461). So the callbacks are replaced here, and only here."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            callback = _api_root if pattern.name == "api-root" else pattern.callback
            pattern.callback = _api_view(callback)
    not_found = _api_view(_json_not_found)
    return [*patterns, re_path(r"^.*$", not_found, name="not_found")], app_name, namespace


urls = _urls()
