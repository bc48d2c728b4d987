"""Corroboration's data: clusters of the same claim across articles, contradictions, information
credibility, and the band index that finds candidates.

Kept apart from the core models (claims/models/core.py), in tables of their own, so the Claim table
itself is unchanged: the importer's fast multi-row INSERT keeps its column list.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from claims.models.core import Claim


class LinkState(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"


class ClaimCluster(models.Model):
    """Claims that say the same thing, from several articles and sources.

    `key_claim` is one of its members (the earliest); its id is the cluster's public id
    (`cluster_id` in exports and the API), so that a lone claim's cluster id is its own id and
    the two never collide.
    """

    key_claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="keyed_cluster")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"Cluster of claim {self.key_claim_id}"


class ClusterMember(models.Model):
    """One claim in one cluster; suggested by the matcher until an analyst confirms it."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, primary_key=True, related_name="cluster_membership")
    cluster = models.ForeignKey(ClaimCluster, on_delete=models.CASCADE, related_name="members")
    state = models.CharField(max_length=10, choices=LinkState, default=LinkState.SUGGESTED)
    similarity = models.FloatField(default=1.0, help_text="Word similarity to the claim it was matched with.")
    matched_with = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(state__in=LinkState.values), name="member_state_valid"),
            models.CheckConstraint(
                condition=Q(state="suggested") | Q(decided_at__isnull=False), name="member_confirmed_has_time"
            ),
        ]
        indexes = [models.Index(fields=["cluster", "claim"], name="member_cluster_idx")]

    def __str__(self):
        return f"claim {self.claim_id} in cluster {self.cluster_id} ({self.state})"


class ContradictionState(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"


class ClaimContradiction(models.Model):
    """Two claims about the same event that disagree: another figure, or a denial. Stored once per
    pair, the lower claim id first."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="contradictions_out")
    other = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="contradictions_in")
    reason = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=ContradictionState, default=ContradictionState.SUGGESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["claim", "other"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "other"], name="contradiction_pair_unique"),
            models.CheckConstraint(condition=Q(claim__lt=F("other")), name="contradiction_pair_ordered"),
            models.CheckConstraint(condition=Q(state__in=ContradictionState.values), name="contradiction_state_valid"),
        ]
        indexes = [models.Index(fields=["other", "claim"], name="contradiction_other_idx")]

    def __str__(self):
        return f"claim {self.claim_id} contradicted by claim {self.other_id}"


class ClaimCredibility(models.Model):
    """Admiralty information credibility (1-6) of a claim: suggested from its cluster, optionally
    overridden by an analyst. `value` is the one in force (the override when there is one)."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, primary_key=True, related_name="credibility")
    suggested = models.PositiveSmallIntegerField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    override = models.PositiveSmallIntegerField(null=True, blank=True)
    override_note = models.TextField(blank=True, max_length=2000)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "claim credibilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(suggested__isnull=True) | Q(suggested__gte=1, suggested__lte=6),
                name="credibility_suggested_range",
            ),
            models.CheckConstraint(
                condition=Q(override__isnull=True) | Q(override__gte=1, override__lte=6),
                name="credibility_override_range",
            ),
            # value = COALESCE(override, suggested), held by the database.
            models.CheckConstraint(
                condition=Q(override__isnull=False, value=F("override"))
                | Q(override__isnull=True, suggested__isnull=False, value=F("suggested"))
                | Q(override__isnull=True, suggested__isnull=True, value__isnull=True),
                name="credibility_value_in_force",
            ),
        ]
        indexes = [models.Index(fields=["value", "claim"], name="credibility_value_idx")]

    def __str__(self):
        return f"claim {self.claim_id}: {self.value}"


class ClaimBand(models.Model):
    """One locality-sensitive hash band of a claim's MinHash (claims/corroboration_services.py).

    Claims sharing a (band, hash) key are candidates for the same claim. The composite primary key
    (key, claim) is the index the lookup walks, newest claims first; no other index is kept.
    """

    pk = models.CompositePrimaryKey("key", "claim")
    key = models.BigIntegerField()
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, db_index=False, db_constraint=True, related_name="+")

    def __str__(self):
        return f"{self.key}: claim {self.claim_id}"
