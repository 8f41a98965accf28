"""What the forms of every feature share."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field

from mentoring.errors import DomainError


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal next to the field it concerns, or above the form when it names
    none of the form's fields. An error listing several `problems` puts each by its own field."""
    for problem in getattr(error, "problems", None) or [error]:
        field = getattr(form, problem.field, None) if problem.field else None
        if isinstance(field, Field):
            field.errors = [*field.errors, problem.message]
        else:
            form.form_errors.append(problem.message)
