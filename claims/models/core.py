"""Verifier's data: sources and their aliases, articles, claims, decisions and import jobs.

Every invariant that the database can hold is a constraint here; `verify_integrity` checks the rest.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Now
from django.urls import reverse
from django.utils import timezone

from claims.sourcenames import source_name_key


class SourceKind(models.TextChoices):
    OUTLET = "outlet", "Outlet"
    ORGANIZATION = "organization", "Organization"
    PERSON = "person", "Person"
    GROUP = "group", "Group"
    DOCUMENT = "document", "Document"
    UNNAMED = "unnamed", "Unnamed source"


class Reliability(models.TextChoices):
    """Admiralty (NATO) source reliability grades."""

    A = "A", "A – Completely reliable"
    B = "B", "B – Usually reliable"
    C = "C", "C – Fairly reliable"
    D = "D", "D – Not usually reliable"
    E = "E", "E – Unreliable"
    F = "F", "F – Reliability cannot be judged"


class Status(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    BEING_CLARIFIED = "being_clarified", "Being clarified"
    UNVERIFIED = "unverified", "Unverified"


# No decision yet: stored as `unverified` at version 0, shown as "Undecided" (docs/interfaces.md).
UNDECIDED = "undecided"
UNDECIDED_LABEL = "Undecided"


def status_key(status: str, version: int) -> str:
    """What a page shows for a stored status: "undecided" until the first decision, else the status."""
    return UNDECIDED if version == 0 else status


def status_key_label(key: str) -> str:
    return UNDECIDED_LABEL if key == UNDECIDED else Status(key).label


class Source(models.Model):
    """Whoever makes a claim: an outlet, agency, person, group, document or an unnamed source."""

    name = models.CharField("canonical name", max_length=300)
    kind = models.CharField(max_length=20, choices=SourceKind, default=SourceKind.ORGANIZATION)
    reliability = models.CharField(max_length=1, choices=Reliability, default=Reliability.F)
    affiliation = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text="The organisation this source speaks for (a spokesman's agency).",
    )
    notes = models.TextField(blank=True)
    # Set when an import met a name that may imitate another (letters of two scripts in one word).
    # db_default too: bulk writers that COPY explicit columns (claims.importing.bulk) may leave these out.
    needs_review = models.BooleanField(
        default=False, db_default=False, help_text="Its name mixes scripts: check it is not a look-alike."
    )
    review_reason = models.CharField(max_length=300, blank=True, default="", db_default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="source_name_ci_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="source_name_not_empty"),
            models.CheckConstraint(condition=Q(reliability__in=Reliability.values), name="source_reliability_valid"),
            models.CheckConstraint(condition=Q(kind__in=SourceKind.values), name="source_kind_valid"),
            models.CheckConstraint(condition=~Q(affiliation=F("pk")), name="source_not_own_affiliation"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("claims:source_detail", kwargs={"pk": self.pk})


class SourceAlias(models.Model):
    """Another name of a source. `normalized` is unique across all sources: one alias names one source.

    Every source also has its canonical name as an alias, so that one lookup resolves any name.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)
    normalized = models.CharField(max_length=300, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "source aliases"
        constraints = [
            models.CheckConstraint(condition=~Q(normalized=""), name="alias_normalized_not_empty"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized = source_name_key(self.name)
        super().save(*args, **kwargs)


class ImportJob(models.Model):
    """One run of the import pipeline: what was asked, how far it got, and what went wrong."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_jobs"
    )
    files = models.JSONField(default=list, blank=True, help_text="Paths of the files this job reads.")
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One runner stores a job's articles at a time: it holds the job by `runner` and proves it is alive
    # by `heartbeat_at` (a thread beats every few seconds, however long one record takes).
    runner = models.CharField(max_length=64, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    stored_at = models.DateTimeField(null=True, blank=True, help_text="When every record had been read and stored.")
    # Articles whose claim extraction failed were removed again: {"path:line": "message"}.
    extraction_failures = models.JSONField(default=dict, blank=True)
    # A dry run's result (built by a task): counts, registries, rows and every rejection.
    preview = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "running", "done", "failed", "cancelled"]), name="job_state_valid"
            ),
        ]

    def __str__(self):
        return f"Import #{self.pk} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED, self.State.CANCELLED}

    @property
    def is_stalled(self) -> bool:
        """Running, still reading records, and its runner has not beaten for VERIFIER_IMPORT_STALL_SECONDS: it died."""
        if self.state != self.State.RUNNING or self.stored_at is not None:
            return False
        last = self.heartbeat_at or self.updated_at
        return last < timezone.now() - timedelta(seconds=settings.VERIFIER_IMPORT_STALL_SECONDS)

    def lost_articles(self) -> models.QuerySet:
        """Articles of this job that a worker took for extraction and stopped renewing (it died)."""
        return self.articles.filter(extracted_at__isnull=True, extraction_lease_until__lt=timezone.now())

    @property
    def is_resumable(self) -> bool:
        if self.dry_run or self.state in {self.State.DONE, self.State.CANCELLED, self.State.PENDING}:
            return False
        if self.state == self.State.FAILED or self.is_stalled:
            return True
        return self.stored_at is not None and self.lost_articles().exists()

    @property
    def imported_net(self) -> int:
        """Articles stored with their claims (records whose extraction failed are not counted)."""
        return max(0, self.imported - len(self.extraction_failures))

    @property
    def failed_net(self) -> int:
        return self.failed + len(self.extraction_failures)

    @property
    def all_errors(self) -> list[str]:
        return [*self.errors, *(f"{where}: {message}" for where, message in self.extraction_failures.items())]


class Article(models.Model):
    title = models.CharField(max_length=1000)
    body = models.TextField(help_text="Cleaned text; claims' offsets point into it.")
    original_text = models.TextField(help_text="The text exactly as received.")
    url = models.URLField(max_length=2000, blank=True)
    url_key = models.CharField(
        max_length=2000, null=True, blank=True, unique=True, editable=False, help_text="Normalised URL for dedupe."
    )
    publisher = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="articles")
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    truncated = models.BooleanField(
        default=False,
        db_default=False,
        help_text="The provider sent only the start of the text (NewsAPI's “[+N chars]”).",
    )
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    import_job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Claim extraction runs after the article is stored: NULL until its claims exist. A worker takes
    # articles by writing its lease token (atomically, only where none is live) and renews the lease
    # while it works, so several workers share a job and no article is done twice.
    extracted_at = models.DateTimeField(null=True, blank=True, db_default=Now(), editable=False)
    extraction_lease = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)
    extraction_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(content_hash=""), name="article_hash_not_empty"),
            models.CheckConstraint(condition=~Q(body=""), name="article_body_not_empty"),
        ]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="article_published_idx"),
            # Small: only articles still waiting for their claims.
            models.Index(fields=["import_job"], condition=Q(extracted_at__isnull=True), name="article_unextracted_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("claims:article_detail", kwargs={"pk": self.pk})


class Claim(models.Model):
    # db_index=False on the foreign keys: the composite indexes below lead with them already.
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims", db_index=False)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims", db_index=False)
    via = models.CharField(max_length=300, blank=True, help_text="Intermediary, as in 'citing local media'.")
    hedged = models.BooleanField(default=False)
    cue = models.CharField(max_length=100, blank=True, help_text="The reporting cue: 'said', 'according to'...")
    status_hint = models.CharField(max_length=20, choices=Status, blank=True)
    status = models.CharField(max_length=20, choices=Status, default=Status.UNVERIFIED)
    version = models.PositiveIntegerField(default=0, help_text="Grows by one with every status change.")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_claims",
        help_text="Empty when the extractor found the claim.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "start", "end"], name="claim_span_unique"),
            models.CheckConstraint(condition=Q(start__gte=0) & Q(end__gt=F("start")), name="claim_span_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="claim_status_valid"),
            models.CheckConstraint(
                condition=Q(status_hint="") | Q(status_hint__in=Status.values), name="claim_hint_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="claim_status_idx"),
            models.Index(fields=["source", "-id"], name="claim_source_idx"),
            models.Index(fields=["article", "start"], name="claim_article_idx"),
            models.Index(fields=["-article", "start"], name="claim_article_order_idx"),  # sort=article
            # The decided-Unverified queue, newest first, without walking the undecided claims (the
            # Undecided queue has claim_undecided_idx, migration 0004).
            models.Index(
                fields=["-id"], condition=Q(status="unverified", version__gt=0), name="claim_unverified_decided_idx"
            ),
            models.Index(fields=["assignee", "-id"], name="claim_assignee_idx"),
        ]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return reverse("claims:claim_detail", kwargs={"pk": self.pk})

    @property
    def shown_status(self) -> str:
        """`undecided` before the first decision, else the stored status (for CSS classes and filters)."""
        return status_key(self.status, self.version)

    @property
    def shown_status_label(self) -> str:
        return status_key_label(self.shown_status)


class AppendOnlyError(Exception):
    """Raised on an attempt to rewrite or delete a recorded decision."""


class VerificationStatusQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Decisions are never edited.")

    def delete(self):
        raise AppendOnlyError("Decisions are never deleted.")


class VerificationStatus(models.Model):
    """One analyst decision on a claim. Rows are only ever appended (see also the PostgreSQL trigger)."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="decisions")
    status = models.CharField(max_length=20, choices=Status)
    version = models.PositiveIntegerField(help_text="The claim's version after this decision.")
    analyst = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    note = models.TextField(blank=True, max_length=4000)
    evidence_url = models.URLField(max_length=2000, blank=True)
    # The client's key for this decision (API `Idempotency-Key`, the pages' per-form token): a retry
    # with the same key by the same analyst answers this decision instead of recording another.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = VerificationStatusQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "decision"
        constraints = [
            # Two decisions can never claim the same step in a claim's history.
            models.UniqueConstraint(fields=["claim", "version"], name="decision_version_unique"),
            # NULL keys (decisions without one) never collide.
            models.UniqueConstraint(fields=["analyst", "idempotency_key"], name="decision_idempotency_key_unique"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="decision_status_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="decision_version_positive"),
        ]
        indexes = [
            models.Index(fields=["claim", "-version"], name="decision_claim_idx"),
            models.Index(fields=["-created_at"], name="decision_recent_idx"),
        ]

    def __str__(self):
        return f"{self.get_status_display()} by {self.analyst} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Decisions are never edited; record a new one.")
        # Always an INSERT: a new instance carrying an existing pk must fail, not overwrite that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Decisions are never deleted.")


def _refuse_decision_overwrite_on_load(sender, instance, raw, **kwargs):
    """`loaddata` saves with Model.save_base(raw=True), past save(): it may add decisions, never replace one."""
    if raw and instance.pk is not None and sender._base_manager.filter(pk=instance.pk).exists():
        raise AppendOnlyError(f"Decision {instance.pk} already exists; a fixture cannot replace it.")


models.signals.pre_save.connect(
    _refuse_decision_overwrite_on_load, sender=VerificationStatus, dispatch_uid="decision_append_only_load"
)


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are never edited.")

    def delete(self):
        raise AppendOnlyError("Audit events are never deleted.")


class AuditEvent(models.Model):
    """Who changed what outside decisions: source merges, claim edits, imports. Append-only."""

    # PROTECT, as for decisions: deleting a user must not erase who did what (deactivate instead).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are never edited; record a new one.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are never deleted.")


class ApiToken(models.Model):
    """A per-user API token; only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
