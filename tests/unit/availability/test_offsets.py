"""Her zone's offsets from now on: the clock changes the circle list's SQL takes into account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mentoring.availability.fit import offset_periods


def test_london_changes_at_one_in_the_morning_utc_in_march_and_october() -> None:
    periods = offset_periods("Europe/London", datetime(2026, 1, 1, tzinfo=UTC), timedelta(days=365))
    assert periods == (
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 0),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 60),
        (None, 0),
    )


def test_sao_paulo_keeps_one_offset_and_sydney_goes_back_in_april() -> None:
    assert offset_periods("America/Sao_Paulo", datetime(2026, 1, 1, tzinfo=UTC)) == ((None, -180),)
    sydney = offset_periods("Australia/Sydney", datetime(2026, 1, 1, tzinfo=UTC), timedelta(days=200))
    # 03:00 AEDT on 5 April is 16:00 UTC on the 4th.
    assert sydney == ((datetime(2026, 4, 4, 16, 0, tzinfo=UTC), 660), (None, 600))
