"""Hearth: peer mentoring circles for working mothers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from mentoring.config import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` overrides settings read from the environment (tests use it)."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    overrides = dict(config or {})
    settings = Settings.from_env()
    settings_keys = set(Settings.__dataclass_fields__) - {"extra"}
    env_overrides = {k: overrides.pop(k) for k in list(overrides) if k in settings_keys}
    if env_overrides:
        settings = Settings(**{**settings.__dict__, **env_overrides, "extra": {}})
    app.config.from_mapping(settings.flask_config(Path(app.instance_path)))
    app.config.update(overrides)
    app.config["SETTINGS"] = settings
    if settings.TRUSTED_PROXIES:
        # The client's address and scheme come from the headers the trusted proxies add, and
        # only from the last TRUSTED_PROXIES entries, which a client cannot forge.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.TRUSTED_PROXIES, x_proto=settings.TRUSTED_PROXIES
        )

    register_extensions(app)
    register_services(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    import mentoring.models  # noqa: F401 - registers every table
    from mentoring.db import begin_on_first_write, ping_when_the_socket_stirs, render_item
    from mentoring.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.driver == "psycopg":
                ping_when_the_socket_stirs(engine)
                begin_on_first_write(engine)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
    )
    csrf.init_app(app)
    from mentoring.forms import use_fast_html_params

    use_fast_html_params()
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    from mentoring.accounts import auth

    auth.init_app(app)
    from mentoring import web

    web.init_app(app)


def register_services(app: Flask) -> None:
    """Bind the outside world: the mailer and the payment gateway."""
    from mentoring.notify.mailer import build_mailer

    app.extensions["hearth.mailer"] = build_mailer(app.config)
    from mentoring.billing.gateway import build_gateway

    app.extensions["hearth.gateway"] = build_gateway(app.config)


def register_blueprints(app: Flask) -> None:
    from mentoring.accounts.views import bp as accounts_bp
    from mentoring.admin.views import bp as admin_bp
    from mentoring.availability.views import bp as availability_bp
    from mentoring.billing.views import bp as billing_bp
    from mentoring.buddies.views import bp as buddies_bp
    from mentoring.circles.manage_views import bp as manage_bp
    from mentoring.circles.views import bp as circles_bp
    from mentoring.conversations.views import bp as conversations_bp
    from mentoring.growth.views import bp as growth_bp
    from mentoring.notify.views import bp as notify_bp
    from mentoring.outcomes.views import bp as outcomes_bp
    from mentoring.sponsors.employee_views import bp as employees_bp
    from mentoring.sponsors.views import bp as sponsors_bp
    from mentoring.web import bp as web_bp
    from mentoring.web import register_converters

    register_converters(app)
    for bp in (web_bp, accounts_bp, notify_bp, circles_bp, manage_bp, billing_bp, admin_bp,
               growth_bp, availability_bp, sponsors_bp, employees_bp, conversations_bp, buddies_bp,
               outcomes_bp):
        app.register_blueprint(bp)


def register_errorhandlers(app: Flask) -> None:
    from mentoring.errors import register_errorhandlers as register

    register(app)


def register_cli(app: Flask) -> None:
    from mentoring.cli import init_app

    init_app(app)
