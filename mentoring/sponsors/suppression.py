"""Which report figures a sponsor admin may see: pure functions over plain values.

A figure that rests on fewer than `THRESHOLD` people reads "fewer than 5". Two further rules
stop a hidden figure from being worked out by differencing:

- Within one report (complementary suppression, `suppress_small_cells`): a total is only shown
  if what it adds beyond the cells shown rests on nobody or on at least `THRESHOLD` people, so
  "total minus the cells shown" never isolates a small group. When the hidden cells together
  rest on too few people, the smallest shown cells are hidden as well; if that cannot help, the
  total is hidden.
- Between reports taken at different times (coarser rows, `publish_closed_months`): activity is
  reported by calendar month, a month only once it is over, and the total only adds up the
  months shown. A month's row is then fixed: someone joining now changes no row (her month is
  not shown yet), and a hidden month stays hidden and feeds no total, so two reports taken
  before and after one person joins differ only by whole months resting on 5 or more people.

People are opaque ids here; which ids count towards which row is the caller's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5


@dataclass(frozen=True)
class Group:
    """The raw figures of one row and the people they rest on."""

    key: str
    people: frozenset[int]
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
    return Cell(group.key, len(group.people), group.figures)


def _hidden(key: str) -> Cell:
    return Cell(key, None, None)


def _sum(groups: Sequence[Group], width: int) -> tuple[int, ...]:
    return tuple(sum(g.figures[i] for g in groups) for i in range(width))


def _people(groups: Sequence[Group]) -> frozenset[int]:
    return frozenset().union(*(g.people for g in groups)) if groups else frozenset()


def _width(groups: Sequence[Group]) -> int:
    return len(groups[0].figures) if groups else 0


def suppress_small_cells(groups: Sequence[Group], *, total_key: str = "total") -> Published:
    """Rows resting on 1 to THRESHOLD − 1 people are hidden, plus complementary cells, and a
    total of all rows that is shown only when (total − shown rows) rests on 0 or ≥ THRESHOLD
    people. A row resting on nobody (nothing claimed yet) shows its zeros."""
    hidden = {g.key for g in groups if 0 < len(g.people) < THRESHOLD}

    def hidden_people() -> frozenset[int]:
        return _people([g for g in groups if g.key in hidden])

    while hidden and len(hidden_people()) < THRESHOLD:
        shown = [g for g in groups if g.key not in hidden and g.people]
        if not shown:
            break
        smallest = min(shown, key=lambda g: (len(g.people), g.figures, g.key))
        hidden.add(smallest.key)
    everyone = _people(groups)
    total_safe = (len(everyone) == 0 or len(everyone) >= THRESHOLD) and (
        not hidden or len(hidden_people()) >= THRESHOLD
    )
    total = Cell(total_key, len(everyone), _sum(groups, _width(groups))) if total_safe else _hidden(total_key)
    rows = tuple(_hidden(g.key) if g.key in hidden else _shown(g) for g in groups)
    return Published(rows=rows, total=total)


def publish_closed_months(months: Sequence[Group], *, total_key: str = "total") -> Published:
    """Rows for months that are over (the caller passes only those, oldest first). A month is
    shown when it rests on ≥ THRESHOLD people; the total adds up the months shown, only."""
    shown = [m for m in months if len(m.people) >= THRESHOLD]
    rows = tuple(_shown(m) if len(m.people) >= THRESHOLD else _hidden(m.key) for m in months)
    total = Cell(total_key, len(_people(shown)), _sum(shown, _width(months))) if shown else _hidden(total_key)
    return Published(rows=rows, total=total)


def rate_percent(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole percentage (None when there is nothing to divide)."""
    if whole <= 0:
        return None
    return round(100 * part / whole)
