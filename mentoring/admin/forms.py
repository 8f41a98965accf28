"""Admin forms: decision buttons (CSRF only) and handing a circle to a new facilitator."""

from wtforms import IntegerField
from wtforms.validators import InputRequired

from mentoring.forms import HearthForm


class ActionForm(HearthForm):
    """A POST button (approve, decline, revoke) carrying only the CSRF token."""


class ReassignCircleForm(HearthForm):
    """The facilitator an admin hands a circle to; the service checks she is one."""

    facilitator_id = IntegerField("New facilitator",
                                  validators=[InputRequired("Please choose a facilitator.")])
