"""Buddy matching: everyone placed once, hard rules never broken, one trio only for an odd
count, and the weight maximal (checked by brute force on small circles)."""

from __future__ import annotations

import itertools
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.buddies.matching import (
    Candidate,
    allowed,
    breaks_hard_rule,
    free_half_hours,
    goal_themes,
    suggest_buddies,
    weight,
)

ZONES = ["Europe/London", "America/Chicago", "Asia/Tokyo"]
THEMES = ["sleep and rest", "confidence", "career steps"]


@st.composite
def circles(draw: st.DrawFn, min_size: int = 2, max_size: int = 12) -> tuple:
    n = draw(st.integers(min_size, max_size))
    people = [
        Candidate(
            user_id=i + 1,
            name=f"M{i + 1}",
            timezone=draw(st.sampled_from(ZONES)),
            organization_id=draw(st.sampled_from([None, None, 1, 2])),
            themes=frozenset(draw(st.sets(st.sampled_from(THEMES), max_size=2))),
            free=draw(st.one_of(st.none(), st.frozensets(st.integers(0, 12), max_size=12))),
        )
        for i in range(n)
    ]
    pairs = [frozenset(p) for p in itertools.combinations(range(1, n + 1), 2)]
    apart = draw(st.sets(st.sampled_from(pairs), max_size=3)) if pairs else set()
    before = draw(st.sets(st.sampled_from(pairs), max_size=3)) if pairs else set()
    return people, apart, before


@given(circles())
@settings(max_examples=100, deadline=None)
def test_everyone_is_placed_exactly_once_or_named_unplaced(case: tuple) -> None:
    people, apart, before = case
    result = suggest_buddies(people, apart=apart, before=before)
    placed = [m for g in result.groups for m in g.members] + [u for u, _ in result.unplaced]
    assert sorted(placed) == [p.user_id for p in people]


@given(circles())
@settings(max_examples=100, deadline=None)
def test_the_hard_rules_are_never_broken(case: tuple) -> None:
    people, apart, before = case
    by_id = {p.user_id: p for p in people}
    for group in suggest_buddies(people, apart=apart, before=before).groups:
        assert breaks_hard_rule([by_id[m] for m in group.members], apart) is None
        assert 2 <= len(group.members) <= 3


@given(circles())
@settings(max_examples=100, deadline=None)
def test_at_most_one_trio_and_only_for_an_odd_count(case: tuple) -> None:
    people, apart, before = case
    trios = [g for g in suggest_buddies(people, apart=apart, before=before).groups if len(g.members) == 3]
    assert len(trios) <= 1
    if len(people) % 2 == 0:
        assert trios == []


@given(circles(min_size=2, max_size=12).filter(lambda c: all(p.organization_id is None for p in c[0])
                                                 and not c[1]))
@settings(max_examples=100, deadline=None)
def test_without_hard_rules_nobody_is_left_out(case: tuple) -> None:
    people, apart, before = case
    result = suggest_buddies(people, apart=apart, before=before)
    assert result.unplaced == ()
    assert sum(len(g.members) == 3 for g in result.groups) == len(people) % 2


def _best_by_brute_force(people: list[Candidate], apart: set, before: set) -> tuple[int, int]:
    """(most pairs, most weight among pairings with that many pairs), trying every matching."""
    ids = {p.user_id: p for p in people}
    edges = [(a, b) for a, b in itertools.combinations(sorted(ids), 2)
             if allowed(ids[a], ids[b], frozenset(apart))]
    best = (0, 0)
    for size in range(len(people) // 2, -1, -1):
        for chosen in itertools.combinations(edges, size):
            used = [u for e in chosen for u in e]
            if len(used) != len(set(used)):
                continue
            total = sum(weight(ids[a], ids[b], frozenset(before))[0] for a, b in chosen)
            best = max(best, (size, total))
        if best[0] == size and size > 0:
            return best
    return best


@given(circles(min_size=2, max_size=6).filter(lambda c: len(c[0]) % 2 == 0))
@settings(max_examples=60, deadline=None)
def test_the_pairing_has_maximal_weight_on_small_circles(case: tuple) -> None:
    people, apart, before = case
    by_id = {p.user_id: p for p in people}
    result = suggest_buddies(people, apart=apart, before=before)
    pairs = [g.members for g in result.groups]
    total = sum(weight(by_id[a], by_id[b], frozenset(before))[0] for a, b in pairs)
    assert (len(pairs), total) == _best_by_brute_force(people, apart, before)


def test_each_pair_comes_with_its_reasons_in_words() -> None:
    ann = Candidate(1, "Ann", "Europe/London", themes=frozenset({"sleep and rest"}))
    bea = Candidate(2, "Bea", "Europe/London", themes=frozenset({"sleep and rest"}))
    (group,) = suggest_buddies([ann, bea]).groups
    assert group.reasons == ("same timezone (Europe/London)", "both working on sleep and rest",
                             "not buddies before")


def test_two_employees_of_one_organisation_are_left_apart_even_when_alone() -> None:
    ann = Candidate(1, "Ann", "Europe/London", organization_id=7)
    bea = Candidate(2, "Bea", "Europe/London", organization_id=7)
    result = suggest_buddies([ann, bea])
    assert result.groups == ()
    assert [u for u, _ in result.unplaced] == [1, 2]


def test_not_with_x_keeps_them_apart_and_prefers_new_pairs() -> None:
    people = [Candidate(i, f"M{i}", "Europe/London") for i in range(1, 5)]
    result = suggest_buddies(people, apart=[frozenset({1, 2})], before=[frozenset({1, 3})])
    assert {frozenset(g.members) for g in result.groups} == {frozenset({1, 4}), frozenset({2, 3})}


def test_goal_titles_give_themes() -> None:
    assert goal_themes(["Get more sleep", "Ask for a promotion"]) == {"sleep and rest", "career steps"}
    assert goal_themes(["Plant tomatoes"]) == frozenset()


def test_matching_a_twelve_member_circle_takes_milliseconds() -> None:
    people = [Candidate(i, f"M{i}", ZONES[i % 3], organization_id=i % 4 or None,
                        themes=frozenset(THEMES[: i % 3])) for i in range(1, 13)]
    started = time.perf_counter()
    result = suggest_buddies(people, apart=[frozenset({1, 2})])
    elapsed = time.perf_counter() - started
    print(f"matching 12 members: {elapsed * 1000:.1f} ms")
    assert sum(len(g.members) for g in result.groups) == 12


@given(circles(min_size=4, max_size=12), st.data())
@settings(max_examples=100, deadline=None)
def test_re_pairing_keeps_the_whole_pairs_and_still_places_everyone_once(
    case: tuple, data: st.DataObject
) -> None:
    people, apart, before = case
    first = suggest_buddies(people, apart=apart, before=before)
    kept = [g.members for g in first.groups if len(g.members) == 2]
    kept = data.draw(st.lists(st.sampled_from(kept), unique=True)) if kept else []
    again = suggest_buddies(people, apart=apart, before=before, kept=kept)
    groups = [g.members for g in again.groups]
    assert all(any(set(k) <= set(g) for g in groups) for k in kept)
    placed = [m for g in groups for m in g] + [u for u, _ in again.unplaced]
    assert sorted(placed) == [p.user_id for p in people]
    assert sum(len(g) == 3 for g in groups) <= len(people) % 2


def test_free_half_hours_are_her_available_windows_minus_her_blocks_in_utc() -> None:
    # Monday 20:00-22:00 available, 21:00-21:30 blocked, in a zone one hour ahead of UTC.
    free = free_half_hours([(0, 1200, 1320, True), (0, 1260, 1290, False)], 60)
    assert sorted(free) == [38, 39, 41]  # 19:00, 19:30 and 20:30 UTC on Monday (20:00 was blocked)


def test_a_week_with_only_blocks_is_free_at_any_other_time_and_wraps_the_week() -> None:
    free = free_half_hours([(0, 0, 60, False)], -60)  # Monday 00:00-01:00 blocked, UTC-1
    assert len(free) == 7 * 48 - 2 and {2, 3}.isdisjoint(free)
    sunday_late = free_half_hours([(6, 1380, 1440, True)], -120)  # Sunday 23:00 at UTC-2
    assert sorted(sunday_late) == [2, 3]  # Monday 01:00-02:00 UTC


def test_shared_free_time_outweighs_the_timezone_stand_in() -> None:
    evenings = frozenset(range(40, 48))  # four hours on Monday evening, UTC
    ana = Candidate(1, "Ana", "Europe/London", free=evenings)
    bea = Candidate(2, "Bea", "America/Chicago", free=evenings)
    cleo = Candidate(3, "Cleo", "Europe/London", free=frozenset(range(10, 14)))
    dee = Candidate(4, "Dee", "Europe/London", free=frozenset(range(10, 14)))
    assert weight(ana, bea, frozenset())[1][0] == "4 hours a week both free"
    assert weight(ana, cleo, frozenset())[1][0] == "no free time in common"
    result = suggest_buddies([ana, bea, cleo, dee])
    assert {frozenset(g.members) for g in result.groups} == {frozenset({1, 2}), frozenset({3, 4})}
