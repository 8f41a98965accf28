"""Forms for swapping buddies, a private "not with" wish, and practice sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from mentoring.forms import HearthForm, number_or_none


def _members(members: list[tuple[int, str]]) -> list[SelectChoice]:
    return [SelectChoice("", "Choose a member"), *(SelectChoice(str(uid), name) for uid, name in members)]


class SwapForm(HearthForm):
    first = SelectField("Swap", coerce=number_or_none, validate_choice=False)
    second = SelectField("with", coerce=number_or_none, validate_choice=False)

    def set_members(self, members: list[tuple[int, str]]) -> None:
        self.first.choices = self.second.choices = _members(members)


class ApartForm(HearthForm):
    other_id = SelectField("Please never pair me with", coerce=number_or_none, validate_choice=False)

    def set_members(self, members: list[tuple[int, str]]) -> None:
        self.other_id.choices = _members(members)


def _local_instant(day: date | None, wall: time | None, tzname: str) -> datetime | None:
    """Her wall-clock date and time as a UTC instant (None when either is missing)."""
    if day is None or wall is None:
        return None
    return datetime.combine(day, wall, tzinfo=ZoneInfo(tzname)).astimezone(UTC)


class ProposeForm(HearthForm):
    day = DateField("Day", validators=[InputRequired(message="Please choose a day.")])
    at = TimeField("Time (your time)", validators=[InputRequired(message="Please choose a time.")])
    duration_minutes = IntegerField(
        "How long, in minutes", default=20, validators=[InputRequired(message="Please give a length.")]
    )
    topic = StringField("What you'd like to practise", validators=[DataRequired(message="Please say what.")])

    def starts_at(self, tzname: str) -> datetime | None:
        return _local_instant(self.day.data, self.at.data, tzname)


class OtherTimeForm(HearthForm):
    day = DateField("Day", validators=[InputRequired(message="Please choose a day.")])
    at = TimeField("Time (your time)", validators=[InputRequired(message="Please choose a time.")])

    def starts_at(self, tzname: str) -> datetime | None:
        return _local_instant(self.day.data, self.at.data, tzname)


class NotesForm(HearthForm):
    notes = TextAreaField("Notes (only the two of you read them)", validators=[Optional()])
