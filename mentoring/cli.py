"""Command-line commands: `flask --app wsgi <command>`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Create the demo community (idempotent) and print the logins."""
        from mentoring.demo import seed

        seed()

    # Feature commands register themselves.
    from mentoring.accounts import commands as account_commands
    from mentoring.jobs import commands as job_commands

    account_commands.init_app(app)
    job_commands.init_app(app)
