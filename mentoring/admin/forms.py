"""Admin forms: the decision buttons only need CSRF protection."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A POST button (approve, decline, revoke) carrying only the CSRF token."""
