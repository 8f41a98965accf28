from mentoring.timekeeping.zones import find_zone, zone_choices, zone_label


def test_labels_put_the_city_first() -> None:
    assert zone_label("America/Chicago") == "Chicago (America/Chicago)"
    assert zone_label("America/Argentina/Buenos_Aires") == "Buenos Aires (America/Argentina/Buenos_Aires)"
    assert zone_label("UTC") == "UTC"


def test_typing_a_city_or_a_name_in_any_case_finds_the_zone() -> None:
    assert find_zone("chicago") == "America/Chicago"
    assert find_zone(" New  York ") == "America/New_York"
    assert find_zone("europe/berlin") == "Europe/Berlin"
    assert find_zone("Buenos_Aires") == "America/Argentina/Buenos_Aires"
    assert find_zone("Atlantis") is None


def test_every_zone_is_a_choice_once_with_utc_first() -> None:
    names = [choice.value for choice in zone_choices()]
    assert names[0] == "UTC" and len(names) == len(set(names)) > 300
    assert ("America/Chicago", "Chicago (America/Chicago)") in [(c.value, c.label) for c in zone_choices()]
