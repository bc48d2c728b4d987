"""`manage.py db_worker` with claim extraction slowed down (TEST_EXTRACT_DELAY seconds per article)
and, optionally, record cleaning (TEST_PREPARE_DELAY), so that tests can watch several workers share
a job, or kill one in the middle of it."""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verifier.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from claims.importing import pool, service  # noqa: E402

_real_extract = pool.extract_claims
_real_prepare = service.prepare_record
_extract_delay = float(os.environ.get("TEST_EXTRACT_DELAY", "0"))
_prepare_delay = float(os.environ.get("TEST_PREPARE_DELAY", "0"))


def _slow_extract(*args, **kwargs):
    time.sleep(_extract_delay)
    return _real_extract(*args, **kwargs)


def _slow_prepare(*args, **kwargs):
    time.sleep(_prepare_delay)
    return _real_prepare(*args, **kwargs)


pool.extract_claims = _slow_extract
service.prepare_record = _slow_prepare

if __name__ == "__main__":
    call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", *sys.argv[1:])
