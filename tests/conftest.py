"""Shared fixtures: real users in real groups, and factories for the data model."""

import importlib

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import make_analyst, make_article, make_claim, make_source, make_viewer

_groups_migration = importlib.import_module("claims.migrations.0002_groups")


@pytest.fixture(scope="session", autouse=True)
def _no_stray_postgres_sessions(django_db_setup, django_db_blocker):
    """At the end of the run, end connections that threads of the live-server and concurrency tests
    left open, so that the test database can be dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the (in-process) cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _groups_after_flush(request):
    """Transactional tests flush every table, the groups' data migration's rows too: put them back.

    (serialized_rollback would restore them, but it clashes with the content types that other
    transactional tests' flush re-creates, so the suite does not use it.)
    """
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
        viewer_perms = _groups_migration.VIEW
        for name, codenames in (
            ("Viewers", viewer_perms),
            ("Analysts", viewer_perms + _groups_migration.ANALYST_EXTRA),
        ):
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.set(Permission.objects.filter(content_type__app_label="claims", codename__in=codenames))


@pytest.fixture
def analyst(db):
    return make_analyst()


@pytest.fixture
def viewer(db):
    return make_viewer()


@pytest.fixture
def staff(db):
    user = make_analyst(username="staff")
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def source(db):
    return make_source()


@pytest.fixture
def article(db):
    return make_article()


@pytest.fixture
def claim(db):
    return make_claim()
