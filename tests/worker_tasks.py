"""A task for the worker tests: it leaves a file behind, so a test can see that it ran."""

from pathlib import Path

from django.tasks import task


@task
def touch(path: str) -> None:
    Path(path).write_text("ran", encoding="utf-8")
