"""Billing forms."""

from __future__ import annotations

from wtforms import BooleanField, DateField, HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from mentoring.billing.models import PaymentStatus
from mentoring.forms import HearthForm

# Amounts are typed on phones: bring up the number pad (decimal point included).
AMOUNT_INPUT = {"inputmode": "decimal", "autocomplete": "off"}


class JoinForm(HearthForm):
    amount = StringField("Your price per meeting", validators=[Optional(), Length(max=20)],
                         render_kw=AMOUNT_INPUT)
    agree = BooleanField(
        "I agree to keep what is shared in this circle confidential.",
        validators=[DataRequired("Please agree to keep what is shared in the circle confidential.")],
    )
    update = SubmitField("Update the total")
    submit = SubmitField("Continue to payment")


class RefundForm(HearthForm):
    amount = StringField("Amount to refund",
                         validators=[DataRequired("Please enter an amount."), Length(max=20)],
                         render_kw=AMOUNT_INPUT)
    reason = StringField("Reason (kept in the audit log)",
                         validators=[DataRequired("Please say why."), Length(max=200)])
    decision = HiddenField()
    submit = SubmitField("Refund")


class PaymentFilterForm(HearthForm):
    class Meta:
        csrf = False  # a search over GET changes nothing

    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any"),
                 *(SelectChoice(s.value, s.value.replace("_", " ")) for s in PaymentStatus)],
        validators=[Optional()],
    )
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    email = StringField("Member's email contains", validators=[Optional(), Length(max=254)])
    submit = SubmitField("Filter")
