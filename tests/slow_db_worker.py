"""`manage.py db_worker` with claim extraction slowed down (TEST_EXTRACT_DELAY seconds per article),
so that tests can watch several workers share a job, or kill one in the middle of it."""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from claims.importing import pool  # noqa: E402

_real = pool.extract_claims
_delay = float(os.environ.get("TEST_EXTRACT_DELAY", "0"))


def _slow(*args, **kwargs):
    time.sleep(_delay)
    return _real(*args, **kwargs)


pool.extract_claims = _slow

if __name__ == "__main__":
    call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", *sys.argv[1:])
