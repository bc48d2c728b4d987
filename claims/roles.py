"""Who may do what: the Analysts and Viewers groups, checked in one place."""

from __future__ import annotations

ANALYSTS_GROUP = "Analysts"
VIEWERS_GROUP = "Viewers"


def user_can_decide(user) -> bool:
    """Analysts (and superusers) may change statuses and claims; Viewers only read."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=ANALYSTS_GROUP).exists()


def user_can_import(user) -> bool:
    """Staff who may add articles (the admin's own rule for its import page)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("claims.add_article")
    )
