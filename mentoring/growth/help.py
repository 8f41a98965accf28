"""Crisis lines for the "Getting help now" page, read from a data file the operator keeps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).parent / "data" / "crisis_lines.json"


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    emergency: str
    lines: tuple[dict[str, str], ...]
    timezones: frozenset[str]


@cache
def _countries(path: Path = DATA_FILE) -> tuple[Country, ...]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Country(
            code=c["code"],
            name=c["name"],
            emergency=c["emergency"],
            lines=tuple(c["lines"]),
            timezones=frozenset(c.get("timezones", ())),
        )
        for c in data["countries"]
    )


def crisis_lines(*, country: str | None = None, timezone: str | None = None) -> list[Country]:
    """Every country's lines, hers first: the one she picked, else the one her timezone is in,
    then the rest in alphabetical order."""
    countries = sorted(_countries(), key=lambda c: c.name)
    first = next((c for c in countries if country and c.code == country.upper()), None) or next(
        (c for c in countries if timezone and timezone in c.timezones), None
    )
    return ([first] if first else []) + [c for c in countries if c is not first]
