"""What the API reads and answers: pydantic schemas (the OpenAPI components), built straight from the
model objects; `resolve_*` methods derive the fields that are not plain attributes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.urls import reverse
from ninja import Field, Path, Schema
from pydantic import JsonValue, field_validator

from claims.models import Reliability, SourceKind
from claims.services import NOTE_MAX_CHARS

MAX_ID = 2**63 - 1  # the largest primary key a database column holds; beyond it nothing exists
MAX_IMPORT_RECORDS = 1000
JOB_ARTICLES_SHOWN = 1000
# PostgreSQL text cannot hold NUL: search text carrying one is invalid input (422), not a server error.
NO_NUL = r"^[^\x00]*$"

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
StatusValue = Literal["confirmed", "being_clarified", "unverified"]
StatusFilter = Literal["confirmed", "being_clarified", "unverified", "undecided"]
KindValue = Literal[tuple(SourceKind.values)]
ReliabilityValue = Literal[tuple(Reliability.values)]


def _absolute(context, url: str) -> str:
    return context["request"].build_absolute_uri(url)


def _no_nul(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL: refuse it as invalid input (422) before any database write.
    if value is not None and "\x00" in value:
        raise ValueError("contains a NUL character (\\x00); send plain text")
    return value


class ErrorOut(Schema):
    detail: str


# --- claims and decisions -------------------------------------------------------------------------


class SourceRefOut(Schema):
    id: int
    name: str
    kind: str
    reliability: str


class ArticleRefOut(Schema):
    id: int
    title: str
    published_at: datetime | None
    publisher: str | None

    @staticmethod
    def resolve_publisher(article) -> str | None:
        return article.publisher.name if article.publisher else None


class ArticleOut(ArticleRefOut):
    url: str
    language: str
    truncated: bool = Field(description="The provider sent only the start of the text (text cut by the provider).")


class DecisionOut(Schema):
    id: int
    status: StatusValue
    version: int
    analyst: str
    note: str
    evidence_url: str
    created_at: datetime

    @staticmethod
    def resolve_analyst(decision) -> str:
        return decision.analyst.get_username()


class ClaimOut(Schema):
    # A claim as the queue lists it (its last decision and cluster come annotated on the row).
    # (Comments, not docstrings, here: a docstring would become the schema's description.)

    id: int
    url: str = Field(description="The claim's page in Verifier.")
    api_url: str
    text: str
    status: StatusValue
    version: int
    hedged: bool
    via: str
    cue: str
    source: SourceRefOut
    article: ArticleRefOut
    last_decision_by: str | None
    last_decided_at: datetime | None
    cluster_id: int = Field(description="Claims linked as the same claim share it; a lone claim has its own id.")
    credibility: int | None = Field(description="Admiralty information credibility 1-6, or null when not assessed.")

    @staticmethod
    def resolve_url(claim, context) -> str:
        return _absolute(context, claim.get_absolute_url())

    @staticmethod
    def resolve_api_url(claim, context) -> str:
        return _absolute(context, reverse("api:claim_get", kwargs={"claim_id": claim.pk}))

    @staticmethod
    def resolve_last_decision_by(claim) -> str | None:
        return getattr(claim, "last_by", None)

    @staticmethod
    def resolve_last_decided_at(claim) -> datetime | None:
        return getattr(claim, "last_at", None)

    @staticmethod
    def resolve_cluster_id(claim) -> int:
        return getattr(claim, "cluster_key", None) or claim.pk

    @staticmethod
    def resolve_credibility(claim) -> int | None:
        return getattr(claim, "credibility_value", None)


class ClaimDetailOut(ClaimOut):
    # One claim with its whole history (`claim.history`: its decisions, oldest first).

    start: int
    end: int
    article: ArticleOut
    decisions: list[DecisionOut] = Field(description="Every decision, oldest first.")

    @staticmethod
    def resolve_last_decision_by(claim) -> str | None:
        return claim.history[-1].analyst.get_username() if claim.history else None

    @staticmethod
    def resolve_last_decided_at(claim) -> datetime | None:
        return claim.history[-1].created_at if claim.history else None

    @staticmethod
    def resolve_decisions(claim) -> list:
        return claim.history


class ClaimPageOut(Schema):
    items: list[ClaimOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    next: str | None


class DecisionIn(Schema):
    status: StatusValue
    note: str = Field("", max_length=NOTE_MAX_CHARS)
    evidence_url: str = Field("", max_length=2000, description="An http(s) address, or empty.")
    version: int | None = Field(
        None, ge=0, le=MAX_ID, description="The claim version you decided on; a stale one gets 409."
    )

    _text_has_no_nul = field_validator("note", "evidence_url")(_no_nul)


class DecisionCreatedOut(Schema):
    decision: DecisionOut
    claim: ClaimDetailOut


class ConflictOut(Schema):
    detail: str
    claim: ClaimDetailOut


# --- sources ---------------------------------------------------------------------------------------


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    reliability: str
    aliases: list[str]
    affiliation_id: int | None
    url: str

    @staticmethod
    def resolve_aliases(source) -> list[str]:
        return sorted(alias.name for alias in source.aliases.all())

    @staticmethod
    def resolve_url(source, context) -> str:
        return _absolute(context, source.get_absolute_url())


class SourcePageOut(Schema):
    items: list[SourceOut]
    next_cursor: str | None
    next: str | None


# --- imports ---------------------------------------------------------------------------------------


class ImportIn(Schema):
    """Either `articles` (records as news-please, trafilatura or NewsAPI write them; a whole NewsAPI
    response works as is) or `text` (one article as plain text: first line the title)."""

    articles: list[dict[str, JsonValue]] | None = Field(
        None,
        min_length=1,
        max_length=MAX_IMPORT_RECORDS,
        description="e.g. {title, maintext, url, date_publish, source_domain} or {title, content, url, publishedAt, source: {name}}",
    )
    text: str | None = Field(None, min_length=1, max_length=settings.VERIFIER_MAX_ARTICLE_CHARS)

    _text_has_no_nul = field_validator("text")(_no_nul)


class ImportArticleOut(Schema):
    id: int
    title: str
    url: str
    claims_url: str = Field(description="This article's claims in the API.")

    @staticmethod
    def resolve_claims_url(article, context) -> str:
        return f"{_absolute(context, reverse('api:claim_list'))}?article={article.pk}"


class ImportJobOut(Schema):
    id: int
    url: str = Field(description="Poll this until `state` is done or failed.")
    state: Literal["pending", "running", "done", "failed", "cancelled"]
    total: int
    processed: int
    imported: int
    duplicates: int
    failed: int
    extracted: int = Field(description="Articles of this job whose claims are stored (of `imported`).")
    resumable: bool = Field(description="The job stopped (failed, or its worker died): POST its `/resume`.")
    errors: list[str]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    articles: list[ImportArticleOut] = Field(description=f"Articles this job stored (the first {JOB_ARTICLES_SHOWN}).")

    @staticmethod
    def resolve_url(job, context) -> str:
        return _absolute(context, reverse("api:import_get", kwargs={"job_id": job.pk}))

    @staticmethod
    def resolve_imported(job) -> int:
        return job.imported_net

    @staticmethod
    def resolve_failed(job) -> int:
        return job.failed_net

    @staticmethod
    def resolve_extracted(job) -> int:
        return job.articles.filter(extracted_at__isnull=False).count()

    @staticmethod
    def resolve_resumable(job) -> bool:
        return job.is_resumable

    @staticmethod
    def resolve_errors(job) -> list[str]:
        return [str(error) for error in job.all_errors]

    @staticmethod
    def resolve_articles(job) -> list:
        articles = job.articles.only("id", "title", "url").order_by("id")
        return list(articles[:JOB_ARTICLES_SHOWN])
