import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.circles.catalog import MAX_PRICE_CENTS
from mentoring.circles.pricing_input import PriceInputError, parse_price_settings
from mentoring.money import InvalidAmount, amount_text


@given(low=st.integers(0, MAX_PRICE_CENTS), mid=st.integers(0, MAX_PRICE_CENTS),
       high=st.integers(0, MAX_PRICE_CENTS))
def test_sliding_scale_needs_min_suggested_max_in_order(low: int, mid: int, high: int) -> None:
    args = {"sliding_min": amount_text(low), "sliding_suggested": amount_text(mid),
            "sliding_max": amount_text(high)}
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


@pytest.mark.parametrize(("field", "text"), [("price", "15.555"), ("sliding_min", "-5"),
                                             ("sliding_suggested", "lots"), ("sliding_max", "500.01")])
def test_an_amount_that_cannot_be_read_is_refused_next_to_its_own_field(field: str, text: str) -> None:
    typed = {"sliding_min": "0", "sliding_suggested": "10", "sliding_max": "20", field: text}
    mode = "fixed" if field == "price" else "sliding"
    with pytest.raises(InvalidAmount) as caught:
        parse_price_settings(mode, "USD", fixed=typed.get("price"), sliding_min=typed["sliding_min"],
                             sliding_suggested=typed["sliding_suggested"], sliding_max=typed["sliding_max"])
    assert caught.value.field == field
    assert caught.value.message
