"""The availability editor's forms: they read what was typed; the rules live in the service."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from mentoring.availability.windows import DAY, STEP, WindowKind, hhmm, parse_hhmm
from mentoring.circles.catalog import (
    DURATION_DEFAULT,
    DURATION_MAX,
    DURATION_MIN,
    MEETINGS_MAX,
    WEEKDAYS,
)
from mentoring.forms import HearthForm, ascii_number

STARTS = [SelectChoice(hhmm(m)) for m in range(0, DAY, STEP)]
ENDS = [SelectChoice(hhmm(m)) for m in range(STEP, DAY + 1, STEP)]


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class WindowForm(HearthForm):
    weekdays = CheckboxList("Days", choices=[SelectChoice(str(i), name) for i, name in enumerate(WEEKDAYS)],
                            validate_choice=False)
    start = SelectField("From", choices=STARTS, default="09:00", validate_choice=False)
    end = SelectField("Until", choices=ENDS, default="10:00", validate_choice=False)
    kind = RadioField("I am", choices=[SelectChoice(WindowKind.AVAILABLE.value, "Free then"),
                                       SelectChoice(WindowKind.BLOCKED.value, "Busy then")],
                      default=WindowKind.AVAILABLE.value, validate_choice=False)
    hard = BooleanField("Busy for certain (never suggest this time)")
    label = StringField("Label, only you see it (e.g. school run)", validators=[Optional(), Length(max=40)])

    def days(self) -> list[int]:
        days = (ascii_number(d) for d in self.weekdays.data or [])
        return sorted({d for d in days if d is not None and d < 7})

    def minutes(self) -> tuple[int | None, int | None]:
        return parse_hhmm(self.start.data or ""), parse_hhmm(self.end.data or "")


class FindTimeForm(HearthForm):
    """Read from the query string: searching changes nothing, so it is a GET (no CSRF token)."""

    class Meta:
        csrf = False

    people = CheckboxList("People to fit", validate_choice=False)
    duration = IntegerField("Length in minutes", default=DURATION_DEFAULT,
                            validators=[InputRequired(), NumberRange(DURATION_MIN, DURATION_MAX)])
    first_date = DateField("Term starts on or after", validators=[InputRequired()])
    count = IntegerField("Meetings in the term",
                         validators=[InputRequired(), NumberRange(1, MEETINGS_MAX)])


class ChooseTimeForm(HearthForm):
    weekday = IntegerField(widget=widgets.HiddenInput())
    start = IntegerField(widget=widgets.HiddenInput())
    duration = IntegerField(widget=widgets.HiddenInput())
    from_date = DateField(widget=widgets.HiddenInput())


class InterestForm(HearthForm):
    """A button and its CSRF token."""
