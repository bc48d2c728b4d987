"""Index and link claims that were stored before corroboration existed (or re-run it)."""

import time

from django.core.management.base import BaseCommand

from claims.models import Claim
from claims.services.corroboration import claims_corroborate, claims_index


class Command(BaseCommand):
    help = (
        "Link claims to the same claim in other articles and to contradicting claims (issue 15), "
        "oldest first, in batches. The importer does this for new claims; run this once for older data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--after", type=int, default=0, help="Start after this claim id (resume).")
        parser.add_argument("--batch", type=int, default=500, help="Claims per batch (default 500).")
        parser.add_argument(
            "--index-only", action="store_true", help="Only add the band index rows; link nothing (fast)."
        )

    def handle(self, *args, after, batch, index_only, **options):
        started = time.perf_counter()
        done = joined = contradictions = 0
        last = after
        while True:
            ids = list(Claim.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            if index_only:
                claims_index(claim_ids=ids)
            else:
                report = claims_corroborate(claim_ids=ids)
                joined += report.joined
                contradictions += report.contradictions
            done += len(ids)
            last = ids[-1]
            if options["verbosity"] > 1:
                self.stdout.write(f"… {done} claims, up to id {last}")
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"corroborated {done} claims in {seconds:.1f} s: {joined} joined a cluster, "
            f"{contradictions} contradictions (last id {last})"
        )
