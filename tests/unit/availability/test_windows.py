"""Her week: checking windows, merging them, presets and the grid."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.availability.windows import (
    DAY,
    PRESETS,
    WEEK,
    WeekGrid,
    WeekIndex,
    Window,
    WindowInvalid,
    check_window,
    fit_map,
    merge_windows,
    parse_hhmm,
)


@pytest.mark.parametrize(("start", "end", "field"), [
    (600, 600, "end"),  # zero length
    (600, 540, "end"),  # ends before it starts
    (None, 600, "start"),
    (600, 1470, "end"),  # past the end of the day
    (605, 660, "start"),  # off the 30-minute grid
])
def test_a_window_that_cannot_be_on_her_week_is_refused_naming_the_field(start, end, field) -> None:
    with pytest.raises(WindowInvalid) as refused:
        check_window(1, start, end, "available", "")
    assert refused.value.field == field


def test_times_read_as_hh_mm_with_24_00_as_the_end_of_the_day() -> None:
    assert parse_hhmm("09:30") == 570
    assert parse_hhmm("24:00") == DAY
    assert parse_hhmm("24:30") is None
    assert parse_hhmm("9:5") is None
    assert parse_hhmm("nonsense") is None


def test_overlapping_windows_of_the_same_kind_merge_and_keep_both_labels() -> None:
    merged = merge_windows([Window(0, 570, 870, "available", False, "school hours"),
                            Window(0, 780, 900, "available", False, "nap time"),
                            Window(0, 800, 830, "blocked", True, "call")])
    assert merged == [Window(0, 570, 900, "available", False, "school hours, nap time"),
                      Window(0, 800, 830, "blocked", True, "call")]


windows = st.builds(
    lambda day, start, length, kind, hard: Window(day, start * 30, min(start * 30 + length * 30, DAY), kind,
                                                  hard and kind == "blocked", ""),
    st.integers(0, 6), st.integers(0, 47), st.integers(1, 12), st.sampled_from(["available", "blocked"]),
    st.booleans(),
)


def _minutes(ws: list[Window]) -> set[tuple[int, str, bool, int]]:
    return {(w.weekday, w.kind, w.hard, m) for w in ws for m in range(w.start, w.end)}


@given(st.lists(windows, max_size=12))
def test_merging_covers_the_same_minutes_and_leaves_no_overlaps(ws: list[Window]) -> None:
    merged = merge_windows(ws)
    assert _minutes(merged) == _minutes(ws)
    for a in merged:
        for b in merged:
            if a is not b and (a.weekday, a.kind, a.hard) == (b.weekday, b.kind, b.hard):
                assert a.end < b.start or b.end < a.start


def test_presets_hold_the_childcare_times_of_the_design() -> None:
    school = PRESETS["school_hours"].windows
    assert {w.weekday for w in school} == {0, 1, 2, 3, 4}
    assert {(w.start, w.end) for w in school} == {(570, 870)}
    assert {(w.start, w.end) for w in PRESETS["nap_time"].windows} == {(780, 900)}
    assert {(w.start, w.end) for w in PRESETS["after_bedtime"].windows} == {(1200, 1320)}
    blocks = PRESETS["default_blocks"].windows
    assert {(w.start, w.end, w.hard) for w in blocks} == {(450, 540, True), (900, 1170, False)}
    assert all(w.kind == "blocked" for w in blocks)


def test_with_no_free_window_marked_she_is_free_except_when_blocked() -> None:
    index = WeekIndex.of(PRESETS["default_blocks"].windows)
    assert index.judge(10 * 60, 60) == (True, False, False, 0)
    assert index.judge(8 * 60, 60)[1] is True  # the school run, Monday
    assert index.judge(5 * DAY + 8 * 60, 60)[1] is False  # no school run on Saturday
    after = WeekIndex.of([*PRESETS["default_blocks"].windows, *PRESETS["after_bedtime"].windows])
    assert after.judge(10 * 60, 60)[0] is False  # once she marks free times, only those are free
    assert after.judge(20 * 60 + 30, 60)[0] is True


def test_a_stretch_past_sunday_midnight_wraps_into_monday() -> None:
    index = WeekIndex.of([Window(6, 23 * 60, DAY, "available"), Window(0, 0, 60, "available")])
    assert index.judge(6 * DAY + 23 * 60 + 30, 60)[0] is True


def test_the_grid_shows_blocks_over_free_time() -> None:
    grid = WeekGrid.of([Window(0, 6 * 60, 8 * 60, "available"), Window(0, 7 * 60, 8 * 60, "blocked", True)])
    rows = dict(grid.rows)
    assert rows[6 * 60][0] == "free" and rows[7 * 60][0] == "busy" and rows[6 * 60][1] == ""


@given(st.lists(windows, max_size=10), st.integers(0, WEEK - 1), st.integers(30, 120))
def test_the_fit_map_agrees_with_the_week_index(ws: list[Window], start: int, length: int) -> None:
    free, hard, _, _ = WeekIndex.of(ws).judge(start, length)
    assert (fit_map(ws)[start:start + length] == b"1" * length) == (free and not hard)
