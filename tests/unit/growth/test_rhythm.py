"""The gap between meetings, the streak, gone quiet, prompt timing and the visibility rule."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mentoring.growth.rhythm import (
    Gap,
    MeetingSlot,
    excused_gaps,
    gaps_between,
    gone_quiet,
    may_read,
    open_gap,
    prompt_at,
    reminder_at,
    streak,
)

MONDAY = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)


def weekly(
    count: int, *, cancelled: tuple[int, ...] = (), moved: dict[int, timedelta] | None = None
) -> list[MeetingSlot]:
    moved = moved or {}
    slots = []
    for i in range(1, count + 1):
        start = MONDAY + (i - 1) * WEEK + moved.get(i, timedelta())
        slots.append(MeetingSlot(i, start, start + HOUR, i in cancelled))
    return slots


def test_a_gap_runs_from_the_end_of_one_meeting_to_the_start_of_the_next() -> None:
    gaps = gaps_between(weekly(3))
    assert [(g.after_meeting_id, g.before_meeting_id) for g in gaps] == [(1, 2), (2, 3)]
    assert gaps[0].opens_at == MONDAY + HOUR and gaps[0].closes_at == MONDAY + WEEK


def test_a_cancelled_meeting_joins_its_two_gaps_into_one() -> None:
    gaps = gaps_between(weekly(4, cancelled=(2,)))
    assert [(g.after_meeting_id, g.before_meeting_id) for g in gaps] == [(1, 3), (3, 4)]
    assert gaps[0].closes_at == MONDAY + 2 * WEEK


def test_a_moved_meeting_moves_the_ends_of_its_gaps() -> None:
    gaps = gaps_between(weekly(3, moved={2: timedelta(days=2)}))
    assert gaps[0].closes_at == MONDAY + WEEK + timedelta(days=2)
    assert gaps[1].opens_at == MONDAY + WEEK + timedelta(days=2) + HOUR


def test_a_meeting_moved_before_an_earlier_one_is_ordered_by_time() -> None:
    gaps = gaps_between(weekly(3, moved={3: -timedelta(days=10)}))
    assert [(g.after_meeting_id, g.before_meeting_id) for g in gaps] == [(1, 3), (3, 2)]


def test_no_gap_is_open_during_a_meeting_before_the_first_or_after_the_last() -> None:
    gaps = gaps_between(weekly(2))
    assert open_gap(gaps, MONDAY - HOUR) is None
    assert open_gap(gaps, MONDAY + HOUR / 2) is None
    assert open_gap(gaps, MONDAY + WEEK) is None  # the next meeting has started
    assert open_gap(gaps, MONDAY + 2 * WEEK) is None
    gap = open_gap(gaps, MONDAY + HOUR)
    assert gap is not None and gap.after_meeting_id == 1


@given(st.lists(st.booleans(), min_size=2, max_size=12), st.integers(min_value=0, max_value=20))
def test_gaps_never_overlap_and_never_start_at_a_cancelled_meeting(
    cancelled: list[bool], probe_days: int
) -> None:
    slots = [
        MeetingSlot(i, MONDAY + i * WEEK, MONDAY + i * WEEK + HOUR, flag) for i, flag in enumerate(cancelled)
    ]
    gaps = gaps_between(slots)
    cancelled_ids = {s.id for s in slots if s.cancelled}
    assert all(
        g.after_meeting_id not in cancelled_ids and g.before_meeting_id not in cancelled_ids for g in gaps
    )
    assert all(a.closes_at <= b.opens_at for a, b in zip(gaps, gaps[1:], strict=False))
    probe = MONDAY + timedelta(days=probe_days * 3)
    assert sum(g.is_open(probe) for g in gaps) <= 1


def test_the_streak_counts_consecutive_gaps_with_a_check_in() -> None:
    gaps = gaps_between(weekly(6))
    now = MONDAY + 5 * WEEK + 2 * HOUR  # gaps 1..5 have closed
    assert streak(gaps, {3, 4, 5}, set(), now) == 3
    assert streak(gaps, {1, 2, 4, 5}, set(), now) == 2  # gap 3 missed: counted from after it


def test_the_open_gap_without_a_check_in_does_not_break_the_streak() -> None:
    gaps = gaps_between(weekly(6))
    now = MONDAY + 4 * WEEK + 2 * HOUR  # gap after meeting 5 is open, not yet checked in
    assert streak(gaps, {2, 3, 4}, set(), now) == 3
    assert streak(gaps, {2, 3, 4, 5}, set(), now) == 4


def test_an_excused_absence_does_not_break_the_streak() -> None:
    gaps = gaps_between(weekly(6))
    now = MONDAY + 5 * WEEK + 2 * HOUR
    excused = excused_gaps(gaps, {4})  # excused from meeting 4: the gaps around it are excused
    assert excused == {3, 4}
    assert streak(gaps, {1, 2, 5}, excused, now) == 3
    assert streak(gaps, {1, 2, 5}, set(), now) == 1


def test_a_skipped_week_does_not_break_the_streak() -> None:
    # The facilitator skipped a week: meetings 3.. moved a week later, so one gap is two weeks long.
    skipped = weekly(5, moved={3: WEEK, 4: WEEK, 5: WEEK})
    gaps = gaps_between(skipped)
    assert len(gaps) == 4
    now = MONDAY + 5 * WEEK + 2 * HOUR
    assert streak(gaps, {1, 2, 3, 4}, set(), now) == 4


def test_gone_quiet_needs_two_silent_gaps_and_an_absence() -> None:
    gaps = gaps_between(weekly(5))
    now = MONDAY + 3 * WEEK + 2 * HOUR  # gaps 1..3 closed
    assert gone_quiet(gaps, {1}, "absent", now)
    assert not gone_quiet(gaps, {1}, "present", now)
    assert not gone_quiet(gaps, {1}, "excused", now)
    assert not gone_quiet(gaps, {3}, "absent", now)
    assert not gone_quiet(gaps, set(), "absent", MONDAY + WEEK + 2 * HOUR)  # only one gap closed


def test_the_prompt_comes_at_her_time_after_the_middle_of_the_gap() -> None:
    gap = Gap(1, 2, datetime(2026, 3, 2, 20, 0, tzinfo=UTC), datetime(2026, 3, 9, 19, 0, tzinfo=UTC))
    # The middle is Friday 6 March 07:30 UTC. London is on UTC in March: 20:30 that Friday.
    assert prompt_at(gap, "Europe/London", time(20, 30)) == datetime(2026, 3, 6, 20, 30, tzinfo=UTC)
    # New York (UTC-5) reads the middle as 02:30 Friday: 20:30 Friday local is 01:30 UTC Saturday.
    assert prompt_at(gap, "America/New_York", time(20, 30)) == datetime(2026, 3, 7, 1, 30, tzinfo=UTC)
    # A time already past at the middle (07:00 < 07:30) means the next day.
    assert prompt_at(gap, "Europe/London", time(7, 0)) == datetime(2026, 3, 7, 7, 0, tzinfo=UTC)
    assert reminder_at(gap) == datetime(2026, 3, 8, 19, 0, tzinfo=UTC)


def test_only_she_reads_private_and_buddy_waits_for_a_buddy() -> None:
    def read(visibility: str, viewer: int, *, shares: bool = True, buddy: int | None = None) -> bool:
        buddies = {buddy} if buddy is not None else set()
        return may_read(
            visibility, owner_id=1, viewer_id=viewer, shares_circle=shares, owners_buddies=buddies
        )

    assert read("private", 1) and not read("private", 2)
    assert read("buddy", 1) and not read("buddy", 2)  # no buddy yet: private
    assert read("buddy", 2, shares=False, buddy=2) and not read("buddy", 3, buddy=2)
    assert read("circle", 2) and not read("circle", 2, shares=False)
    assert read("circle", 2, shares=False, buddy=2)
    assert not read("something else", 2)
    assert not may_read("circle", owner_id=1, viewer_id=None, shares_circle=True, owners_buddies=())
