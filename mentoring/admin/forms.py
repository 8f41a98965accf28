"""Admin forms: decision buttons (CSRF only) and handing a circle to a new facilitator."""

from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from mentoring.forms import HearthForm


class ActionForm(HearthForm):
    """A POST button (approve, decline, revoke) carrying only the CSRF token."""


class ReassignCircleForm(HearthForm):
    """The facilitator an admin hands a circle to; the service checks she is one."""

    facilitator_id = IntegerField("New facilitator", validators=[
        InputRequired("Please choose a facilitator."),
        # Ids are the database's 32-bit integers: a larger number is no one, not an error page.
        NumberRange(1, 2**31 - 1, "Please choose a facilitator."),
    ])
