"""Money: integer minor units (cents, pence) plus an ISO currency code, never floats.

The one place that knows which currencies Hearth takes, how an amount reads ("$15",
"$12.50", or "12,50 €" in German, through Babel's locale data) and how a typed amount becomes
cents. Pure functions over plain values; the price rules of circles and billing call these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, format_decimal

from mentoring.errors import DomainError


@dataclass(frozen=True)
class Currency:
    symbol: str
    digits: int  # minor-unit digits: 2 means the amount is kept in hundredths


# The currencies the payment gateway is set up for.
CURRENCIES: dict[str, Currency] = {
    "USD": Currency("$", 2),
    "EUR": Currency("€", 2),
    "GBP": Currency("£", 2),
    "CAD": Currency("CA$", 2),
    "AUD": Currency("A$", 2),
}

# Digits only (no exponents, NaN or signs), commas only as thousands separators.
_AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]*)?")
# "12,50" or "12,5": a decimal comma, as much of Europe types cents (and as amounts are shown to
# her in those locales). Three digits after a lone comma ("1,250") stay a thousands separator.
_DECIMAL_COMMA = re.compile(r"([0-9]+),([0-9]{1,2})")
_MAX_WHOLE_DIGITS = 9


class InvalidAmount(DomainError):
    """Please enter an amount such as 12.50."""

    field = "amount"


class UnknownCurrency(DomainError):
    """We cannot take payments in that currency yet."""

    field = "currency"


def check_currency(currency: str | None, *, field: str = "currency") -> str:
    """The upper-cased ISO code of a supported currency; raises UnknownCurrency otherwise."""
    code = (currency or "").strip().upper()
    if code not in CURRENCIES:
        raise UnknownCurrency(f"We cannot take payments in “{currency}” yet.", field=field)
    return code


DEFAULT_LOCALE = "en"


@lru_cache(maxsize=32)
def _whole_pattern(locale: str) -> str:
    # The locale's own currency pattern without its fraction digits ("¤#,##0.00" -> "¤#,##0"),
    # so a whole amount reads "$15" rather than "$15.00" in every locale.
    return re.sub(r"\.[0#]+", "", Locale.parse(locale).currency_formats["standard"].pattern)


# A pure function of its arguments, and a list of circles writes the same few prices over and
# over: Babel's formatting is the slow part of a circle card, so each text is kept once made.
@lru_cache(maxsize=4096)
def format_money(cents: int, currency: str, *, locale: str = DEFAULT_LOCALE) -> str:
    """How an amount reads in `locale` (Babel): '$15', '$12.50', '£1,234.56' in English, '12,50 €'
    in German; whole amounts without decimals. An unknown currency shows its code: '12.34 XYZ'.
    The one money formatter: pages, messages and errors all use it."""
    code = (currency or "").strip().upper()
    unit = CURRENCIES.get(code)
    digits = unit.digits if unit else 2
    amount = Decimal(cents).scaleb(-digits)
    whole = cents % 10**digits == 0
    if unit is None:
        number = format_decimal(amount, format="#,##0" if whole else "#,##0.00", locale=locale)
        return f"{number} {code}"
    pattern = _whole_pattern(locale) if whole else None
    return format_currency(amount, code, format=pattern, locale=locale, currency_digits=pattern is None)


def amount_text(cents: int | None, currency: str | None = None) -> str:
    """1250 -> '12.50', the way an amount is typed into a form (None -> '', an empty input)."""
    if cents is None:
        return ""
    unit = CURRENCIES.get((currency or "").strip().upper())
    digits = unit.digits if unit else 2
    sign = "-" if cents < 0 else ""
    whole, minor = divmod(abs(cents), 10**digits)
    return f"{sign}{whole}.{minor:0{digits}d}" if digits else f"{sign}{whole}"


def parse_amount(text: str | None, *, currency: str, maximum_cents: int | None, field: str = "amount") -> int:
    """'12.50' -> 1250 cents; '12', '12.5', '12,50', '$12.50' and '1,250.00' are read too.

    Raises InvalidAmount (empty, not a plain number, negative, more decimals than the currency
    has, above `maximum_cents` when one is given) or UnknownCurrency; both carry `field`, the
    input the message belongs next to.
    """
    code = check_currency(currency, field=field)
    unit = CURRENCIES[code]
    raw = (text or "").strip().removeprefix(unit.symbol).strip()
    if not raw:
        raise InvalidAmount("Please enter an amount, for example 12.50.", field=field)
    if raw.startswith("-"):
        raise InvalidAmount("The amount cannot be negative.", field=field)
    if decimal_comma := _DECIMAL_COMMA.fullmatch(raw):
        raw = f"{decimal_comma[1]}.{decimal_comma[2]}"
    if not _AMOUNT.fullmatch(raw) or not any(ch.isdigit() for ch in raw):
        raise InvalidAmount("Please enter the amount as a number, for example 12.50.", field=field)
    whole, _, minor = raw.replace(",", "").partition(".")
    if len(minor) > unit.digits:
        raise InvalidAmount("Please use at most two decimal places, for example 12.50."
                            if unit.digits == 2 else "Please enter a whole amount.", field=field)
    if len(whole) > _MAX_WHOLE_DIGITS:
        raise InvalidAmount("That amount is too large.", field=field)
    cents = int(whole or "0") * 10**unit.digits + int(minor.ljust(unit.digits, "0") or "0")
    if maximum_cents is not None and cents > maximum_cents:
        most = format_money(maximum_cents, code)
        raise InvalidAmount(f"The most you can enter here is {most}.", field=field)
    return cents
