import pytest

from mentoring.circles.roster import missed_two_in_a_row


@pytest.mark.parametrize(("marks", "flagged"), [
    ([], False),
    (["absent"], False),
    (["absent", "absent"], True),
    (["present", "absent", "absent"], True),
    (["absent", "absent", "present"], False),  # she came back
    (["absent", "excused"], False),
    (["excused", "excused"], False),  # a sick child never counts against anyone
    (["absent", "excused", "absent"], False),  # excused breaks the run: not two missed in a row
    (["absent", None, "absent"], False),
    (["present", "excused", "absent", "absent"], True),
])
def test_flag_when_her_last_two_held_meetings_were_absences(marks: list[str | None], flagged: bool) -> None:
    assert missed_two_in_a_row(marks) is flagged
