"""Forms for goals, progress notes, check-ins and her check-in time."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from mentoring.forms import HearthForm, number_or_none
from mentoring.growth.models import Visibility
from mentoring.growth.service import CheckInInput, GoalInput

GOAL_VISIBILITY = [
    SelectChoice(Visibility.PRIVATE.value, "Only me"),
    SelectChoice(Visibility.BUDDY.value, "Me and my practice buddy"),
    SelectChoice(Visibility.CIRCLE.value, "My circle"),
]
CHECK_IN_VISIBILITY = [
    SelectChoice(Visibility.PRIVATE.value, "Only me"),
    SelectChoice(Visibility.BUDDY.value, "Me and my practice buddy"),
    SelectChoice(Visibility.CIRCLE.value, "My circle"),
]
MOODS = [
    SelectChoice("1", "1 · very hard"),
    SelectChoice("2", "2 · hard"),
    SelectChoice("3", "3 · so-so"),
    SelectChoice("4", "4 · good"),
    SelectChoice("5", "5 · very good"),
]
PROGRESS_LABELS = {
    "not_started": "Not started",
    "some": "Some",
    "most": "Most",
    "done": "Done",
    "blocked": "Blocked",
}


class GoalForm(HearthForm):
    title = StringField("Your goal", validators=[DataRequired(message="Please name your goal.")])
    why = TextAreaField("Why it matters to you", validators=[Optional()])
    next_step = StringField("The next small step", validators=[Optional()])
    target_date = DateField("Target date (optional)", validators=[Optional()])
    circle_id = SelectField("Circle", coerce=number_or_none, validate_choice=False, validators=[Optional()])
    visibility = RadioField(
        "Who can see it", choices=GOAL_VISIBILITY, default=Visibility.PRIVATE.value, validate_choice=False
    )

    def set_circles(self, circles: list[tuple[int, str]]) -> None:
        self.circle_id.choices = [
            SelectChoice("", "No circle"),
            *(SelectChoice(str(cid), title) for cid, title in circles),
        ]

    def to_input(self) -> GoalInput:
        return GoalInput(
            title=self.title.data or "",
            why=self.why.data or "",
            next_step=self.next_step.data or "",
            target_date=self.target_date.data,
            visibility=self.visibility.data or "",
            circle_id=self.circle_id.data,
        )


class NoteForm(HearthForm):
    text = TextAreaField("A progress note", validators=[DataRequired(message="Please write a few words.")])


class CheckInForm(HearthForm):
    mood = RadioField("How do you feel, from 1 to 5?", choices=MOODS, validate_choice=False)
    win = TextAreaField("A win, however small (optional)", validators=[Optional()])
    obstacle = TextAreaField("What got in the way (optional)", validators=[Optional()])
    visibility = RadioField(
        "Who can see this check-in",
        choices=CHECK_IN_VISIBILITY,
        default=Visibility.PRIVATE.value,
        validate_choice=False,
    )
    needs_support = BooleanField("I'd like support: tell my facilitator")
    support_shares_text = BooleanField("Include my win and what got in the way in the message to her")
    support_tells_buddy = BooleanField("Tell my practice buddy too")

    def to_input(self, progress: dict[int, str]) -> CheckInInput:
        return CheckInInput(
            mood=number_or_none(self.mood.data),
            win=self.win.data or "",
            obstacle=self.obstacle.data or "",
            progress=progress,
            visibility=self.visibility.data or "",
            needs_support=bool(self.needs_support.data),
            support_shares_text=bool(self.support_shares_text.data),
            support_tells_buddy=bool(self.support_tells_buddy.data),
        )


class PromptTimeForm(HearthForm):
    prompt_time = TimeField(
        "Ask me for my check-in at (your time)", validators=[InputRequired(message="Please choose a time.")]
    )
