"""Keyset pages: an opaque `cursor` (the last id of the page before) and the `next` link."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from ninja import Query
from ninja.errors import HttpError

from claims.api.schemas import MAX_ID

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
NOT_A_CURSOR = "Invalid input: cursor: not a cursor this API gave out."

Cursor = Annotated[str | None, Query(max_length=100)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


def cursor_encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str | None) -> int | None:
    """The id a cursor stands for; 422 for text this API did not give out."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, value = text.split(":", 1)
        last_id = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise HttpError(422, NOT_A_CURSOR) from None
    if prefix != "id" or not 0 < last_id <= MAX_ID:
        raise HttpError(422, NOT_A_CURSOR)
    return last_id


def page_out(request, items: list, next_after: int | None) -> dict:
    """A page's answer: its items, the cursor of the next page and its URL (both null on the last)."""
    next_cursor = cursor_encode(next_after) if next_after else None
    next_url = None
    if next_cursor is not None:
        query = request.GET.copy()
        query["cursor"] = next_cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"items": items, "next_cursor": next_cursor, "next": next_url}
