"""The demo community for `flask --app wsgi seed-demo`. Each feature adds its part."""

from __future__ import annotations

import click

from mentoring.extensions import db

DEMO_PASSWORD = "hearth-demo-2026"


def seed() -> None:
    """Create (or top up) the demo community. Running it twice changes nothing."""
    from mentoring.accounts.demo import seed_accounts

    logins = seed_accounts(DEMO_PASSWORD)
    db.session.commit()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for line in logins:
        click.echo(f"  {line}")
