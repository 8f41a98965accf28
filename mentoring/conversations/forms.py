"""Forms for "can't come", private messages and announcements. Length and emptiness are the
services' rules (`conversations.rules`); the forms only carry the values."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Optional

from mentoring.conversations.rules import REASONS
from mentoring.forms import HearthForm

BACK_TO = ("dashboard", "circle")


class CantComeForm(HearthForm):
    reason = RadioField("Why not? (optional, only your facilitator sees it)",
                        choices=[SelectChoice("", "I'd rather not say"),
                                 *(SelectChoice(value, label) for value, label in REASONS.items())],
                        default="",
                        validators=[Optional()], validate_choice=False)
    own_words = StringField("Or in your own words (optional)", validators=[Optional()])
    back = HiddenField(default="dashboard")

    def back_to(self) -> str:
        return self.back.data if self.back.data in BACK_TO else "dashboard"


class MessageForm(HearthForm):
    body = TextAreaField("Your message")


class AnnouncementForm(HearthForm):
    body = TextAreaField("Announcement")


class ActionForm(HearthForm):
    """A button that changes something: only the CSRF token."""
