"""Reading a facilitator's price settings: text in major units in, integer cents out.

Pure functions over plain values. Each amount is read by `mentoring.money.parse_amount`; the
rules of the price modes (a fixed price above zero, a sliding scale in order) live here.
"""

from __future__ import annotations

from dataclasses import dataclass

from mentoring.circles.catalog import MAX_PRICE_CENTS, PRICE_MODES
from mentoring.errors import InvalidInput
from mentoring.money import CURRENCIES, parse_amount


class PriceInputError(InvalidInput):
    """A price setting that cannot be used; `field` names the input it belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True)
class PriceSettings:
    """A circle's price settings as plain values: what the facilitator's form gives and what
    billing prices a seat from."""

    mode: str
    currency: str
    price_cents: int | None = None
    sliding_min_cents: int | None = None
    sliding_suggested_cents: int | None = None
    sliding_max_cents: int | None = None


def parse_price_settings(
    mode: str,
    currency: str,
    *,
    fixed: str | None = None,
    sliding_min: str | None = None,
    sliding_suggested: str | None = None,
    sliding_max: str | None = None,
) -> PriceSettings:
    """Validate a circle's price settings; raises PriceInputError (a rule of the price modes) or
    InvalidAmount (an amount that cannot be read), each naming the first bad field.

    Free keeps no amounts. Fixed needs a price above zero. Sliding needs
    minimum <= suggested <= maximum, a maximum above zero; a minimum of 0 is "pay what you can".
    """
    if mode not in PRICE_MODES:
        raise PriceInputError("price_mode", "Please choose free, fixed or sliding scale.")
    currency = (currency or "").strip().upper()
    if currency not in CURRENCIES:
        raise PriceInputError(
            "currency", f"Please choose one of the supported currencies: {', '.join(CURRENCIES)}."
        )
    if mode == "free":
        return PriceSettings(mode=mode, currency=currency)
    if mode == "fixed":
        price = _amount(fixed, currency, "price")
        if price == 0:
            raise PriceInputError("price", "A fixed price must be more than 0. Choose free for no charge.")
        return PriceSettings(mode=mode, currency=currency, price_cents=price)
    low = _amount(sliding_min, currency, "sliding_min")
    suggested = _amount(sliding_suggested, currency, "sliding_suggested")
    high = _amount(sliding_max, currency, "sliding_max")
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


def _amount(text: str | None, currency: str, field: str) -> int:
    return parse_amount(text, currency=currency, maximum_cents=MAX_PRICE_CENTS, field=field)
