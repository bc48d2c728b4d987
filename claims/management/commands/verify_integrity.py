"""Check every invariant over all data; exit 0 with a one-line summary when all hold."""

from django.core.management.base import BaseCommand, CommandError

from claims.integrity import integrity_check


class Command(BaseCommand):
    help = "Check the data invariants (status equals latest decision, offsets inside the body, ...)."

    def handle(self, *args, **options):
        report = integrity_check()
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problems:
            raise CommandError(f"integrity: {len(report.problems)} problem(s) over {report.summary}")
        self.stdout.write(f"integrity ok: {report.summary}")
