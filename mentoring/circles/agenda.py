"""Default meeting guides: the first meeting builds trust, the last one closes the term well."""

from __future__ import annotations

FIRST_MEETING = """\
1. Welcome (5 min): who the facilitator is, how the meeting will run.
2. Introductions (15 min): your name, your children, and what brought you here.
3. Our agreements (10 min): read the confidentiality agreement together; add anything the circle needs.
4. Hopes for the term (20 min): what would make these weeks worth it for you?
5. Closing round (10 min): one word for how you are leaving."""

MIDDLE_MEETING = """\
1. Check-in round (10 min): one high, one low since we last met.
2. Goals report-back (10 min): what you tried since last time, what happened.
3. Main round / topic (25 min): the week's topic, one voice at a time.
4. Feedback (10 min): what you heard from each other, offered when asked.
5. Closing (5 min): one thing you will try before next time."""

LAST_MEETING = """\
1. Reflection on the term (15 min): where you started, where you are now.
2. What each takes away (15 min): one thing you will keep doing.
3. Appreciation round (15 min): something you valued in each person here.
4. What next (10 min): staying in touch, another term, other support.
5. Closing (5 min): one word to end on."""


def default_agenda(sequence: int, count: int) -> str:
    """The guide for meeting `sequence` of a `count`-meeting term (sequences start at 1)."""
    if sequence <= 1:
        return FIRST_MEETING
    if sequence >= count:
        return LAST_MEETING
    return MIDDLE_MEETING


# The middle guide as first written, before practice buddies existed; meetings created then
# still carry it and are still guides.
EARLIER_MIDDLE_MEETING = MIDDLE_MEETING.replace(
    "2. Goals report-back (10 min): what you tried since last time, what happened.",
    "2. Buddy practice report-back (10 min): what you tried with your buddy, what happened.",
)


def is_default_agenda(text: str) -> bool:
    """True when an agenda is one of the guides, so a term-length change may swap it safely."""
    return text.strip() in {FIRST_MEETING, MIDDLE_MEETING, EARLIER_MIDDLE_MEETING, LAST_MEETING, ""}
