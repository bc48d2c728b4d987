"""claim_decide is the only way a status changes; source services keep the registry coherent."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims.models import AuditEvent, Claim, SourceAlias, VerificationStatus
from claims.services import (
    SourceRef,
    StaleVersionError,
    claim_decide,
    source_find,
    source_merge,
    source_resolve,
)
from tests.factories import make_claim, make_source, make_viewer

pytestmark = pytest.mark.django_db


def test_decision_is_recorded_and_bumps_the_version(claim, analyst):
    decision = claim_decide(claim=claim, status="confirmed", analyst=analyst, note="two sources agree")
    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("confirmed", 1)
    assert (decision.status, decision.version, decision.analyst, decision.note) == (
        "confirmed",
        1,
        analyst,
        "two sources agree",
    )
    assert VerificationStatus.objects.filter(claim=claim).count() == 1


def test_every_decision_is_kept_in_order(claim, analyst):
    for status in ["being_clarified", "confirmed", "unverified"]:
        claim_decide(claim=claim, status=status, analyst=analyst)
    claim.refresh_from_db()
    assert claim.version == 3
    assert list(claim.decisions.order_by("version").values_list("status", flat=True)) == [
        "being_clarified",
        "confirmed",
        "unverified",
    ]
    assert claim.status == claim.decisions.order_by("-version").first().status


def test_stale_version_is_refused_and_nothing_recorded(claim, analyst):
    claim_decide(claim=claim, status="confirmed", analyst=analyst, expected_version=0)
    with pytest.raises(StaleVersionError) as excinfo:
        claim_decide(claim=claim, status="unverified", analyst=analyst, expected_version=0)
    assert excinfo.value.claim.version == 1
    claim.refresh_from_db()
    assert (claim.status, claim.version, claim.decisions.count()) == ("confirmed", 1, 1)


def test_unknown_status_is_refused(claim, analyst):
    with pytest.raises(ValidationError):
        claim_decide(claim=claim, status="true", analyst=analyst)
    assert not VerificationStatus.objects.exists()


def test_viewer_cannot_decide(claim):
    with pytest.raises(PermissionDenied):
        claim_decide(claim=claim, status="confirmed", analyst=make_viewer())
    claim.refresh_from_db()
    assert claim.version == 0


def test_evidence_must_be_an_http_url(claim, analyst):
    with pytest.raises(ValidationError):
        claim_decide(claim=claim, status="confirmed", analyst=analyst, evidence_url="javascript:alert(1)")
    decision = claim_decide(claim=claim, status="confirmed", analyst=analyst, evidence_url="https://example.org/x")
    assert decision.evidence_url == "https://example.org/x"


def test_oversize_note_is_refused(claim, analyst):
    with pytest.raises(ValidationError):
        claim_decide(claim=claim, status="confirmed", analyst=analyst, note="x" * 4001)


def test_resolve_matches_an_alias_and_registers_new_ones():
    hur = make_source(name="Main Intelligence Directorate of the Ministry of Defense of Ukraine", aliases=["HUR"])
    resolved = source_resolve(
        ref=SourceRef(name="HUR", kind="organization", aliases=("Defense Intelligence of Ukraine",))
    )
    assert resolved == hur
    assert source_find(name="defense intelligence of ukraine") == hur


def test_resolve_creates_a_source_with_its_name_as_alias():
    source = source_resolve(ref=SourceRef(name="Kyiv Post", kind="outlet"))
    assert (source.name, source.kind) == ("Kyiv Post", "outlet")
    assert source_find(name="the Kyiv Post") == source


def test_merge_moves_claims_and_aliases_and_removes_the_duplicate(staff):
    keep = make_source(name="Center of National Resistance")
    merge = make_source(name="National Resistance Center", aliases=["CNR"])
    claim = make_claim(source=merge)
    source_merge(keep=keep, merge=merge, actor=staff)
    claim.refresh_from_db()
    assert claim.source == keep
    assert set(SourceAlias.objects.filter(source=keep).values_list("name", flat=True)) == {
        "Center of National Resistance",
        "National Resistance Center",
        "CNR",
    }
    assert not type(merge).objects.filter(pk=merge.pk).exists()
    assert AuditEvent.objects.filter(action="source_merge", object_id=str(keep.pk), actor=staff).exists()


def test_source_cannot_merge_into_itself(source, staff):
    with pytest.raises(ValidationError):
        source_merge(keep=source, merge=source, actor=staff)
    assert Claim.objects.count() == 0
