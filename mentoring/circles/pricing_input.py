"""Reading a facilitator's price settings: text in major units in, integer cents out.

Pure functions over plain values. Amounts are parsed with `decimal.Decimal` from a strict
pattern, so "15", "15.5" and "15.50" are accepted and floats, exponents, NaN and negatives never
reach the arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from mentoring.circles.catalog import PRICE_MODES, SUPPORTED_CURRENCIES

MAX_PRICE_CENTS = 50_000  # 500.00 per meeting
_AMOUNT = re.compile(r"^(\d{1,7}(\.\d{0,2})?|\.\d{1,2})$")


class PriceInputError(ValueError):
    """A price setting that cannot be used; `field` names the input it belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PriceSettings:
    mode: str
    currency: str
    price_cents: int | None = None
    sliding_min_cents: int | None = None
    sliding_suggested_cents: int | None = None
    sliding_max_cents: int | None = None


def parse_amount(text: str | None, field: str) -> int:
    """'15' -> 1500, '15.5' -> 1550, '0' -> 0; anything else raises PriceInputError."""
    raw = (text or "").strip()
    if not raw:
        raise PriceInputError(field, "Please enter an amount, like 15 or 15.50.")
    if raw.startswith("-"):
        raise PriceInputError(field, "The amount cannot be negative.")
    if not _AMOUNT.match(raw):
        raise PriceInputError(field, "Please enter an amount in numbers, like 15 or 15.50.")
    cents = int(Decimal(raw) * 100)
    if cents > MAX_PRICE_CENTS:
        raise PriceInputError(field, "The most a meeting can cost is 500.00.")
    return cents


def parse_price_settings(
    mode: str,
    currency: str,
    *,
    fixed: str | None = None,
    sliding_min: str | None = None,
    sliding_suggested: str | None = None,
    sliding_max: str | None = None,
) -> PriceSettings:
    """Validate a circle's price settings; raises PriceInputError naming the first bad field.

    Free keeps no amounts. Fixed needs a price above zero. Sliding needs
    minimum <= suggested <= maximum, a maximum above zero; a minimum of 0 is "pay what you can".
    """
    if mode not in PRICE_MODES:
        raise PriceInputError("price_mode", "Please choose free, fixed or sliding scale.")
    currency = (currency or "").strip().upper()
    if currency not in SUPPORTED_CURRENCIES:
        raise PriceInputError(
            "currency", f"Please choose one of the supported currencies: {', '.join(SUPPORTED_CURRENCIES)}."
        )
    if mode == "free":
        return PriceSettings(mode=mode, currency=currency)
    if mode == "fixed":
        price = parse_amount(fixed, "price")
        if price == 0:
            raise PriceInputError("price", "A fixed price must be more than 0. Choose free for no charge.")
        return PriceSettings(mode=mode, currency=currency, price_cents=price)
    low = parse_amount(sliding_min, "sliding_min")
    suggested = parse_amount(sliding_suggested, "sliding_suggested")
    high = parse_amount(sliding_max, "sliding_max")
    if high == 0:
        raise PriceInputError("sliding_max", "The maximum must be more than 0. Choose free for no charge.")
    if low > high:
        raise PriceInputError("sliding_min", "The minimum cannot be more than the maximum.")
    if not low <= suggested <= high:
        raise PriceInputError(
            "sliding_suggested", "The suggested price must be between the minimum and maximum."
        )
    return PriceSettings(
        mode=mode, currency=currency, sliding_min_cents=low, sliding_suggested_cents=suggested,
        sliding_max_cents=high,
    )


def format_amount(cents: int | None) -> str:
    """1550 -> '15.50'; the inverse of parse_amount for pre-filling a form."""
    if cents is None:
        return ""
    return f"{cents // 100}.{cents % 100:02d}"
