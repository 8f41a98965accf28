from datetime import UTC, datetime

from mentoring.timekeeping.display import format_local, is_valid_timezone, tz_label

INSTANT = datetime(2026, 12, 8, 17, 30, tzinfo=UTC)


def test_times_name_their_zone() -> None:
    assert format_local(INSTANT, "Europe/London") == "Tue 8 Dec 2026, 17:30 GMT"
    assert format_local(INSTANT, "America/New_York") == "Tue 8 Dec 2026, 12:30 EST"


def test_zones_without_letters_read_as_offsets_from_utc() -> None:
    assert format_local(INSTANT, "America/Santiago") == "Tue 8 Dec 2026, 14:30 UTC-03"
    assert format_local(INSTANT, "Asia/Kolkata") == "Tue 8 Dec 2026, 23:00 IST"


def test_unknown_zones_are_refused_and_labels_read_naturally() -> None:
    assert not is_valid_timezone("Mars/Olympus_Mons")
    assert not is_valid_timezone("")
    assert is_valid_timezone("America/Los_Angeles")
    assert tz_label("America/Los_Angeles") == "Los Angeles time"
