"""Choosing a timezone: friendly labels for IANA names, and finding one from what was typed.

Pure functions over the zone names tzdata ships; the sign-up and settings forms use them.
"""

from __future__ import annotations

from functools import lru_cache

from wtforms import SelectChoice

from mentoring.timekeeping.display import all_timezones


def zone_label(name: str) -> str:
    """'America/Chicago' -> 'Chicago (America/Chicago)': the city first, so a person finds it
    by typing it (a plain <select> jumps to the option she types, even without JavaScript)."""
    if "/" not in name:
        return name
    city = name.rsplit("/", 1)[1].replace("_", " ")
    return f"{city} ({name})"


@lru_cache(maxsize=1)
def zone_choices() -> tuple[SelectChoice, ...]:
    """A choice (IANA name, label) for every zone, ordered by label (UTC first)."""
    zones = sorted(all_timezones(), key=lambda z: (z != "UTC", zone_label(z).casefold()))
    return tuple(SelectChoice(zone, zone_label(zone)) for zone in zones)


@lru_cache(maxsize=1)
def _by_typed_name() -> dict[str, str]:
    found: dict[str, str] = {}
    for zone in all_timezones():
        city = zone.rsplit("/", 1)[-1].replace("_", " ").casefold()
        found.setdefault(city, zone)
        found[zone.casefold()] = zone
    return found


def find_zone(typed: str) -> str | None:
    """The zone someone meant: its IANA name in any case, or its city ('chicago',
    'new york', 'Buenos_Aires'); None when nothing matches."""
    key = " ".join(typed.replace("_", " ").split()).casefold()
    exact = _by_typed_name().get(typed.strip().casefold())
    return exact or _by_typed_name().get(key)
