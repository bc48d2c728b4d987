"""Corroboration writes: linking new claims to the same claim elsewhere, contradictions, credibility,
and the analysts' confirm / split / merge / override actions (each an audit event).

Candidate search is a MinHash LSH index kept in the database (ClaimBand): each claim's content
words are MinHashed (datasketch) into NUM_BANDS bands of ROWS_PER_BAND values; each band is hashed
to one 64-bit key and stored as a (key, claim) row. Claims sharing a key are candidates. A lookup
is NUM_BANDS index range scans, each capped at BUCKET_LIMIT newest rows, so its cost does not grow
with the number of claims (sub-linear: bounded per claim), unlike a scan or an in-memory index.
Why a table and not datasketch's in-memory MinHashLSH: it survives restarts, is shared by every
web process and import worker, is transactional with the claims it indexes, and works the same on
SQLite and PostgreSQL. The few candidates are then checked exactly (claims/corroboration.py).
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from claims.corroboration import (
    Comparison,
    Corroborator,
    Signature,
    Verdict,
    claim_signature,
    compare,
    credibility_suggest,
)
from claims.extraction import normalise_source_name
from claims.models import Claim, SourceAlias, SourceKind, Status
from claims.models.corroboration import (
    ClaimBand,
    ClaimCluster,
    ClaimContradiction,
    ClaimCredibility,
    ClusterMember,
    ContradictionState,
    LinkState,
)
from claims.roles import user_can_decide
from claims.services.audit import audit_record

NUM_BANDS = 16
ROWS_PER_BAND = 2
NUM_PERM = NUM_BANDS * ROWS_PER_BAND
MINHASH_SEED = 20261201
BUCKET_LIMIT = 24  # newest claims read per band key (40 measured ~45% slower per lookup)
CANDIDATES_MAX = 32  # candidates checked exactly per new claim: those sharing most bands
CLUSTER_CHECK_MAX = 50  # members of a candidate cluster a newcomer must agree with
# Claims published further apart than this are not linked: re-reports come within days.
SAME_WINDOW = timedelta(days=14)
CONTRADICTION_WINDOW = timedelta(days=3)


# --- signatures and bands ----------------------------------------------------------------------


@functools.cache
def _permutations():
    from datasketch import MinHash  # imported lazily: scipy comes with it

    return MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED).permutations


def band_keys(signature: Signature) -> list[int]:
    """The claim's NUM_BANDS LSH keys (signed 64-bit), none for a claim without content words."""
    if signature.is_empty:
        return []
    from datasketch import MinHash

    mh = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, permutations=_permutations(), scheme="affine32")
    # Figures and dates go into the sketch too (not into the word similarity): re-reports of the
    # same figure then outrank the same template with other figures when candidates are ranked.
    elements = [*signature.tokens, *(f"#{n}" for n in signature.numbers), *(f"@{d}" for d in signature.dates)]
    mh.update_batch([t.encode() for t in sorted(elements)])
    values = mh.hashvalues
    keys = []
    for band in range(NUM_BANDS):
        chunk = values[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND]
        digest = hashlib.blake2b(bytes([band]) + chunk.tobytes(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


@functools.lru_cache(maxsize=20_000)
def _signature(text: str, source_name: str, via: str) -> Signature:
    return claim_signature(text, source_names=[n for n in (source_name, via) if n])


def signature_of(*, text: str, source_name: str, via: str = "") -> Signature:
    """The claim's signature; recent ones are cached (candidates come back again and again)."""
    return _signature(text, source_name or "", via or "")


@dataclass(slots=True)
class _Row:
    """What the matcher needs of one claim."""

    id: int
    text: str
    source_id: int
    source_name: str
    via: str
    article_id: int
    published_at: object
    signature: Signature = None

    @classmethod
    def load(cls, ids: Iterable[int]) -> dict[int, _Row]:
        rows = {}
        ids = list(ids)
        for i in range(0, len(ids), 900):
            qs = Claim.objects.filter(pk__in=ids[i : i + 900]).values_list(
                "id", "text", "source_id", "source__name", "via", "article_id", "article__published_at"
            )
            for values in qs:
                row = cls(*values)
                row.signature = signature_of(text=row.text, source_name=row.source_name, via=row.via)
                rows[row.id] = row
        return rows


def claims_index(*, claim_ids: Iterable[int]) -> int:
    """Add the claims' band keys to the index (idempotent). Returns the rows written."""
    rows = _Row.load(claim_ids)
    return _bands_insert([(key, row.id) for row in rows.values() for key in band_keys(row.signature)])


def _candidates(keys: dict[int, list[int]]) -> dict[int, list[int]]:
    """For each claim id, the claim ids sharing most band keys with it, best first (at most
    CANDIDATES_MAX). One query per claim: each key is one index range scan capped at BUCKET_LIMIT
    newest rows, so a hot key costs no more than a rare one. (Several claims per statement, ranked
    with a window function, measured 2-3x slower on SQLite.)"""
    if connection.vendor == "postgresql":
        return _candidates_postgresql(keys)
    table = connection.ops.quote_name(ClaimBand._meta.db_table)
    key_col = connection.ops.quote_name("key")
    claim_col = connection.ops.quote_name("claim_id")
    found: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        for claim_id, ks in keys.items():
            if not ks:
                found[claim_id] = []
                continue
            parts = [
                f"SELECT {claim_col} FROM (SELECT {claim_col} FROM {table} WHERE {key_col} = %s "  # noqa: S608
                f"ORDER BY {claim_col} DESC LIMIT {BUCKET_LIMIT}) AS b{i}"
                for i in range(len(ks))
            ]
            sql = (
                f"SELECT {claim_col}, COUNT(*) AS n FROM ({' UNION ALL '.join(parts)}) AS c "  # noqa: S608
                f"WHERE {claim_col} <> %s GROUP BY {claim_col} ORDER BY n DESC, {claim_col} DESC "
                f"LIMIT {CANDIDATES_MAX}"
            )
            cursor.execute(sql, [*ks, claim_id])
            found[claim_id] = [candidate for candidate, _ in cursor.fetchall()]
    return found


def _candidates_postgresql(keys: dict[int, list[int]]) -> dict[int, list[int]]:
    """The same lookup for many claims in one short statement: a LATERAL index scan per (claim, key),
    capped at BUCKET_LIMIT newest rows, counted and ranked per claim (cheap to plan, one round trip)."""
    found: dict[int, list[int]] = {claim_id: [] for claim_id in keys}
    pairs = [(claim_id, key) for claim_id, ks in keys.items() for key in ks]
    sql = f"""
        SELECT q, claim_id FROM (
            SELECT q, b.claim_id, ROW_NUMBER() OVER (PARTITION BY q ORDER BY COUNT(*) DESC, b.claim_id DESC) AS rk
            FROM unnest(%s::bigint[], %s::bigint[]) AS k(q, key)
            CROSS JOIN LATERAL (
                SELECT claim_id FROM claims_claimband WHERE claims_claimband.key = k.key
                ORDER BY claim_id DESC LIMIT {BUCKET_LIMIT}
            ) AS b
            WHERE b.claim_id <> k.q
            GROUP BY q, b.claim_id
        ) AS ranked WHERE rk <= {CANDIDATES_MAX} ORDER BY q, rk
    """  # noqa: S608
    with connection.cursor() as cursor:
        for i in range(0, len(pairs), 50 * NUM_BANDS):
            part = pairs[i : i + 50 * NUM_BANDS]
            cursor.execute(sql, [[q for q, _ in part], [k for _, k in part]])
            for claim_id, candidate in cursor.fetchall():
                found[claim_id].append(candidate)
    return found


# --- linking new claims --------------------------------------------------------------------------


@dataclass
class CorroborationReport:
    claims: int = 0
    indexed: int = 0
    joined: int = 0  # claims that joined or formed a cluster
    clusters_created: int = 0
    contradictions: int = 0
    credibility_updated: int = 0
    links: list[tuple[int, int, str]] = field(default_factory=list)  # (new claim, matched claim, verdict)


def _within(a: _Row, b: _Row, window: timedelta) -> bool:
    if a.published_at is None or b.published_at is None:
        return True
    return abs(a.published_at - b.published_at) <= window


def claims_corroborate(*, claim_ids: Iterable[int] = (), article_ids: Iterable[int] = ()) -> CorroborationReport:
    """Link new claims (given by id, or all claims of the given articles) to the same claim in other
    articles (a suggested cluster membership) and to contradicting claims; refresh credibility.

    The band keys are committed before candidates are looked up, so of two imports running at once
    the later lookup sees the other's claims. Safe to call twice for the same claims. Queries: one
    candidate lookup per claim, a few per batch, and a small transaction per new link.
    """
    ids = set(claim_ids)
    article_ids = list(article_ids)
    if article_ids:
        ids.update(Claim.objects.filter(article_id__in=article_ids).values_list("id", flat=True))
    report = CorroborationReport(claims=len(ids))
    if not ids:
        return report
    new = _Row.load(sorted(ids))
    keys = {row.id: band_keys(row.signature) for row in new.values()}
    report.indexed = _bands_insert([(k, i) for i, ks in keys.items() for k in ks])

    candidate_ids = _candidates(keys)
    if not any(candidate_ids.values()):
        return report  # nothing stored resembles these claims (the usual case for a new story)
    wanted = {c for cs in candidate_ids.values() for c in cs} - set(new)
    rows = {**new, **_Row.load(wanted)}
    for attempt in range(3):
        try:
            return _link_all(new, rows, candidate_ids, report)
        except OperationalError:
            # A deadlock with a concurrent import linking the same claims (PostgreSQL picks a victim):
            # nothing of this phase was kept; start it again from what is stored now.
            if attempt == 2 or transaction.get_connection().in_atomic_block:
                raise
            report.joined = report.clusters_created = report.contradictions = 0
            report.links.clear()
    return report


def _link_all(new: dict[int, _Row], rows: dict[int, _Row], candidate_ids, report) -> CorroborationReport:
    state = _State.load(set(rows))
    missing = {i for ms in state.members.values() for i in ms} - set(rows)
    rows.update(_Row.load(missing))
    touched: set[int] = set()
    contradictions: list[ClaimContradiction] = []
    # One transaction for the links (each join a savepoint in it), not one commit per link.
    with transaction.atomic():
        for row in sorted(new.values(), key=lambda r: r.id):
            candidates = [rows[c] for c in candidate_ids[row.id] if c in rows and rows[c].article_id != row.article_id]
            if not candidates:
                continue
            verdicts = [(c, compare(row.signature, c.signature)) for c in candidates]
            touched |= _link(row, verdicts, rows, state, report, contradictions)
        ClaimContradiction.objects.bulk_create(contradictions, batch_size=500, ignore_conflicts=True)
        if touched:
            report.credibility_updated = credibility_refresh(claim_ids=touched)
    return report


def _bands_insert(pairs: list[tuple[int, int]]) -> int:
    """INSERT the (key, claim) rows, skipping those already there: plain multi-row INSERTs (bulk_create
    spends more time building SQL than the database spends storing these two integers)."""
    if not pairs:
        return 0
    table = connection.ops.quote_name(ClaimBand._meta.db_table)
    columns = f"{connection.ops.quote_name('key')}, {connection.ops.quote_name('claim_id')}"
    if connection.vendor == "postgresql":
        # Two array parameters, one statement: no per-row parameter binding.
        with transaction.atomic(), connection.cursor() as cursor:
            for i in range(0, len(pairs), 20_000):
                part = pairs[i : i + 20_000]
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT * FROM unnest(%s::bigint[], %s::bigint[]) "  # noqa: S608
                    "ON CONFLICT DO NOTHING",
                    [[k for k, _ in part], [c for _, c in part]],
                )
        return len(pairs)
    chunk = 500
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(0, len(pairs), chunk):
            part = pairs[i : i + chunk]
            values = ", ".join(["(%s, %s)"] * len(part))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT DO NOTHING",  # noqa: S608
                [v for pair in part for v in pair],
            )
    return len(pairs)


@dataclass
class _State:
    """Cluster memberships and contradiction links around one batch, kept current as it links."""

    cluster_of: dict[int, int]
    members: dict[int, set[int]]
    links: dict[int, set[int]]

    @classmethod
    def load(cls, ids: set[int]) -> _State:
        cluster_of: dict[int, int] = {}
        members: dict[int, set[int]] = defaultdict(set)
        links: dict[int, set[int]] = defaultdict(set)
        ids_list = list(ids)
        for i in range(0, len(ids_list), 900):
            theirs = ClusterMember.objects.filter(claim_id__in=ids_list[i : i + 900]).values("cluster_id")
            # the newest CLUSTER_CHECK_MAX members of each: a newcomer is checked against those
            for claim_id, cluster_id in (
                ClusterMember.objects.filter(cluster_id__in=theirs)
                .order_by("cluster_id", "-claim_id")
                .values_list("claim_id", "cluster_id")
            ):
                if len(members[cluster_id]) < CLUSTER_CHECK_MAX or claim_id in ids:
                    members[cluster_id].add(claim_id)
                cluster_of[claim_id] = cluster_id
        everyone = list(ids | {m for ms in members.values() for m in ms})
        for i in range(0, len(everyone), 450):
            part = everyone[i : i + 450]
            for a, b in ClaimContradiction.objects.filter(Q(claim_id__in=part) | Q(other_id__in=part)).values_list(
                "claim_id", "other_id"
            ):
                links[a].add(b)
                links[b].add(a)
        return cls(cluster_of, members, links)

    def group(self, claim_id: int) -> set[int]:
        cluster = self.cluster_of.get(claim_id)
        return self.members[cluster] if cluster is not None else {claim_id}

    def group_key(self, claim_id: int) -> tuple:
        cluster = self.cluster_of.get(claim_id)
        return ("cluster", cluster) if cluster is not None else ("claim", claim_id)

    def contradicted(self, a: int, b: int) -> bool:
        """Is some member of a's group already linked as contradicting some member of b's?"""
        theirs = self.group_key(b)
        return any(self.group_key(o) == theirs for m in self.group(a) for o in self.links.get(m, ()))


def _link(
    row: _Row,
    verdicts: list[tuple[_Row, Comparison]],
    rows: dict[int, _Row],
    state: _State,
    report: CorroborationReport,
    contradictions: list[ClaimContradiction],
) -> set[int]:
    """Join the best matching cluster and record contradictions, for one new claim."""
    touched: set[int] = set()
    same = sorted(
        (cv for cv in verdicts if cv[1].verdict == Verdict.SAME and _within(row, cv[0], SAME_WINDOW)),
        key=lambda cv: (-cv[1].similarity, -cv[0].id),
    )
    if row.id not in state.cluster_of:
        for candidate, comparison in same:
            cluster_id = state.cluster_of.get(candidate.id)
            if cluster_id is not None and not _agrees_with_cluster(row, state.members[cluster_id], rows):
                continue
            try:
                lowest = min(state.members[cluster_id]) if cluster_id is not None else 0
                cluster_id = _join(row, candidate, cluster_id, comparison.similarity, report, lowest)
            except IntegrityError:
                continue  # a concurrent import linked one of them meanwhile: try the next candidate
            for claim_id in (row.id, candidate.id):
                state.cluster_of[claim_id] = cluster_id
                state.members[cluster_id].add(claim_id)
            touched |= {row.id, candidate.id}
            report.joined += 1
            report.links.append((row.id, candidate.id, Verdict.SAME))
            break
    # Contradictions: one link per pair of clusters (the best matching members), not one per member.
    for candidate, comparison in sorted(verdicts, key=lambda cv: -cv[1].similarity):
        if comparison.verdict != Verdict.CONTRADICTS or not _within(row, candidate, CONTRADICTION_WINDOW):
            continue
        if state.group_key(row.id) == state.group_key(candidate.id) or state.contradicted(row.id, candidate.id):
            continue
        low, high = sorted((row.id, candidate.id))
        if low != row.id:  # the reason reads from the earlier claim to the later: "3 vs 5"
            comparison = compare(candidate.signature, row.signature)
        contradictions.append(ClaimContradiction(claim_id=low, other_id=high, reason=comparison.reason[:200]))
        state.links[low].add(high)
        state.links[high].add(low)
        report.contradictions += 1
        report.links.append((row.id, candidate.id, Verdict.CONTRADICTS))
        touched |= {row.id, candidate.id}
    return touched


def _agrees_with_cluster(row: _Row, member_ids: set[int], rows: dict[int, _Row]) -> bool:
    """A newcomer must be the same claim as every member (the newest few of a large cluster), so that
    'drones over Odesa' ~ 'drones shot down' ~ 'drones over Kharkiv' does not chain."""
    return all(compare(row.signature, rows[i].signature).verdict == Verdict.SAME for i in member_ids if i in rows)


def _join(row: _Row, candidate: _Row, cluster_id: int | None, sim: float, report, lowest: int = 0) -> int:
    """Add `row` to the candidate's cluster (or make one of the two): a savepoint, so that a link
    a concurrent import made first (IntegrityError) undoes only this one."""
    with transaction.atomic():
        if cluster_id is None:
            cluster = ClaimCluster.objects.create(key_claim_id=min(row.id, candidate.id))
            ClusterMember.objects.bulk_create(
                [
                    ClusterMember(claim_id=candidate.id, cluster=cluster, similarity=1.0),
                    ClusterMember(claim_id=row.id, cluster=cluster, similarity=sim, matched_with_id=candidate.id),
                ]
            )
            report.clusters_created += 1
            return cluster.pk
        # Lock the cluster (where the database locks rows): a concurrent split or merge must not leave
        # this member orphaned. One that ran since the state was read may have dissolved it: the
        # foreign key is checked only at COMMIT, so look now and try the next candidate instead.
        cluster = ClaimCluster.objects.filter(pk=cluster_id)
        if connection.features.has_select_for_update:
            cluster = cluster.select_for_update()
        if not list(cluster.values_list("pk")[:1]):
            raise IntegrityError(f"cluster {cluster_id} was dissolved or merged meanwhile")
        ClusterMember.objects.bulk_create(
            [ClusterMember(claim_id=row.id, cluster_id=cluster_id, similarity=sim, matched_with_id=candidate.id)]
        )
        if row.id < lowest:  # backfills link older claims to newer clusters: the key is the lowest id
            ClaimCluster.objects.filter(pk=cluster_id, key_claim_id__gt=row.id).update(
                key_claim_id=row.id, updated_at=timezone.now()
            )
    return cluster_id


# --- credibility ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Member:
    id: int
    source_id: int
    source_name: str
    source_kind: str
    grade: str
    affiliation_id: int | None
    affiliation_name: str | None
    via: str
    status: str
    version: int


def _members_of(claim_ids: set[int]) -> tuple[dict[int, int], dict[int, list[int]]]:
    """(claim id -> group id, group id -> member ids); a lone claim is its own group (negative id)."""
    group_of: dict[int, int] = {}
    groups: dict[int, list[int]] = defaultdict(list)
    theirs = ClusterMember.objects.filter(claim_id__in=claim_ids).values("cluster_id")
    for claim_id, cluster_id in ClusterMember.objects.filter(cluster_id__in=theirs).values_list(
        "claim_id", "cluster_id"
    ):
        group_of[claim_id] = cluster_id
        groups[cluster_id].append(claim_id)
    for claim_id in claim_ids - set(group_of):
        group_of[claim_id] = -claim_id
        groups[-claim_id].append(claim_id)
    return group_of, groups


def _load_members(ids: set[int]) -> dict[int, _Member]:
    out = {}
    ids = list(ids)
    for i in range(0, len(ids), 900):
        for values in Claim.objects.filter(pk__in=ids[i : i + 900]).values_list(
            "id",
            "source_id",
            "source__name",
            "source__kind",
            "source__reliability",
            "source__affiliation_id",
            "source__affiliation__name",
            "via",
            "status",
            "version",
        ):
            out[values[0]] = _Member(*values)
    return out


def _upstreams(members: list[_Member], via_sources: dict[str, tuple[int, str, str]]) -> list[Corroborator]:
    """The independent upstreams behind these claims: a relay ("citing X") counts as X, a
    spokesperson as their organisation, every unnamed source together as one."""
    best: dict[tuple, Corroborator] = {}
    for m in members:
        if m.via:
            key_name = normalise_source_name(m.via)
            known = via_sources.get(key_name)
            if known:
                key, name, grade = ("source", known[0]), known[1], known[2]
            else:
                key, name, grade = ("name", key_name), m.via, "F"
        elif m.source_kind == SourceKind.UNNAMED:
            key, name, grade = ("unnamed",), m.source_name, m.grade
        elif m.affiliation_id:
            key, name, grade = ("source", m.affiliation_id), m.affiliation_name, m.grade
        else:
            key, name, grade = ("source", m.source_id), m.source_name, m.grade
        current = best.get(key)
        if current is None or grade < current.grade:
            best[key] = Corroborator(name=name, grade=grade)
    return sorted(best.values(), key=lambda c: (c.grade, c.name))


def credibility_refresh(*, claim_ids: Iterable[int]) -> int:
    """Recompute the suggested credibility of these claims' clusters and of the clusters that
    contradict them. Returns the number of claims written."""
    claim_ids = set(claim_ids)
    if not claim_ids:
        return 0
    group_of, groups, links = _groups_touched(claim_ids)
    outside = {c for pair in links for c in pair} - set(group_of)
    members = _load_members(set(group_of) | outside)
    via_sources = _via_sources(members.values())
    opposing_of: dict[int, set[int]] = defaultdict(set)  # group -> opposing claim ids
    for a, b in links:
        for x, y in ((a, b), (b, a)):
            if x in group_of:
                opposing_of[group_of[x]].add(y)
    suggestions: dict[int, tuple[int | None, str]] = {}
    for group, ids in groups.items():
        opposing_ids = opposing_of.get(group, set()) - set(ids)
        suggestion = _group_suggestion(
            group, ids, opposing_ids, group_of=group_of, groups=groups, members=members, via_sources=via_sources
        )
        for i in ids:
            suggestions[i] = suggestion
    return _credibility_write(suggestions)


def _contradiction_links(claim_ids: set[int]) -> list[tuple[int, int]]:
    """The (claim, other) pairs of the contradictions, not dismissed, that involve any of these claims."""
    return list(
        ClaimContradiction.objects.filter(Q(claim_id__in=claim_ids) | Q(other_id__in=claim_ids))
        .exclude(state=ContradictionState.DISMISSED)
        .values_list("claim_id", "other_id")
    )


def _groups_touched(
    claim_ids: set[int],
) -> tuple[dict[int, int], dict[int, list[int]], list[tuple[int, int]]]:
    """The groups (as `_members_of`) of these claims and, one hop out, of the claims that contradict
    any member; and the contradiction links of every claim in them."""
    group_of, groups = _members_of(claim_ids)
    member_ids = set(group_of)
    links = _contradiction_links(member_ids)
    opponents = {c for pair in links for c in pair} - member_ids
    if not opponents:
        return group_of, groups, links
    g2, grp2 = _members_of(opponents)
    group_of.update(g2)
    for k, v in grp2.items():
        groups.setdefault(k, v)
    # Re-derive every group touched (the opponents' own credibility depends on ours too).
    return group_of, groups, _contradiction_links(set(group_of))


def _via_sources(members: Iterable[_Member]) -> dict[str, tuple[int, str, str]]:
    """Known sources by the normalised names that members relay ("citing X"): (id, name, grade)."""
    via_names = {normalise_source_name(m.via) for m in members if m.via}
    return {
        a.normalized: (a.source_id, a.source.name, a.source.reliability)
        for a in SourceAlias.objects.filter(normalized__in=via_names).select_related("source")
    }


def _group_suggestion(
    group: int,
    ids: list[int],
    opposing_ids: set[int],
    *,
    group_of: dict[int, int],
    groups: dict[int, list[int]],
    members: dict[int, _Member],
    via_sources: dict[str, tuple[int, str, str]],
) -> tuple[int | None, str]:
    """The suggested (value, explanation) for the claims of one group, weighed against the groups
    that contradict it; none for a lone claim that nothing contradicts."""
    in_cluster = group > 0
    if not in_cluster and not opposing_ids:
        return (None, "")
    ms = [members[i] for i in ids if i in members]
    opposing_groups: dict[int, list[int]] = defaultdict(list)
    for o in opposing_ids:
        opposing_groups[group_of.get(o, -o)].append(o)
    opposing_members = [
        members[o] for gid, listed in opposing_groups.items() for o in groups.get(gid, listed) if o in members
    ]
    assessment = credibility_suggest(
        corroborators=_upstreams(ms, via_sources),
        members=len(ms),
        confirmed=sorted(m.id for m in ms if m.status == Status.CONFIRMED),
        rejected=sorted(m.id for m in ms if m.status == Status.UNVERIFIED and m.version > 0),
        opposing=_upstreams(opposing_members, via_sources) if opposing_members else [],
        opposing_confirmed=sorted(m.id for m in opposing_members if m.status == Status.CONFIRMED),
    )
    return (assessment.value, assessment.explanation)


def _credibility_write(suggestions: dict[int, tuple[int | None, str]]) -> int:
    with transaction.atomic():
        existing = {
            c.claim_id: c for c in ClaimCredibility.objects.select_for_update().filter(claim_id__in=list(suggestions))
        }
        now = timezone.now()
        create, update = [], []
        for claim_id, (value, explanation) in suggestions.items():
            row = existing.get(claim_id)
            if row is None:
                if value is None:
                    continue
                create.append(
                    ClaimCredibility(claim_id=claim_id, suggested=value, explanation=explanation, value=value)
                )
            elif (row.suggested, row.explanation) != (value, explanation):
                row.suggested, row.explanation = value, explanation
                row.value = row.override if row.override is not None else value
                row.updated_at = now
                update.append(row)
        ClaimCredibility.objects.bulk_create(create, batch_size=500)
        ClaimCredibility.objects.bulk_update(
            update, ["suggested", "explanation", "value", "updated_at"], batch_size=500
        )
    return len(create) + len(update)


def credibility_after_decision(*, claim_id: int) -> None:
    """A decision on a clustered or contradicted claim changes its neighbours' credibility."""
    linked = (
        ClusterMember.objects.filter(claim_id=claim_id).exists()
        or ClaimContradiction.objects.filter(Q(claim_id=claim_id) | Q(other_id=claim_id)).exists()
    )
    if linked:
        credibility_refresh(claim_ids={claim_id})


# --- analysts' actions ---------------------------------------------------------------------------


def _require_analyst(actor) -> None:
    if not user_can_decide(actor):
        raise PermissionDenied("Only analysts may change clusters and credibility.")


def cluster_confirm(*, claim: Claim, actor, whole_cluster: bool = True) -> int:
    """Confirm the suggested links of the claim's cluster (or of this claim only). Returns how many."""
    _require_analyst(actor)
    with transaction.atomic():
        member = ClusterMember.objects.select_related("cluster").filter(claim_id=claim.pk).first()
        if member is None:
            raise ValidationError("This claim is not linked to any other claim.")
        ClaimCluster.objects.select_for_update().get(pk=member.cluster_id)
        qs = ClusterMember.objects.filter(cluster_id=member.cluster_id, state=LinkState.SUGGESTED)
        if not whole_cluster:
            qs = qs.filter(claim_id=claim.pk)
        confirmed = sorted(qs.values_list("claim_id", flat=True))
        qs.update(state=LinkState.CONFIRMED, decided_by=actor, decided_at=timezone.now())
        audit_record(
            actor=actor,
            action="cluster_confirm",
            obj=member.cluster,
            details={"claims": confirmed, "cluster_id": member.cluster.key_claim_id},
        )
    return len(confirmed)


def cluster_split(*, claim: Claim, actor) -> None:
    """Take the claim out of its cluster: it is not the same claim. A cluster left with one member
    is dissolved."""
    _require_analyst(actor)
    with transaction.atomic():
        member = ClusterMember.objects.filter(claim_id=claim.pk).first()
        if member is None:
            raise ValidationError("This claim is not linked to any other claim.")
        cluster = ClaimCluster.objects.select_for_update().filter(pk=member.cluster_id).first()
        # Read again under the lock: a merge may have moved the claim meanwhile.
        if cluster is None or not ClusterMember.objects.filter(claim_id=claim.pk, cluster=cluster).exists():
            raise ValidationError("The cluster changed meanwhile; reload the page and try again.")
        member.delete()
        rest = sorted(ClusterMember.objects.filter(cluster=cluster).values_list("claim_id", flat=True))
        details = {"claim": claim.pk, "cluster_id": cluster.key_claim_id, "remaining": rest}
        audit_record(actor=actor, action="cluster_split", obj=cluster, details=details)
        if len(rest) <= 1:
            ClusterMember.objects.filter(cluster=cluster).delete()
            cluster.delete()
        elif cluster.key_claim_id == claim.pk:
            cluster.key_claim_id = rest[0]
            cluster.save(update_fields=["key_claim", "updated_at"])
        credibility_refresh(claim_ids={claim.pk, *rest})


def cluster_merge(*, claim: Claim, into: Claim, actor) -> ClaimCluster:
    """The claim (with its whole cluster, if it has one) is the same claim as `into`: one cluster,
    every link made here confirmed."""
    _require_analyst(actor)
    if claim.pk == into.pk:
        raise ValidationError("A claim is already the same claim as itself.")
    now = timezone.now()
    with transaction.atomic():
        mine = ClusterMember.objects.filter(claim_id=claim.pk).first()
        theirs = ClusterMember.objects.filter(claim_id=into.pk).first()
        if mine and theirs and mine.cluster_id == theirs.cluster_id:
            raise ValidationError("These claims are already in one cluster.")
        ids = [c for c in (mine and mine.cluster_id, theirs and theirs.cluster_id) if c]
        list(ClaimCluster.objects.select_for_update().filter(pk__in=ids))
        if theirs is None:
            target = ClaimCluster.objects.create(key_claim_id=into.pk)
            ClusterMember.objects.create(
                claim_id=into.pk, cluster=target, state=LinkState.CONFIRMED, decided_by=actor, decided_at=now
            )
        else:
            target = ClaimCluster.objects.get(pk=theirs.cluster_id)
        moved = [claim.pk]
        if mine is not None:
            source = ClaimCluster.objects.get(pk=mine.cluster_id)
            moved = sorted(ClusterMember.objects.filter(cluster=source).values_list("claim_id", flat=True))
            ClusterMember.objects.filter(cluster=source).update(
                cluster=target, state=LinkState.CONFIRMED, decided_by=actor, decided_at=now
            )
            source_key = source.key_claim_id
            source.delete()
        else:
            source_key = None
            ClusterMember.objects.create(
                claim_id=claim.pk,
                cluster=target,
                state=LinkState.CONFIRMED,
                matched_with_id=into.pk,
                decided_by=actor,
                decided_at=now,
            )
        key = min(target.key_claim_id, *moved)
        if key != target.key_claim_id:
            target.key_claim_id = key
            target.save(update_fields=["key_claim", "updated_at"])
        # Claims now in one cluster do not contradict each other.
        members = list(ClusterMember.objects.filter(cluster=target).values_list("claim_id", flat=True))
        ClaimContradiction.objects.filter(claim_id__in=members, other_id__in=members).delete()
        audit_record(
            actor=actor,
            action="cluster_merge",
            obj=target,
            details={"into": into.pk, "moved": moved, "merged_cluster_id": source_key, "cluster_id": key},
        )
        credibility_refresh(claim_ids=set(members))
    return target


def contradiction_set_state(*, contradiction: ClaimContradiction, state: str, actor) -> ClaimContradiction:
    """An analyst confirms or dismisses a suggested contradiction."""
    _require_analyst(actor)
    if state not in ContradictionState.values:
        raise ValidationError({"state": f"Unknown state {state!r}."})
    with transaction.atomic():
        before = contradiction.state
        contradiction.state = state
        contradiction.decided_by = actor
        contradiction.decided_at = timezone.now()
        contradiction.save(update_fields=["state", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="contradiction_" + ("dismiss" if state == ContradictionState.DISMISSED else "confirm"),
            obj=contradiction,
            details={"claim": contradiction.claim_id, "other": contradiction.other_id, "before": before},
        )
        credibility_refresh(claim_ids={contradiction.claim_id, contradiction.other_id})
    return contradiction


def credibility_override(*, claim: Claim, value: int | None, actor, note: str = "") -> ClaimCredibility | None:
    """An analyst sets the claim's credibility (1-6) over the suggestion, or clears the override."""
    _require_analyst(actor)
    if value is not None and not (1 <= value <= 6):
        raise ValidationError({"credibility": "Information credibility is a number from 1 to 6."})
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        row = ClaimCredibility.objects.select_for_update().filter(claim_id=claim.pk).first()
        before = row.override if row else None
        if row is None:
            if value is None:
                return None
            row = ClaimCredibility(claim_id=claim.pk)
        row.override = value
        row.override_note = note if value is not None else ""
        row.override_by = actor if value is not None else None
        row.value = value if value is not None else row.suggested
        row.save()
        audit_record(
            actor=actor,
            action="credibility_override",
            obj=claim,
            details={"before": before, "after": value, "note": note},
        )
    return row


def cluster_member_ids(*, claim_id: int) -> list[int]:
    """The claim's cluster's members (the claim alone when it has none), by id."""
    cluster_id = ClusterMember.objects.filter(claim_id=claim_id).values_list("cluster_id", flat=True).first()
    if cluster_id is None:
        return [claim_id]
    return sorted(ClusterMember.objects.filter(cluster_id=cluster_id).values_list("claim_id", flat=True))
