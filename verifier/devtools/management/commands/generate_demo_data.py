"""Add synthetic articles, sources, claims and decision histories quickly (demos, benchmarks)."""

from django.core.management.base import BaseCommand, CommandError

from verifier.devtools.demo import demo_generate


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Add N synthetic articles with M claims each (sources with aliases and grades, a spread of "
        "statuses with decision histories). Safe to run again: it adds more."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=_non_negative, required=True, metavar="N")
        parser.add_argument("--claims-per-article", type=_non_negative, required=True, metavar="M")
        parser.add_argument("--seed", type=int, default=None, help="Random seed, for repeatable text.")
        parser.add_argument(
            "--index",
            action="store_true",
            help="Also write the claims' corroboration band keys, as an import does (about twice the time).",
        )

    def handle(self, *args, articles, claims_per_article, seed, index, verbosity, **options):
        def progress(done, total):
            if verbosity >= 2:
                self.stdout.write(f"{done}/{total} articles")

        try:
            report = demo_generate(
                articles=articles, claims_per_article=claims_per_article, seed=seed, index=index, progress=progress
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary)
        if verbosity >= 2:
            counts = ", ".join(f"{n} {status}" for status, n in report.status_counts.items())
            self.stdout.write(f"statuses: {counts}")
