"""Forms for the pulse after a meeting and for her outcome measures."""

from __future__ import annotations

from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import Optional

from mentoring.forms import HearthForm, number_or_none
from mentoring.outcomes.service import OUTCOME_ITEMS, PULSE_ITEMS

FIVE = [
    SelectChoice(str(n), label)
    for n, label in ((1, "1 · not at all"), (2, "2"), (3, "3"), (4, "4"), (5, "5 · very much"))
]
SEVEN = [
    SelectChoice(str(n), label)
    for n, label in (
        (1, "1 · not at all"),
        (2, "2"),
        (3, "3"),
        (4, "4 · somewhat"),
        (5, "5"),
        (6, "6"),
        (7, "7 · completely"),
    )
]


class PulseForm(HearthForm):
    felt_heard = RadioField(
        PULSE_ITEMS["felt_heard"], choices=FIVE, coerce=number_or_none, validate_choice=False
    )
    connected = RadioField(
        PULSE_ITEMS["connected"], choices=FIVE, coerce=number_or_none, validate_choice=False
    )
    learned = RadioField(PULSE_ITEMS["learned"], choices=FIVE, coerce=number_or_none, validate_choice=False)
    note = TextAreaField("A note to your facilitator (optional)", validators=[Optional()])

    def answers(self) -> dict[str, int | None]:
        return {name: getattr(self, name).data for name in PULSE_ITEMS}


class MeasureForm(HearthForm):
    isolation = RadioField(
        OUTCOME_ITEMS["isolation"], choices=SEVEN, coerce=number_or_none, validate_choice=False
    )
    confidence = RadioField(
        OUTCOME_ITEMS["confidence"], choices=SEVEN, coerce=number_or_none, validate_choice=False
    )
    balance = RadioField(
        OUTCOME_ITEMS["balance"], choices=SEVEN, coerce=number_or_none, validate_choice=False
    )
    stress = RadioField(OUTCOME_ITEMS["stress"], choices=SEVEN, coerce=number_or_none, validate_choice=False)

    def answers(self) -> dict[str, int | None]:
        return {name: getattr(self, name).data for name in OUTCOME_ITEMS}
