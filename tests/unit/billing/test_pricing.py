from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.billing import pricing
from mentoring.billing.pricing import (
    PriceOutOfRange,
    cap_refund,
    meetings_left,
    quote,
    refund_for_leaving,
)
from mentoring.circles.catalog import MAX_PRICE_CENTS
from mentoring.circles.pricing_input import PriceSettings
from mentoring.money import UnknownCurrency

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
FIXED = PriceSettings(mode="fixed", currency="USD", price_cents=1500)
SLIDING = PriceSettings(
    mode="sliding",
    currency="USD",
    sliding_min_cents=500,
    sliding_suggested_cents=1500,
    sliding_max_cents=3000,
)


def weekly(count: int, first: datetime) -> list[tuple[int, datetime, str]]:
    return [(n + 1, first + timedelta(weeks=n), "scheduled") for n in range(count)]


def test_quote_says_meetings_times_price_equals_total() -> None:
    assert quote(FIXED, 5).description() == "5 meetings × $15 = $75"
    assert quote(PriceSettings(mode="fixed", currency="GBP", price_cents=1250), 1).description() == (
        "1 meeting × £12.50 = £12.50")


def test_joining_after_meeting_three_of_eight_buys_the_five_left() -> None:
    meetings = weekly(8, NOW - timedelta(weeks=3) + timedelta(hours=1))
    left = meetings_left(meetings, NOW)
    assert left == [4, 5, 6, 7, 8]
    assert quote(FIXED, len(left)).total_cents == 7500


def test_cancelled_and_started_meetings_are_not_sold() -> None:
    meetings = weekly(4, NOW + timedelta(days=1))
    meetings[1] = (2, meetings[1][1], "cancelled")
    meetings.append((5, NOW, "scheduled"))  # starting right now: too late to buy
    assert meetings_left(meetings, NOW) == [1, 3, 4]


def test_sliding_scale_defaults_to_the_suggested_price_and_takes_her_choice() -> None:
    assert quote(SLIDING, 4).unit_cents == 1500
    assert quote(SLIDING, 4, 500).total_cents == 2000
    assert quote(SLIDING, 4, 3000).total_cents == 12000


@pytest.mark.parametrize("chosen", [499, 3001])
def test_sliding_scale_refuses_a_price_outside_the_range(chosen: int) -> None:
    with pytest.raises(PriceOutOfRange) as error:
        quote(SLIDING, 4, chosen)
    assert error.value.field == "amount"
    assert "between $5 and $30 per meeting" in error.value.message


def test_pay_what_you_can_allows_zero() -> None:
    terms = PriceSettings(
        mode="sliding",
        currency="EUR",
        sliding_min_cents=0,
        sliding_suggested_cents=1000,
        sliding_max_cents=2000,
    )
    assert quote(terms, 6, 0).total_cents == 0


def test_free_and_sponsored_seats_cost_nothing() -> None:
    assert quote(PriceSettings(mode="free", currency="USD"), 8).total_cents == 0
    assert quote(FIXED, 8, sponsored=True).total_cents == 0


def test_fixed_price_ignores_any_chosen_amount() -> None:
    assert quote(FIXED, 2, 1).total_cents == 3000


def test_a_circle_in_an_unknown_currency_cannot_be_quoted() -> None:
    # Reading amounts and currencies themselves: tests/unit/test_money.py.
    with pytest.raises(UnknownCurrency):
        quote(PriceSettings(mode="fixed", currency="XYZ", price_cents=100), 3)


def test_leaving_refunds_the_meetings_not_held() -> None:
    assert refund_for_leaving(8000, 8, 5) == 5000
    assert refund_for_leaving(8000, 8, 0) == 0
    assert refund_for_leaving(8000, 8, 9) == 8000


terms_strategy = st.builds(
    lambda mode, price, low, spread, pick: PriceSettings(
        mode=mode,
        currency="USD",
        price_cents=price,
        sliding_min_cents=low,
        sliding_suggested_cents=low + spread // 2,
        sliding_max_cents=low + spread,
    ),
    st.sampled_from(["free", "fixed", "sliding"]),
    st.integers(0, MAX_PRICE_CENTS),
    st.integers(0, 20_000),
    st.integers(0, 20_000),
    st.none(),
)


@given(terms_strategy, st.integers(-5, 60), st.one_of(st.none(), st.integers(-10_000, 60_000)))
def test_quotes_are_never_negative(terms: PriceSettings, meetings: int, chosen: int | None) -> None:
    try:
        result = quote(terms, meetings, chosen)
    except PriceOutOfRange:
        return
    assert result.total_cents >= 0
    assert result.total_cents == result.unit_cents * result.meetings


@given(st.integers(0, 10**7), st.integers(1, 52), st.integers(-3, 60))
def test_a_leaving_refund_never_exceeds_what_was_paid(paid: int, covered: int, remaining: int) -> None:
    refund = refund_for_leaving(paid, covered, remaining)
    assert 0 <= refund <= paid


@given(
    st.integers(1, 5_000),
    st.integers(1, 40),
    st.data(),
)
def test_refunds_plus_money_kept_equal_what_was_paid(unit: int, covered: int, data: st.DataObject) -> None:
    """Some covered meetings are cancelled (one refund each), some are held, then she leaves or
    the circle is cancelled: she keeps paying for exactly the meetings that were held."""
    paid = unit * covered
    cancelled = data.draw(st.integers(0, covered))
    held = data.draw(st.integers(0, covered - cancelled))
    ending = data.draw(st.sampled_from(["leave", "circle_cancelled", "manual_twice"]))
    refunded = 0
    for _ in range(cancelled):
        amount = cap_refund(paid, refunded, pricing.per_meeting_refund(paid, covered))
        refunded += amount
    still_to_come = covered - cancelled - held
    if ending == "leave":
        refunded += cap_refund(paid, refunded, refund_for_leaving(paid, covered, still_to_come))
    elif ending == "circle_cancelled":
        keep = refund_for_leaving(paid, covered, held)
        refunded += cap_refund(paid, refunded, paid - refunded - keep)
    else:
        manual = data.draw(st.integers(0, 2 * paid))
        refunded += cap_refund(paid, refunded, manual)
        refunded += cap_refund(paid, refunded, manual)
        assert refunded <= paid
        return
    kept = paid - refunded
    assert 0 <= refunded <= paid
    assert kept == unit * held
