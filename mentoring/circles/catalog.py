"""What a circle can be: themes, formats, languages, weekdays and the default agreement.

The one source of these lists and their labels: the facilitators' form, the members' browse
filters and every page that shows a stored value read them from here, so a theme is spelled one
way everywhere and a filter always matches what facilitators saved. Currencies live in
`mentoring.money`.
"""

from __future__ import annotations

THEMES: dict[str, str] = {
    "returning_to_work": "Returning to work",
    "leadership_and_promotion": "Leadership and promotion",
    "balancing_work_and_family": "Balancing work and family",
    "career_change": "Career change",
    "grief_and_loss": "Grief and loss",
    "new_and_expecting_mothers": "New and expecting mothers",
    "single_mothers": "Single mothers",
    "other": "Other",
}

FORMATS: dict[str, str] = {
    "virtual": "Online",
    "in_person": "In person",
    "hybrid": "Hybrid (online and in person)",
}
# Formats that need a meeting link, and formats that need an address.
LINK_FORMATS = frozenset({"virtual", "hybrid"})
ADDRESS_FORMATS = frozenset({"in_person", "hybrid"})

PRICE_MODES: dict[str, str] = {
    "free": "Free",
    "fixed": "Fixed price per meeting",
    "sliding": "Sliding scale (each member chooses)",
}

# The languages a circle can meet in: the facilitator picks one, members filter by the same list.
LANGUAGES: tuple[str, ...] = (
    "English", "Spanish", "French", "German", "Portuguese", "Polish", "Arabic", "Mandarin",
)

WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

CAPACITY_MIN, CAPACITY_MAX, CAPACITY_DEFAULT = 4, 12, 8
MIN_TO_RUN_DEFAULT = 4
DURATION_MIN, DURATION_MAX, DURATION_DEFAULT = 30, 120, 60
MEETINGS_MIN, MEETINGS_MAX, MEETINGS_DEFAULT = 4, 16, 8
# No circle charges more than this per meeting; a typo like "1500" for "15.00" stops here.
MAX_PRICE_CENTS = 50_000

DEFAULT_AGREEMENT = """\
What is said in the circle stays in the circle. We do not repeat anyone's story, name or \
details outside it — not to partners, colleagues or friends — and we do not record, screenshot \
or forward anything from our meetings.
We listen without fixing. Advice is offered only when someone asks for it.
We speak for ourselves ("I"), and each of us may pass on any question.
We start and end on time, and let the facilitator know if we cannot come.
Children are welcome to wander through; nobody needs to explain a camera turned off.
If someone is at risk of serious harm, the facilitator may need to seek help — the only \
exception to confidentiality, and she will tell you first whenever she can."""


def theme_label(slug: str) -> str:
    return THEMES.get(slug, slug.replace("_", " ").capitalize())


def format_label(slug: str) -> str:
    return FORMATS.get(slug, slug)
