"""`manage.py import_articles PATH... [--dry-run]`: files, folders, globs and zip archives."""

import sys

from django.core.management.base import BaseCommand

from claims.importing.service import article_import


class Command(BaseCommand):
    help = (
        "Import articles from files, folders (recursively), globs or .zip archives: seed-style .txt, "
        ".json (object, list, NewsAPI response), .jsonl, .csv, .html, RSS/Atom feeds. "
        "Prints one line per failure (PATH:N: message) and a summary; exit 1 when anything failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, glob or .zip")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")

    def handle(self, *args, paths, dry_run, **options):
        bar = None
        progress = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            bar = tqdm(total=0, unit="article", file=sys.stderr, leave=False, dynamic_ncols=True)

            def progress(processed, total):
                bar.total = total
                bar.n = processed
                bar.refresh()

        try:
            report = article_import(paths=paths, dry_run=dry_run, progress=progress)
        except KeyboardInterrupt:
            self.stderr.write("import interrupted; run the same command again to finish (nothing is duplicated)")
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
