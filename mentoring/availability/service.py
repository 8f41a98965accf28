"""Her availability: read, add, remove, presets; her part of the data export and deletion.

Services flush, never commit; the caller owns the unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from mentoring.accounts.signals import account_deleted, personal_data_export
from mentoring.availability.models import AvailabilityWindow, CalendarFeed, CircleInterest
from mentoring.availability.windows import (
    PRESETS,
    Window,
    WindowInvalid,
    check_window,
    hhmm,
    merge_windows,
)
from mentoring.errors import NotFound
from mentoring.extensions import db


def _as_window(row: AvailabilityWindow) -> Window:
    return Window(row.weekday, row.start_minute, row.end_minute, row.kind, row.hard, row.label)


def week_of(user_id: int) -> list[Window]:
    """Her windows, ordered by day and time."""
    rows = db.session.scalars(select(AvailabilityWindow).where(AvailabilityWindow.user_id == user_id))
    return sorted((_as_window(r) for r in rows), key=lambda w: (w.weekday, w.start, w.kind))


def weeks_of(user_ids: list[int]) -> dict[int, list[Window]]:
    """Several members' windows in one query (members without any map to [])."""
    weeks: dict[int, list[Window]] = {uid: [] for uid in user_ids}
    if user_ids:
        for row in db.session.scalars(
            select(AvailabilityWindow).where(AvailabilityWindow.user_id.in_(user_ids))
        ):
            weeks[row.user_id].append(_as_window(row))
    return weeks


def _replace_week(user_id: int, windows: list[Window]) -> list[Window]:
    merged = merge_windows(windows)
    db.session.execute(delete(AvailabilityWindow).where(AvailabilityWindow.user_id == user_id))
    db.session.add_all(
        AvailabilityWindow(user_id=user_id, weekday=w.weekday, start_minute=w.start, end_minute=w.end,
                           kind=w.kind, hard=w.hard, label=w.label)
        for w in merged
    )
    db.session.flush()
    return merged


def add_windows(user_id: int, weekdays: list[int], start: int | None, end: int | None, kind: str, *,
                hard: bool, label: str) -> list[Window]:
    """Add one window on each of `weekdays`; overlapping windows of the same kind merge.

    Guarantees: nothing changes unless every window is valid. Raises WindowInvalid.
    """
    if not weekdays:
        raise WindowInvalid("Please choose at least one day.", field="weekdays")
    label = label.strip()
    for day in weekdays:
        check_window(day, start, end, kind, label)
    assert start is not None and end is not None  # checked above
    new = [Window(day, start, end, kind, hard and kind == "blocked", label) for day in weekdays]
    return _replace_week(user_id, [*week_of(user_id), *new])


def apply_preset(user_id: int, key: str) -> list[Window]:
    """Add a preset's windows to her week (she can adjust them after). Raises NotFound."""
    preset = PRESETS.get(key)
    if preset is None:
        raise NotFound("We don't know that preset.")
    return _replace_week(user_id, [*week_of(user_id), *preset.windows])


def remove_window(user_id: int, window_id: int) -> None:
    """Remove one of her windows. Raises NotFound for anyone else's or an unknown id."""
    deleted = db.session.execute(
        delete(AvailabilityWindow).where(AvailabilityWindow.id == window_id,
                                         AvailabilityWindow.user_id == user_id)
    ).rowcount
    if not deleted:
        raise NotFound("We could not find that time in your week.")


def clear_week(user_id: int) -> None:
    """Remove every window of hers."""
    db.session.execute(delete(AvailabilityWindow).where(AvailabilityWindow.user_id == user_id))


def window_rows(user_id: int) -> list[AvailabilityWindow]:
    """Her rows (with ids, for the editor's remove buttons), by day and time."""
    return list(db.session.scalars(
        select(AvailabilityWindow).where(AvailabilityWindow.user_id == user_id)
        .order_by(AvailabilityWindow.weekday, AvailabilityWindow.start_minute, AvailabilityWindow.id)
    ))


def export_time_data(user_id: int) -> dict[str, Any]:
    """Her windows (labels included: they are hers), the planned circles she is interested in
    and whether she has a calendar feed (never its URL: that is a key)."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))
    return {
        "availability": [
            {"weekday": w.weekday, "start": hhmm(w.start), "end": hhmm(w.end), "kind": w.kind,
             "hard": w.hard, "label": w.label}
            for w in week_of(user_id)
        ],
        "circle_interest": [
            {"circle_id": circle_id, "marked_at": marked_at.isoformat()}
            for circle_id, marked_at in db.session.execute(
                select(CircleInterest.circle_id, CircleInterest.created_at)
                .where(CircleInterest.user_id == user_id).order_by(CircleInterest.id))
        ],
        "calendar_feed": None if feed is None else {
            "created_at": feed.created_at.isoformat(),
            "revoked_at": feed.revoked_at.isoformat() if feed.revoked_at else None,
        },
    }


def forget_time_data(user_id: int) -> None:
    """Her windows, interests and feed go with her account (the feed's URL stops working at once)."""
    clear_week(user_id)
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
    db.session.execute(delete(CircleInterest).where(CircleInterest.user_id == user_id))


@personal_data_export.connect
def _export(sender: object, *, user_id: int, **_: object) -> dict[str, Any]:
    return export_time_data(user_id)


@account_deleted.connect
def _on_account_deleted(sender: object, *, user_id: int, now: datetime, **_: object) -> None:
    forget_time_data(user_id)
