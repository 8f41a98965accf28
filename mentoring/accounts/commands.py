"""Account commands: `flask --app wsgi create-admin EMAIL`."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask

from mentoring.accounts import roles
from mentoring.accounts.models import Role, User
from mentoring.accounts.passwords import hash_password, password_problem
from mentoring.accounts.service import find_user_by_email, normalise_email
from mentoring.audit.service import record
from mentoring.db import utcnow
from mentoring.extensions import db


@click.command("create-admin")
@click.argument("email")
@click.option("--name", "display_name", default="Hearth team", show_default=True,
              help="Display name for a new account.")
def create_admin(email: str, display_name: str) -> None:
    """Make EMAIL an admin, creating a verified account (asking for its password) if needed."""
    email = normalise_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from error
    now = utcnow()
    user = find_user_by_email(email)
    if user is None:
        password = click.prompt("Password for the new admin", hide_input=True, confirmation_prompt=True)
        problem = password_problem(password, email=email, display_name=display_name)
        if problem:
            raise click.ClickException(problem)
        user = User(email=email, password_hash=hash_password(password), display_name=display_name,
                    timezone="UTC", email_verified_at=now, created_at=now, email_opt_out=[])
        db.session.add(user)
        db.session.flush()
        record("account.created", actor_id=None, subject_type="user", subject_id=user.id,
               details={"via": "create-admin"}, now=now)
        created = True
    else:
        created = False
    if str(Role.ADMIN) in user.active_roles():
        click.echo(f"{email} is already an admin.")
        return
    roles.grant_role(user.id, Role.ADMIN, actor_id=None, now=now, reason="create-admin command")
    db.session.commit()
    click.echo(f"{'Created' if created else 'Updated'} {email}: now an admin.")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
