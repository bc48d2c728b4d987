"""Export claims as ClaimReview JSON-LD, CSV or JSON Lines, streamed to stdout or a file."""

import os
import sys
from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, CommandError

from claims.exporting import FORMATS, VERDICTS, export_stream
from claims.models import Claim, Status

HELP = """\
Export claims, streamed (constant memory however many claims there are).

  --format claimreview  schema.org ClaimReview JSON-LD, one review per reviewed claim: a claim
                        whose current status is a verdict (confirmed or unverified) AND that has
                        at least one decision. Undecided claims (unverified by default) and claims
                        being clarified are never exported as reviews.
  --format csv          one row per claim (all claims, or those with --status): claim, source,
                        article and last decision (analyst, time, note, evidence URL). Cells that
                        a spreadsheet would read as a formula start with a single quote.
  --format jsonl        the same rows as csv, one JSON object per line.
  --history             with csv or jsonl: one row per decision instead (the full, append-only
                        decision history of the selected claims, oldest first per claim);
                        --status then selects claims by their current status.

Writes to stdout unless --output FILE is given (written to FILE.part, renamed when complete, so
a file that exists is whole). A short summary goes to stderr. A reader that stops early
(`| head`) ends the export quietly. Exit status 2 on a usage error.
"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS, help="claimreview, csv or jsonl.")
        parser.add_argument("--status", choices=Status.values, help="Only claims whose current status is this.")
        parser.add_argument("--history", action="store_true", help="csv/jsonl: one row per decision.")
        parser.add_argument("--output", metavar="FILE", help="Write here instead of stdout.")

    def handle(self, *args, **options):
        fmt, status, history, output = options["format"], options["status"], options["history"], options["output"]
        if fmt == "claimreview" and history:
            raise CommandError("--history exports csv or jsonl, not claimreview.", returncode=2)
        if fmt == "claimreview" and status and status not in VERDICTS:
            raise CommandError(
                f"--status {status}: claims being clarified have no verdict and are never exported as ClaimReview.",
                returncode=2,
            )
        claims = Claim.objects.all()
        if status:
            claims = claims.filter(status=status)
        stream = export_stream(claims, format=fmt, kind="decisions" if history else "claims")
        # Each exporter yields one chunk per record plus its header/footer chunks.
        chunks = self._write_file(stream, output) if output else self._write_stdout(stream)
        if chunks is None:
            return  # the reader went away (`| head`): end quietly, as other tools do
        records = chunks - {"claimreview": 2, "csv": 1, "jsonl": 0}[fmt]
        noun = "decision" if history else "review" if fmt == "claimreview" else "claim"
        self.stderr.write(f"exported {records} {noun}{'' if records == 1 else 's'} ({fmt}) to {output or 'stdout'}")

    def _write_stdout(self, stream) -> int | None:
        """Write the export to stdout; None when the pipe was closed before the end."""
        chunks = 0
        try:
            for chunk in stream:
                self.stdout.write(chunk, ending="")
                chunks += 1
            self.stdout.flush()
        except BrokenPipeError:
            # Python would report the pipe again when flushing stdout at exit: point it at /dev/null.
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError):  # stdout is not a real file (tests capture it)
                pass
            finally:
                os.close(devnull)
            return None
        return chunks

    def _write_file(self, stream, output: str) -> int:
        partial = f"{output}.part"
        chunks = 0
        try:
            with open(partial, "w", encoding="utf-8", newline="") as handle:
                for chunk in stream:
                    handle.write(chunk)
                    chunks += 1
        except OSError as error:
            self._discard(partial)
            raise CommandError(f"cannot write {output}: {error.strerror or error}")
        except BaseException:
            self._discard(partial)
            raise
        os.replace(partial, output)
        return chunks

    def _discard(self, path: str) -> None:
        try:
            os.unlink(path)
        except OSError:
            self.stderr.write(f"could not remove {path}")
