"""Which report figures a sponsor admin may see: pure functions over plain values.

A figure that rests on fewer than `THRESHOLD` people reads "fewer than 5". Two further rules
stop a hidden figure from being worked out by differencing:

- Within one report of closed periods (complementary suppression, `suppress_small_cells`, used
  by the outcome figures): a total is only shown
  if what it adds beyond the cells shown rests on at least `THRESHOLD` people (or on nobody),
  so "total minus the cells shown" never isolates a small group. While the hidden cells all
  rest on fewer than `THRESHOLD` people each, the smallest shown cell is hidden as well; the
  hidden cells then include one of `THRESHOLD` or more people, so together they rest on at
  least as many (whoever else they include). If that cannot be done, the total is hidden.
- Between reports taken at different times (coarser rows, `publish_closed_months`): activity is
  reported by calendar month, a month only once it is over, and the total only adds up the
  months shown. A month's row is then fixed: someone joining now changes no row (her month is
  not shown yet), and a hidden month stays hidden and feeds no total, so two reports taken
  before and after one person joins differ only by whole months resting on 5 or more people.
- Live counts (seats claimed now, `publish_live_counts`) change as each person joins or leaves,
  so they are shown only in coarse bands of `BAND` ("10–14", "15–19", …), and only from
  `LIVE_FLOOR` seats and more than `THRESHOLD` people; below that a cell reads "too few to show".
  With aligned bands a cell changes, as one person joins or leaves, only when it crosses a band
  edge, and that pins the count on either side of it. The floor puts every such change between
  two states resting on at least `THRESHOLD` people ("fewer than 5" → "5–9" would have shown it
  was 4). A total is shown only when none of its rows is hidden, so it never isolates one.
  Free seats are shown only as the range that seats bought minus the claimed band gives, so
  they add nothing to it.

Rows carry how many distinct people they rest on, never who: the callers count in SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

THRESHOLD = 5


@dataclass(frozen=True)
class Group:
    """The raw figures of one row and how many distinct people they rest on."""

    key: str
    people: int
    figures: tuple[int, ...]  # additive counts, e.g. (meetings attended, meetings expected)


@dataclass(frozen=True)
class Cell:
    """A row as published: `people` and `figures` are None when it reads "fewer than 5"."""

    key: str
    people: int | None
    figures: tuple[int, ...] | None

    @property
    def suppressed(self) -> bool:
        return self.figures is None


@dataclass(frozen=True)
class Published:
    rows: tuple[Cell, ...]
    total: Cell


def _shown(group: Group) -> Cell:
    return Cell(group.key, group.people, group.figures)


def _hidden(key: str) -> Cell:
    return Cell(key, None, None)


def _sum(groups: Sequence[Group], width: int) -> tuple[int, ...]:
    return tuple(sum(g.figures[i] for g in groups) for i in range(width))


def _width(groups: Sequence[Group]) -> int:
    return len(groups[0].figures) if groups else 0


def _small(people: int) -> bool:
    return 0 < people < THRESHOLD


def suppress_small_cells(groups: Sequence[Group], *, total_people: int,
                         total_key: str = "total") -> Published:
    """Rows resting on 1 to THRESHOLD − 1 people are hidden, plus complementary cells, and a
    total of all rows (resting on `total_people` distinct people) that is shown only when
    (total − shown rows) rests on nobody or on at least THRESHOLD people. A row resting on
    nobody (nothing claimed yet) shows its zeros."""
    hidden = {g.key for g in groups if _small(g.people)}

    def covered() -> bool:
        return not hidden or any(g.people >= THRESHOLD for g in groups if g.key in hidden)

    while not covered():
        shown = [g for g in groups if g.key not in hidden and g.people > 0]
        if not shown:
            break
        hidden.add(min(shown, key=lambda g: (g.people, g.figures, g.key)).key)
    total_safe = not _small(total_people) and covered()
    total = Cell(total_key, total_people, _sum(groups, _width(groups))) if total_safe else _hidden(total_key)
    rows = tuple(_hidden(g.key) if g.key in hidden else _shown(g) for g in groups)
    return Published(rows=rows, total=total)


def publish_closed_months(
    months: Sequence[Group], *, distinct_people: Callable[[Sequence[str]], int], total_key: str = "total"
) -> Published:
    """Rows for months that are over (the caller passes only those, oldest first). A month is
    shown when it rests on ≥ THRESHOLD people; the total adds up the months shown, only.
    `distinct_people(keys)` counts the people of those months together (one counted once)."""
    shown = [m for m in months if m.people >= THRESHOLD]
    rows = tuple(_shown(m) if m.people >= THRESHOLD else _hidden(m.key) for m in months)
    total = (
        Cell(total_key, distinct_people([m.key for m in shown]), _sum(shown, _width(months)))
        if shown
        else _hidden(total_key)
    )
    return Published(rows=rows, total=total)


BAND = THRESHOLD
LIVE_FLOOR = 2 * THRESHOLD


@dataclass(frozen=True)
class Band:
    """A live count as published: `low` to `low + BAND - 1`, or None when too few to show."""

    low: int | None

    @property
    def hidden(self) -> bool:
        return self.low is None

    @property
    def high(self) -> int | None:
        return None if self.low is None else self.low + BAND - 1

    def __str__(self) -> str:
        return "too few to show" if self.low is None else f"{self.low}–{self.high}"


HIDDEN_BAND = Band(None)


@dataclass(frozen=True)
class LiveCounts:
    rows: tuple[Band, ...]
    total: Band


def live_band(people: int, count: int) -> Band:
    """The band of a live `count` resting on `people` distinct people: shown only from
    LIVE_FLOOR and with more than THRESHOLD people, so that the state just below the first band
    edge, which one person's arrival pins, still rests on THRESHOLD people or more."""
    if count < LIVE_FLOOR or people <= THRESHOLD:
        return HIDDEN_BAND
    return Band(count - count % BAND)


def publish_live_counts(groups: Sequence[Group], *, total_people: int) -> LiveCounts:
    """Each row's first figure (a live count) as a band, and the total of all rows (resting on
    `total_people` distinct people) as a band, shown only when every row is shown."""
    rows = tuple(live_band(g.people, g.figures[0]) for g in groups)
    if not rows or any(r.hidden for r in rows):
        return LiveCounts(rows, HIDDEN_BAND)
    return LiveCounts(rows, live_band(total_people, sum(g.figures[0] for g in groups)))


def free_range(bought: int, claimed: Band) -> tuple[int, int] | None:
    """Free seats as the range `bought` minus the claimed band allows; None when it is hidden."""
    if claimed.low is None or claimed.high is None:
        return None
    return max(0, bought - claimed.high), max(0, bought - claimed.low)


def rate_percent(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole percentage (None when there is nothing to divide)."""
    if whole <= 0:
        return None
    return round(100 * part / whole)
