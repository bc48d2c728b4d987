"""What every page's template may ask: whether the user may decide (asked once per request), and
the statuses to draw buttons, legends and keys from (Status.choices, never strings in templates)."""

from typing import NamedTuple

from django.utils.functional import SimpleLazyObject

from claims.models import UNDECIDED, UNDECIDED_LABEL, Status
from claims.views.common import request_can_decide


class StatusChoice(NamedTuple):
    value: str
    label: str
    key: str  # the keyboard shortcut that decides it (c / b / u: docs/interfaces.md)


STATUS_KEYS = {Status.CONFIRMED: "c", Status.BEING_CLARIFIED: "b", Status.UNVERIFIED: "u"}
STATUSES = tuple(StatusChoice(value, label, STATUS_KEYS[value]) for value, label in Status.choices)


def triage(request) -> dict:
    """`can_decide` (lazy: a page that never asks runs no query), `statuses` and the Undecided label."""
    return {
        "can_decide": SimpleLazyObject(lambda: request_can_decide(request)),
        "statuses": STATUSES,
        "undecided": (UNDECIDED, UNDECIDED_LABEL),
    }
