"""Forms for "can't come", private messages and announcements. Length and emptiness are the
services' rules (`conversations.rules`); the forms only carry the values."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Optional

from mentoring.conversations.rules import REASONS

BACK_TO = ("dashboard", "circle")


class CantComeForm(FlaskForm):
    reason = RadioField("Why not? (optional, only your facilitator sees it)",
                        choices=[SelectChoice("", "I'd rather not say"),
                                 *(SelectChoice(value, label) for value, label in REASONS.items())],
                        default="",
                        validators=[Optional()], validate_choice=False)
    own_words = StringField("Or in your own words (optional)", validators=[Optional()])
    back = HiddenField(default="dashboard")

    def back_to(self) -> str:
        return self.back.data if self.back.data in BACK_TO else "dashboard"


class MessageForm(FlaskForm):
    body = TextAreaField("Your message")


class AnnouncementForm(FlaskForm):
    body = TextAreaField("Announcement")


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
