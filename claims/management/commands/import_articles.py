"""`manage.py import_articles PATH... [--dry-run] [--workers N] [--background]`: files, folders,
globs and zip archives. Returns when every imported article's claims exist (or, with --background,
once the job is queued for db_worker)."""

import sys
from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand, CommandError

from claims.importing.extracting import default_workers
from claims.importing.service import ImportStopped, article_import
from claims.services import import_job_submit


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise ArgumentTypeError(f"--workers must be a whole number of at least 1, not {value!r}")
    return n


class Command(BaseCommand):
    help = (
        "Import articles from files, folders (recursively), globs or .zip archives: seed-style .txt, "
        ".json (object, list, NewsAPI response), .jsonl, .csv, .html, RSS/Atom feeds. "
        "Prints one line per failure (PATH:N: message) and a summary; exit 1 when anything failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, glob or .zip")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
        parser.add_argument(
            "--workers",
            type=_positive,
            default=None,
            metavar="N",
            help="extract claims in N processes, each loading the model once (default: the number of cores)",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the import as a job for db_worker (as an admin upload does), print its id and return",
        )

    def handle(self, *args, paths, dry_run, workers, background, **options):
        if background and dry_run:
            raise CommandError(
                "--background and --dry-run do not go together (a preview is never queued)", returncode=2
            )
        if background:
            return self._background(paths)
        bar = None
        progress = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=0, unit="article", file=sys.stderr, leave=False, dynamic_ncols=True)

            def progress(done, total):
                bar.total = total
                bar.n = done
                bar.refresh()

        try:
            report = article_import(
                paths=paths, dry_run=dry_run, progress=progress, workers=workers or default_workers()
            )
        except KeyboardInterrupt:
            self.stderr.write("import interrupted; run the same command again to finish (nothing is duplicated)")
            sys.exit(1)
        except ImportStopped as exc:
            self.stderr.write(f"import stopped: {exc}")
            sys.exit(1)
        except Exception as exc:  # no traceback for the user; the job row (if any) says failed
            self.stderr.write(f"import failed: {type(exc).__name__}: {exc}")
            sys.exit(1)
        finally:
            if bar is not None:
                bar.close()
        for line in report.registries:
            self.stdout.write(line)
        for error in report.errors:
            self.stderr.write(error)
        if dry_run:
            self.stdout.write("dry run: nothing was written")
        self.stdout.write(report.summary)
        if report.failed:
            sys.exit(1)

    def _background(self, paths):
        try:
            job = import_job_submit(paths=paths)
        except Exception as exc:
            self.stderr.write(f"import failed: {type(exc).__name__}: {exc}")
            sys.exit(1)
        self.stderr.write(f"queued import #{job.pk} for db_worker; its page is /imports/{job.pk}/")
        self.stdout.write(str(job.pk))
