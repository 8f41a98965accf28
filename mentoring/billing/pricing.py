"""Prices, quotes and refund amounts: pure functions over integer cents.

A member buys the meetings left in the term at a price per meeting. Refunds are counted in
meetings too, and are always capped by what is still unrefunded, so money kept plus money
refunded is exactly what was paid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from mentoring.circles.catalog import MAX_PRICE_CENTS
from mentoring.circles.models import MeetingStatus
from mentoring.circles.pricing_input import PriceSettings
from mentoring.errors import DomainError
from mentoring.money import DEFAULT_LOCALE, check_currency, format_money


class PriceOutOfRange(DomainError):
    """Please choose an amount within the circle's range."""

    field = "amount"


@dataclass(frozen=True)
class Quote:
    meetings: int
    unit_cents: int
    total_cents: int
    currency: str

    def description(self, locale: str = DEFAULT_LOCALE) -> str:
        """'5 meetings × $15 = $75' (amounts as `locale` writes them: '5 meetings × 15 $ = 75 $')."""
        noun = "meeting" if self.meetings == 1 else "meetings"
        return (
            f"{self.meetings} {noun} × {format_money(self.unit_cents, self.currency, locale=locale)} = "
            f"{format_money(self.total_cents, self.currency, locale=locale)}"
        )


def unit_price(terms: PriceSettings, chosen_cents: int | None = None, *, sponsored: bool = False) -> int:
    """The price per meeting she pays. Fixed: the circle's price. Sliding: her choice (the
    suggested price if she has not chosen), which must lie within the range, else
    PriceOutOfRange. Free and sponsored seats cost nothing."""
    if sponsored or terms.mode == "free":
        return 0
    check_currency(terms.currency)
    if terms.mode == "fixed":
        return terms.price_cents or 0
    if terms.mode != "sliding":
        raise ValueError(f"unknown price mode {terms.mode!r}")
    low = terms.sliding_min_cents or 0
    high = terms.sliding_max_cents if terms.sliding_max_cents is not None else MAX_PRICE_CENTS
    chosen = terms.sliding_suggested_cents if chosen_cents is None else chosen_cents
    if chosen is None:
        chosen = low
    if not low <= chosen <= high:
        raise PriceOutOfRange(
            f"Please choose between {format_money(low, terms.currency)} and "
            f"{format_money(high, terms.currency)} per meeting."
        )
    return chosen


def meetings_left(meetings: Iterable[tuple[int, datetime, str]], now: datetime) -> list[int]:
    """The sequences of meetings still to buy: scheduled and starting after `now`, in order.

    `meetings` are (sequence, starts_at, status) triples.
    """
    return sorted(
        seq for seq, starts_at, status in meetings if status == MeetingStatus.SCHEDULED and starts_at > now
    )


def quote(
    terms: PriceSettings, meetings: int, chosen_cents: int | None = None, *, sponsored: bool = False
) -> Quote:
    """What joining costs: `meetings` × the unit price. Never negative."""
    unit = unit_price(terms, chosen_cents, sponsored=sponsored)
    count = max(meetings, 0)
    return Quote(meetings=count, unit_cents=unit, total_cents=unit * count, currency=terms.currency)


def refund_for_leaving(paid_cents: int, meetings_covered: int, meetings_remaining_refundable: int) -> int:
    """The share of a payment that pays for the meetings she will not attend.

    Rounds down, so the refund never exceeds the meetings' share of what was paid.
    """
    if paid_cents <= 0 or meetings_covered <= 0:
        return 0
    remaining = min(max(meetings_remaining_refundable, 0), meetings_covered)
    return paid_cents * remaining // meetings_covered


def per_meeting_refund(paid_cents: int, meetings_covered: int) -> int:
    """What one meeting of a payment is worth (a cancelled meeting refunds this)."""
    return refund_for_leaving(paid_cents, meetings_covered, 1)


def cap_refund(paid_cents: int, refunded_cents: int, requested_cents: int) -> int:
    """A refund that keeps the total refunded within what was paid (0 when nothing is left)."""
    return max(0, min(requested_cents, paid_cents - refunded_cents))
