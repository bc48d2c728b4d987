"""/api/sources: the source registry, searched as the sources page searches it."""

from __future__ import annotations

from typing import Annotated

from ninja import Query, Router

from claims import selectors
from claims.api.paging import DEFAULT_LIMIT, Cursor, Limit, cursor_decode, page_out
from claims.api.schemas import NO_NUL, ErrorOut, KindValue, ReliabilityValue, SourcePageOut

router = Router(tags=["sources"])


@router.get("/sources", response={200: SourcePageOut, 401: ErrorOut, 422: ErrorOut}, url_name="source_list")
def source_list(
    request,
    q: Annotated[str, Query(max_length=200, pattern=NO_NUL, description="In the name or an alias.")] = "",
    kind: Annotated[KindValue | None, Query()] = None,
    reliability: Annotated[ReliabilityValue | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
):
    """The source registry with aliases, kind and Admiralty reliability grade, by id."""
    rows, next_after = selectors.source_registry(
        q=q.strip(), kind=kind, reliability=reliability, after=cursor_decode(cursor), limit=limit
    )
    return page_out(request, rows, next_after)
