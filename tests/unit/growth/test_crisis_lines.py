"""The crisis-lines data file: plain data, every country usable, hers first."""

from __future__ import annotations

import json

from mentoring.growth.help import DATA_FILE, crisis_lines


def test_every_country_has_an_emergency_number_and_a_line_to_call() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert "verif" in data["note"]  # the operator is told to check the numbers
    codes = [c["code"] for c in data["countries"]]
    assert len(codes) == len(set(codes))
    for country in data["countries"]:
        assert country["emergency"] and country["lines"], country["code"]
        assert all(line["name"] and line["contact"] for line in country["lines"]), country["code"]


def test_her_country_first_then_alphabetical() -> None:
    names = [c.name for c in crisis_lines(timezone="America/Toronto")]
    assert names[0] == "Canada" and names[1:] == sorted(names[1:])
    assert crisis_lines(country="us", timezone="America/Toronto")[0].name == "United States"
    assert [c.name for c in crisis_lines(timezone="Mars/Base")] == sorted(names)
