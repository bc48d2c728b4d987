"""The source registry: finding, creating, merging and grading sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from claims.models import AuditEvent, Claim, Reliability, Source, SourceAlias, SourceKind
from claims.services.audit import audit_record
from claims.sourcenames import look_alike_reason, source_name_clean, source_name_key


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source as the extractor or an importer names it."""

    name: str
    kind: str = SourceKind.ORGANIZATION
    aliases: tuple[str, ...] = ()


def source_find(*, name: str) -> Source | None:
    """The source that `name` (canonical or alias, normalised) names, if any."""
    key = source_name_key(name)
    if not key:
        return None
    alias = SourceAlias.objects.select_related("source").filter(normalized=key).first()
    return alias.source if alias else None


def _alias_add(*, source: Source, name: str) -> bool:
    """Add `name` as an alias of `source` unless it already names a source. True if added."""
    name = source_name_clean(name)[:300]
    key = source_name_key(name)
    if not key or SourceAlias.objects.filter(normalized=key).exists():
        return False
    try:
        with transaction.atomic():
            SourceAlias.objects.create(source=source, name=name)
    except IntegrityError:  # another writer took it meanwhile: it names that source now
        return False
    return True


def source_resolve(*, ref: SourceRef) -> Source:
    """Find the registry source for a name (or one of its aliases), or create it.

    Aliases that no source owns yet become aliases of the resolved source.
    """
    names = [ref.name, *ref.aliases]
    source = None
    for name in names:
        source = source_find(name=name)
        if source is not None:
            break
    if source is None:
        source = _source_create(name=ref.name, kind=ref.kind)
    for name in names:
        _alias_add(source=source, name=name)
    return source


def _source_create(*, name: str, kind: str) -> Source:
    name = source_name_clean(name)[:300] or "unnamed"
    kind = kind if kind in SourceKind.values else SourceKind.ORGANIZATION
    # A name that mixes scripts in a word ("Rеuters" with a Cyrillic е) is created, but flagged for
    # review on the source pages and in the admin, and its creation is an audit event.
    reason = look_alike_reason(name)
    try:
        with transaction.atomic():
            source = Source.objects.create(name=name, kind=kind, needs_review=bool(reason), review_reason=reason)
            SourceAlias.objects.create(source=source, name=name)
            if reason:
                audit_record(actor=None, action="source_flagged", obj=source, details={"name": name, "reason": reason})
    except IntegrityError:
        # A concurrent import created it, or the name differs from an existing one only by case.
        existing = source_find(name=name) or Source.objects.filter(name__iexact=name).first()
        if existing is None:
            raise
        return existing
    return source


def source_create(*, name: str, kind: str = SourceKind.ORGANIZATION, aliases: Iterable[str] = (), actor=None) -> Source:
    """Create a source by hand (refuses a name that already names one)."""
    if source_find(name=name) is not None:
        raise ValidationError({"name": f"{name!r} already names a source."})
    source = _source_create(name=name, kind=kind)
    for alias in aliases:
        _alias_add(source=source, name=alias)
    if actor is not None:
        audit_record(actor=actor, action="source_create", obj=source, details={"name": source.name})
    return source


def source_merge(*, keep: Source, merge: Source, actor=None) -> Source:
    """Move `merge`'s claims, articles, members and aliases to `keep`, then delete `merge`."""
    if actor is not None and not (actor.is_active and actor.is_staff):
        raise PermissionDenied("Only staff may merge sources.")
    if keep.pk == merge.pk:
        raise ValidationError("A source cannot be merged into itself.")
    with transaction.atomic():
        keep = Source.objects.select_for_update().get(pk=keep.pk)
        merge = Source.objects.select_for_update().get(pk=merge.pk)
        moved_claims = Claim.objects.filter(source=merge).update(source=keep)
        merge.articles.update(publisher=keep)
        merge.members.exclude(pk=keep.pk).update(affiliation=keep)
        if keep.affiliation_id == merge.pk:
            keep.affiliation = None
            keep.save(update_fields=["affiliation", "updated_at"])
        moved_aliases = SourceAlias.objects.filter(source=merge).update(source=keep)
        if merge.notes:
            keep.notes = f"{keep.notes}\n\n{merge.notes}".strip()
            keep.save(update_fields=["notes", "updated_at"])
        details = {
            "merged_id": merge.pk,
            "merged_name": merge.name,
            "merged_reliability": merge.reliability,
            "kept_reliability": keep.reliability,
            "claims_moved": moved_claims,
            "aliases_moved": moved_aliases,
        }
        merge.delete()
        audit_record(actor=actor, action="source_merge", obj=keep, details=details)
    return keep


def source_update(
    *, source: Source, actor, kind: str, reliability: str, affiliation: Source | None = None, notes: str = ""
) -> Source:
    """Staff edit a source's kind, reliability grade, affiliation and notes (audited)."""
    if actor is None or not actor.is_active or not actor.is_staff:
        raise PermissionDenied("Only staff may edit sources.")
    if kind not in SourceKind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}."})
    if reliability not in Reliability.values:
        raise ValidationError({"reliability": f"Unknown reliability grade {reliability!r}."})
    if affiliation is not None and affiliation.pk == source.pk:
        raise ValidationError({"affiliation": "A source cannot be its own affiliation."})
    before = {"kind": source.kind, "reliability": source.reliability, "affiliation": source.affiliation_id}
    source.kind, source.reliability, source.affiliation, source.notes = kind, reliability, affiliation, notes
    source.save(update_fields=["kind", "reliability", "affiliation", "notes", "updated_at"])
    after = {"kind": kind, "reliability": reliability, "affiliation": getattr(affiliation, "pk", None)}
    audit_record(actor=actor, action="source_update", obj=source, details={"before": before, "after": after})
    source_grade_record(source=source, actor=actor, before=before["reliability"], after=reliability, via="app")
    return source


def source_grade_record(*, source: Source, actor, before: str, after: str, via: str) -> AuditEvent | None:
    """Record a change of a source's reliability grade (from the app, the admin or a registry load)."""
    if before == after:
        return None
    return audit_record(
        actor=actor, action="source_grade", obj=source, details={"before": before, "after": after, "via": via}
    )


# --- claims ------------------------------------------------------------------------------------
