"""Admin forms: the decision buttons only need CSRF protection."""

from mentoring.forms import HearthForm


class ActionForm(HearthForm):
    """A POST button (approve, decline, revoke) carrying only the CSRF token."""
