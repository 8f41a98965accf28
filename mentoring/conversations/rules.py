"""Pure rules for what people write to each other: plain values in, plain values out."""

from __future__ import annotations

from mentoring.errors import InvalidInput

# A reason she can't come: one tap for the usual ones, or her own words.
REASONS: dict[str, str] = {
    "sick_child": "Sick child",
    "no_childcare": "No childcare",
    "work": "Work",
}
# The reason is kept as the attendance note, which holds 120 characters.
REASON_MAX = 120
ANNOUNCEMENT_MAX = 2000


def clean_text(text: str | None, *, limit: int, field: str = "body", what: str = "message") -> str:
    """`text` without surrounding blank space. Raises InvalidInput (on `field`) when nothing is
    left or it is longer than `limit` characters."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput(f"Please write your {what}.", field=field)
    if len(cleaned) > limit:
        raise InvalidInput(f"Please keep your {what} under {limit:,} characters "
                           f"(it has {len(cleaned):,}).", field=field)
    return cleaned


def absence_reason(choice: str | None, own_words: str | None) -> str | None:
    """The reason to keep for a "can't come": her own words when she wrote some, else the label
    of the reason she picked, else none. Raises InvalidInput (on `own_words`) over 120 characters
    or for a choice that is not offered."""
    words = (own_words or "").strip()
    if words:
        if len(words) > REASON_MAX:
            raise InvalidInput(f"Please keep the reason under {REASON_MAX} characters.", field="own_words")
        return words
    if not choice:
        return None
    if choice not in REASONS:
        raise InvalidInput("Please pick one of the reasons, or write your own.", field="reason")
    return REASONS[choice]
