from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.circles.pricing_input import (
    MAX_PRICE_CENTS,
    PriceInputError,
    format_amount,
    parse_amount,
    parse_price_settings,
)


@pytest.mark.parametrize(("text", "cents"), [
    ("15", 1500), ("15.5", 1550), ("15.50", 1550), (" 0 ", 0), (".5", 50), ("500", 50000), ("0.01", 1),
    ("12.", 1200),
])
def test_amounts_in_major_units_become_cents(text: str, cents: int) -> None:
    assert parse_amount(text, "price") == cents


@pytest.mark.parametrize("text", [
    "", "  ", "abc", "-5", "1e3", "NaN", "Infinity", "15.555", "1,50", "$15", "500.01", "15 .5", "0x10",
])
def test_anything_else_is_refused_with_the_field_named(text: str) -> None:
    with pytest.raises(PriceInputError) as caught:
        parse_amount(text, "sliding_max")
    assert caught.value.field == "sliding_max"
    assert caught.value.message


@given(st.integers(min_value=0, max_value=MAX_PRICE_CENTS))
def test_format_and_parse_round_trip_every_allowed_amount(cents: int) -> None:
    assert parse_amount(format_amount(cents), "price") == cents


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("500"), places=2, allow_nan=False,
                   allow_infinity=False))
def test_two_decimal_amounts_are_exact(amount: Decimal) -> None:
    assert parse_amount(str(amount), "price") == int(amount * 100)


@given(st.text(max_size=12))
def test_arbitrary_text_either_parses_in_range_or_is_refused(text: str) -> None:
    try:
        cents = parse_amount(text, "price")
    except PriceInputError:
        return
    assert isinstance(cents, int)
    assert 0 <= cents <= MAX_PRICE_CENTS


@given(st.floats(min_value=-1000, max_value=-0.01))
def test_negative_amounts_are_refused(amount: float) -> None:
    with pytest.raises(PriceInputError):
        parse_amount(f"{amount:.2f}", "price")


@given(low=st.integers(0, MAX_PRICE_CENTS), mid=st.integers(0, MAX_PRICE_CENTS),
       high=st.integers(0, MAX_PRICE_CENTS))
def test_sliding_scale_needs_min_suggested_max_in_order(low: int, mid: int, high: int) -> None:
    args = {"sliding_min": format_amount(low), "sliding_suggested": format_amount(mid),
            "sliding_max": format_amount(high)}
    if low <= mid <= high and high > 0:
        settings = parse_price_settings("sliding", "usd", **args)
        assert (settings.sliding_min_cents, settings.sliding_suggested_cents, settings.sliding_max_cents) == (
            low, mid, high)
        assert settings.currency == "USD" and settings.price_cents is None
    else:
        with pytest.raises(PriceInputError):
            parse_price_settings("sliding", "USD", **args)


def test_min_above_max_names_the_minimum() -> None:
    with pytest.raises(PriceInputError) as caught:
        parse_price_settings("sliding", "USD", sliding_min="30", sliding_suggested="20", sliding_max="10")
    assert caught.value.field == "sliding_min"


def test_pay_what_you_can_scale_starts_at_zero() -> None:
    settings = parse_price_settings("sliding", "GBP", sliding_min="0", sliding_suggested="12",
                                    sliding_max="30")
    assert (settings.sliding_min_cents, settings.sliding_suggested_cents, settings.sliding_max_cents) == (
        0, 1200, 3000)


def test_fixed_price_is_stored_in_cents_and_must_be_above_zero() -> None:
    assert parse_price_settings("fixed", "EUR", fixed="15.50").price_cents == 1550
    with pytest.raises(PriceInputError) as caught:
        parse_price_settings("fixed", "EUR", fixed="0")
    assert caught.value.field == "price"


def test_free_keeps_no_amounts_even_if_some_were_typed() -> None:
    settings = parse_price_settings("free", "USD", fixed="15", sliding_max="abc")
    assert settings.price_cents is None and settings.sliding_max_cents is None


@pytest.mark.parametrize(("mode", "currency", "field"), [("donation", "USD", "price_mode"),
                                                          ("free", "BTC", "currency"),
                                                          ("free", "US", "currency")])
def test_unknown_mode_or_currency_is_refused(mode: str, currency: str, field: str) -> None:
    with pytest.raises(PriceInputError) as caught:
        parse_price_settings(mode, currency)
    assert caught.value.field == field
