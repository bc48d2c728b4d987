"""`manage.py extract_claims PATH... --jsonl`: the claims the importer would create, without a database."""

import json
import sys

from django.core.management.base import BaseCommand

from claims.extraction import extract_claims
from claims.importing.parsers import iter_inputs, parse_input
from claims.importing.prepare import prepare_record
from claims.importing.records import ArticleRecord, Limits, RecordError


class Command(BaseCommand):
    help = (
        "Read article files as import_articles does and print the claims it would extract, one JSON "
        "object per line: file, text, start, end, source, source_kind, via, hedged, status_hint, cue. "
        "Never touches the database."
    )
    # Works with no database configured or migrated.
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="file, folder, glob or .zip")
        parser.add_argument("--jsonl", action="store_true", help="one JSON object per claim per line (the default)")

    def handle(self, *args, paths, **options):
        limits = Limits.from_settings()
        unreadable = 0
        out = self.stdout
        for inp in iter_inputs(paths):
            if isinstance(inp, RecordError):
                self.stderr.write(str(inp))
                unreadable += 1
                continue
            records = errors = 0
            for item in parse_input(inp, limits):
                if isinstance(item, RecordError):
                    self.stderr.write(str(item))
                    errors += 1
                    continue
                if not isinstance(item, ArticleRecord):
                    records += 1
                    continue  # a source registry has no claims
                records += 1
                prepared = prepare_record(item, limits=limits)
                if isinstance(prepared, RecordError):
                    self.stderr.write(str(prepared))
                    continue
                for claim in extract_claims(prepared.body, title=prepared.title, language=prepared.language):
                    row = {
                        "file": prepared.path,
                        "text": claim.text,
                        "start": claim.start,
                        "end": claim.end,
                        "source": claim.source,
                        "source_kind": claim.source_kind,
                        "via": claim.via,
                        "hedged": claim.hedged,
                        "status_hint": claim.status_hint,
                        "cue": claim.cue,
                    }
                    out.write(json.dumps(row, ensure_ascii=False))
            if errors and not records:  # nothing in the file could be read
                unreadable += 1
        if unreadable:
            sys.exit(1)
