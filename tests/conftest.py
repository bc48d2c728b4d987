"""Shared fixtures: real users in real groups, and factories for the data model."""

import pytest

from tests.factories import make_analyst, make_article, make_claim, make_source, make_viewer


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
