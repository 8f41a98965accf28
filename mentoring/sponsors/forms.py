"""Sponsor forms: organisations, invitations, pools, codes, and an employee's link."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange

from mentoring.accounts.forms import display_name_field, new_password_field, timezone_field
from mentoring.forms import HearthForm
from mentoring.sponsors.eligibility import MAX_CODE_DAYS, MAX_CODE_USES
from mentoring.sponsors.pools import MAX_SEATS, VALIDITY_MONTHS


class OrganizationForm(HearthForm):
    name = StringField("Organisation name", validators=[DataRequired("Please give a name."), Length(max=120)])
    domains = TextAreaField(
        "Verified email domains (one per line)",
        validators=[DataRequired("Please give at least one domain."), Length(max=2000)],
    )
    billing_email = StringField(
        "Billing contact email",
        validators=[DataRequired("Please give an address."), Length(max=254)],
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )
    submit = SubmitField("Add the organisation")


class InviteAccountForm(HearthForm):
    """An invited sponsor admin without an account: the invited address is hers already."""

    display_name = display_name_field()
    timezone = timezone_field()
    password = new_password_field()


class InviteAdminForm(HearthForm):
    email = StringField(
        "Her email address",
        validators=[DataRequired("Please give an address."), Length(max=254)],
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )
    submit = SubmitField("Send the invitation")


class PoolForm(HearthForm):
    seats = IntegerField(
        "Number of seats",
        validators=[
            DataRequired("Please give a number of seats."),
            NumberRange(1, MAX_SEATS, f"Choose between 1 and {MAX_SEATS} seats."),
        ],
    )
    months = SelectField(
        "Seats can be claimed for",
        coerce=int,
        choices=[SelectChoice(m, f"{m} months") for m in VALIDITY_MONTHS],
    )
    price_cap = StringField(
        "Price cap per meeting (USD)",
        validators=[DataRequired("Please give a cap."), Length(max=20)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    method = RadioField(
        "How you'll pay",
        choices=[
            SelectChoice("card", "By card, now"),
            SelectChoice("invoice", "By invoice (30 days to pay)"),
        ],
        default="card",
    )
    update = SubmitField("Show the total")
    submit = SubmitField("Buy the seats")


class InviteCodeForm(HearthForm):
    max_uses = IntegerField(
        "How many employees can use it",
        default=1,
        validators=[
            DataRequired("Please give a number."),
            NumberRange(1, MAX_CODE_USES, f"Between 1 and {MAX_CODE_USES}."),
        ],
    )
    days = IntegerField(
        "Days until it expires",
        default=30,
        validators=[
            DataRequired("Please give a number of days."),
            NumberRange(1, MAX_CODE_DAYS, f"Between 1 and {MAX_CODE_DAYS}."),
        ],
    )
    submit = SubmitField("Create a code")


class RedeemCodeForm(HearthForm):
    code = StringField(
        "Invite code from your employer",
        validators=[DataRequired("Please enter the code."), Length(max=32)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    submit = SubmitField("Link me")


class WorkEmailForm(HearthForm):
    work_email = StringField(
        "Your work email address",
        validators=[DataRequired("Please enter an address."), Length(max=254)],
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )
    submit = SubmitField("Send me a link")


class ClaimForm(HearthForm):
    agree = BooleanField(
        "I agree to keep what is shared in this circle confidential.",
        validators=[DataRequired("Please agree to keep what is shared in the circle confidential.")],
    )
    submit = SubmitField("Use a seat sponsored by my employer")


class ActivateForm(HearthForm):
    reason = StringField(
        "Contract or reason (kept in the audit log)",
        validators=[DataRequired("Please say why."), Length(max=300)],
    )
    submit = SubmitField("Activate by hand")


class ButtonForm(HearthForm):
    """A POST button carrying only the CSRF token."""
