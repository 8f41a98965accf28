"""The demo community for `flask --app wsgi seed-demo`. Each feature adds its part."""

from __future__ import annotations

import click

from mentoring.accounts.demo import seed_accounts
from mentoring.availability.demo import seed_availability
from mentoring.billing.demo import seed_payments
from mentoring.buddies.demo import seed_buddies_and_outcomes
from mentoring.circles.demo import seed_circles
from mentoring.conversations.demo import seed_conversations
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.growth.demo import seed_growth
from mentoring.sponsors.demo import seed_sponsors

DEMO_PASSWORD = "hearth-demo-2026"


def seed() -> None:
    """Create (or top up) the demo community, commit once, and print the logins.

    Every part looks its rows up before creating them, so running it twice changes nothing.
    """
    now = utcnow()
    logins = seed_accounts(DEMO_PASSWORD)
    seed_circles(now)
    seed_availability(now)
    seed_payments(now)
    seed_growth(now)
    logins += seed_sponsors(now)
    seed_conversations(now)
    seed_buddies_and_outcomes(now)
    db.session.commit()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for line in logins:
        click.echo(f"  {line}")
