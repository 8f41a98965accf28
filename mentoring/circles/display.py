"""How circles read to members, as plain functions over plain values (unit-tested).

Prices from integer cents, and the time-of-day filter's windows (judged in SQL by
`availability.fit`). Labels for themes, formats and days come from `catalog`.
"""

from __future__ import annotations

from dataclasses import dataclass

from mentoring.circles.models import PriceMode
from mentoring.money import DEFAULT_LOCALE, format_money

# Start of the meeting, in the viewer's own zone: [from, until) minutes after midnight.
TIME_WINDOWS = {
    "morning": ("Morning (06:00–12:00)", 6 * 60, 12 * 60),
    "school_hours": ("School hours (09:30–14:30)", 9 * 60 + 30, 14 * 60 + 30),
    "afternoon": ("Afternoon (12:00–17:00)", 12 * 60, 17 * 60),
    "evening": ("Evening (17:00–20:00)", 17 * 60, 20 * 60),
    "after_bedtime": ("After bedtime (20:00–22:00)", 20 * 60, 22 * 60),
}


def format_price(
    mode: str,
    currency: str,
    *,
    price_cents: int | None = None,
    sliding_min_cents: int | None = None,
    sliding_max_cents: int | None = None,
    locale: str = DEFAULT_LOCALE,
) -> str:
    """The price as a member reads it: 'Free', '$15 per meeting', 'Sliding scale $0–$30 per meeting',
    the amounts as `locale` writes them."""
    if mode == PriceMode.FIXED and price_cents:
        return f"{format_money(price_cents, currency, locale=locale)} per meeting"
    if mode == PriceMode.SLIDING and sliding_max_cents is not None:
        low = format_money(sliding_min_cents or 0, currency, locale=locale)
        return f"Sliding scale {low}–{format_money(sliding_max_cents, currency, locale=locale)} per meeting"
    return "Free"


@dataclass(frozen=True)
class PriceTag:
    """A circle's price, kept as values so each page writes it in its viewer's locale."""

    mode: str
    currency: str
    price_cents: int | None = None
    sliding_min_cents: int | None = None
    sliding_max_cents: int | None = None

    def text(self, locale: str = DEFAULT_LOCALE) -> str:
        """As `format_price` writes it."""
        return format_price(self.mode, self.currency, price_cents=self.price_cents,
                            sliding_min_cents=self.sliding_min_cents,
                            sliding_max_cents=self.sliding_max_cents, locale=locale)
