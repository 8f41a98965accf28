"""A running circle with a facilitator and members, for the conversations tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mentoring.accounts.models import Role, User
from mentoring.circles.models import Circle
from mentoring.extensions import db
from tests.factories import enroll, make_circle, make_user


@dataclass
class Circle4:
    circle: Circle
    facilitator: User
    members: list[User]


def circle_with_members(n: int = 4, *, min_to_run: int = 4, first_date: date | None = None,
                        title: str = "Back to work, gently") -> Circle4:
    facilitator = make_user(display_name="Fran Facilitator", roles=(Role.FACILITATOR,))
    circle = make_circle(facilitator, title=title, first_date=first_date, min_to_run=min_to_run)
    members = [make_user(display_name=f"Member {chr(65 + i)}") for i in range(n)]
    for member in members:
        enroll(circle, member)
    db.session.commit()
    return Circle4(circle, facilitator, members)
