"""Facilitators' forms. They read what was typed; the rules live in the service."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import InputRequired, Length, Optional

from mentoring.circles import catalog
from mentoring.circles.circle_input import CircleInput, circle_input_of
from mentoring.circles.models import Circle
from mentoring.forms import HearthForm
from mentoring.money import CURRENCIES

REQUIRED = InputRequired(message="Please fill this in.")
AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}


def currency_label(code: str) -> str:
    """'USD ($)': the code a facilitator knows from her bank and the symbol members will see."""
    return f"{code} ({CURRENCIES[code].symbol})"


def _options(values: Mapping[str, str] | Iterable[str]) -> list[SelectChoice]:
    """Options from the catalogue: a mapping gives value -> label, a plain list labels itself."""
    if isinstance(values, Mapping):
        return [SelectChoice(value, label) for value, label in values.items()]
    return [SelectChoice(value) for value in values]


class CircleForm(HearthForm):
    title = StringField("Title", validators=[REQUIRED, Length(max=120)])
    theme = SelectField("Theme", choices=_options(catalog.THEMES), validators=[REQUIRED])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    capacity = IntegerField("Places (4 to 12)", default=catalog.CAPACITY_DEFAULT, validators=[REQUIRED])
    min_to_run = IntegerField("Minimum members to run", default=catalog.MIN_TO_RUN_DEFAULT,
                              validators=[REQUIRED])
    format = RadioField("Format", choices=_options(catalog.FORMATS), default="virtual",
                        validators=[REQUIRED])
    meeting_link = URLField("Meeting link (online and hybrid)", validators=[Optional()])
    address = StringField("Address (in person and hybrid)", validators=[Optional(), Length(max=300)])
    language = SelectField("Language", choices=_options(catalog.LANGUAGES), default="English",
                           validators=[REQUIRED])
    kids_welcome = BooleanField("Kids welcome (camera optional)")
    onsite_childcare = BooleanField("On-site childcare")
    timezone = StringField("Timezone", validators=[REQUIRED, Length(max=64)])
    first_date = DateField("First meeting", validators=[REQUIRED])
    start_time = TimeField("Start time (local)", validators=[REQUIRED])
    duration_minutes = IntegerField("Length in minutes (30 to 120)", default=catalog.DURATION_DEFAULT,
                                    validators=[REQUIRED])
    meeting_count = IntegerField("Meetings in the term (4 to 16)", default=catalog.MEETINGS_DEFAULT,
                                 validators=[REQUIRED])
    agreement_text = TextAreaField("Confidentiality agreement", default=catalog.DEFAULT_AGREEMENT,
                                   validators=[REQUIRED])
    price_mode = RadioField("Price", choices=_options(catalog.PRICE_MODES), default="free",
                            validators=[REQUIRED])
    currency = SelectField("Currency", default="USD",
                           choices=[SelectChoice(code, currency_label(code)) for code in CURRENCIES])
    # Text, not type=number (which drops what it can't parse before we can explain it), but
    # with the number pad that phones show for decimals.
    price = StringField("Fixed price per meeting", validators=[Optional()], render_kw=AMOUNT)
    sliding_min = StringField("Sliding scale: minimum per meeting", validators=[Optional()], render_kw=AMOUNT)
    sliding_suggested = StringField("Sliding scale: suggested per meeting", validators=[Optional()],
                                    render_kw=AMOUNT)
    sliding_max = StringField("Sliding scale: maximum per meeting", validators=[Optional()], render_kw=AMOUNT)

    def to_input(self) -> CircleInput:
        return CircleInput(
            title=self.title.data or "",
            theme=self.theme.data or "",
            description=self.description.data or "",
            capacity=self.capacity.data,
            min_to_run=self.min_to_run.data,
            format=self.format.data or "",
            meeting_link=self.meeting_link.data,
            address=self.address.data,
            language=self.language.data or "",
            kids_welcome=bool(self.kids_welcome.data),
            onsite_childcare=bool(self.onsite_childcare.data),
            timezone=(self.timezone.data or "").strip(),
            start_time=self.start_time.data,
            first_date=self.first_date.data,
            duration_minutes=self.duration_minutes.data,
            meeting_count=self.meeting_count.data,
            agreement_text=self.agreement_text.data or "",
            price_mode=self.price_mode.data or "",
            currency=self.currency.data or "",
            price=self.price.data,
            sliding_min=self.sliding_min.data,
            sliding_suggested=self.sliding_suggested.data,
            sliding_max=self.sliding_max.data,
        )

    def fill_from(self, circle: Circle, schedule_date: date) -> None:
        """Pre-fill from a saved circle; the date is where an edited schedule would start."""
        for name, value in asdict(circle_input_of(circle, schedule_date)).items():
            getattr(self, name).data = value


class ReasonForm(HearthForm):
    reason = TextAreaField("Reason (members will see it)", validators=[Optional(), Length(max=300)])


class ConfirmForm(HearthForm):
    """A button and its CSRF token."""


class SkipWeekForm(HearthForm):
    # The start she saw, so that a form sent twice skips only one week.
    starts_at = HiddenField()


class MoveMeetingForm(HearthForm):
    date = DateField("New date", validators=[REQUIRED])
    time = TimeField("New start time (local)", validators=[REQUIRED])


class AgendaForm(HearthForm):
    agenda = TextAreaField("Agenda", validators=[Optional(), Length(max=5000)])
