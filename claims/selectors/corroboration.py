"""Corroboration reads: a claim's cluster, its contradictions and its credibility, for the claim
page; the annotations the queue, the exports and the API add to their claim querysets."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from claims.corroboration import CREDIBILITY_LABELS
from claims.models import Claim
from claims.models.corroboration import ClaimContradiction, ClaimCredibility, ClusterMember, ContradictionState


def corroboration_annotations() -> dict:
    """`cluster_key` (the cluster's public id: its key claim's id, or the claim's own id),
    `credibility_value` (1-6 or None) and `credibility_note` (why): correlated subqueries on
    primary keys, evaluated for the rows returned only (joins let PostgreSQL's planner pick hash
    joins that read the whole claims table for a page of 50)."""
    credibility = ClaimCredibility.objects.filter(claim_id=OuterRef("id"))
    return {
        "cluster_key": Coalesce(
            Subquery(ClusterMember.objects.filter(claim_id=OuterRef("id")).values("cluster__key_claim_id")[:1]),
            F("id"),
            output_field=IntegerField(),
        ),
        "credibility_value": Subquery(credibility.values("value")[:1]),
        "credibility_note": Subquery(credibility.values("explanation")[:1]),
    }


def cluster_size_annotation():
    """How many claims are in the row's cluster (1 for a lone claim): a correlated count."""
    members = (
        ClusterMember.objects.filter(cluster__members__claim_id=OuterRef("id"))
        .order_by()
        .values("cluster_id")
        .annotate(n=Count("*"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(members), Value(1), output_field=IntegerField())


def filter_collapsed(qs: QuerySet) -> QuerySet:
    """One row per cluster: its key claim (and every lone claim). An anti-join on the membership's
    primary key: no claim that is a member of a cluster keyed by another claim."""
    others = ClusterMember.objects.filter(claim_id=OuterRef("id")).exclude(cluster__key_claim_id=OuterRef("id"))
    return qs.filter(~Exists(others)).annotate(cluster_size=cluster_size_annotation())


def filter_credibility(qs: QuerySet, value: str) -> QuerySet:
    """`value` "1".."6", or "none" for claims without an assessment."""
    if value == "none":
        return qs.filter(~Exists(ClaimCredibility.objects.filter(claim_id=OuterRef("id"), value__isnull=False)))
    return qs.filter(Exists(ClaimCredibility.objects.filter(claim_id=OuterRef("id"), value=int(value))))


def attach_cluster_versions(rows: list[Claim]) -> list[Claim]:
    """For collapsed queue rows: `cluster_versions`, the (claim id, version) of every member of each
    row's cluster, so "apply to all N" can check each claim's version. One query for the page."""
    keyed = [row.pk for row in rows if getattr(row, "cluster_size", 1) > 1]
    versions: dict[int, list[tuple[int, int]]] = {}
    if keyed:
        for key, claim_id, version in (
            ClusterMember.objects.filter(cluster__key_claim_id__in=keyed)
            .order_by("claim_id")
            .values_list("cluster__key_claim_id", "claim_id", "claim__version")
        ):
            versions.setdefault(key, []).append((claim_id, version))
    for row in rows:
        row.cluster_versions = versions.get(row.pk, [])
    return rows


def credibility_code(*, grade: str, value: int | None) -> str:
    """The Admiralty code: source grade and information credibility, "B2"; "B" when unassessed."""
    return f"{grade}{value or ''}"


@dataclass
class Corroboration:
    """What the claim page shows of a claim's corroboration."""

    cluster_id: int
    state: str | None  # this claim's link: "suggested", "confirmed", or None when lone
    members: list[Claim] = field(default_factory=list)  # the others, with source/article loaded
    # (link, this cluster's claim, the claim that contradicts it): shown side by side
    contradictions: list[tuple[ClaimContradiction, Claim, Claim]] = field(default_factory=list)
    credibility: ClaimCredibility | None = None
    grade: str = "F"

    @property
    def size(self) -> int:
        return len(self.members) + 1

    @property
    def value(self) -> int | None:
        return self.credibility.value if self.credibility else None

    @property
    def code(self) -> str:
        return credibility_code(grade=self.grade, value=self.value)

    @property
    def label(self) -> str:
        return CREDIBILITY_LABELS.get(self.value, "Not assessed")

    @property
    def explanation(self) -> str:
        parts = [f"Source reliability {self.grade}"]
        if self.credibility is None or self.credibility.value is None:
            parts.append("information credibility not assessed: no other report of this claim yet")
        else:
            c = self.credibility
            parts.append(f"information credibility {c.value} ({self.label})")
            if c.override is not None:
                parts.append(f"set by {c.override_by.username if c.override_by else 'an analyst'}")
                if c.override_note:
                    parts.append(c.override_note)
                if c.suggested is not None:
                    parts.append(f"suggested {c.suggested}: {c.explanation}")
            elif c.explanation:
                parts.append(c.explanation)
        return "; ".join(parts)

    @property
    def suggested_count(self) -> int:
        return sum(1 for m in self.members if m.link_state == "suggested") + (self.state == "suggested")


def _claims(ids) -> QuerySet:
    return (
        Claim.objects.filter(pk__in=ids)
        .select_related("source", "article", "article__publisher")
        .only(
            "id",
            "text",
            "status",
            "version",
            "via",
            "source__id",
            "source__name",
            "source__reliability",
            "article__id",
            "article__title",
            "article__published_at",
            "article__publisher__id",
            "article__publisher__name",
        )
    )


def claim_has_cluster_mates(*, claim_id: int) -> bool:
    """Whether other claims share the claim's cluster (what `claim_corroboration(...).members` would
    list), in one query."""
    return ClusterMember.objects.filter(cluster__members__claim_id=claim_id).exclude(claim_id=claim_id).exists()


def claim_corroboration(*, claim: Claim) -> Corroboration:
    """The claim's cluster (other members, oldest report first), contradictions and credibility:
    at most five queries, however large the cluster."""
    membership = ClusterMember.objects.select_related("cluster").filter(claim_id=claim.pk).first()
    result = Corroboration(
        cluster_id=membership.cluster.key_claim_id if membership else claim.pk,
        state=membership.state if membership else None,
        grade=claim.source.reliability,
    )
    member_ids = [claim.pk]
    if membership:
        states = dict(ClusterMember.objects.filter(cluster_id=membership.cluster_id).values_list("claim_id", "state"))
        member_ids = list(states)
        others = list(_claims([i for i in states if i != claim.pk]))
        for other in others:
            other.link_state = states[other.pk]
        result.members = sorted(
            others, key=lambda c: (c.article.published_at is None, c.article.published_at or 0, c.pk)
        )
    links = list(
        ClaimContradiction.objects.filter(Q(claim_id__in=member_ids) | Q(other_id__in=member_ids))
        .exclude(state=ContradictionState.DISMISSED)
        .order_by("claim_id", "other_id")
    )
    if links:
        opposing = {(link.other_id if link.claim_id in member_ids else link.claim_id) for link in links}
        by_id = {c.pk: c for c in _claims(opposing)}
        ours = {claim.pk: claim, **{m.pk: m for m in result.members}}
        for link in links:
            mine, other_id = (link.claim_id, link.other_id) if link.claim_id in ours else (link.other_id, link.claim_id)
            if other_id in by_id and mine in ours:
                result.contradictions.append((link, ours[mine], by_id[other_id]))
    result.credibility = ClaimCredibility.objects.select_related("override_by").filter(claim_id=claim.pk).first()
    return result
