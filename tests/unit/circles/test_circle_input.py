from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

from mentoring.circles.circle_input import (
    CircleInput,
    CircleInputInvalid,
    FirstDateInPast,
    check_circle_input,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
GOOD = CircleInput(title="Back to work after baby", theme="returning_to_work", timezone="Europe/London",
                   start_time=time(20, 30), first_date=date(2026, 12, 1), meeting_link="https://meet.example/abc")


def problems(data: CircleInput, **kwargs: object) -> dict[str, str]:
    with pytest.raises(CircleInputInvalid) as caught:
        check_circle_input(data, now=NOW, **kwargs)
    return caught.value.by_field


def test_good_input_passes_and_the_weekday_comes_from_the_date() -> None:
    checked = check_circle_input(GOOD, now=NOW)
    assert checked.weekday == 1  # Tuesday 1 Dec 2026
    assert checked.address is None and checked.meeting_link == "https://meet.example/abc"


def test_first_date_in_the_past_in_the_circles_zone() -> None:
    # 23:30 UTC on the 23rd is already the 24th in Berlin, so the 23rd is past there.
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    data = replace(GOOD, timezone="Europe/Berlin", first_date=date(2026, 11, 23))
    with pytest.raises(CircleInputInvalid) as caught:
        check_circle_input(data, now=late)
    assert isinstance(caught.value.problems[0], FirstDateInPast)
    assert "past" in caught.value.by_field["first_date"]


def test_a_time_earlier_today_has_passed() -> None:
    found = problems(replace(GOOD, first_date=date(2026, 11, 23), start_time=time(9, 0)))
    assert "already passed" in found["first_date"]


def test_every_problem_is_reported_at_once() -> None:
    bad = replace(GOOD, title="", capacity=13, min_to_run=1, timezone="Mars/Olympus", duration_minutes=20,
                  meeting_count=3, price_mode="sliding", sliding_min="30", sliding_suggested="20",
                  sliding_max="10")
    found = problems(bad)
    assert set(found) >= {"title", "capacity", "min_to_run", "timezone", "duration_minutes",
                          "meeting_count", "sliding_min"}


def test_format_decides_whether_a_link_or_an_address_is_needed() -> None:
    assert "meeting_link" in problems(replace(GOOD, meeting_link=None))
    assert "meeting_link" in problems(replace(GOOD, meeting_link="javascript:alert(1)"))
    found = problems(replace(GOOD, format="hybrid", address=""))
    assert "address" in found
    checked = check_circle_input(replace(GOOD, format="in_person", address="12 High St"), now=NOW)
    assert checked.meeting_link is None and checked.address == "12 High St"


def test_childcare_needs_somewhere_to_care_for_children() -> None:
    assert "onsite_childcare" in problems(replace(GOOD, onsite_childcare=True))


def test_capacity_cannot_drop_below_members_already_in() -> None:
    assert "capacity" in problems(replace(GOOD, capacity=5), seats_taken=6)


def test_a_running_circles_first_date_is_not_rechecked_when_the_schedule_stays() -> None:
    started = replace(GOOD, first_date=date(2026, 10, 6))
    assert check_circle_input(started, now=NOW, check_first_date=False).weekday == 1


def test_theme_format_and_language_come_from_the_catalogue_members_filter_by() -> None:
    found = problems(replace(GOOD, theme="leadership", format="in-person", language="Klingon"))
    assert set(found) >= {"theme", "format", "language"}
    checked = check_circle_input(replace(GOOD, theme="leadership_and_promotion", format="in_person",
                                         address="1 Main St", language="Spanish"), now=NOW)
    assert (checked.data.theme, checked.data.format, checked.data.language) == (
        "leadership_and_promotion", "in_person", "Spanish")


def test_an_amount_that_cannot_be_read_is_listed_under_its_own_field() -> None:
    found = problems(replace(GOOD, price_mode="fixed", price="15,5,0", title="x"))
    assert "as a number" in found["price"]
    assert "title" in found
