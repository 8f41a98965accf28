"""What the forms of every feature share."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask_wtf import FlaskForm
from wtforms import Field

from mentoring.errors import DomainError
from mentoring.extensions import db


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal next to the field it concerns, or above the form when it names
    none of the form's fields. An error listing several `problems` puts each by its own field."""
    for problem in getattr(error, "problems", None) or [error]:
        field = getattr(form, problem.field, None) if problem.field else None
        if isinstance(field, Field):
            field.errors = [*field.errors, problem.message]
        else:
            form.form_errors.append(problem.message)


def commit_or_flash(change: Callable[[], object], *, success: str) -> bool:
    """Run one service change as the request's unit of work.

    On success commit, flash `success` and return True; when a rule says no, roll back, flash
    its message and return False, so nothing half-done is kept.
    """
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True
