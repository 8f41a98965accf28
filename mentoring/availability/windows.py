"""A member's week: availability windows and childcare presets, as pure functions over plain values.

A window is a stretch of one weekday in HER timezone, in minutes after local midnight, on the
editor's 30-minute steps. It is either `available` (she can come) or `blocked` (she can't, or
would rather not); a block is `hard` (never: the school run) or soft (a clash she might move).
Labels ("school run") are hers alone: nothing here or in slot finding ever passes one to
anybody else.

A week with no available window at all means "any time except my blocks": a member who only
marked the school run and bedtime is not treated as never free.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from mentoring.errors import InvalidInput

DAY = 24 * 60
WEEK = 7 * DAY
STEP = 30  # the editor's grid
LABEL_MAX = 40
WEEKDAYS = range(5)
EVERY_DAY = range(7)


class WindowKind(enum.StrEnum):
    AVAILABLE = "available"
    BLOCKED = "blocked"


class WindowInvalid(InvalidInput):
    """Please check the times of that window."""


@dataclass(frozen=True, order=True)
class Window:
    weekday: int  # Monday is 0, in her own timezone
    start: int  # minutes after local midnight
    end: int  # exclusive, at most 1440
    kind: str = WindowKind.AVAILABLE
    hard: bool = False  # only meaningful for blocks
    label: str = ""

    @property
    def week_start(self) -> int:
        return self.weekday * DAY + self.start

    @property
    def week_end(self) -> int:
        return self.weekday * DAY + self.end


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    windows: tuple[Window, ...]


def _daily(days: Iterable[int], start: int, end: int, kind: str, label: str, *, hard: bool = False
           ) -> tuple[Window, ...]:
    return tuple(Window(day, start, end, kind, hard, label) for day in days)


def hhmm(minutes: int) -> str:
    """490 -> '08:10'; 1440 -> '24:00' (the end of the day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hhmm(text: str) -> int | None:
    """'08:30' -> 510; '24:00' is the end of the day; None for anything else."""
    # ASCII digits only: str.isdigit() takes '²', which int() refuses (a 500 from a form).
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", (text or "").strip())
    if match is None:
        return None
    hours, mins = int(match[1]), int(match[2])
    value = hours * 60 + mins
    return value if mins < 60 and 0 <= value <= DAY else None


# The school run and the dinner-to-bedtime rush are blocked unless she says otherwise (DESIGN §6):
# the school run is hard (she is at the school gate), the evening rush soft (it can bend).
PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in (
        Preset("school_hours", "School hours (weekdays 09:30–14:30)",
               _daily(WEEKDAYS, 9 * 60 + 30, 14 * 60 + 30, WindowKind.AVAILABLE, "school hours")),
        Preset("nap_time", "Nap time (13:00–15:00)",
               _daily(EVERY_DAY, 13 * 60, 15 * 60, WindowKind.AVAILABLE, "nap time")),
        Preset("after_bedtime", "After bedtime (20:00–22:00)",
               _daily(EVERY_DAY, 20 * 60, 22 * 60, WindowKind.AVAILABLE, "after bedtime")),
        Preset("default_blocks", "The school run and pick-up to bedtime (blocked)",
               _daily(WEEKDAYS, 7 * 60 + 30, 9 * 60, WindowKind.BLOCKED, "school run", hard=True)
               + _daily(EVERY_DAY, 15 * 60, 19 * 60 + 30, WindowKind.BLOCKED, "pick-up to bedtime")),
    )
}

# The rush hours slot finding avoids when it can (the childcare-friendliness score), in each
# member's own zone: the school run and pick-up to bedtime.
RUSH_HOURS: tuple[tuple[int, int], ...] = ((7 * 60 + 30, 9 * 60), (15 * 60, 19 * 60 + 30))


def check_window(weekday: int, start: int | None, end: int | None, kind: str, label: str) -> None:
    """Refuse a window that could not be on her week. Raises WindowInvalid naming the field."""
    if weekday not in range(7):
        raise WindowInvalid("Please choose a day of the week.", field="weekday")
    if start is None or not 0 <= start < DAY:
        raise WindowInvalid("Please choose a start time within the day (00:00 to 23:30).", field="start")
    if end is None or not 0 < end <= DAY:
        raise WindowInvalid("Please choose an end time within the day (00:30 to 24:00).", field="end")
    if start % STEP or end % STEP:
        raise WindowInvalid("Times go in steps of 30 minutes, such as 09:00 or 09:30.", field="start")
    if end <= start:
        raise WindowInvalid("The end must be after the start.", field="end")
    if kind not in set(WindowKind):
        raise WindowInvalid("Please say whether you are free or busy then.", field="kind")
    if len(label) > LABEL_MAX:
        raise WindowInvalid(f"Please keep the label to {LABEL_MAX} characters.", field="label")


def _joined_labels(first: str, second: str) -> str:
    if not second or second in first.split(", "):
        return first
    if not first:
        return second
    return f"{first}, {second}"[:LABEL_MAX]


def merge_windows(windows: Iterable[Window]) -> list[Window]:
    """Overlapping or touching windows of the same day, kind and hardness become one.

    Guarantees: the minutes covered by each (day, kind, hard) are unchanged; no two returned
    windows of the same (day, kind, hard) overlap or touch; labels are kept, joined.
    """
    merged: list[Window] = []
    for window in sorted(windows, key=lambda w: (w.weekday, w.kind, w.hard, w.start, w.end)):
        last = merged[-1] if merged else None
        same = last is not None and (last.weekday, last.kind, last.hard) == (window.weekday, window.kind,
                                                                              window.hard)
        if last is not None and same and window.start <= last.end:
            merged[-1] = Window(last.weekday, last.start, max(last.end, window.end), last.kind, last.hard,
                                _joined_labels(last.label, window.label))
        else:
            merged.append(window)
    return sorted(merged, key=lambda w: (w.weekday, w.start, w.kind, w.hard))


@dataclass(frozen=True)
class WeekIndex:
    """Prefix sums over the minutes of her week, so any stretch is judged in constant time.

    `free` counts minutes she is available (all of them when she set no available window),
    `hard`/`soft` count minutes under a hard or soft block, `rush` minutes in the rush hours.
    """

    free: tuple[int, ...]
    hard: tuple[int, ...]
    soft: tuple[int, ...]
    rush: tuple[int, ...]

    @staticmethod
    def _prefix(marks: bytearray) -> tuple[int, ...]:
        # Twice round the week, so a stretch that runs past Sunday midnight needs no special case.
        return tuple(accumulate(marks + marks, initial=0))

    @classmethod
    def of(cls, windows: Iterable[Window]) -> WeekIndex:
        windows = list(windows)
        has_available = any(w.kind == WindowKind.AVAILABLE for w in windows)
        free = bytearray([0 if has_available else 1]) * WEEK
        hard = bytearray(WEEK)
        soft = bytearray(WEEK)
        for window in windows:
            span = range(window.week_start, window.week_end)
            if window.kind == WindowKind.AVAILABLE:
                free[span.start:span.stop] = b"\x01" * len(span)
            elif window.hard:
                hard[span.start:span.stop] = b"\x01" * len(span)
            else:
                soft[span.start:span.stop] = b"\x01" * len(span)
        rush = bytearray(WEEK)
        for day in range(7):
            for lo, hi in RUSH_HOURS:
                rush[day * DAY + lo:day * DAY + hi] = b"\x01" * (hi - lo)
        return cls(cls._prefix(free), cls._prefix(hard), cls._prefix(soft), cls._prefix(rush))

    @staticmethod
    def _count(sums: tuple[int, ...], start: int, length: int) -> int:
        start %= WEEK
        return sums[start + length] - sums[start]

    def judge(self, start: int, length: int) -> tuple[bool, bool, bool, int]:
        """(free throughout, hits a hard block, hits a soft block, rush minutes) of a stretch
        starting `start` minutes into her week (local wall clock) and lasting `length` minutes."""
        return (
            self._count(self.free, start, length) == length,
            self._count(self.hard, start, length) > 0,
            self._count(self.soft, start, length) > 0,
            self._count(self.rush, start, length),
        )


def fit_map(windows: Iterable[Window]) -> bytes:
    """Her week minute by minute, twice round (so a stretch past Sunday midnight reads on):
    b"1" where a meeting may be (free, and no hard block), b"0" elsewhere. The circle list's
    "fits my week" compares a meeting's stretch of it with all ones."""
    windows = list(windows)
    has_available = any(w.kind == WindowKind.AVAILABLE for w in windows)
    ok = bytearray(b"0" if has_available else b"1") * WEEK
    for window in windows:
        if window.kind == WindowKind.AVAILABLE:
            ok[window.week_start:window.week_end] = b"1" * (window.end - window.start)
    for window in windows:  # hard blocks win over free time, as in WeekIndex
        if window.kind == WindowKind.BLOCKED and window.hard:
            ok[window.week_start:window.week_end] = b"0" * (window.end - window.start)
    return bytes(ok + ok)


GRID_FIRST, GRID_LAST = 6 * 60, 23 * 60  # the editor's grid; the form reaches the whole day


@dataclass(frozen=True)
class WeekGrid:
    """Her week as the editor's grid: for each 30-minute row, one state per weekday.

    A state is 'free', 'busy' (hard block), 'maybe' (soft block) or '' (not marked). Blocks
    win over availability, as they do in slot finding.
    """

    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (minute, states Monday..Sunday)

    @classmethod
    def of(cls, windows: Iterable[Window]) -> WeekGrid:
        windows = list(windows)

        def state(day: int, minute: int) -> str:
            covering = [w for w in windows if w.weekday == day and w.start <= minute < w.end]
            if any(w.kind == WindowKind.BLOCKED and w.hard for w in covering):
                return "busy"
            if any(w.kind == WindowKind.BLOCKED for w in covering):
                return "maybe"
            return "free" if covering else ""

        return cls(tuple((minute, tuple(state(day, minute) for day in range(7)))
                         for minute in range(GRID_FIRST, GRID_LAST, STEP)))
