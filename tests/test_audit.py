"""The audit trail cannot be rewritten: decisions are append-only everywhere, other changes are logged,
and verify_integrity finds whatever got past the guards."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from claims.integrity import integrity_check
from claims.models import AppendOnlyError, Article, AuditEvent, Claim, VerificationStatus
from claims.services import claim_assign, claim_create, claim_decide, claim_update, source_create, source_merge
from tests.factories import make_analyst, make_article, make_claim, make_source

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


@pytest.fixture
def decision(claim, analyst):
    return claim_decide(claim=claim, status="confirmed", analyst=analyst, note="two sources agree")


def _row(decision):
    return VerificationStatus.objects.filter(pk=decision.pk).values("status", "note", "version", "analyst").get()


# --- the ORM ---------------------------------------------------------------------------------------


def test_saving_a_recorded_decision_again_is_refused(decision):
    before = _row(decision)
    decision.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        decision.save()
    assert _row(decision) == before


def test_saving_a_reloaded_decision_is_refused(decision):
    reloaded = VerificationStatus.objects.get(pk=decision.pk)
    reloaded.status = "unverified"
    with pytest.raises(AppendOnlyError):
        reloaded.save(update_fields=["status"])
    assert _row(decision)["status"] == "confirmed"


def test_a_new_instance_with_a_recorded_decisions_pk_cannot_overwrite_it(decision, analyst):
    before = _row(decision)
    impostor = VerificationStatus(
        pk=decision.pk, claim_id=decision.claim_id, status="unverified", version=decision.version, analyst=analyst
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        impostor.save()
    assert _row(decision) == before


def test_deleting_a_decision_is_refused(decision):
    with pytest.raises(AppendOnlyError):
        decision.delete()
    assert VerificationStatus.objects.filter(pk=decision.pk).exists()


def test_queryset_update_of_decisions_is_refused(decision):
    with pytest.raises(AppendOnlyError):
        VerificationStatus.objects.filter(pk=decision.pk).update(note="rewritten")
    assert _row(decision)["note"] == "two sources agree"


def test_queryset_delete_of_decisions_is_refused(decision):
    with pytest.raises(AppendOnlyError):
        VerificationStatus.objects.all().delete()
    assert VerificationStatus.objects.count() == 1


def test_related_manager_update_and_bulk_update_are_refused(decision, claim):
    with pytest.raises(AppendOnlyError):
        claim.decisions.update(status="unverified")
    decision.note = "rewritten"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        VerificationStatus.objects.bulk_update([decision], ["note"])
    assert _row(decision)["note"] == "two sources agree"


def test_claim_or_analyst_with_decisions_cannot_be_deleted(decision, claim, analyst):
    with pytest.raises(ProtectedError):
        claim.delete()
    with pytest.raises(ProtectedError):
        analyst.delete()
    assert VerificationStatus.objects.filter(pk=decision.pk).exists()


# --- PostgreSQL trigger: even raw SQL cannot rewrite history --------------------------------------


@postgres_only
def test_raw_sql_update_of_a_decision_is_refused_by_the_database(decision):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE claims_verificationstatus SET note = 'rewritten' WHERE id = %s", [decision.pk])
    assert _row(decision)["note"] == "two sources agree"


@postgres_only
def test_raw_sql_delete_of_a_decision_is_refused_by_the_database(decision):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM claims_verificationstatus")
    assert VerificationStatus.objects.filter(pk=decision.pk).exists()


@postgres_only
def test_raw_sql_insert_of_a_decision_is_still_allowed(decision, claim, analyst):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_verificationstatus (claim_id, status, version, analyst_id, note, evidence_url,"
            " created_at) VALUES (%s, 'unverified', 2, %s, '', '', now())",
            [claim.pk, analyst.pk],
        )
    assert claim.decisions.count() == 2


# --- loaddata (raw saves) may add decisions, never replace one -------------------------------------


def test_loading_a_fixture_over_a_recorded_decision_is_refused(decision, tmp_path):
    fixture = tmp_path / "rewrite.json"
    fields = {
        "claim": decision.claim_id,
        "status": "unverified",
        "version": 1,
        "analyst": decision.analyst_id,
        "note": "rewritten",
        "evidence_url": "",
        "created_at": "2020-01-01T00:00:00Z",
    }
    fixture.write_text(json.dumps([{"model": "claims.verificationstatus", "pk": decision.pk, "fields": fields}]))
    before = _row(decision)
    with pytest.raises(AppendOnlyError):
        call_command("loaddata", str(fixture), verbosity=0)
    assert _row(decision) == before


# --- the admin ------------------------------------------------------------------------------------


def test_admin_shows_a_decision_read_only(client, staff, decision):
    client.force_login(staff)
    response = client.get(reverse("admin:claims_verificationstatus_change", args=[decision.pk]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert b"two sources agree" in response.content


def test_admin_refuses_to_change_a_decision_even_for_a_superuser(client, staff, decision):
    client.force_login(staff)
    url = reverse("admin:claims_verificationstatus_change", args=[decision.pk])
    response = client.post(url, {"status": "unverified", "note": "rewritten", "version": 1})
    assert response.status_code == 403
    assert _row(decision)["note"] == "two sources agree"


def test_admin_refuses_to_delete_a_decision_even_for_a_superuser(client, staff, decision):
    client.force_login(staff)
    url = reverse("admin:claims_verificationstatus_delete", args=[decision.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert VerificationStatus.objects.filter(pk=decision.pk).exists()


def test_admin_refuses_to_add_a_decision(client, staff, claim):
    client.force_login(staff)
    response = client.post(
        reverse("admin:claims_verificationstatus_add"),
        {"claim": claim.pk, "status": "confirmed", "version": 1, "analyst": staff.pk},
    )
    assert response.status_code == 403
    assert not VerificationStatus.objects.exists()


def test_admin_changelist_offers_no_bulk_delete_of_decisions(client, staff, decision):
    client.force_login(staff)
    changelist = reverse("admin:claims_verificationstatus_changelist")
    assert b"delete_selected" not in client.get(changelist).content
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [decision.pk], "post": "yes"})
    assert response.status_code in {200, 302}
    assert VerificationStatus.objects.filter(pk=decision.pk).exists()


def test_admin_claim_form_cannot_set_status_or_version(client, staff, decision, claim):
    client.force_login(staff)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    form = {
        "article": claim.article_id,
        "source": claim.source_id,
        "via": "",
        "cue": "",
        "status_hint": "",
        "status": "unverified",
        "version": 7,
        "assignee": "",
        "decisions-TOTAL_FORMS": 1,
        "decisions-INITIAL_FORMS": 1,
        "decisions-MIN_NUM_FORMS": 0,
        "decisions-MAX_NUM_FORMS": 1000,
        "decisions-0-id": decision.pk,
        "decisions-0-claim": claim.pk,
        "decisions-0-DELETE": "on",
        "_save": "Save",
    }
    response = client.post(url, form)
    assert response.status_code in {200, 302}
    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("confirmed", 1)
    assert _row(decision)["status"] == "confirmed"


def test_admin_refuses_to_edit_or_delete_audit_events(client, staff, source):
    other = make_source()
    source_merge(keep=source, merge=other, actor=staff)
    event = AuditEvent.objects.get(action="source_merge")
    client.force_login(staff)
    assert client.post(reverse("admin:claims_auditevent_change", args=[event.pk]), {"action": "x"}).status_code == 403
    assert client.post(reverse("admin:claims_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, action="source_merge").exists()


# --- who and when for changes outside decisions --------------------------------------------------


def test_source_merge_is_recorded_with_who_and_when(staff):
    keep, merge = make_source(name="Ministry of Defence"), make_source(name="MoD")
    make_claim(source=merge)
    source_merge(keep=keep, merge=merge, actor=staff)
    event = AuditEvent.objects.get(action="source_merge")
    assert (event.actor, event.object_type, event.object_id) == (staff, "source", str(keep.pk))
    assert event.details["merged_name"] == "MoD"
    assert event.details["claims_moved"] == 1
    assert event.created_at is not None


def test_claim_span_edit_is_recorded_with_the_old_and_new_span(claim, analyst):
    claim_update(claim=claim, actor=analyst, start=claim.start + 1)
    event = AuditEvent.objects.get(action="claim_update")
    assert (event.actor, event.object_id) == (analyst, str(claim.pk))
    assert event.details["span"] == [[0, claim.end], [1, claim.end]]


def test_claim_source_edit_is_recorded(claim, analyst):
    old_source = claim.source
    new_source = make_source()
    claim_update(claim=claim, actor=analyst, source=new_source)
    event = AuditEvent.objects.get(action="claim_update")
    assert event.actor == analyst
    assert event.details["source"] == [old_source.pk, new_source.pk]


def test_claim_edit_that_changes_nothing_is_not_recorded(claim, analyst):
    claim_update(claim=claim, actor=analyst, start=claim.start, source=claim.source)
    assert not AuditEvent.objects.exists()


def test_claim_assignment_is_recorded(claim, analyst):
    other = make_analyst()
    claim_assign(claim=claim, assignee=other, actor=analyst)
    event = AuditEvent.objects.get(action="claim_assign")
    assert (event.actor, event.details["assignee"]) == (analyst, other.pk)


def test_claim_added_by_hand_is_recorded(analyst, source):
    article = make_article()
    claim = claim_create(article=article, start=0, end=10, source=source, actor=analyst)
    event = AuditEvent.objects.get(action="claim_create")
    assert (event.actor, event.object_id, event.details) == (analyst, str(claim.pk), {"start": 0, "end": 10})


# --- verify_integrity finds what got past the guards ---------------------------------------------


@pytest.fixture
def decided_claims(analyst):
    claims = [make_claim() for _ in range(3)]
    for claim in claims:
        claim_decide(claim=claim, status="being_clarified", analyst=analyst)
        claim_decide(claim=claim, status="confirmed", analyst=analyst)
    return claims


def _problems():
    return integrity_check().problems


def test_integrity_passes_on_clean_data(decided_claims, capsys):
    assert _problems() == []
    call_command("verify_integrity")
    assert "integrity ok" in capsys.readouterr().out


def test_integrity_catches_a_status_changed_behind_the_decisions(decided_claims):
    target = decided_claims[1]
    Claim.objects.filter(pk=target.pk).update(status="unverified")
    assert _problems() == [f"claim {target.pk}: status 'unverified' but latest decision says 'confirmed'"]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("verify_integrity")


def test_integrity_catches_a_claim_with_no_decisions_but_a_verdict(decided_claims):
    undecided = make_claim()
    Claim.objects.filter(pk=undecided.pk).update(status="confirmed")
    assert [p for p in _problems() if p.startswith(f"claim {undecided.pk}:")] != []


def test_integrity_catches_offsets_outside_the_body(decided_claims):
    target = decided_claims[0]
    length = len(target.article.body)
    Claim.objects.filter(pk=target.pk).update(start=length - 2, end=length + 40)
    problems = _problems()
    assert len(problems) == 1
    assert problems[0].startswith(f"claim {target.pk}: span {length - 2}-{length + 40} outside")


def test_integrity_catches_text_that_is_not_the_bodys(decided_claims):
    target = decided_claims[2]
    Claim.objects.filter(pk=target.pk).update(text="Something the article never said.")
    assert _problems() == [f"claim {target.pk}: text differs from article {target.article_id}'s body at 0-{target.end}"]


def test_integrity_catches_a_gap_in_the_decision_versions(decided_claims, analyst):
    target = decided_claims[0]
    VerificationStatus.objects.create(claim=target, status="unverified", version=4, analyst=analyst)
    Claim.objects.filter(pk=target.pk).update(status="unverified", version=4)
    problems = _problems()
    assert f"claim {target.pk}: decision versions have gaps (3 decisions, top 4)" in problems
    assert all(p.startswith(f"claim {target.pk}:") for p in problems)


def _seed_file(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text(
        "Bridge damaged overnight\n\nThe regional governor said that the bridge was damaged overnight.\n"
        "According to the General Staff, 14 drones were shot down over the south.\n"
    )
    return path


def test_an_import_is_recorded_once_with_who_and_what(staff, tmp_path):
    from claims.importing.service import article_import

    report = article_import(paths=[str(_seed_file(tmp_path))], user=staff)
    assert report.imported == 1
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_type) == ("import", staff, "importjob")
    assert event.object_id == str(report.job.pk)
    assert (event.details["imported"], event.details["failed"]) == (1, 0)


def test_a_dry_run_import_records_nothing(staff, tmp_path):
    from claims.importing.service import article_import

    article_import(paths=[str(_seed_file(tmp_path))], user=staff, dry_run=True)
    assert not AuditEvent.objects.exists()
    assert not Article.objects.exists()


def test_an_import_from_the_command_line_is_recorded_without_a_user(tmp_path):
    import io

    call_command("import_articles", str(_seed_file(tmp_path)), stdout=io.StringIO())
    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == ("import", None)


def test_audit_events_cannot_be_edited_or_deleted_through_the_orm(staff, source):
    source_merge(keep=source, merge=make_source(), actor=staff)
    event = AuditEvent.objects.get()
    event.action = "nothing happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="nothing happened")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "source_merge"


@pytest.mark.django_db
def test_a_user_with_audit_events_cannot_be_deleted(staff):
    source_create(name="Kyiv Post", kind="outlet", actor=staff)
    with pytest.raises(ProtectedError):
        staff.delete()
    assert AuditEvent.objects.filter(actor=staff).exists()
