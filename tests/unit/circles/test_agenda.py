from hypothesis import given
from hypothesis import strategies as st

from mentoring.circles.agenda import (
    FIRST_MEETING,
    LAST_MEETING,
    MIDDLE_MEETING,
    default_agenda,
    is_default_agenda,
)


def test_first_meeting_builds_the_circle_and_its_agreements() -> None:
    text = default_agenda(1, 8)
    assert text == FIRST_MEETING
    for part in ("Welcome", "Introductions", "confidentiality", "Hopes for the term", "Closing round"):
        assert part in text


def test_middle_meetings_follow_the_weekly_rhythm() -> None:
    text = default_agenda(4, 8)
    assert text == MIDDLE_MEETING
    for part in ("Check-in round", "Goals report-back", "Main round", "Feedback", "Closing"):
        assert part in text


def test_last_meeting_closes_the_term() -> None:
    text = default_agenda(8, 8)
    assert text == LAST_MEETING
    for part in ("Reflection on the term", "takes away", "Appreciation round", "What next", "Closing"):
        assert part in text


@given(count=st.integers(min_value=4, max_value=16), data=st.data())
def test_exactly_one_first_and_one_last_guide_per_term(count: int, data: st.DataObject) -> None:
    guides = [default_agenda(seq, count) for seq in range(1, count + 1)]
    assert guides[0] == FIRST_MEETING and guides[-1] == LAST_MEETING
    assert guides.count(FIRST_MEETING) == 1 and guides.count(LAST_MEETING) == 1
    middle = data.draw(st.integers(min_value=2, max_value=count - 1))
    assert default_agenda(middle, count) == MIDDLE_MEETING


def test_only_the_guides_count_as_default_agendas() -> None:
    assert is_default_agenda(MIDDLE_MEETING) and is_default_agenda("")
    assert not is_default_agenda("1. Guest speaker on negotiating flexible hours")
