"""Writing the audit log. Callers own the transaction, so an entry lands with its change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mentoring.audit.models import AuditEntry
from mentoring.db import utcnow
from mentoring.extensions import db


def record(
    action: str,
    *,
    actor_id: int | None,
    subject_type: str,
    subject_id: int | None,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add an audit entry to the current unit of work (flushes, never commits)."""
    entry = AuditEntry(
        action=action,
        actor_id=actor_id,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details or {},
        at=now or utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry
