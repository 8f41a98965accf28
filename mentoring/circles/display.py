"""How circles read to members, as plain functions over plain values (unit-tested).

Prices from integer cents, and her chosen days and hours moved into another frame for the
time-of-day filter. Labels for themes, formats and days come from `catalog`.
"""

from __future__ import annotations

from mentoring.circles.models import PriceMode
from mentoring.money import format_money

# Start of the meeting, in the viewer's own zone: [from, until) minutes after midnight.
TIME_WINDOWS = {
    "morning": ("Morning (06:00–12:00)", 6 * 60, 12 * 60),
    "school_hours": ("School hours (09:30–14:30)", 9 * 60 + 30, 14 * 60 + 30),
    "afternoon": ("Afternoon (12:00–17:00)", 12 * 60, 17 * 60),
    "evening": ("Evening (17:00–20:00)", 17 * 60, 20 * 60),
    "after_bedtime": ("After bedtime (20:00–22:00)", 20 * 60, 22 * 60),
}
DAY = 24 * 60
WEEK = 7 * DAY


def format_price(
    mode: str,
    currency: str,
    *,
    price_cents: int | None = None,
    sliding_min_cents: int | None = None,
    sliding_max_cents: int | None = None,
) -> str:
    """The price as a member reads it: 'Free', '$15 per meeting', 'Sliding scale $0–$30 per meeting'."""
    if mode == PriceMode.FIXED and price_cents:
        return f"{format_money(price_cents, currency)} per meeting"
    if mode == PriceMode.SLIDING and sliding_max_cents is not None:
        low = format_money(sliding_min_cents or 0, currency)
        return f"Sliding scale {low}–{format_money(sliding_max_cents, currency)} per meeting"
    return "Free"


# --- the viewer's week, in another frame ---------------------------------------------------


def window_pieces(
    weekdays: frozenset[int] | None, window: tuple[int, int] | None, shift_minutes: int
) -> list[tuple[int | None, int, int]]:
    """The viewer's chosen days and hours, moved `shift_minutes` into another frame (UTC).

    Returns (weekday or None for any day, from, until) pieces in the other frame, minutes after
    midnight, `until` exclusive and at most 1440. A window that crosses midnight after the
    shift splits into two pieces (and onto the next weekday).
    """
    start, end = window or (0, DAY)
    if weekdays is None:
        lo, hi = (start + shift_minutes) % DAY, (end + shift_minutes) % DAY
        if end - start >= DAY:
            return [(None, 0, DAY)]
        if lo < hi:
            return [(None, lo, hi)]
        return [piece for piece in ((None, lo, DAY), (None, 0, hi)) if piece[1] < piece[2]]
    pieces: list[tuple[int | None, int, int]] = []
    for day in sorted(weekdays):
        lo = (day * DAY + start + shift_minutes) % WEEK
        length = end - start
        while length > 0:
            weekday, minute = divmod(lo, DAY)
            take = min(length, DAY - minute)
            pieces.append((weekday, minute, minute + take))
            lo = (lo + take) % WEEK
            length -= take
    return pieces
