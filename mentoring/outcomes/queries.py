"""Reading the pulse and outcomes: the facilitator's averages (never fewer than 3 answers), her
own pulse to answer, and her own change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select

from mentoring.circles.models import Attendance, AttendanceStatus, Circle, Meeting, MeetingStatus
from mentoring.extensions import db
from mentoring.outcomes.chart import Chart, Point, change_chart, trend_chart
from mentoring.outcomes.models import OutcomeMeasure, Phase, PulseResponse
from mentoring.outcomes.service import OUTCOME_ITEMS, PULSE_ITEMS, measure_open, pulse_windows
from mentoring.reads import constant, read_rows

MIN_PULSE_ANSWERS = 3  # fewer answers than this could point at one person: not shown


@dataclass(frozen=True)
class MeetingPulse:
    sequence: int
    starts_at: datetime
    answered: int
    averages: dict[str, float] | None  # None when fewer than MIN_PULSE_ANSWERS answered


@dataclass(frozen=True)
class PulseSummary:
    meetings: list[MeetingPulse]
    chart: Chart
    notes: list[tuple[int, str]]  # (meeting sequence, note to the facilitator)


# The pulse page's statements, built once; only the circle changes. Each meeting with how many
# answered its pulse and the averages of their answers.
_SUMS = (
    select(
        PulseResponse.meeting_id,
        func.count().label("answered"),
        *(func.avg(getattr(PulseResponse, name)).label(name) for name in PULSE_ITEMS),
    )
    .where(PulseResponse.circle_id == bindparam("circle_id"))
    .group_by(PulseResponse.meeting_id)
    .subquery()
)
_MEETINGS = (
    select(Meeting.sequence, Meeting.starts_at, _SUMS.c.answered, *(_SUMS.c[name] for name in PULSE_ITEMS))
    .outerjoin(_SUMS, _SUMS.c.meeting_id == Meeting.id)
    .where(Meeting.circle_id == bindparam("circle_id"),
           Meeting.status != constant(str(MeetingStatus.CANCELLED)))
    .order_by(Meeting.starts_at)
)
_NOTES = (
    select(Meeting.sequence, PulseResponse.note_to_facilitator)
    .join(Meeting, Meeting.id == PulseResponse.meeting_id)
    .where(PulseResponse.circle_id == bindparam("circle_id"),
           PulseResponse.note_to_facilitator != constant(""))
    .order_by(Meeting.sequence, PulseResponse.id)
)


def pulse_summary(circle: Circle, now: datetime) -> PulseSummary:
    """Per meeting: how many answered and, from 3 answers, the averages; the trend across the
    term; the notes written to the facilitator (the only pulse text she reads). Two queries."""
    values = {"circle_id": circle.id}
    rows = []
    for found in read_rows(_MEETINGS, values):
        answered = found.answered or 0
        shown = answered >= MIN_PULSE_ANSWERS
        averages = {name: float(getattr(found, name)) for name in PULSE_ITEMS} if shown else None
        rows.append(MeetingPulse(found.sequence, found.starts_at, answered, averages))
    notes = read_rows(_NOTES, values)
    points = [
        Point(f"#{r.sequence}", sum(r.averages.values()) / len(r.averages) if r.averages else None)
        for r in rows
        if r.starts_at <= now
    ]
    chart = trend_chart("Average pulse per meeting (1 to 5)", points, low=1, high=5)
    return PulseSummary(rows, chart, [(seq, text) for seq, text in notes])


@dataclass(frozen=True)
class OpenPulse:
    meeting_id: int
    sequence: int
    closes_at: datetime


@dataclass(frozen=True)
class MyOutcomes:
    open_pulses: list[OpenPulse]
    answered: int
    start: OutcomeMeasure | None
    end: OutcomeMeasure | None
    start_open: bool
    end_open: bool
    chart: Chart | None


def my_outcomes(circle_id: int, user_id: int, now: datetime) -> MyOutcomes:
    """Her pulses open to answer in this circle, and her own outcome measures with the change."""
    meetings = db.session.execute(
        select(Meeting.id, Meeting.circle_id, Meeting.starts_at, Meeting.ends_at, Meeting.status).where(
            Meeting.circle_id == circle_id
        )
    ).all()
    windows = pulse_windows([tuple(m) for m in meetings])
    sequences = dict(
        db.session.execute(select(Meeting.id, Meeting.sequence).where(Meeting.circle_id == circle_id)).all()
    )
    attended = set(
        db.session.scalars(
            select(Attendance.meeting_id).where(
                Attendance.user_id == user_id,
                Attendance.status == AttendanceStatus.PRESENT,
                Attendance.meeting_id.in_(list(windows)),
            )
        )
    )
    answered = set(
        db.session.scalars(
            select(PulseResponse.meeting_id).where(
                PulseResponse.user_id == user_id, PulseResponse.circle_id == circle_id
            )
        )
    )
    open_pulses = [
        OpenPulse(mid, sequences[mid], w.closes_at)
        for mid, w in windows.items()
        if mid in attended and mid not in answered and w.is_open(now)
    ]
    measures = {
        m.phase: m
        for m in db.session.scalars(
            select(OutcomeMeasure).where(
                OutcomeMeasure.user_id == user_id, OutcomeMeasure.circle_id == circle_id
            )
        )
    }
    start, end = measures.get(Phase.START), measures.get(Phase.END)
    chart = (
        change_chart(
            "Your ratings at the start and at the end (1 to 7)",
            [(name, getattr(start, name), getattr(end, name) if end else None) for name in OUTCOME_ITEMS],
            low=1,
            high=7,
        )
        if start
        else None
    )
    return MyOutcomes(
        open_pulses=sorted(open_pulses, key=lambda p: p.sequence),
        answered=len(answered),
        start=start,
        end=end,
        start_open=start is None and measure_open(circle_id, user_id, Phase.START, now),
        end_open=end is None and measure_open(circle_id, user_id, Phase.END, now),
        chart=chart,
    )
