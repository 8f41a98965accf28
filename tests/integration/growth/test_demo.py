"""The demo seed shows the between-meetings side at once, and a second run changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from mentoring.extensions import db
from mentoring.growth.models import CheckIn, Goal
from tests.helpers import count


def test_the_demo_has_goals_check_ins_streaks_and_an_open_support_flag(runner, ctx: None) -> None:  # noqa: ANN001
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    goals, check_ins = count(Goal), count(CheckIn)
    assert goals > 0 and check_ins > 0
    open_flags = db.session.scalars(
        select(CheckIn).where(CheckIn.needs_support.is_(True), CheckIn.support_followed_up_at.is_(None))
    ).all()
    assert len(open_flags) == 1
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert (count(Goal), count(CheckIn)) == (goals, check_ins)
