"""Suggesting practice buddies: a pure function of plain values over a circle's members.

The pairing is a maximum-weight matching (networkx's blossom algorithm; we don't write our
own) over every pair of members the hard rules allow. Two rules are hard and are never broken,
by a pair or by any two people in a trio: two employees of the same organisation are never
buddies, and neither are two members one of whom asked not to be with the other. Everything
else is a soft preference expressed in the weight, and every allowed pair weighs at least
BASE_WEIGHT, so the matching pairs as many members as the hard rules allow.

When re-pairing (someone left), the pairs still whole can be `kept`: only the others are
matched, and the one left over of an odd count may join a kept pair. An odd count leaves one
member over; she joins the pair that suits her best as the one trio.
A member the hard rules leave with nobody (or a second one left over) is returned unplaced,
with the reason, for the facilitator to place by hand.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

BASE_WEIGHT = 1
SAME_TIMEZONE = 3  # the stand-in when either has not given her week
SHARED_HOURS = 3  # per SHARED_HOURS_STEP hours a week both are free, up to three steps
SHARED_HOURS_STEP = 2
WEEK_SLOTS = 7 * 24 * 2  # the week in half hours (the availability editor's step)
SHARED_THEME = 2  # per theme, up to two themes
NEW_PAIR = 2  # not buddies before

# Themes read from goal titles: a word in the title puts the goal under the theme. Coarse on
# purpose; it only ever adds a reason ("both working on sleep") and a little weight.
GOAL_THEMES: dict[str, tuple[str, ...]] = {
    "sleep and rest": ("sleep", "rest", "tired", "bedtime", "nap"),
    "boundaries at work": ("boundar", "say no", "overtime", "switch off"),
    "career steps": ("promotion", "career", "pay rise", "new job", "interview"),
    "confidence": ("confiden", "speak", "voice", "meeting", "present"),
    "time for herself": ("myself", "me time", "exercise", "walk", "hobby", "friend"),
    "family logistics": ("childcare", "school", "nursery", "routine", "morning", "dinner", "partner"),
}


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    timezone: str
    organization_id: int | None = None  # her employer, when a sponsor pays for her seat
    themes: frozenset[str] = frozenset()
    # The half hours of the week (in UTC, 0 = Monday 00:00) she is free; None: she has not said.
    free: frozenset[int] | None = None


@dataclass(frozen=True)
class Group:
    """Two members (or three, once per circle) and why they were put together, in words."""

    members: tuple[int, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    groups: tuple[Group, ...]
    unplaced: tuple[tuple[int, str], ...]  # (user id, why nobody could be her buddy)


def goal_themes(titles: Iterable[str]) -> frozenset[str]:
    """The themes her goal titles touch (see GOAL_THEMES)."""
    found: set[str] = set()
    for title in titles:
        text = " " + re.sub(r"\s+", " ", title.lower()) + " "
        for theme, words in GOAL_THEMES.items():
            if any(word in text for word in words):
                found.add(theme)
    return frozenset(found)


def free_half_hours(windows: Iterable[tuple[int, int, int, bool]], utc_offset_minutes: int) -> frozenset[int]:
    """The half hours of the week, in UTC, that a member is free, from her windows given as
    (weekday, start minute, end minute, available?) in her own time and her offset from UTC.

    As the availability editor reads a week: with no available window she is free at any time
    except her blocks; a block (hard or soft) always wins over an available window.
    """
    windows = list(windows)

    def slots(chosen: list[tuple[int, int, int, bool]]) -> set[int]:
        found = set()
        for weekday, start, end, _ in chosen:
            for minute in range(weekday * 1440 + start, weekday * 1440 + end, 30):
                found.add(((minute - utc_offset_minutes) // 30) % WEEK_SLOTS)
        return found

    available = [w for w in windows if w[3]]
    base = slots(available) if available else set(range(WEEK_SLOTS))
    return frozenset(base - slots([w for w in windows if not w[3]]))


def allowed(a: Candidate, b: Candidate, apart: frozenset[frozenset[int]]) -> bool:
    """The hard rules: not the same organisation, and neither asked not to be with the other."""
    if a.user_id == b.user_id:
        return False
    if a.organization_id is not None and a.organization_id == b.organization_id:
        return False
    return frozenset((a.user_id, b.user_id)) not in apart


def weight(a: Candidate, b: Candidate, before: frozenset[frozenset[int]]) -> tuple[int, tuple[str, ...]]:
    """How well two allowed members suit each other, and the reasons in words."""
    total, reasons = BASE_WEIGHT, []
    if a.free is not None and b.free is not None:
        hours = len(a.free & b.free) // 2
        total += SHARED_HOURS * min(hours // SHARED_HOURS_STEP, 3)
        reasons.append(f"{hours} hours a week both free" if hours else "no free time in common")
    elif a.timezone == b.timezone:
        total += SAME_TIMEZONE
        reasons.append(f"same timezone ({a.timezone})")
    shared = sorted(a.themes & b.themes)[:2]
    if shared:
        total += SHARED_THEME * len(shared)
        reasons.append("both working on " + " and ".join(shared))
    if frozenset((a.user_id, b.user_id)) in before:
        reasons.append("buddies before")
    else:
        total += NEW_PAIR
        reasons.append("not buddies before")
    return total, tuple(reasons)


def suggest_buddies(
    candidates: Sequence[Candidate],
    *,
    apart: Iterable[frozenset[int]] = (),
    before: Iterable[frozenset[int]] = (),
    kept: Iterable[tuple[int, int]] = (),
) -> Suggestion:
    """Pair `candidates` by maximum weight under the hard rules; at most one trio.

    `apart` holds the pairs that must never be buddies ("not with X"), `before` the pairs that
    have been buddies already, `kept` pairs of candidates that stay as they are. Deterministic
    for the same input.
    """
    apart_set, before_set = frozenset(apart), frozenset(before)
    people = sorted(candidates, key=lambda c: c.user_id)
    by_id = {c.user_id: c for c in people}
    kept_pairs = sorted(
        tuple(sorted(pair)) for pair in kept if set(pair) <= set(by_id) and len(set(pair)) == 2
    )
    kept_ids = {user_id for pair in kept_pairs for user_id in pair}
    free = [c for c in people if c.user_id not in kept_ids]
    graph = nx.Graph()
    graph.add_nodes_from(c.user_id for c in free)
    for a, b in itertools.combinations(free, 2):
        if allowed(a, b, apart_set):
            graph.add_edge(a.user_id, b.user_id, weight=weight(a, b, before_set)[0])
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    pairs = kept_pairs + sorted(tuple(sorted(edge)) for edge in matching)
    placed = {user_id for pair in pairs for user_id in pair}
    left_over = [c for c in people if c.user_id not in placed]

    groups = [list(pair) for pair in pairs]
    unplaced: list[tuple[int, str]] = []
    if len(people) % 2 == 1 and len(left_over) == 1:
        extra = left_over.pop()
        fits = [
            (sum(weight(extra, by_id[m], before_set)[0] for m in group), -i)
            for i, group in enumerate(groups)
            if all(allowed(extra, by_id[m], apart_set) for m in group)
        ]
        if fits:
            groups[-max(fits)[1]].append(extra.user_id)
        else:
            left_over.append(extra)
    for person in left_over:
        unplaced.append(
            (
                person.user_id,
                "nobody in the circle can be her buddy under the rules "
                "(same employer, or someone asked not to be paired)",
            )
        )
    return Suggestion(
        groups=tuple(_explained(group, by_id, before_set) for group in groups),
        unplaced=tuple(unplaced),
    )


def _explained(members: list[int], by_id: dict[int, Candidate], before: frozenset[frozenset[int]]) -> Group:
    if len(members) == 2:
        return Group(tuple(members), weight(by_id[members[0]], by_id[members[1]], before)[1])
    reasons = [
        f"{by_id[a].name} and {by_id[b].name}: " + ", ".join(weight(by_id[a], by_id[b], before)[1])
        for a, b in itertools.combinations(members, 2)
    ]
    return Group(tuple(members), ("a trio, as the circle has an odd number of members", *reasons))


def breaks_hard_rule(
    members: Sequence[Candidate], apart: Iterable[frozenset[int]]
) -> tuple[Candidate, Candidate] | None:
    """The first two people in `members` whom the hard rules keep apart, or None."""
    apart_set = frozenset(apart)
    for a, b in itertools.combinations(members, 2):
        if not allowed(a, b, apart_set):
            return a, b
    return None
