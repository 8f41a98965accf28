"""Slot finding: judged on every actual date of the term, in each member's own zone."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.availability.slots import (
    Candidate,
    DurationDoesNotFit,
    MemberWeek,
    find_times,
    judge_slot,
    term_dates,
)
from mentoring.availability.windows import DAY, WeekIndex, Window

TUESDAY, WEDNESDAY = 1, 2


def judge(members: list[MemberWeek], circle_tz: str, weekday: int, start: int, first: date, count: int = 8,
          duration: int = 60):  # noqa: ANN201
    indexes = {m.member_id: WeekIndex.of(m.windows) for m in members}
    return judge_slot(Candidate(weekday, start), members, indexes, circle_tz=circle_tz, first_date=first,
                      count=count, duration=duration)


# Spring 2026: New York changes on 8 March, London on 29 March, Sydney goes back on 5 April,
# Sao Paulo has no daylight saving. A London circle on Tuesdays at 20:30 from 24 February meets
# 24 Feb, 3, 10, 17, 24, 31 March, 7 and 14 April.
SPRING = date(2026, 2, 24)


def test_the_term_dates_are_the_circles_weekday_from_its_first_date() -> None:
    assert term_dates(date(2026, 2, 23), TUESDAY, 3) == [date(2026, 2, 24), date(2026, 3, 3),
                                                         date(2026, 3, 10)]


def test_a_new_york_member_is_busy_only_in_the_weeks_between_the_two_countries_changes() -> None:
    # London 20:30 is 15:30 in New York, but 16:30 between 8 and 29 March: past her 17:00.
    ny = MemberWeek(1, "America/New_York", (Window(TUESDAY, 15 * 60, 17 * 60, "available"),))
    result = judge([ny], "Europe/London", TUESDAY, 20 * 60 + 30, SPRING)
    assert result.can_attend == ()
    assert result.reason(1) == "busy on 3 of 8 dates"  # 10, 17 and 24 March
    assert result.starts[0] == datetime(2026, 2, 24, 20, 30, tzinfo=UTC)
    assert result.starts[-1] == datetime(2026, 4, 14, 19, 30, tzinfo=UTC)  # still 20:30 in London


def test_a_sao_paulo_member_without_daylight_saving_loses_the_weeks_after_londons_change() -> None:
    # 20:30 GMT is 17:30 in Sao Paulo; 20:30 BST is 16:30, before she is free at 17:00.
    sp = MemberWeek(2, "America/Sao_Paulo", (Window(TUESDAY, 17 * 60, 19 * 60, "available"),))
    result = judge([sp], "Europe/London", TUESDAY, 20 * 60 + 30, SPRING)
    assert result.reason(2) == "busy on 3 of 8 dates"  # 31 March, 7 and 14 April


def test_a_sydney_members_hard_block_counts_after_both_london_and_sydney_change() -> None:
    # Tuesday 20:30 in London is Wednesday morning in Sydney: 07:30 (until 29 March), 06:30
    # (until Sydney's change on 5 April), then 05:30, inside her 05:00-06:00 block.
    sydney = MemberWeek(3, "Australia/Sydney", (Window(WEDNESDAY, 5 * 60, 6 * 60, "blocked", True, "gym"),))
    result = judge([sydney], "Europe/London", TUESDAY, 20 * 60 + 30, SPRING)
    assert result.reason(3) == "busy on 2 of 8 dates"
    assert "gym" not in result.reason(3)


def test_a_new_york_circle_in_the_autumn_gap_misses_a_london_member_once() -> None:
    # New York 15:00 is 20:00 in London, but 19:00 in the week between London's change (25 Oct)
    # and New York's (1 Nov); she is free from 19:30.
    london = MemberWeek(4, "Europe/London", (Window(TUESDAY, 19 * 60 + 30, 21 * 60 + 30, "available"),))
    result = judge([london], "America/New_York", TUESDAY, 15 * 60, date(2026, 10, 6))
    assert result.reason(4) == "busy on 1 of 8 dates"  # 27 October


def test_candidates_rank_by_who_can_come_then_soft_clashes_then_the_rush_hours() -> None:
    a = MemberWeek(1, "Europe/London", (Window(TUESDAY, 18 * 60, 22 * 60, "available"),
                                        Window(TUESDAY, 18 * 60, 19 * 60 + 30, "blocked", False)))
    b = MemberWeek(2, "Europe/London", (Window(TUESDAY, 20 * 60, 22 * 60, "available"),))
    best = find_times([a, b], circle_tz="Europe/London", first_date=SPRING, count=4, duration=60)
    assert best[0].candidate == Candidate(TUESDAY, 20 * 60)
    assert best[0].can_attend == (1, 2) and best[0].soft_clashes == 0
    # 19:00-20:00 suits only the first (a soft block lets her come), and clashes with it.
    nineteen = next(r for r in best if r.candidate == Candidate(TUESDAY, 19 * 60))
    assert nineteen.can_attend == (1,) and nineteen.soft_clashes == 4 and nineteen.reason(2)


def test_a_length_that_does_not_fit_the_day_is_refused() -> None:
    with pytest.raises(DurationDoesNotFit):
        find_times([], circle_tz="UTC", first_date=SPRING, count=4, duration=18 * 60)


# --- properties ------------------------------------------------------------------------------

ZONES = ["Europe/London", "America/New_York", "America/Sao_Paulo", "Australia/Sydney", "Asia/Kolkata"]

window = st.builds(
    lambda day, start, length, kind, hard: Window(day, start * 30, min(start * 30 + length * 30, DAY), kind,
                                                  hard and kind == "blocked", ""),
    st.integers(0, 6), st.integers(12, 45), st.integers(1, 8), st.sampled_from(["available", "blocked"]),
    st.booleans(),
)
weeks = st.lists(st.tuples(st.sampled_from(ZONES), st.lists(window, max_size=5)), min_size=1, max_size=4)
firsts = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))


def _members(spec: list[tuple[str, list[Window]]]) -> list[MemberWeek]:
    return [MemberWeek(i + 1, tz, tuple(ws)) for i, (tz, ws) in enumerate(spec)]


def _counts(members: list[MemberWeek], first: date) -> dict[Candidate, int]:
    return {r.candidate: len(r.can_attend)
            for r in find_times(members, circle_tz="Europe/London", first_date=first, count=3, duration=60)}


@settings(max_examples=25, deadline=None)
@given(weeks, firsts, window, st.data())
def test_adding_free_time_to_a_week_that_has_some_never_lowers_a_slots_count(spec, first, extra,
                                                                            data) -> None:
    members = _members(spec)
    who = data.draw(st.integers(0, len(members) - 1))
    base = members[who]
    # A first free window changes her from "any time but my blocks" to "only these": the property
    # is about adding to the free time she has marked.
    base = MemberWeek(base.member_id, base.timezone, (*base.windows, Window(0, 9 * 60, 10 * 60, "available")))
    members[who] = base
    before = _counts(members, first)
    members[who] = MemberWeek(base.member_id, base.timezone,
                              (*base.windows, Window(extra.weekday, extra.start, extra.end, "available")))
    after = _counts(members, first)
    assert all(after[c] >= before[c] for c in before)


@settings(max_examples=25, deadline=None)
@given(weeks, firsts, st.data())
def test_a_hard_block_always_excludes_her(spec, first, data) -> None:
    members = _members(spec)
    who = data.draw(st.integers(0, len(members) - 1))
    candidate = Candidate(data.draw(st.integers(0, 6)), data.draw(st.integers(12, 44)) * 30)
    result = judge(members, "Europe/London", candidate.weekday, candidate.start, first, count=3)
    # Block the local minutes of one of the dates in her own zone.
    instant = result.starts[data.draw(st.integers(0, 2))]
    local = instant.astimezone(ZoneInfo(members[who].timezone))
    minute = local.hour * 60 + local.minute
    block = Window(local.weekday(), minute // 30 * 30, min(minute // 30 * 30 + 30, DAY), "blocked", True)
    members[who] = MemberWeek(members[who].member_id, members[who].timezone, (*members[who].windows, block))
    blocked = judge(members, "Europe/London", candidate.weekday, candidate.start, first, count=3)
    assert members[who].member_id not in blocked.can_attend
    assert set(blocked.can_attend) <= set(result.can_attend)


@settings(max_examples=15, deadline=None)
@given(weeks, firsts, st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_order_members_are_given(spec, first, rnd: random.Random) -> None:
    members = _members(spec)
    shuffled = members[:]
    rnd.shuffle(shuffled)
    one = find_times(members, circle_tz="America/New_York", first_date=first, count=3, duration=90)
    two = find_times(shuffled, circle_tz="America/New_York", first_date=first, count=3, duration=90)
    assert one == two
