"""Find-a-time against a naive baseline, measured in the same run (part of `make bench`).

The naive baseline is what a first version would do: for every member x candidate slot x date
it re-reads that member's windows (a fresh scan of her list, no index) and checks the meeting
against each one. Both must give the same answer; the real one must grow linearly with
members x dates (the 48-member, 16-meeting term is 8x the work of the 12-member, 8-meeting one).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date
from datetime import time as clock
from zoneinfo import ZoneInfo

from mentoring.availability.slots import MemberWeek, candidates, find_times, term_dates
from mentoring.availability.windows import DAY, PRESETS, WEEK, Window, WindowKind
from mentoring.circles.schedule import local_instant

ZONES = ("Europe/London", "America/New_York", "America/Sao_Paulo", "Australia/Sydney", "Europe/Berlin",
         "Asia/Kolkata")
SIZES = ((12, 8), (48, 16))  # (members, meetings in the term)
FIRST = date(2026, 10, 6)  # the term crosses Europe's and North America's autumn changes
LINEAR_SLACK = 1.5  # 48x16 may cost at most 8 x 1.5 the 12x8 time


def members(count: int, rng: random.Random) -> list[MemberWeek]:
    weeks = []
    for member_id in range(1, count + 1):
        windows: list[Window] = []
        for key in rng.sample(sorted(PRESETS), rng.randint(1, 3)):
            windows.extend(PRESETS[key].windows)
        day = rng.randrange(7)
        windows.append(Window(day, rng.randrange(16, 40) * 30, rng.randrange(40, 46) * 30, WindowKind.BLOCKED,
                              rng.random() < 0.5, "private"))
        weeks.append(MemberWeek(member_id, rng.choice(ZONES), tuple(windows)))
    return weeks


def naive_counts(weeks: Sequence[MemberWeek], *, circle_tz: str, first_date: date, count: int,
                 duration: int) -> dict[tuple[int, int], int]:
    """How many can come at each candidate, the slow way (see the module docstring)."""
    store = {m.member_id: list(m.windows) for m in weeks}
    result = {}
    for candidate in candidates(duration):
        can = 0
        for member in weeks:
            ok = True
            for day in term_dates(first_date, candidate.weekday, count):
                windows = list(store[member.member_id])  # re-read her week for every check
                instant = local_instant(day, clock(candidate.start // 60, candidate.start % 60), circle_tz)
                local = instant.astimezone(ZoneInfo(member.timezone))
                start = local.weekday() * DAY + local.hour * 60 + local.minute
                minutes = [(start + m) % WEEK for m in range(duration)]
                has_free = any(w.kind == WindowKind.AVAILABLE for w in windows)
                for minute in minutes:
                    covering = [w for w in windows if w.week_start <= minute < w.week_end]
                    if any(w.kind == WindowKind.BLOCKED and w.hard for w in covering) or (
                            has_free and not any(w.kind == WindowKind.AVAILABLE for w in covering)):
                        ok = False
                        break
                if not ok:
                    break
            can += ok
        result[(candidate.weekday, candidate.start)] = can
    return result


def _median_ms(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run_find_time_bench(repeats: int = 3) -> bool:
    """Print the table; True when both agree and find-a-time grows linearly."""
    rng = random.Random(10)
    print()
    header = f"{'find a time':<24}{'fast ms':>10}{'naive ms':>11}{'naive/fast':>12}  same answer"
    print(header)
    print("-" * len(header))
    fast_ms: list[float] = []
    agree = True
    for size, meetings in SIZES:
        weeks = members(size, rng)
        kwargs = {"circle_tz": "Europe/London", "first_date": FIRST, "count": meetings, "duration": 60}
        fast = _median_ms(lambda weeks=weeks, kwargs=kwargs: find_times(weeks, **kwargs), repeats)
        started = time.perf_counter()
        slow_counts = naive_counts(weeks, **kwargs)
        naive = (time.perf_counter() - started) * 1000
        fast_counts = {(r.candidate.weekday, r.candidate.start): len(r.can_attend)
                       for r in find_times(weeks, **kwargs)}
        same = fast_counts == slow_counts
        agree &= same
        fast_ms.append(fast)
        print(f"{f'{size} members x {meetings} dates':<24}{fast:>10.1f}{naive:>11.1f}{naive / fast:>12.1f}"
              f"  {'yes' if same else 'NO'}")
    work = (SIZES[1][0] * SIZES[1][1]) / (SIZES[0][0] * SIZES[0][1])
    growth = fast_ms[1] / fast_ms[0]
    linear = growth <= work * LINEAR_SLACK
    print(f"\n48x16 is {work:g}x the work of 12x8 and took {growth:.1f}x the time: linear "
          f"{'PASS' if linear else 'FAIL'} (target <= {work * LINEAR_SLACK:g}x); answers agree: "
          f"{'PASS' if agree else 'FAIL'}")
    return linear and agree
