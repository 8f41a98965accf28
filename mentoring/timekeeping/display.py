"""Showing instants in the viewer's own timezone, always naming the zone."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@lru_cache(maxsize=1)
def all_timezones() -> tuple[str, ...]:
    """Every IANA zone name the machine knows (tzdata ships them), sorted."""
    return tuple(sorted(tz for tz in available_timezones() if "/" in tz or tz == "UTC"))


def is_valid_timezone(name: str) -> bool:
    if not name or name not in set(all_timezones()):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def tz_label(name: str) -> str:
    """'America/New_York' -> 'New York time'."""
    return name.split("/")[-1].replace("_", " ") + " time" if name != "UTC" else "UTC"


def format_local(instant: datetime | None, tzname: str) -> str:
    """'Tue 3 Mar 2026, 20:30 GMT' in the given zone; the abbreviation says which zone."""
    if instant is None:
        return ""
    local = instant.astimezone(ZoneInfo(tzname))
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {zone_abbreviation(local)}"


def zone_abbreviation(local: datetime) -> str:
    """'GMT', 'EST'; zones with no letters (São Paulo's '-03') read as 'UTC-03'."""
    name = local.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" and name else name


def format_local_date(instant: datetime | None, tzname: str) -> str:
    if instant is None:
        return ""
    local = instant.astimezone(ZoneInfo(tzname))
    return f"{local:%a} {local.day} {local:%b %Y}"
