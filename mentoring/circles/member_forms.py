"""Members' forms: searching for a circle, joining one, and a facilitator removing a member."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from mentoring.circles import catalog
from mentoring.circles.display import TIME_WINDOWS
from mentoring.circles.queries import CircleFilters
from mentoring.forms import HearthForm, html_params
from mentoring.timekeeping.display import is_valid_timezone


def _choices(any_label: str, pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice("", any_label), *(SelectChoice(value, label) for value, label in pairs)]


class QuickSelect:
    """A plain <select>. The circle list renders six on every request, and WTForms' own widget
    spends more time per option than the whole database work of the page."""

    def __call__(self, field: SelectField, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        options = "".join(
            f'<option value="{escape(c.value)}"{" selected" if c.selected else ""}>{escape(c.label)}</option>'
            for c in field.iter_choices()
        )
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


def _select(label: str, any_label: str, pairs: list[tuple[str, str]]) -> SelectField:
    return SelectField(label, choices=_choices(any_label, pairs), validators=[Optional()],
                       widget=QuickSelect())


class CircleFilterForm(HearthForm):
    """A search: read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    theme = _select("Theme", "Any theme", list(catalog.THEMES.items()))
    weekday = _select("Day", "Any day", [(str(i), d) for i, d in enumerate(catalog.WEEKDAYS)])
    time_of_day = _select("Time of day (your time)", "Any time", [(k, v[0]) for k, v in TIME_WINDOWS.items()])
    format = _select("Format", "Any format", list(catalog.FORMATS.items()))
    price = _select("Price", "Any price", list(catalog.PRICE_MODES.items()))
    language = _select("Language", "Any language", [(x, x) for x in catalog.LANGUAGES])
    kids_welcome = BooleanField("Kids welcome (camera optional)")
    onsite_childcare = BooleanField("On-site childcare")
    seats_available = BooleanField("Only circles with a free seat")
    fits_my_week = BooleanField("Fits my week (every meeting, in my time)")
    tz = StringField("Show times in", validators=[Optional(), Length(max=64)])

    def validate_tz(self, field: StringField) -> None:
        if field.data and not is_valid_timezone(field.data):
            raise ValidationError("We don't know that timezone, so times are shown in UTC.")

    def filters(self) -> CircleFilters:
        """The valid choices as filters; a field with an error is simply not applied."""

        def ok(name: str) -> str | None:
            # A blank value (" ") is "empty" to Optional, which then skips the check of the
            # choices: it must mean no filter, not a filter on " ".
            f = self[name]
            return (f.data or "").strip() or None if not f.errors else None

        weekday = ok("weekday")
        return CircleFilters(
            theme=ok("theme"),
            weekday=int(weekday) if weekday is not None else None,
            time_of_day=ok("time_of_day"),
            format=ok("format"),
            kids_welcome=bool(self.kids_welcome.data),
            onsite_childcare=bool(self.onsite_childcare.data),
            price=ok("price"),
            language=ok("language"),
            seats_available=bool(self.seats_available.data),
            fits_my_week=bool(self.fits_my_week.data),
        )


class JoinForm(HearthForm):
    agree = BooleanField(
        "I agree to keep what is shared in this circle confidential",
        validators=[DataRequired("Please tick the box to agree to keep what is shared in this circle "
                                 "confidential.")],
    )


class RemoveMemberForm(HearthForm):
    reason = TextAreaField(
        "Reason (kept in the audit log)",
        validators=[DataRequired("Please give a reason."), Length(max=300)],
    )
