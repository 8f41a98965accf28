"""What a facilitator enters for a circle, and the checks it must pass before it is saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from mentoring.circles import catalog
from mentoring.circles.models import Circle
from mentoring.circles.pricing_input import PriceInputError, PriceSettings, parse_price_settings
from mentoring.circles.schedule import local_instant
from mentoring.errors import InvalidInput
from mentoring.money import InvalidAmount, amount_text
from mentoring.timekeeping.display import is_valid_timezone


@dataclass(frozen=True)
class CircleInput:
    """A circle's settings as plain values. Prices are the text she typed, in major units.

    `first_date` is the first meeting; when editing a circle that has already met, it is the
    date the new schedule starts from (the next meeting). The weekday is taken from it.
    """

    title: str
    theme: str
    timezone: str
    start_time: time
    first_date: date
    description: str = ""
    capacity: int = catalog.CAPACITY_DEFAULT
    min_to_run: int = catalog.MIN_TO_RUN_DEFAULT
    format: str = "virtual"
    meeting_link: str | None = None
    address: str | None = None
    language: str = "English"
    kids_welcome: bool = False
    onsite_childcare: bool = False
    duration_minutes: int = catalog.DURATION_DEFAULT
    meeting_count: int = catalog.MEETINGS_DEFAULT
    agreement_text: str = catalog.DEFAULT_AGREEMENT
    price_mode: str = "free"
    currency: str = "USD"
    price: str | None = None
    sliding_min: str | None = None
    sliding_suggested: str | None = None
    sliding_max: str | None = None


class FirstDateInPast(InvalidInput):
    """The first meeting cannot be in the past."""

    field = "first_date"


class CircleInputInvalid(InvalidInput):
    """Some settings need another look; `problems` holds one error per field."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems

    @property
    def by_field(self) -> dict[str, str]:
        return {p.field or "": p.message for p in self.problems}


@dataclass(frozen=True)
class CheckedCircle:
    """Input that passed every check, normalised (trimmed text, the link/address the format uses)."""

    data: CircleInput
    weekday: int
    prices: PriceSettings
    meeting_link: str | None
    address: str | None


def _is_web_link(text: str) -> bool:
    parts = urlparse(text)
    return parts.scheme in ("https", "http") and bool(parts.netloc) and " " not in text


def check_circle_input(
    data: CircleInput, *, now: datetime, check_first_date: bool = True, seats_taken: int = 0
) -> CheckedCircle:
    """Every rule a circle's settings must meet; raises CircleInputInvalid listing each problem.

    `check_first_date` is off when an edit leaves the schedule alone (a running circle's first
    date is rightly in the past). `seats_taken` keeps capacity above the members already in.
    """
    problems: list[InvalidInput] = []

    def problem(field: str, message: str) -> None:
        problems.append(InvalidInput(message, field=field))

    title = data.title.strip()
    if not 3 <= len(title) <= 120:
        problem("title", "Please give the circle a title of 3 to 120 characters.")
    if data.theme not in catalog.THEMES:
        problem("theme", "Please choose a theme from the list.")
    if len(data.description) > 5000:
        problem("description", "Please keep the description under 5,000 characters.")
    if not catalog.CAPACITY_MIN <= data.capacity <= catalog.CAPACITY_MAX:
        problem("capacity", f"A circle has {catalog.CAPACITY_MIN} to {catalog.CAPACITY_MAX} places.")
    elif data.capacity < seats_taken:
        problem("capacity", f"{seats_taken} members already hold places; capacity cannot go below that.")
    if not 2 <= data.min_to_run <= max(data.capacity, 2):
        problem("min_to_run", "The minimum to run must be at least 2 and no more than the capacity.")
    link = (data.meeting_link or "").strip() or None
    address = (data.address or "").strip() or None
    if data.format not in catalog.FORMATS:
        problem("format", "Please choose online, in person or hybrid.")
    else:
        if data.format in catalog.LINK_FORMATS:
            if link is None:
                problem("meeting_link", "Online and hybrid circles need a meeting link.")
            elif not _is_web_link(link) or len(link) > 500:
                problem("meeting_link", "Please enter a full web address starting with https://.")
        else:
            link = None
        if data.format in catalog.ADDRESS_FORMATS:
            if address is None:
                problem("address", "In-person and hybrid circles need an address.")
            elif len(address) > 300:
                problem("address", "Please keep the address under 300 characters.")
        else:
            address = None
            if data.onsite_childcare:
                problem("onsite_childcare", "On-site childcare needs an in-person or hybrid circle.")
    if data.language not in catalog.LANGUAGES:
        problem("language", "Please choose the circle's language from the list.")
    if not catalog.DURATION_MIN <= data.duration_minutes <= catalog.DURATION_MAX:
        problem(
            "duration_minutes",
            f"A meeting lasts {catalog.DURATION_MIN} to {catalog.DURATION_MAX} minutes.",
        )
    if not catalog.MEETINGS_MIN <= data.meeting_count <= catalog.MEETINGS_MAX:
        problem("meeting_count", f"A term has {catalog.MEETINGS_MIN} to {catalog.MEETINGS_MAX} meetings.")
    if not data.agreement_text.strip():
        problem("agreement_text", "Please keep a confidentiality agreement; members agree to it on joining.")
    if not is_valid_timezone(data.timezone):
        problem("timezone", "Please choose a timezone from the list, like Europe/London.")
    elif check_first_date:
        today_there = now.astimezone(ZoneInfo(data.timezone)).date()
        if data.first_date < today_there:
            problems.append(FirstDateInPast(
                f"The first meeting cannot be in the past "
                f"(today is {today_there:%d %b %Y} in {data.timezone})."
            ))
        elif local_instant(data.first_date, data.start_time, data.timezone) <= now:
            problems.append(FirstDateInPast("That time today has already passed; please pick a later date."))
    prices = PriceSettings(mode="free", currency="USD")
    try:
        prices = parse_price_settings(
            data.price_mode, data.currency, fixed=data.price, sliding_min=data.sliding_min,
            sliding_suggested=data.sliding_suggested, sliding_max=data.sliding_max,
        )
    except (PriceInputError, InvalidAmount) as error:
        problem(error.field, error.message)
    if problems:
        raise CircleInputInvalid(problems)
    return CheckedCircle(
        data=data, weekday=data.first_date.weekday(), prices=prices, meeting_link=link, address=address
    )


def circle_input_of(circle: Circle, schedule_date: date) -> CircleInput:
    """A saved circle's settings as they would be typed again, its schedule starting at
    `schedule_date`: the edit form's starting point, and what find-a-time changes the time of."""
    return CircleInput(
        title=circle.title, theme=circle.theme, timezone=circle.timezone, start_time=circle.start_time,
        first_date=schedule_date, description=circle.description, capacity=circle.capacity,
        min_to_run=circle.min_to_run, format=circle.format, meeting_link=circle.meeting_link,
        address=circle.address, language=circle.language, kids_welcome=circle.kids_welcome,
        onsite_childcare=circle.onsite_childcare, duration_minutes=circle.duration_minutes,
        meeting_count=circle.meeting_count, agreement_text=circle.agreement_text,
        price_mode=circle.price_mode, currency=circle.currency,
        price=amount_text(circle.price_cents, circle.currency),
        sliding_min=amount_text(circle.sliding_min_cents, circle.currency),
        sliding_suggested=amount_text(circle.sliding_suggested_cents, circle.currency),
        sliding_max=amount_text(circle.sliding_max_cents, circle.currency),
    )
