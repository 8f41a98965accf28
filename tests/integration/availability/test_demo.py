"""The demo: every member has a week, and the draft has interested members with a real ranking."""

from __future__ import annotations

from sqlalchemy import func, select

from mentoring.accounts.models import User
from mentoring.availability.demo import DRAFT_TITLE, INTERESTED
from mentoring.availability.find_time import search_times
from mentoring.availability.models import AvailabilityWindow, CircleInterest
from mentoring.circles.models import Circle
from mentoring.extensions import db


def test_seeding_gives_every_member_a_week_and_find_a_time_a_ranking(runner, ctx: None) -> None:  # noqa: ANN001
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    windows = db.session.scalar(select(func.count()).select_from(AvailabilityWindow))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # twice changes nothing
    assert db.session.scalar(select(func.count()).select_from(AvailabilityWindow)) == windows
    members = db.session.scalars(select(User.id).where(User.email.like("member%@demo.hearth"))).all()
    with_week = set(db.session.scalars(select(AvailabilityWindow.user_id)))
    assert members and set(members) <= with_week
    draft = db.session.scalar(select(Circle).where(Circle.title == DRAFT_TITLE))
    assert db.session.scalar(select(func.count()).select_from(CircleInterest)) == INTERESTED
    search = search_times(draft.id, draft.facilitator_id, user_ids=None, duration=60,
                          first_date=draft.first_date, count=8)
    best, worst = search.results[0], search.results[-1]
    assert len(search.chosen) == INTERESTED
    assert 0 < len(best.can_attend) < INTERESTED + 1 and len(best.can_attend) > len(worst.can_attend)
