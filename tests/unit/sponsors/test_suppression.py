"""Report suppression: no shown figure rests on fewer than 5 people, and no hidden one can be
worked out by differencing, within one report or between two taken before and after someone joins."""

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


@st.composite
def groups(draw: st.DrawFn, max_size: int = 8) -> list[Group]:
    n = draw(st.integers(min_value=0, max_value=max_size))
    return [
        Group(
            f"g{i}",
            people := draw(people_ids),
            (draw(st.integers(0, 20 * (len(people) + 1))), draw(st.integers(0, 50))),
        )
        for i in range(n)
    ]


def _hidden_people(source: list[Group], published) -> frozenset[int]:  # noqa: ANN001
    hidden = {c.key for c in published.rows if c.suppressed}
    return frozenset().union(*(g.people for g in source if g.key in hidden)) if hidden else frozenset()


@given(groups())
def test_every_shown_cell_rests_on_zero_or_at_least_five_people(source: list[Group]) -> None:
    published = suppress_small_cells(source)
    for group, cell in zip(source, published.rows, strict=True):
        if not cell.suppressed:
            assert len(group.people) == 0 or len(group.people) >= THRESHOLD
            assert cell.figures == group.figures
    if not published.total.suppressed:
        assert published.total.people == 0 or published.total.people >= THRESHOLD


@given(groups())
def test_total_minus_the_shown_cells_never_isolates_fewer_than_five_people(source: list[Group]) -> None:
    """Complementary suppression: what the total adds beyond the cells shown rests on nobody
    or on at least 5 people, so a hidden cell can't be recovered from the total."""
    published = suppress_small_cells(source)
    if published.total.suppressed:
        return
    remainder = _hidden_people(source, published)
    assert len(remainder) == 0 or len(remainder) >= THRESHOLD
    if not remainder and source:
        shown_sum = tuple(sum(c.figures[i] for c in published.rows if not c.suppressed) for i in range(2))
        assert published.total.figures == shown_sum


def test_a_single_small_cell_beside_a_total_takes_a_complementary_cell_with_it() -> None:
    """The textbook differencing case: one hidden cell and a shown total would give it away."""
    big = Group("a", frozenset(range(1, 8)), (70,))
    other = Group("b", frozenset(range(8, 14)), (60,))
    small = Group("c", frozenset({20, 21}), (9,))
    published = suppress_small_cells([big, other, small])
    shown = [c.key for c in published.rows if not c.suppressed]
    assert shown == ["a"]  # b is hidden too, so total − a = b + c rests on 8 people
    assert published.total.figures == (139,)


@given(st.lists(st.tuples(people_ids, st.integers(0, 100), st.integers(0, 100)), max_size=10))
def test_the_months_total_adds_up_only_the_months_shown(rows: list[tuple[frozenset[int], int, int]]) -> None:
    months = [Group(f"2026-{i + 1:02d}", p, (a, b)) for i, (p, a, b) in enumerate(rows)]
    published = publish_closed_months(months)
    shown = [c for c in published.rows if not c.suppressed]
    for cell in shown:
        assert cell.people >= THRESHOLD
    if shown:
        assert published.total.figures == tuple(sum(c.figures[i] for c in shown) for i in range(2))
    else:
        assert published.total.suppressed


@given(
    st.lists(st.tuples(people_ids, st.integers(0, 100)), min_size=1, max_size=8),
    people_ids,
    st.integers(0, 100),
)
def test_a_new_month_never_changes_or_reveals_the_months_before_it(
    rows: list[tuple[frozenset[int], int]], newcomers: frozenset[int], figure: int
) -> None:
    """Two reports, before and after someone joins: she joins in a month that is not over, so
    the first report cannot contain her; when that month closes, every earlier row reads as it
    did, a hidden month stays hidden, and the total grows only by the new month if it is shown."""
    months = [Group(f"2026-{i + 1:02d}", p, (a,)) for i, (p, a) in enumerate(rows)]
    before = publish_closed_months(months)
    new_month = Group("2027-01", newcomers, (figure,))
    after = publish_closed_months([*months, new_month])
    assert after.rows[:-1] == before.rows
    grown = 0 if after.rows[-1].suppressed else figure
    before_total = 0 if before.total.suppressed else before.total.figures[0]
    after_total = 0 if after.total.suppressed else after.total.figures[0]
    assert after_total - before_total == grown


def test_a_month_of_four_people_reads_fewer_than_five() -> None:
    published = publish_closed_months([Group("2026-10", frozenset({1, 2, 3, 4}), (12, 16))])
    assert published.rows[0].suppressed and published.total.suppressed


def test_rate_is_a_whole_percentage() -> None:
    assert rate_percent(2, 3) == 67
    assert rate_percent(1, 0) is None
