"""Time limits for one record's work, the size of an extraction task, and a heartbeat thread for
long-running import work."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator

from django.db import connections

logger = logging.getLogger(__name__)

# Articles per extraction task (what one task leases, extracts and stores).
TASK_BATCH = 25


class TookTooLong(Exception):
    """One record's work ran past its time limit."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"took longer than {seconds:g} s")


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise TookTooLong in the block once `seconds` have passed (SIGALRM; main thread only).

    Off the main thread (a live-server thread running immediate tasks) there is no limit. Code in C
    that never returns to Python (one huge regular expression match) is interrupted when it returns.
    """
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise TookTooLong(seconds)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Heartbeat:
    """Call `beat()` every `interval` seconds on a thread of its own (with its own connection)
    until stopped. `beat` returns False when the work has been taken away (then `lost` is set).

    Work run inside the caller's transaction gets no heartbeat (enabled=False): nobody else can see
    that work, so nobody can judge it stalled or take it over, and the beat itself could not see it."""

    def __init__(self, beat: Callable[[], bool], *, interval: float, enabled: bool = True):
        self.enabled = enabled
        self._beat = beat
        self._interval = interval
        self._stop = threading.Event()
        self.lost = threading.Event()
        self._thread = threading.Thread(target=self._run, name="import-heartbeat", daemon=True)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._interval):
                try:
                    if not self._beat():
                        self.lost.set()
                        return
                except Exception:  # a database hiccup: the next beat tries again
                    logger.warning("import heartbeat failed", exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    def __enter__(self) -> Heartbeat:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self.enabled:
            self._thread.join()
