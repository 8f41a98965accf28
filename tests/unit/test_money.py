"""Money: integer cents in, words out; typed text in, exact cents out."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring import money
from mentoring.circles.catalog import MAX_PRICE_CENTS
from mentoring.errors import DomainError
from mentoring.money import (
    CURRENCIES,
    Currency,
    InvalidAmount,
    UnknownCurrency,
    amount_text,
    format_money,
    parse_amount,
)


def usd(text: str | None, field: str = "price") -> int:
    return parse_amount(text, currency="USD", maximum_cents=MAX_PRICE_CENTS, field=field)


# --- the currency table --------------------------------------------------------------------


def test_the_currencies_are_the_ones_the_gateway_takes() -> None:
    assert set(CURRENCIES) == {"USD", "EUR", "GBP", "CAD", "AUD"}
    assert all(unit.digits == 2 and unit.symbol for unit in CURRENCIES.values())


# --- showing amounts -----------------------------------------------------------------------


def test_whole_amounts_show_without_decimals_and_others_with_two() -> None:
    assert format_money(1500, "USD") == "$15"
    assert format_money(1250, "USD") == "$12.50"
    assert format_money(0, "USD") == "$0"
    assert format_money(123456, "GBP") == "£1,234.56"
    assert format_money(5, "EUR") == "€0.05"
    assert format_money(5, "usd") == "$0.05"
    assert format_money(123456789, "USD") == "$1,234,567.89"
    assert format_money(-250, "CAD") == "-CA$2.50"


def test_an_unknown_currency_shows_its_code() -> None:
    assert format_money(1234, "XYZ") == "12.34 XYZ"
    assert format_money(1200, "xyz") == "12 XYZ"


def test_a_currency_without_minor_units_never_shows_decimals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CURRENCIES, "JPY", Currency("¥", 0))
    assert format_money(1500, "JPY") == "¥1,500"
    assert amount_text(1500, "JPY") == "1500"
    assert parse_amount("1500", currency="JPY", maximum_cents=None) == 1500
    with pytest.raises(InvalidAmount, match="whole amount"):
        parse_amount("15.5", currency="JPY", maximum_cents=None)


@given(st.integers(min_value=0, max_value=10**9))
def test_money_text_gives_back_the_exact_cents(cents: int) -> None:
    text = format_money(cents, "USD")
    assert text.startswith("$")
    whole, _, minor = text[1:].replace(",", "").partition(".")
    assert int(whole) * 100 + int(minor or 0) == cents
    assert minor == "" or len(minor) == 2


def test_amount_text_is_what_a_form_is_prefilled_with() -> None:
    assert amount_text(1250) == "12.50"
    assert amount_text(1500, "USD") == "15.00"
    assert amount_text(5) == "0.05"
    assert amount_text(None) == ""


# --- reading typed amounts -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "cents"), [
    ("15", 1500), ("15.5", 1550), ("15.50", 1550), (" 0 ", 0), (".5", 50), ("500", 50000), ("0.01", 1),
    ("12.", 1200),
])
def test_amounts_in_major_units_become_cents(text: str, cents: int) -> None:
    assert usd(text) == cents


@pytest.mark.parametrize(
    ("text", "currency", "cents"),
    [
        ("12.50", "USD", 1250),
        ("12", "USD", 1200),
        (" $7.5 ", "USD", 750),
        ("0", "USD", 0),
        ("£1,250.00", "GBP", 125000),
        ("0.10", "eur", 10),
        ("12,50", "EUR", 1250),
        ("12,5", "USD", 1250),
        ("€0,99", "EUR", 99),
    ],
)
def test_amounts_are_parsed_exactly_with_her_currency_symbol_and_thousands(
    text: str, currency: str, cents: int
) -> None:
    assert parse_amount(text, currency=currency, maximum_cents=None) == cents


@pytest.mark.parametrize("text", [
    "", "  ", "abc", "-5", "1e3", "NaN", "Infinity", "15.555", "1,5,0", "€15", "500.01", "15 .5", "0x10",
    "12,5x", "1.005", "600", "£1,25.00", ".", "$", "٣",
])
def test_anything_else_is_refused_with_a_message_for_the_field(text: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        usd(text, field="sliding_max")
    assert caught.value.field == "sliding_max"
    assert caught.value.message
    assert isinstance(caught.value, DomainError)


def test_the_field_is_amount_unless_the_caller_names_another() -> None:
    with pytest.raises(InvalidAmount) as caught:
        parse_amount("lots", currency="USD", maximum_cents=None)
    assert caught.value.field == "amount"


@pytest.mark.parametrize(("text", "words"), [
    ("", "enter an amount"),
    ("lots", "as a number"),
    ("-1.00", "negative"),
    ("$-1", "negative"),
    ("12,345,6", "as a number"),
    ("12.005", "two decimal places"),
    ("500.01", "The most you can enter here is $500."),
])
def test_each_mistake_gets_its_own_clear_message(text: str, words: str) -> None:
    with pytest.raises(InvalidAmount, match=re.escape(words)):
        usd(text)


def test_without_a_maximum_large_amounts_are_read_but_not_absurd_ones() -> None:
    assert parse_amount("1,234,567.89", currency="USD", maximum_cents=None) == 123456789
    with pytest.raises(InvalidAmount, match="too large"):
        parse_amount("9" * 30, currency="USD", maximum_cents=None)


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency) as error:
        parse_amount("12.00", currency="XYZ", maximum_cents=None)
    assert error.value.field == "amount"
    assert "XYZ" in error.value.message
    with pytest.raises(UnknownCurrency) as error:
        money.check_currency("BTC")
    assert error.value.field == "currency"
    assert money.check_currency(" gbp ") == "GBP"


@given(st.integers(min_value=0, max_value=MAX_PRICE_CENTS))
def test_format_and_parse_round_trip_every_allowed_amount(cents: int) -> None:
    assert usd(amount_text(cents)) == cents
    assert usd(format_money(cents, "USD")) == cents


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("500"), places=2, allow_nan=False,
                   allow_infinity=False))
def test_two_decimal_amounts_are_exact(amount: Decimal) -> None:
    assert usd(str(amount)) == int(amount * 100)


@given(st.text(max_size=12))
def test_arbitrary_text_either_parses_in_range_or_is_refused(text: str) -> None:
    try:
        cents = usd(text)
    except InvalidAmount:
        return
    assert isinstance(cents, int)
    assert 0 <= cents <= MAX_PRICE_CENTS


@given(st.floats(min_value=-1000, max_value=-0.01))
def test_negative_amounts_are_refused(amount: float) -> None:
    with pytest.raises(InvalidAmount, match="negative"):
        usd(f"{amount:.2f}")


def test_amounts_read_the_way_her_locale_writes_them() -> None:
    assert format_money(1250, "EUR", locale="de_DE") == "12,50\xa0€"
    assert format_money(1500, "EUR", locale="de_DE") == "15\xa0€"
    assert format_money(123456, "GBP", locale="en_GB") == "£1,234.56"
    assert format_money(123456, "USD", locale="fr_FR") == "1\u202f234,56\xa0$US"
    assert format_money(1230, "XYZ") == "12.30 XYZ"
