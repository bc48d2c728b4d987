"""`manage.py import_previews_expire [--hours H]`: delete dry-run previews nobody confirmed, with
their uploaded files (run it daily, e.g. from cron or a systemd timer)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from claims.services import import_previews_expire


class Command(BaseCommand):
    help = "Delete import previews (dry runs) older than --hours, with their uploaded files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=settings.VERIFIER_IMPORT_PREVIEW_HOURS,
            help="age after which an unconfirmed preview goes (default: VERIFIER_IMPORT_PREVIEW_HOURS, 24)",
        )

    def handle(self, *args, hours, **options):
        n = import_previews_expire(older_than=timedelta(hours=hours))
        self.stdout.write(f"deleted {n} preview{'s' if n != 1 else ''}")
