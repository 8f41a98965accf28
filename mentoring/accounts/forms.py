"""Account forms. Shape and length checks live here; the rules live in the services."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional

from mentoring.accounts.models import DEFAULT_QUIET_END, DEFAULT_QUIET_START
from mentoring.accounts.passwords import MAX_LENGTH
from mentoring.accounts.roles import BIO_MAX, TRAINING_MAX
from mentoring.accounts.service import DISPLAY_NAME_MAX, EMAIL_KINDS, OPTIONAL_EMAIL_KINDS
from mentoring.forms import HearthForm
from mentoring.timekeeping.zones import find_zone, zone_choices


def _lower_strip(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def email_field(label: str = "Email address") -> EmailField:
    return EmailField(label, filters=[_lower_strip], validators=[
        DataRequired("Please enter your email address."),
        Length(max=254, message="That email address is too long."),
        Email("Please enter an email address such as name@example.com."),
    ])


def new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(label, validators=[
        InputRequired("Please choose a password."),
        Length(max=MAX_LENGTH, message=f"Please use at most {MAX_LENGTH} characters."),
    ])


def _meant_zone(value: str | None) -> str | None:
    # A typed city ("chicago") or a name in the wrong case still finds its zone; the service
    # refuses anything that names none.
    if not isinstance(value, str):
        return value
    return find_zone(value) or value.strip()


def timezone_field() -> SelectField:
    """Every IANA zone, labelled city first so it can be found by typing; the browser's zone
    is filled in by app.js (data-detect-timezone), which also adds a search box."""
    return SelectField("Your timezone", choices=list(zone_choices()), default="UTC", validate_choice=False,
                       filters=[_meant_zone],
                       render_kw={"data-detect-timezone": True, "data-searchable": "Search for your city"},
                       validators=[DataRequired("Please choose your timezone."),
                                   Length(max=64, message="Please choose a timezone from the list.")])


def display_name_field() -> StringField:
    return StringField("What should we call you?", filters=[_strip], validators=[
        DataRequired("Please tell us what to call you."),
        Length(max=DISPLAY_NAME_MAX, message=f"Please keep it to {DISPLAY_NAME_MAX} characters."),
    ])


class ClockField(TimeField):
    """A time of day (HH:MM) with a message a person understands."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Please enter a time such as 21:30.") from error


class SignupForm(HearthForm):
    email = email_field()
    display_name = display_name_field()
    timezone = timezone_field()
    password = new_password_field()


class LoginForm(HearthForm):
    email = email_field()
    password = PasswordField("Password", validators=[
        InputRequired("Please enter your password."), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me logged in on this device")


class EmailForm(HearthForm):
    email = email_field()


class ResendVerificationForm(HearthForm):
    """Logged-in members just press the button; others give their address."""

    email = EmailField("Email address", filters=[_lower_strip], validators=[
        Optional(), Length(max=254, message="That email address is too long."),
        Email("Please enter an email address such as name@example.com.")])


class ResetPasswordForm(HearthForm):
    password = new_password_field("New password")
    confirm = PasswordField("New password again", validators=[
        InputRequired("Please type the new password again."),
        EqualTo("password", "The two passwords don't match.")])


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField("Current password", validators=[
        InputRequired("Please enter your current password."), Length(max=MAX_LENGTH)])


class ChangeEmailForm(HearthForm):
    email = email_field("New email address")
    password = PasswordField("Your password", validators=[
        InputRequired("Please enter your password."), Length(max=MAX_LENGTH)])


class DeleteAccountForm(HearthForm):
    password = PasswordField("Your password", validators=[
        InputRequired("Please enter your password to confirm."), Length(max=MAX_LENGTH)])


class LogoutEverywhereForm(HearthForm):
    """The confirmation button and its CSRF token."""


class FacilitatorApplicationForm(HearthForm):
    bio = TextAreaField("About you", filters=[_strip], validators=[
        DataRequired("Please tell us about yourself."),
        Length(max=BIO_MAX, message=f"Please keep this to {BIO_MAX} characters.")])
    training = TextAreaField("Your facilitation training and experience", filters=[_strip], validators=[
        DataRequired("Please describe your training or experience."),
        Length(max=TRAINING_MAX, message=f"Please keep this to {TRAINING_MAX} characters.")])


class SettingsForm(HearthForm):
    display_name = display_name_field()
    timezone = timezone_field()
    quiet_hours = BooleanField("Hold back notifications during quiet hours", default=True)
    quiet_start = ClockField("Quiet from", validators=[Optional()], default=DEFAULT_QUIET_START)
    quiet_end = ClockField("Quiet until", validators=[Optional()], default=DEFAULT_QUIET_END)
    remind_day_before = BooleanField("A day before each meeting", default=True)
    remind_hour_before = BooleanField("An hour before each meeting")

    def email_fields(self) -> list[BooleanField]:
        return [getattr(self, f"email_{kind}") for kind in OPTIONAL_EMAIL_KINDS]

    def opted_out_kinds(self) -> list[str]:
        return [kind for kind in OPTIONAL_EMAIL_KINDS if not getattr(self, f"email_{kind}").data]


# One "email me about ..." checkbox per optional kind; checked means she gets that email.
for _kind in OPTIONAL_EMAIL_KINDS:
    setattr(SettingsForm, f"email_{_kind}", BooleanField(EMAIL_KINDS[_kind], default=True))
