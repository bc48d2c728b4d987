"""The audit log: who changed what, beside the data it changed."""

from __future__ import annotations

from claims.models import AuditEvent


def audit_record(*, actor, action: str, obj, details: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        details=details or {},
    )
