"""What the forms of every feature share: the base form with its input rules, and helpers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import wtforms.widgets
from flask import abort, flash
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, Field, Form, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import core as wtforms_widgets

from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db

# Line breaks and tabs are ordinary in a paragraph; nowhere else is a control character typed.
TEXTAREA_ALLOWED = frozenset("\n\r\t")
# The dates anyone means in Hearth. Outside it a date is a typo, and near year 9999 adding a
# day or a timezone offset overflows Python's datetime (a 500 instead of a field error).
EARLIEST_DATE = date(2000, 1, 1)
_ASCII_NUMBER = re.compile(r"[0-9]{1,9}")
LATEST_DATE = date(2100, 12, 31)


def control_character_problem(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """Why `value` can't be stored as text (a NUL or other control character); None when it can.

    PostgreSQL refuses NUL in text, and the rest are invisible to every reader of the value.
    """
    for char in value:
        if char not in allowed and unicodedata.category(char) == "Cc":
            return "This contains an invisible control character. Please retype it."
    return None


def ascii_number(text: str) -> int | None:
    """`text` as a whole number when it is 1 to 9 ASCII digits; None for anything else.

    `str.isdigit()` also takes '²' (which `int()` then refuses) and 100k digits (beyond `int()`'s
    limit): both were 500s where a form or query value was checked with it."""
    return int(text) if _ASCII_NUMBER.fullmatch(text) else None


def number_or_none(value: object) -> int | None:
    """The `coerce` of a choice whose values are numbers (an id, a point on a scale): the number,
    or None for anything that cannot be one, which the form or the service then refuses with
    its message. A submitted value counts only as 1 to 9 ASCII digits (`ascii_number`): an id
    beyond PostgreSQL's integer went to the query and came back a 500."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # a default or a stored value, not something typed
    return ascii_number(value) if isinstance(value, str) else None


def date_range_problem(value: date) -> str | None:
    """Why a date is outside what Hearth accepts; None when it is inside."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        return f"Please enter a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}."
    return None


class _NoControlCharacters:
    def __init__(self, allowed: frozenset[str]) -> None:
        self.allowed = allowed

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str):
            problem = control_character_problem(field.data, self.allowed)
            if problem:
                raise ValidationError(problem)


def _date_in_range(form: Form, field: Field) -> None:
    if isinstance(field.data, date):
        problem = date_range_problem(field.data)
        if problem:
            raise ValidationError(problem)


class HearthForm(FlaskForm):
    """The base of every form in Hearth.

    Its Meta adds the shared input rules to each field as it is bound, so no form can forget
    them: text refuses control characters (a textarea keeps line breaks and tabs), and dates
    stay within EARLIEST_DATE..LATEST_DATE.
    """

    class Meta:
        def bind_field(self, form: Form, unbound_field: Any, options: dict[str, Any]) -> Field:
            field = super().bind_field(form, unbound_field, options)  # type: ignore[misc]
            if isinstance(field, StringField):
                allowed = TEXTAREA_ALLOWED if isinstance(field, TextAreaField) else frozenset()
                field.validators = [*field.validators, _NoControlCharacters(allowed)]
            elif isinstance(field, DateField):
                field.validators = [*field.validators, _date_in_range]
            return field


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's refusal next to the field it concerns, or above the form when it names
    none of the form's fields. An error listing several `problems` puts each by its own field."""
    for problem in getattr(error, "problems", None) or [error]:
        field = getattr(form, problem.field, None) if problem.field else None
        if isinstance(field, Field):
            field.errors = [*field.errors, problem.message]
        else:
            form.form_errors.append(problem.message)


@dataclass
class FormChange:
    done: bool = False  # True once the change is committed


@contextmanager
def form_unit_of_work(
    form: FlaskForm | None, *, success: str, missing_is_404: bool = False
) -> Iterator[FormChange]:
    """Run the `with` block, a service change, as the request's unit of work.

    When it holds: commit, flash `success` and mark the yielded FormChange done. When a rule says
    no: roll back, so nothing half-done is kept, and put its message next to the field it
    concerns (`show_error`) so the form is shown again, or flash it when there is no form (a
    button). With `missing_is_404` a NotFound (the thing went away, or was never hers) answers
    404 instead.
    """
    change = FormChange()
    try:
        yield change
    except DomainError as error:
        if missing_is_404 and isinstance(error, NotFound):
            abort(404)
        db.session.rollback()
        if form is None:
            flash(error.message, "error")
        else:
            show_error(form, error)
        return
    db.session.commit()
    flash(success, "success")
    change.done = True


def commit_or_flash(change: Callable[[], object], *, success: str) -> bool:
    """`form_unit_of_work` for a change without a form of its own (a button): run `change`,
    and return whether it was committed; a refusal is flashed."""
    with form_unit_of_work(None, success=success) as outcome:
        change()
    return outcome.done


def html_params(**kwargs: Any) -> Markup:
    """WTForms' `html_params`, the same output, written with f-strings: WTForms builds each
    attribute with `Markup.format`, which runs Python's pure-Python string.Formatter, and on a
    page of forms that was a fifth of all the work. `use_fast_html_params` puts it in WTForms'
    place; tests/unit/test_html_params.py checks it writes exactly what WTForms' own does."""
    params = []
    for key, value in sorted(kwargs.items()):
        name = wtforms_widgets.clean_key(key)
        if value is True:
            params.append(name)
        elif value is not False:
            # escape() leaves a Markup value as it is: a quote in it must still not end the value.
            params.append(f'{name}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


# WTForms' own, kept for the test that compares the two.
WTFORMS_HTML_PARAMS = wtforms_widgets.html_params


def use_fast_html_params() -> None:
    """Every WTForms widget (and label) writes its attributes with `html_params` above."""
    for module in (wtforms_widgets, wtforms.widgets):
        module.html_params = html_params
    for widget in vars(wtforms_widgets).values():
        if isinstance(widget, type) and widget.__dict__.get("html_params") is not None:
            widget.html_params = staticmethod(html_params)


def render_field(
    f: Field, *, help: str | None = None, autocomplete: str | None = None, list: str | None = None  # noqa: A002
) -> Markup:
    """One field as every form shows it: its label, the input, help text and errors next to it,
    the input described by both (`templates/_macros/forms.html` `field` calls it). Written in
    Python because a form page renders many fields, and a Jinja macro body cost a field ten
    times as much."""
    error_id, help_id = f"{f.id}-error", f"{f.id}-help"
    described = [*([help_id] if help else []), *([error_id] if f.errors else [])]
    attrs: dict[str, Any] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if f.errors:
        attrs["aria-invalid"] = "true"
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    if list:
        attrs["list"] = list
    if f.flags.required:
        attrs["required"] = True
    # f-strings over escaped parts: Markup.format runs Python's pure-Python string.Formatter,
    # which cost more than the rest of the field.
    notes = "".join(
        [*([f'<p class="help" id="{escape(help_id)}">{escape(help)}</p>'] if help else []),
         *(f'<p class="error" id="{escape(error_id)}">{escape(e)}</p>' for e in f.errors)]
    )
    has_error = " has-error" if f.errors else ""
    if f.type == "BooleanField":
        return Markup(f'<div class="field field-check{has_error}">{f(**attrs)} {f.label()}{notes}</div>')
    if f.type == "RadioField":
        options = "".join(f'<div class="field-check">{sub(**attrs)} {sub.label()}</div>' for sub in f)
        return Markup(f'<fieldset class="field{has_error}"><legend>{escape(f.label.text)}</legend>'
                      f"{options}{notes}</fieldset>")
    return Markup(f'<div class="field{has_error}">{f.label()}{f(**attrs)}{notes}</div>')
