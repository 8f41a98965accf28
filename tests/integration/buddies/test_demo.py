"""The demo seed shows buddies, practice sessions, pulse answers and outcome measures at once,
and a second run changes nothing."""

from __future__ import annotations

from mentoring.buddies.models import BuddyPair, PracticeSession
from mentoring.outcomes.models import OutcomeMeasure, PulseResponse
from tests.helpers import count

TABLES = (BuddyPair, PracticeSession, PulseResponse, OutcomeMeasure)


def test_the_demo_has_buddies_sessions_pulses_and_measures_and_a_second_run_adds_none(
    runner, ctx: None  # noqa: ANN001
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    counts = [count(table) for table in TABLES]
    assert all(n > 0 for n in counts)
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert [count(table) for table in TABLES] == counts
