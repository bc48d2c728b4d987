"""Writes. Every change to Verifier's data goes through a function in this package.

Functions are keyword-only and named `<entity>_<action>`; views, commands, the admin, the API and
tasks are just callers. `decisions` records analysts' verdicts, `claims` and `sources` edit the
registry and the claims, `imports` runs import jobs, `corroboration` links claims across articles,
`audit` writes the audit log.
"""

from claims.services.audit import (
    audit_record,
)
from claims.services.claims import (
    claim_assign,
    claim_create,
    claim_update,
)
from claims.services.corroboration import (
    BUCKET_LIMIT,
    CANDIDATES_MAX,
    CLUSTER_CHECK_MAX,
    CONTRADICTION_WINDOW,
    MINHASH_SEED,
    NUM_BANDS,
    NUM_PERM,
    ROWS_PER_BAND,
    SAME_WINDOW,
    CorroborationReport,
    band_keys,
    claims_corroborate,
    claims_index,
    cluster_confirm,
    cluster_member_ids,
    cluster_merge,
    cluster_split,
    contradiction_set_state,
    credibility_after_decision,
    credibility_override,
    credibility_refresh,
    signature_of,
)
from claims.services.decisions import (
    IDEMPOTENCY_KEY_MAX,
    NOTE_MAX_CHARS,
    DecisionUnchangedError,
    IdempotencyKeyReused,
    StaleVersionError,
    claim_decide,
    claims_decide,
    cluster_decide,
)
from claims.services.sources import (
    SourceRef,
    source_create,
    source_find,
    source_grade_record,
    source_merge,
    source_resolve,
    source_update,
)

__all__ = [
    "audit_record",
    "NOTE_MAX_CHARS",
    "IDEMPOTENCY_KEY_MAX",
    "IdempotencyKeyReused",
    "StaleVersionError",
    "DecisionUnchangedError",
    "claim_decide",
    "claims_decide",
    "cluster_decide",
    "claim_assign",
    "claim_create",
    "claim_update",
    "SourceRef",
    "source_find",
    "source_resolve",
    "source_create",
    "source_merge",
    "source_update",
    "source_grade_record",
    "NUM_BANDS",
    "ROWS_PER_BAND",
    "NUM_PERM",
    "MINHASH_SEED",
    "BUCKET_LIMIT",
    "CANDIDATES_MAX",
    "CLUSTER_CHECK_MAX",
    "SAME_WINDOW",
    "CONTRADICTION_WINDOW",
    "band_keys",
    "signature_of",
    "claims_index",
    "CorroborationReport",
    "claims_corroborate",
    "credibility_refresh",
    "credibility_after_decision",
    "cluster_confirm",
    "cluster_split",
    "cluster_merge",
    "contradiction_set_state",
    "credibility_override",
    "cluster_member_ids",
]
