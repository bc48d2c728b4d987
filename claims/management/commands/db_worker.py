"""`db_worker` (django-tasks-db's task worker) that outlives database outages.

The package's worker exits when a query fails for any reason but a locked SQLite database: a
PostgreSQL restart ("the database system is shutting down", "connection refused") stopped every
import until somebody restarted the worker. This command is the same worker, same options, but a
database error (OperationalError, InterfaceError) closes the connections, waits (0.5 s doubling to
30 s, with jitter) and carries on. A task that was running when the database went away stays
claimed; the import jobs' own heartbeat gives it back (see claims.tasks).

It overrides the package's command because `claims` is listed before `django_tasks_db` in
INSTALLED_APPS.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker as package

logger = logging.getLogger("django_tasks_db")

BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
# After this long without a database error, the next one starts the backoff from the beginning.
BACKOFF_RESET_AFTER = 60.0


def _close_all() -> None:
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(Exception):  # a broken connection may fail to close; it is dropped anyway
            conn.close()


class ResilientWorker(package.Worker):
    def run(self) -> None:
        delay, last_error = BACKOFF_FIRST, 0.0
        while self.running:
            try:
                super().run()
                return  # --batch or --max-tasks: done
            except (OperationalError, InterfaceError) as error:
                self.running_task = False
                now = time.monotonic()
                if now - last_error > BACKOFF_RESET_AFTER:
                    delay = BACKOFF_FIRST
                last_error = now
                wait = delay * (0.75 + random.random() / 2)  # noqa: S311 - jitter, not secrecy
                logger.warning(
                    "Database unavailable (%s); worker %s retries in %.1f s",
                    str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
                    self.worker_id,
                    wait,
                )
                _close_all()
                time.sleep(wait)
                delay = min(delay * 2, BACKOFF_MAX)


# The package's handle() builds `Worker(...)` by its module-level name.
package.Worker = ResilientWorker


class Command(package.Command):
    help = "Run database-backed django.tasks tasks; survives database restarts (retries with backoff)."
