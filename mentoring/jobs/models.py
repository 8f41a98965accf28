"""The scheduler's own table: its heartbeat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from mentoring.extensions import db


class SchedulerHeartbeat(db.Model):
    """When a scheduler process last ran its heartbeat job. One row per name ("scheduler");
    a second scheduler beats the same row, which is harmless: the question is whether any runs."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime]
