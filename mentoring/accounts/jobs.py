"""Periodic account work for the scheduler process."""

from __future__ import annotations

from datetime import datetime

from mentoring.accounts.sessions import end_expired_sessions
from mentoring.jobs.registry import periodic


@periodic(seconds=3600)
def end_expired_login_sessions(now: datetime) -> int:
    """Clear server-side sessions past their lifetime, so the table does not grow forever."""
    return end_expired_sessions(now)
