"""Settings for the test suite: the real settings module with development defaults.

pytest-django reads settings before any conftest runs, so the defaults are set here. Tests that
check production behaviour start subprocesses with their own environment.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from verifier.settings import *  # noqa: E402, F403

# Factories create many users; the production hasher's work factor is the point in production, not here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
