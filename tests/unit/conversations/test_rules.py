"""What people write to each other: trimmed, never empty, never too long; reasons she can pick."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.conversations.rules import REASON_MAX, absence_reason, clean_text
from mentoring.errors import InvalidInput


@given(st.text(min_size=1, max_size=50).filter(lambda t: t.strip()))
def test_text_within_the_limit_is_kept_without_surrounding_space(text: str) -> None:
    assert clean_text(f"  {text}\n", limit=50) == text.strip()


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_an_empty_message_is_refused_on_its_field(text: str | None) -> None:
    with pytest.raises(InvalidInput, match="Please write your message.") as refused:
        clean_text(text, limit=10)
    assert refused.value.field == "body"


def test_a_20000_character_message_is_refused_with_its_length() -> None:
    with pytest.raises(InvalidInput, match="under 4,000 characters \\(it has 20,000\\)"):
        clean_text("x" * 20_000, limit=4000)


def test_her_own_words_win_over_a_picked_reason() -> None:
    assert absence_reason("work", "  Twins have chickenpox ") == "Twins have chickenpox"
    assert absence_reason("sick_child", "") == "Sick child"
    assert absence_reason("", "") is None


def test_a_reason_that_is_too_long_or_not_offered_is_refused() -> None:
    with pytest.raises(InvalidInput) as too_long:
        absence_reason(None, "x" * (REASON_MAX + 1))
    assert too_long.value.field == "own_words"
    with pytest.raises(InvalidInput) as unknown:
        absence_reason("holiday<script>", None)
    assert unknown.value.field == "reason"
