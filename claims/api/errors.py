"""Every error the API answers is JSON `{"detail": "..."}` (plus `errors` for invalid input): one
table says, for each exception, the status and how its message reads."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from claims.api.auth import CHALLENGE, auth_failure_message

logger = logging.getLogger(__name__)

# What an answer carries besides its status: "detail", and any more fields.
Describe = Callable[[object, Exception], dict]


def _message_or(default: str) -> Describe:
    return lambda request, exc: {"detail": str(exc) or default}


def _unauthenticated(request, exc) -> dict:
    return {"detail": auth_failure_message(request)}


def _http_error(request, exc: HttpError) -> dict:
    message = str(exc)
    if exc.status_code == 400 and message == "Cannot parse request body":
        message = "The request body is not valid JSON (send Content-Type: application/json and a JSON object)."
        if _nested_too_deeply(request.body):
            message = "The request body is JSON nested too deeply to be read; send flat article records."
    return {"detail": message}


def _nested_too_deeply(body: bytes) -> bool:
    """Whether the JSON parser gave up on `body` for its depth (only asked once parsing has failed)."""
    try:
        json.loads(body)
    except RecursionError:
        return True
    except ValueError:
        return False
    return False


def _invalid(request, exc: NinjaValidationError) -> dict:
    errors = [
        {"field": ".".join(str(part) for part in error.get("loc", ())[1:]), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    summary = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors) or "Invalid input."
    return {"detail": f"Invalid input: {summary}", "errors": errors}


def _rejected(request, exc: DjangoValidationError) -> dict:
    if hasattr(exc, "message_dict"):
        errors = [{"field": field, "message": " ".join(msgs)} for field, msgs in exc.message_dict.items()]
    else:
        errors = [{"field": "", "message": " ".join(exc.messages)}]
    summary = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return {"detail": summary, "errors": errors}


def _too_big(request, exc) -> dict:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return {"detail": f"The request body is larger than {limit} bytes; split it, or upload files in the admin."}


def _crash(request, exc) -> dict:
    logger.exception("API error on %s %s", request.method, request.path)
    return {"detail": "Internal error; it has been logged."}


# exception -> (status, or None for the exception's own; what the answer says). The most specific
# class listed for an exception wins (ninja looks along its MRO), so Exception is only the last resort.
ERRORS: dict[type[Exception], tuple[int | None, Describe]] = {
    AuthenticationError: (401, _unauthenticated),
    HttpError: (None, _http_error),
    Http404: (404, _message_or("Not found.")),
    PermissionDenied: (403, _message_or("You may not do this.")),
    NinjaValidationError: (422, _invalid),
    DjangoValidationError: (422, _rejected),
    RequestDataTooBig: (413, _too_big),
    Exception: (500, _crash),
}


def _answer(api: NinjaAPI, status: int | None, describe: Describe, request, exc) -> HttpResponse:
    status = status or exc.status_code
    response = api.create_response(request, describe(request, exc), status=status)
    if isinstance(exc, AuthenticationError):
        response["WWW-Authenticate"] = CHALLENGE
    return response


def errors_install(api: NinjaAPI) -> None:
    """Answer every exception in ERRORS as the table says."""
    for exc_class, (status, describe) in ERRORS.items():
        api.add_exception_handler(exc_class, functools.partial(_answer, api, status, describe))
