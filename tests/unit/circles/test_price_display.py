"""How prices read: integer cents in, words out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mentoring.circles.display import format_money, format_price


def test_the_three_price_modes_read_naturally() -> None:
    assert format_price("free", "USD") == "Free"
    assert format_price("fixed", "USD", price_cents=1500) == "$15 per meeting"
    assert format_price("fixed", "GBP", price_cents=1250) == "£12.50 per meeting"
    assert (format_price("sliding", "USD", sliding_min_cents=0, sliding_max_cents=3000)
            == "Sliding scale $0–$30 per meeting")
    assert (format_price("sliding", "EUR", sliding_min_cents=500, sliding_max_cents=2550)
            == "Sliding scale €5–€25.50 per meeting")


def test_currencies_without_cents_and_unknown_currencies() -> None:
    assert format_money(1500, "JPY") == "¥1,500"
    assert format_money(1234, "XYZ") == "12.34 XYZ"
    assert format_money(5, "usd") == "$0.05"
    assert format_money(123456789, "USD") == "$1,234,567.89"


@given(st.integers(min_value=0, max_value=10**9))
def test_money_text_gives_back_the_exact_cents(cents: int) -> None:
    text = format_money(cents, "USD")
    assert text.startswith("$")
    whole, _, minor = text[1:].replace(",", "").partition(".")
    assert int(whole) * 100 + int(minor or 0) == cents
    assert minor == "" or len(minor) == 2


@given(st.integers(min_value=1, max_value=10**7))
def test_a_fixed_price_always_says_per_meeting(cents: int) -> None:
    assert format_price("fixed", "USD", price_cents=cents).endswith(" per meeting")
