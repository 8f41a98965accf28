"""Report suppression: no shown figure rests on fewer than 5 people, and no hidden one can be
worked out by differencing, within one report or between two taken before and after someone joins.

Rows are drawn with the actual people behind them, so the properties are checked against who is
really in each cell, while the module itself only ever sees counts.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mentoring.sponsors.suppression import (
    THRESHOLD,
    Group,
    publish_closed_months,
    rate_percent,
    suppress_small_cells,
)

people_ids = st.frozensets(st.integers(min_value=1, max_value=40), max_size=12)
Row = tuple[str, frozenset[int], tuple[int, ...]]


@st.composite
def rows(draw: st.DrawFn, max_size: int = 8) -> list[Row]:
    n = draw(st.integers(min_value=0, max_value=max_size))
    return [
        (f"g{i}", draw(people_ids), (draw(st.integers(0, 200)), draw(st.integers(0, 50)))) for i in range(n)
    ]


def _groups(source: list[Row]) -> list[Group]:
    return [Group(key, len(people), figures) for key, people, figures in source]


def _union(source: list[Row], keys: set[str]) -> frozenset[int]:
    return frozenset().union(*(people for key, people, _ in source if key in keys))


def _publish(source: list[Row]):  # noqa: ANN202
    return suppress_small_cells(_groups(source), total_people=len(_union(source, {k for k, _, _ in source})))


@given(rows())
def test_every_shown_cell_rests_on_nobody_or_at_least_five_people(source: list[Row]) -> None:
    published = _publish(source)
    for (_, people, figures), cell in zip(source, published.rows, strict=True):
        if not cell.suppressed:
            assert len(people) == 0 or len(people) >= THRESHOLD
            assert cell.figures == figures
    if not published.total.suppressed:
        assert published.total.people == 0 or published.total.people >= THRESHOLD


@given(rows())
def test_total_minus_the_shown_cells_never_isolates_fewer_than_five_people(source: list[Row]) -> None:
    """Complementary suppression: what the total adds beyond the cells shown rests on nobody
    or on at least 5 people, so a hidden cell can't be recovered from the total."""
    published = _publish(source)
    if published.total.suppressed:
        return
    hidden = {c.key for c in published.rows if c.suppressed}
    remainder = _union(source, hidden)
    assert len(remainder) == 0 or len(remainder) >= THRESHOLD
    shown_sum = tuple(sum(c.figures[i] for c in published.rows if not c.suppressed) for i in range(2))
    if not remainder and source:
        assert published.total.figures == shown_sum


def test_a_single_small_cell_beside_a_total_takes_a_complementary_cell_with_it() -> None:
    """The textbook differencing case: one hidden cell and a shown total would give it away."""
    source = [
        ("a", frozenset(range(1, 8)), (70,)),
        ("b", frozenset(range(8, 14)), (60,)),
        ("c", frozenset({20, 21}), (9,)),
    ]
    published = _publish(source)
    assert [c.key for c in published.rows if not c.suppressed] == ["a"]  # b hides with c
    assert published.total.figures == (139,)


def _months(source: list[tuple[frozenset[int], int, int]]) -> tuple[list[Group], dict[str, frozenset[int]]]:
    people = {f"2026-{i + 1:02d}": p for i, (p, _, _) in enumerate(source)}
    return [Group(f"2026-{i + 1:02d}", len(p), (a, b)) for i, (p, a, b) in enumerate(source)], people


@given(st.lists(st.tuples(people_ids, st.integers(0, 100), st.integers(0, 100)), max_size=10))
def test_the_months_total_adds_up_only_the_months_shown(
    source: list[tuple[frozenset[int], int, int]],
) -> None:
    months, people = _months(source)
    published = publish_closed_months(
        months, distinct_people=lambda keys: len(frozenset().union(*(people[k] for k in keys)))
    )
    shown = [c for c in published.rows if not c.suppressed]
    for cell in shown:
        assert cell.people >= THRESHOLD
    if shown:
        assert published.total.figures == tuple(sum(c.figures[i] for c in shown) for i in range(2))
        assert published.total.people >= THRESHOLD
    else:
        assert published.total.suppressed


@given(
    st.lists(st.tuples(people_ids, st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=8),
    people_ids,
    st.integers(0, 100),
)
def test_a_new_month_never_changes_or_reveals_the_months_before_it(
    source: list[tuple[frozenset[int], int, int]], newcomers: frozenset[int], figure: int
) -> None:
    """Two reports, before and after someone joins: she joins in a month that is not over, so
    the first report cannot contain her; when that month closes, every earlier row reads as it
    did, a hidden month stays hidden, and the total grows only by the new month if it is shown."""
    months, people = _months(source)
    people["2027-01"] = newcomers

    def distinct(keys):  # noqa: ANN001, ANN202
        return len(frozenset().union(*(people[k] for k in keys)))

    before = publish_closed_months(months, distinct_people=distinct)
    after = publish_closed_months(
        [*months, Group("2027-01", len(newcomers), (figure, figure))], distinct_people=distinct
    )
    assert after.rows[:-1] == before.rows
    grown = 0 if after.rows[-1].suppressed else figure
    before_total = 0 if before.total.suppressed else before.total.figures[0]
    after_total = 0 if after.total.suppressed else after.total.figures[0]
    assert after_total - before_total == grown


def test_a_month_of_four_people_reads_fewer_than_five() -> None:
    published = publish_closed_months([Group("2026-10", 4, (12, 16))], distinct_people=lambda keys: 4)
    assert published.rows[0].suppressed and published.total.suppressed


def test_rate_is_a_whole_percentage() -> None:
    assert rate_percent(2, 3) == 67
    assert rate_percent(1, 0) is None
