"""The invariants the database cannot hold by itself, checked over all data in bounded memory."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Max, Min, OuterRef, Subquery

from claims.models import Article, Claim, Source, SourceAlias, Status, VerificationStatus
from claims.models.corroboration import ClaimCluster, ClaimContradiction, ClusterMember
from claims.selectors import shown_status_expression, status_rows

MAX_REPORTED = 200


@dataclass
class IntegrityReport:
    counts: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return ", ".join(f"{n} {name}" for name, n in self.counts.items())

    def add(self, message: str) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(message)


def integrity_check() -> IntegrityReport:
    """Run every check in CHECKS over all data; the report holds the table sizes and the problems found."""
    report = IntegrityReport()
    report.counts = {
        "articles": Article.objects.count(),
        "claims": Claim.objects.count(),
        "decisions": VerificationStatus.objects.count(),
        "sources": Source.objects.count(),
    }
    for check in CHECKS:
        check(report)
    return report


def _check_claim_status(report: IntegrityReport) -> None:
    """Each claim's status and version are those of its latest decision (Unverified at 0 with none)."""
    latest = VerificationStatus.objects.filter(claim=OuterRef("pk")).order_by("-version")
    claims = Claim.objects.annotate(
        latest_status=Subquery(latest.values("status")[:1]),
        latest_version=Subquery(latest.values("version")[:1]),
        n_decisions=Count("decisions"),
    ).values_list("pk", "status", "version", "latest_status", "latest_version", "n_decisions")
    for pk, status, version, latest_status, latest_version, n in claims.iterator(chunk_size=2000):
        if n == 0:
            if status != Status.UNVERIFIED or version != 0:
                report.add(f"claim {pk}: no decisions but status {status!r} version {version}")
            continue
        if status != latest_status:
            report.add(f"claim {pk}: status {status!r} but latest decision says {latest_status!r}")
        if version != latest_version or version != n:
            report.add(f"claim {pk}: version {version}, latest decision {latest_version}, {n} decisions")


def _check_claim_spans(report: IntegrityReport) -> None:
    """Each claim's span lies inside its article's body, and its text is the body's text there."""
    bodies = Article.objects.values_list("pk", "body")
    spans = Claim.objects.order_by("article_id").values_list("pk", "article_id", "start", "end", "text")
    lengths = {}
    for pk, body in bodies.iterator(chunk_size=500):
        lengths[pk] = len(body)
    # Text equality needs the body; checked per article in chunks to keep memory bounded.
    current_id, current_body = None, ""
    for pk, article_id, start, end, text in spans.iterator(chunk_size=2000):
        if article_id != current_id:
            current_id = article_id
            current_body = Article.objects.values_list("body", flat=True).get(pk=article_id)
        if not (0 <= start < end <= lengths.get(article_id, -1)):
            report.add(f"claim {pk}: span {start}-{end} outside article {article_id} ({lengths.get(article_id)} chars)")
        elif current_body[start:end] != text:
            report.add(f"claim {pk}: text differs from article {article_id}'s body at {start}-{end}")


def _check_extraction_finished(report: IntegrityReport) -> None:
    """Each article has its claims, unless its import is still running (or stopped, waiting for
    Resume); a finished import has none left to extract."""
    waiting = Article.objects.filter(extracted_at__isnull=True).exclude(
        import_job__state__in=["pending", "running", "failed"]
    )
    for pk in waiting.values_list("pk", flat=True)[:MAX_REPORTED]:
        report.add(f"article {pk}: claims never extracted, and no running import will extract them")


def _check_source_aliases(report: IntegrityReport) -> None:
    """Each source's canonical name is one of its aliases."""
    missing_alias = Source.objects.exclude(pk__in=SourceAlias.objects.values("source_id")).values_list("pk", flat=True)
    for pk in missing_alias[:MAX_REPORTED]:
        report.add(f"source {pk}: its canonical name is not registered as an alias")


def _check_status_tally(report: IntegrityReport) -> None:
    """PostgreSQL: the trigger-kept status tally (migration 0006) agrees with a real count."""
    if connection.vendor != "postgresql":
        return
    tally = {status: n for status, n in status_rows() if n}
    real = dict(
        Claim.objects.order_by().annotate(shown=shown_status_expression()).values_list("shown").annotate(n=Count("id"))
    )
    if tally != real:
        report.add(f"status tally {tally} differs from the claims' statuses {real}")


def _check_decision_versions(report: IntegrityReport) -> None:
    """Each claim's decisions are numbered 1 to n without gaps."""
    gaps = VerificationStatus.objects.values("claim_id").annotate(n=Count("id"), top=Max("version"))
    for row in gaps.iterator(chunk_size=2000):
        if row["n"] != row["top"]:
            report.add(f"claim {row['claim_id']}: decision versions have gaps ({row['n']} decisions, top {row['top']})")


def _check_corroboration(report: IntegrityReport) -> None:
    """Clusters (issue 15): two members or more, keyed by their lowest member id; no contradiction
    inside one cluster."""
    report.counts["clusters"] = ClaimCluster.objects.count()
    clusters = ClaimCluster.objects.annotate(n=Count("members"), low=Min("members__claim_id")).values_list(
        "pk", "key_claim_id", "n", "low"
    )
    for pk, key, n, low in clusters.iterator(chunk_size=2000):
        if n < 2:
            report.add(f"cluster {pk}: {n} member{'s' if n != 1 else ''} (a cluster links two claims or more)")
        elif key != low:
            report.add(f"cluster {pk}: keyed by claim {key}, not by its lowest member {low}")
    inside = ClaimContradiction.objects.filter(
        claim__cluster_membership__cluster_id=F("other__cluster_membership__cluster_id")
    ).values_list("claim_id", "other_id")
    for a, b in inside[:MAX_REPORTED]:
        report.add(f"claims {a} and {b}: in one cluster and linked as contradicting each other")
    orphans = ClusterMember.objects.filter(cluster__key_claim_id=F("claim_id")).count()
    if orphans != report.counts["clusters"]:
        report.add(f"{report.counts['clusters'] - orphans} cluster(s) keyed by a claim that is not their member")


# In the order their problems are reported.
CHECKS = (
    _check_claim_status,
    _check_claim_spans,
    _check_extraction_finished,
    _check_source_aliases,
    _check_status_tally,
    _check_corroboration,
    _check_decision_versions,
)
