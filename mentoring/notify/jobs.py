"""Periodic notification work for the scheduler process."""

from __future__ import annotations

from datetime import datetime

from mentoring.jobs.registry import periodic
from mentoring.notify.dispatch import DispatchResult, dispatch_due


@periodic(seconds=30)
def dispatch_notifications(now: datetime) -> DispatchResult:
    """Send what is due, draining batch after batch for up to a minute. Commits its own claims
    and outcomes (see `notify.dispatch`)."""
    return dispatch_due(now)
