"""How a circle's price reads to members (amounts themselves: tests/unit/test_money.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mentoring.circles.display import format_price


def test_the_three_price_modes_read_naturally() -> None:
    assert format_price("free", "USD") == "Free"
    assert format_price("fixed", "USD", price_cents=1500) == "$15 per meeting"
    assert format_price("fixed", "GBP", price_cents=1250) == "£12.50 per meeting"
    assert (format_price("sliding", "USD", sliding_min_cents=0, sliding_max_cents=3000)
            == "Sliding scale $0–$30 per meeting")
    assert (format_price("sliding", "EUR", sliding_min_cents=500, sliding_max_cents=2550)
            == "Sliding scale €5–€25.50 per meeting")


@given(st.integers(min_value=1, max_value=10**7))
def test_a_fixed_price_always_says_per_meeting(cents: int) -> None:
    assert format_price("fixed", "USD", price_cents=cents).endswith(" per meeting")
