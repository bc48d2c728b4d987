"""Synthetic demo data at scale: articles, a source registry, claims and decision histories.

Used by `manage.py generate_demo_data` (benchmarks, demos, the EXPLAIN tests). Rows are written
through the importer's bulk writers (`claims.importing.bulk`: COPY on PostgreSQL, bulk_create
elsewhere), which keep the invariants `verify_integrity` checks: a claim's text is body[start:end],
its status is its latest decision's, its version the number of its decisions. One transaction per
batch of about 20,000 claims.

The articles are invented conflict reporting, each marked as a Verifier demo article; outlets use
the reserved `.example` domain.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.utils import timezone

from claims.importing.bulk import ArticleRow, ClaimRow, DecisionRow, articles_write, claims_write
from claims.models import Article, Claim, Source, SourceAlias, Status, VerificationStatus
from claims.models.corroboration import ClaimBand
from verifier.devtools.vocabulary import (
    CITIES,
    FACILITIES,
    FILLER_EN,
    FILLER_RU,
    FILLER_UK,
    FIRST_NAMES,
    FIXED_SOURCES,
    FRAMES_EN,
    FRAMES_RU,
    FRAMES_UK,
    HEADLINES_EN,
    HEADLINES_RU,
    HEADLINES_UK,
    KIND_GRADES,
    LAST_NAMES,
    NO_ARTICLE,
    NOTES,
    OUTLET_NOUNS,
    OUTLET_PLACES,
    PERSON_ROLES,
    PROPOSITIONS_EN,
    PROPOSITIONS_RU,
    PROPOSITIONS_UK,
    REGIONS,
    RIVERS,
    VILLAGES,
)

ANALYSTS_GROUP = "Analysts"
DEMO_ANALYSTS = [f"demo.analyst{i}" for i in range(1, 9)]
# The registry is the same on every run (its own fixed seed), so a second run reuses it.
REGISTRY_SEED = 20261122
TARGET_CLAIMS_PER_BATCH = 20_000
# (propositions, frames, filler, headlines) per language.
WORDS = {
    "en": (PROPOSITIONS_EN, FRAMES_EN, FILLER_EN, HEADLINES_EN),
    "uk": (PROPOSITIONS_UK, FRAMES_UK, FILLER_UK, HEADLINES_UK),
    "ru": (PROPOSITIONS_RU, FRAMES_RU, FILLER_RU, HEADLINES_RU),
}


@dataclass(slots=True)
class DemoSource:
    pk: int
    name: str
    kind: str
    mention: str  # how articles name it in English
    mention_uk: str
    mention_ru: str


@dataclass
class DemoReport:
    articles: int = 0
    claims: int = 0
    decisions: int = 0
    sources_created: int = 0
    sources: int = 0
    analysts: int = 0
    seed: int = 0
    seconds: float = 0.0
    status_counts: dict = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return (
            f"generated {self.articles} articles, {self.claims} claims, {self.decisions} decisions "
            f"({self.sources_created} new sources, {self.sources} in use, {self.analysts} demo analysts) "
            f"in {self.seconds:.1f} s with seed {self.seed}"
        )


# --- the source registry -----------------------------------------------------------------------


def _registry_specs() -> list[tuple[str, list[str], str, str, str | None, str]]:
    """The demo registry: (name, aliases, kind, grade, affiliation name, role phrase); same every run."""
    rng = random.Random(REGISTRY_SEED)
    specs = []
    for name, aliases, kind, grade in FIXED_SOURCES:
        specs.append((name, aliases, kind, grade, None, ""))
    for region in REGIONS:
        specs.append((f"{region} Regional Military Administration", [f"{region} RMA"], "organization", "B", None, ""))
    for city, _uk, _ru in CITIES:
        specs.append((f"{city} City Council", [f"{city} city authorities"], "organization", "C", None, ""))
    outlets = [f"{a} {b}" for a in OUTLET_PLACES for b in OUTLET_NOUNS]
    rng.shuffle(outlets)
    for name in sorted(outlets[:45]):
        domain = name.lower().replace(" ", "") + ".example"
        specs.append((name, [domain], "outlet", rng.choice(KIND_GRADES["outlet"]), None, ""))
    orgs = [s[0] for s in specs if s[2] == "organization"]
    people = [(f, la) for f in FIRST_NAMES for la in LAST_NAMES]
    rng.shuffle(people)
    for first, last in people[:160]:
        org = rng.choice(orgs)
        role = rng.choice(PERSON_ROLES)
        specs.append(
            (f"{first} {last}", [f"{first[0]}. {last}"], "person", rng.choice(KIND_GRADES["person"]), org, role)
        )
    return specs


def _ensure_registry(normalise: Callable[[str], str]) -> tuple[list[DemoSource], int]:
    """Create the demo sources that do not exist yet (by name); add their free aliases; return all of them."""
    specs = _registry_specs()
    taken = dict(SourceAlias.objects.values_list("normalized", "source_id"))
    by_lower_name = {name.lower(): pk for pk, name in Source.objects.values_list("pk", "name")}
    resolved: dict[str, int] = {}
    created = 0
    for name, aliases, kind, grade, _aff, _role in specs:
        # Reuse a source of the same name (also one an import created); aliases are only added when free.
        pk = by_lower_name.get(name.lower()) or taken.get(normalise(name))
        if pk is None:
            source = Source.objects.create(name=name, kind=kind, reliability=grade)
            pk = source.pk
            by_lower_name[name.lower()] = pk
            created += 1
        resolved[name] = pk
        new_aliases = []
        for alias in (name, *aliases):
            key = normalise(alias)
            if key and key not in taken:
                taken[key] = pk
                new_aliases.append(SourceAlias(source_id=pk, name=alias, normalized=key))
        SourceAlias.objects.bulk_create(new_aliases)
    # Affiliations: a spokesperson speaks for an organisation (only set where still empty).
    for name, _aliases, _kind, _grade, aff, _role in specs:
        if aff:
            Source.objects.filter(pk=resolved[name], affiliation__isnull=True).exclude(pk=resolved[aff]).update(
                affiliation_id=resolved[aff]
            )
    uk_names, ru_names = {}, {}
    for name, aliases, _kind, _grade, _aff, _role in specs:
        for alias in aliases:
            if any("\u0400" <= ch <= "\u04ff" for ch in alias):
                # The first Cyrillic alias: Ukrainian for the Ukrainian outfits, Russian otherwise.
                (ru_names if "Росси" in alias or name.startswith("Russian") else uk_names).setdefault(name, alias)
    out = []
    for name, _aliases, kind, _grade, aff, role in specs:
        if kind == "person":
            mention = f"{aff} {role} {name}"
        elif kind in {"outlet", "unnamed"} or name[0].islower() or name.startswith(NO_ARTICLE):
            mention = name
        else:
            mention = f"the {name}"
        out.append(
            DemoSource(
                pk=resolved[name],
                name=name,
                kind=kind,
                mention=mention,
                mention_uk=uk_names.get(name, name),
                mention_ru=ru_names.get(name, uk_names.get(name, name)),
            )
        )
    return out, created


def _ensure_analysts() -> list[int]:
    group, _ = Group.objects.get_or_create(name=ANALYSTS_GROUP)
    pks = []
    for username in DEMO_ANALYSTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name="Demo", last_name=username.removeprefix("demo."))
            user.set_unusable_password()  # demo identities only; nobody signs in as them
            user.save()
        user.groups.add(group)
        pks.append(user.pk)
    return pks


def _default_normalise(name: str) -> str:
    from claims.extraction import normalise_source_name

    return normalise_source_name(name)


# --- generation --------------------------------------------------------------------------------


@dataclass
class _Text:
    """An article body being written: its parts, the offset reached, its claims so far."""

    parts: list[str] = field(default_factory=list)
    pos: int = 0
    in_paragraph: int = 0
    claims: list[ClaimRow] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def add(self, sentence: str, rng: random.Random) -> int:
        """Append a sentence (in the paragraph or after a break); return its start offset."""
        if self.in_paragraph and (self.in_paragraph >= 3 or rng.random() < 0.45):
            self.parts.append("\n\n")
            self.pos += 2
            self.in_paragraph = 0
        elif self.in_paragraph:
            self.parts.append(" ")
            self.pos += 1
        start = self.pos
        self.parts.append(sentence)
        self.pos += len(sentence)
        self.in_paragraph += 1
        return start


class _Generator:
    def __init__(self, *, rng: random.Random, sources: list[DemoSource], analysts: list[int], now: datetime):
        self.rng = rng
        self.now = now
        self.analysts = analysts
        # Marks this run's articles, so that bodies and URLs never repeat across runs.
        self.run = secrets.token_hex(4)
        self.outlets = [s for s in sources if s.kind == "outlet"]
        self.speakers = [s for s in sources if s.kind != "outlet"]
        self.vias = [s for s in sources if s.kind in {"outlet", "unnamed", "group"}]
        # A few sources make most claims, as in real reporting (Zipf-like weights).
        order = list(range(len(self.speakers)))
        random.Random(REGISTRY_SEED).shuffle(order)
        weights = [0.0] * len(order)
        for rank, i in enumerate(order):
            weights[i] = 1.0 / (rank + 1) ** 0.9
        total, acc = sum(weights), 0.0
        self.speaker_cum = []
        for w in weights:
            acc += w / total
            self.speaker_cum.append(acc)

    def _slots(self, lang_index: int) -> dict:
        rng = self.rng
        n = rng.randint(2, 60)
        return {
            "n": n,
            "m": rng.randint(1, max(1, n // 2)),
            "city": rng.choice(CITIES)[lang_index],
            "region": rng.choice(REGIONS),
            "village": rng.choice(VILLAGES),
            "river": rng.choice(RIVERS),
            "facility": rng.choice(FACILITIES),
        }

    def article(self, *, number: int, n_claims: int) -> tuple[ArticleRow, list[ClaimRow]]:
        """One article and its claims (their article id still to be set), decisions included."""
        rng = self.rng
        r = rng.random()
        lang, li = ("en", 0) if r < 0.85 else ("uk", 1) if r < 0.95 else ("ru", 2)
        publisher = rng.choice(self.outlets)
        published = self.now - timedelta(seconds=rng.uniform(3600, 730 * 86400))
        imported = min(self.now, published + timedelta(seconds=rng.uniform(600, 2 * 86400)))
        title = rng.choice(WORDS[lang][3]).format(**self._slots(li))
        text = self._text(lang, li, n_claims=n_claims, created=imported)
        tag = f"{self.run}-{number}"
        # Marks the article as synthetic and keeps every body unique.
        text.parts.append(f"\n\n(Verifier demo article {tag}.)")
        slug = "-".join(title.lower().replace(":", "").split()[:6]) if lang == "en" else "news"
        domain = publisher.name.lower().replace(" ", "") + ".example"
        record = ArticleRow.of(
            title=title,
            body="".join(text.parts),
            url=f"https://{domain}/{published:%Y/%m/%d}/{slug}-{tag}",
            publisher_id=publisher.pk,
            published_at=published,
            language=lang,
            created_at=imported,
            updated_at=imported,
            extracted_at=imported,
        )
        return record, text.claims

    def _text(self, lang: str, li: int, *, n_claims: int, created: datetime) -> _Text:
        """Claims and filler sentences in a shuffled order, in paragraphs of one to three sentences."""
        rng = self.rng
        kinds = [True] * n_claims + [False] * rng.randint(1, 2 + n_claims // 3)
        rng.shuffle(kinds)
        text = _Text()
        for is_claim in kinds:
            if not is_claim:
                text.add(rng.choice(WORDS[lang][2]), rng)
                continue
            sentence, speaker, via, hedged, cue = self._claim_sentence(lang, li, text.used)
            start = text.add(sentence, rng)
            decisions = self.history(created)
            text.claims.append(
                ClaimRow(
                    article_id=0,
                    start=start,
                    end=start + len(sentence),
                    source_id=speaker.pk,
                    via=via,
                    hedged=hedged,
                    cue=cue,
                    status_hint=Status.BEING_CLARIFIED.value if hedged else "",
                    assignee_id=rng.choice(self.analysts) if rng.random() < 0.15 else None,
                    created_at=created,
                    decisions=decisions,
                )
            )
        return text

    def _claim_sentence(self, lang: str, li: int, used: set[str]) -> tuple[str, DemoSource, str, bool, str]:
        """An attributed sentence: (sentence, speaker, via, hedged, cue)."""
        rng = self.rng
        props, frames = WORDS[lang][0], WORDS[lang][1]
        speaker = self.speakers[_bisect(self.speaker_cum, rng.random())]
        template, cue, hedged, needs_via = rng.choice(frames)
        via = rng.choice(self.vias).name if needs_via else ""
        p = rng.choice(props).format(**self._slots(li))
        named = (speaker.mention, speaker.mention_uk, speaker.mention_ru)[li]
        if template.startswith("{s}"):
            named = named[0].upper() + named[1:]
        sentence = template.format(s=named, p=p, P=p[0].upper() + p[1:], v=via)
        if sentence in used:  # the same sentence twice in one article reads wrong
            sentence = sentence[:-1] + (", officials added." if lang == "en" else ".")
        used.add(sentence)
        return sentence, speaker, via, hedged, cue

    def history(self, created: datetime) -> list[DecisionRow]:
        """Decisions for one claim, oldest first; 55% none."""
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return []
        if r < 0.80:
            statuses = [Status.CONFIRMED]
        elif r < 0.95:
            statuses = [Status.BEING_CLARIFIED]
        else:
            statuses = [Status.BEING_CLARIFIED] + [
                rng.choice((Status.CONFIRMED, Status.UNVERIFIED, Status.BEING_CLARIFIED))
                for _ in range(rng.randint(1, 2))
            ]
        span = max(60.0, (self.now - created).total_seconds())
        out = []
        at = created
        for status in statuses:
            at = at + timedelta(seconds=rng.uniform(30, span / (len(statuses) + 1)))
            out.append(
                DecisionRow(status=status, analyst_id=rng.choice(self.analysts), created_at=at, note=rng.choice(NOTES))
            )
        return out


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


# --- writing -----------------------------------------------------------------------------------


def _batch_write(
    gen: _Generator, *, first: int, n: int, claims_per_article: int, index: bool, report: DemoReport
) -> None:
    """Generate and write n articles with their claims and decisions, in one transaction."""
    generated = [gen.article(number=first + i, n_claims=claims_per_article) for i in range(n)]
    with transaction.atomic():
        article_ids = articles_write(articles=[record for record, _claims in generated])
        claims = []
        for article_id, (_record, article_claims) in zip(article_ids, generated, strict=True):
            for claim in article_claims:
                claim.article_id = article_id
            claims.extend(article_claims)
        bodies = {article_id: record.body for article_id, (record, _c) in zip(article_ids, generated, strict=True)}
        written = claims_write(claims=claims, bodies=bodies, index=index)
    for claim in claims:
        report.status_counts[claim.status] += 1
    report.articles += n
    report.claims += len(claims)
    report.decisions += written.decisions


def demo_generate(
    *,
    articles: int,
    claims_per_article: int,
    seed: int | None = None,
    index: bool = False,
    normalise: Callable[[str], str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoReport:
    """Add `articles` synthetic articles with `claims_per_article` claims each, plus decisions.

    Safe to call again: sources and demo analysts are reused, new articles get fresh ids, URLs and
    bodies. Commits once per batch of about 20,000 claims. `index`: also write the claims'
    corroboration band keys, as an import does (about twice the time; `corroborate_claims
    --index-only` adds them later otherwise).
    """
    if articles < 0 or claims_per_article < 0:
        raise ValueError("--articles and --claims-per-article must not be negative.")
    started = time.monotonic()
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    report = DemoReport(seed=seed, status_counts=dict.fromkeys(Status.values, 0))
    with transaction.atomic():
        analysts = _ensure_analysts()
        sources, report.sources_created = _ensure_registry(normalise or _default_normalise)
    report.analysts = len(analysts)
    report.sources = len(sources)
    gen = _Generator(rng=random.Random(seed), sources=sources, analysts=analysts, now=timezone.now())
    batch = max(1, TARGET_CLAIMS_PER_BATCH // max(1, claims_per_article))
    for first in range(0, articles, batch):
        n = min(batch, articles - first)
        _batch_write(gen, first=first, n=n, claims_per_article=claims_per_article, index=index, report=report)
        if progress:
            progress(first + n, articles)
    if connection.vendor == "postgresql" and articles:
        # Fresh statistics so the planner sees the new rows at once (autovacuum would, later).
        with connection.cursor() as cursor:
            for model in (Article, Claim, VerificationStatus, *([ClaimBand] if index else [])):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    report.seconds = time.monotonic() - started
    return report
