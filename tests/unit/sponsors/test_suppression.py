"""Report suppression: no shown figure rests on fewer than 5 people, and no hidden one can be
worked out by differencing, within one report or between two taken before and after someone joins.

Rows are drawn with the actual people behind them, so the properties are checked against who is
really in each cell, while the module itself only ever sees counts.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mentoring.sponsors.suppression import (
    BAND,
    LIVE_FLOOR,
    THRESHOLD,
    Group,
    free_range,
    live_band,
    publish_closed_months,
    publish_live_counts,
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


# --- live counts: seats claimed now ----------------------------------------------------------

# A pool's live claims: who holds them (a person may hold several, in different circles) and
# how many there are.
Pool = tuple[frozenset[int], int]


@st.composite
def pools(draw: st.DrawFn) -> list[Pool]:
    result = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        people = draw(st.frozensets(st.integers(min_value=1, max_value=30), max_size=16))
        result.append((people, len(people) + draw(st.integers(0, 6)) if people else 0))
    return result


def _live(source: list[Pool]):  # noqa: ANN202
    everyone = frozenset().union(*(people for people, _ in source))
    return publish_live_counts([Group(str(i), len(p), (n,)) for i, (p, n) in enumerate(source)],
                               total_people=len(everyone))


def _cells(source: list[Pool]) -> list[tuple[frozenset[int], int]]:
    """Each row, then the total, with the people it rests on and its count."""
    everyone = frozenset().union(*(people for people, _ in source))
    return [*source, (everyone, sum(n for _, n in source))]


@given(pools())
def test_a_shown_band_holds_the_count_and_rests_on_more_than_five_people(source: list[Pool]) -> None:
    published = _live(source)
    for (people, count), band in zip(_cells(source), (*published.rows, published.total), strict=True):
        if not band.hidden:
            assert len(people) > THRESHOLD and count >= LIVE_FLOOR
            assert band.low <= count <= band.high and band.low % BAND == 0


@given(pools())
def test_the_total_is_shown_only_when_no_row_is_hidden(source: list[Pool]) -> None:
    """So "total minus the rows shown" never isolates a hidden row."""
    published = _live(source)
    if not published.total.hidden:
        assert not any(band.hidden for band in published.rows)


@given(pools(), st.data())
def test_two_reports_around_one_person_joining_change_only_where_both_rest_on_five(
    source: list[Pool], data: st.DataObject
) -> None:
    """One person takes one more seat in one pool (she may hold seats already). A cell whose
    published value changes pins its count on both sides of a band edge; both must rest on at
    least THRESHOLD people, so no count resting on fewer is ever worked out."""
    index = data.draw(st.integers(0, len(source) - 1))
    person = data.draw(st.integers(min_value=1, max_value=31))
    after_source = list(source)
    people, count = source[index]
    after_source[index] = (people | {person}, count + 1)
    before, after = _live(source), _live(after_source)
    for (old_people, _), (new_people, _), old, new in zip(
        _cells(source), _cells(after_source), (*before.rows, before.total), (*after.rows, after.total),
        strict=True,
    ):
        if old != new:
            assert len(old_people) >= THRESHOLD and len(new_people) >= THRESHOLD


def test_fewer_than_five_then_five_no_longer_shows_it_was_four() -> None:
    """The case that a banding starting at 5 would still give away: 4 → 5 people."""
    four = _live([(frozenset(range(4)), 4)])
    five = _live([(frozenset(range(5)), 5)])
    assert four == five and four.rows[0].hidden
    assert str(four.rows[0]) == "too few to show"


def test_free_seats_are_the_range_the_claimed_band_leaves() -> None:
    assert free_range(20, live_band(7, 12)) == (6, 10)
    assert free_range(12, live_band(7, 12)) == (0, 2)
    assert free_range(20, live_band(3, 12)) is None


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
