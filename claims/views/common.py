"""What every page shares: error answers (400, 403), redirects, the safe `next` URL, roles at the
door, the action a form's submit button names, and the health check."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from claims.roles import user_can_decide

ANALYSTS_ONLY = "Only analysts may change claims. Your account can only read."
STAFF_ONLY = "Only staff may edit and merge sources."


@login_not_required
@require_GET
def healthz(request):
    """Liveness: answers without touching the database or the session."""
    return HttpResponse("ok", content_type="text/plain")


def error_response(request, message: str, status: int):
    """A clear error: plain text for htmx (shown in the page's alert region), a page otherwise."""
    if request.htmx:
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return render(request, "claims/error.html", {"message": message, "status": status}, status=status)


def bad_request_response(request, message: str):
    return error_response(request, message, 400)


def bad_request(request, exception=None):
    """handler400: say what was wrong with the request (too many files, fields or bytes), not just 400."""
    if isinstance(exception, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        message = (
            f"Too many files in one upload: at most {limit} at a time. Upload them in batches, or put them "
            "in a .zip archive and upload that one file."
        )
    elif isinstance(exception, TooManyFieldsSent):
        message = f"Too many form fields in one request (at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})."
    elif isinstance(exception, RequestDataTooBig):
        message = f"The request is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes (not counting files)."
    else:
        message = "Bad request: the server could not read it."
    return render(request, "claims/error.html", {"message": message, "status": 400}, status=400)


def permission_denied(request, exception=None):
    """handler403, the one answer to PermissionDenied, whether a view's role check or a service raised
    it: the reason as plain text for htmx, the error page otherwise."""
    message = str(exception or "") or "You may not do this."
    return error_response(request, message, 403)


# --- roles -------------------------------------------------------------------------------------


def request_can_decide(request) -> bool:
    """user_can_decide for this request's user, asked once per request (views, templates)."""
    if not hasattr(request, "_can_decide"):
        request._can_decide = user_can_decide(getattr(request, "user", None))
    return request._can_decide


def _role_required(allowed: Callable, message: str):
    def decorator(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            # Before the form is read: a read-only account gets 403 whatever it sent, and no
            # view does half a write (a new source, a preview) before a service refuses.
            if request.method == "POST" and not allowed(request):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return checked

    return decorator


#: POSTs to the decorated view are for Analysts (GETs stay open to every signed-in user).
analysts_post = _role_required(request_can_decide, ANALYSTS_ONLY)
#: POSTs to the decorated view are for staff.
staff_post = _role_required(lambda request: request.user.is_staff, STAFF_ONLY)


# --- forms and redirects -----------------------------------------------------------------------


def posted_action(request, actions, default: str = "") -> Callable | None:
    """The handler for the action a page's form posted: the submit button's `action` value (or the
    route's own action, for the older per-action URLs); None when it names none of `actions`."""
    return actions.get(default or request.POST.get("action", ""))


def see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def next_url(request, default: str) -> str:
    """The `next` field or parameter when it points into this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def message_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def versions_seen(request, ids) -> dict[int, int]:
    """The versions the analyst saw (one hidden `v<id>` field per claim shown) for a decision on
    several claims: one decided by someone else meanwhile stops it instead of being overridden."""
    return {pk: int(v) for pk in ids if (v := request.POST.get(f"v{pk}", "")).isdigit() and len(v) < 10}
