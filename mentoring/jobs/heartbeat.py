"""The scheduler's heartbeat: proof, readable from the web side, that the scheduler is running.

A job records the time of each beat in one row; `/healthz` and the admin mail page read it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from mentoring.db import insert_into
from mentoring.extensions import db
from mentoring.jobs.models import SchedulerHeartbeat
from mentoring.jobs.registry import periodic

HEARTBEAT_SECONDS = 30
# Three missed beats: one late run (the process was busy) is not an alarm, three are.
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)
SCHEDULER = "scheduler"


class SchedulerState(enum.StrEnum):
    OK = "ok"
    STALE = "stale"  # it beat once, then stopped: the process died or hangs
    NOT_STARTED = "not started"  # no beat ever recorded in this database


@dataclass(frozen=True)
class SchedulerHealth:
    state: SchedulerState
    last_beat: datetime | None


def judge_heartbeat(last_beat: datetime | None, now: datetime) -> SchedulerState:
    """The scheduler's state from its last beat: ok within three intervals, stale after."""
    if last_beat is None:
        return SchedulerState.NOT_STARTED
    return SchedulerState.OK if now - last_beat <= STALE_AFTER else SchedulerState.STALE


def scheduler_health(now: datetime) -> SchedulerHealth:
    """Read the last beat and judge it at `now`."""
    last_beat = db.session.execute(
        select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.name == SCHEDULER)
    ).scalar_one_or_none()
    return SchedulerHealth(judge_heartbeat(last_beat, now), last_beat)


@periodic(seconds=HEARTBEAT_SECONDS)
def record_heartbeat(now: datetime) -> None:
    """Record that the scheduler ran at `now` (one row, upserted; a second scheduler shares it)."""
    db.session.execute(
        insert_into(db.session, SchedulerHeartbeat)
        .values(name=SCHEDULER, beat_at=now)
        .on_conflict_do_update(index_elements=["name"], set_={"beat_at": now})
    )
