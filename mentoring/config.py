"""Typed settings read from the environment.

`wsgi.py` and the CLI load `.env` with python-dotenv before this runs, so every key here may
come from the process environment or from `.env`. `.env.example` documents each one.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names it."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _seconds(env: os._Environ[str] | dict[str, str], key: str, default: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a number of seconds, not {raw!r}.") from None
    if not 0 < value <= 3600:
        raise ConfigError(f"{key} must be more than 0 and at most 3600 seconds, not {raw!r}.")
    return value


def _count(value: str | None, name: str) -> int:
    if value is None or value.strip() == "":
        return 0
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ConfigError(f"{name} must be a whole number of 0 or more.")
    return number


def _instance_secret_key(instance_path: Path) -> str:
    """Generate a development secret once and keep it in the instance folder."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


@dataclass(frozen=True)
class Settings:
    HEARTH_ENV: str = "development"
    SECRET_KEY: str = ""
    DATABASE_URL: str = ""
    BASE_URL: str = "http://127.0.0.1:5000"
    MAIL_BACKEND: str = "outbox"
    OUTBOX_DIR: str = ""  # where the outbox writes; empty: instance/outbox
    MAIL_HOST: str = "localhost"
    MAIL_PORT: int = 587
    MAIL_USERNAME: str = ""
    MAIL_PASSWORD: str = ""
    MAIL_STARTTLS: bool = True
    MAIL_FROM: str = "Hearth <hello@hearth.local>"
    # Seconds to connect and for each SMTP command; and for the answer after the message body
    # (RFC 5321 4.5.3.2 recommends 10 minutes there: a late "250" must not become a resend).
    MAIL_TIMEOUT: float = 30.0
    MAIL_DATA_TIMEOUT: float = 600.0
    PAYMENT_GATEWAY: str = "local"
    STRIPE_SECRET_KEY: str = ""
    STRIPE_WEBHOOK_SECRET: str = ""
    STRIPE_API_BASE: str = ""
    RATELIMIT_STORAGE_URI: str = "memory://"
    # How many proxies in front of Hearth append to X-Forwarded-For / -Proto (0: none, trust no
    # such header). Behind the README's TLS proxy it is 1, or every member shares one address.
    TRUSTED_PROXIES: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.HEARTH_ENV == "production"

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            HEARTH_ENV=env.get("HEARTH_ENV", "development").strip().lower(),
            SECRET_KEY=env.get("SECRET_KEY", ""),
            DATABASE_URL=env.get("DATABASE_URL", ""),
            BASE_URL=env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            MAIL_BACKEND=env.get("MAIL_BACKEND", "outbox").strip().lower(),
            OUTBOX_DIR=env.get("OUTBOX_DIR", "").strip(),
            MAIL_HOST=env.get("MAIL_HOST", "localhost"),
            MAIL_PORT=int(env.get("MAIL_PORT", "587") or 587),
            MAIL_USERNAME=env.get("MAIL_USERNAME", ""),
            MAIL_PASSWORD=env.get("MAIL_PASSWORD", ""),
            MAIL_STARTTLS=_bool(env.get("MAIL_STARTTLS"), default=True),
            MAIL_FROM=env.get("MAIL_FROM", "Hearth <hello@hearth.local>"),
            MAIL_TIMEOUT=_seconds(env, "MAIL_TIMEOUT", 30.0),
            MAIL_DATA_TIMEOUT=_seconds(env, "MAIL_DATA_TIMEOUT", 600.0),
            PAYMENT_GATEWAY=env.get("PAYMENT_GATEWAY", "local").strip().lower(),
            STRIPE_SECRET_KEY=env.get("STRIPE_SECRET_KEY", ""),
            STRIPE_WEBHOOK_SECRET=env.get("STRIPE_WEBHOOK_SECRET", ""),
            STRIPE_API_BASE=env.get("STRIPE_API_BASE", ""),
            RATELIMIT_STORAGE_URI=env.get("RATELIMIT_STORAGE_URI", "memory://"),
            TRUSTED_PROXIES=_count(env.get("TRUSTED_PROXIES"), "TRUSTED_PROXIES"),
        )

    def check_production(self) -> None:
        """Refuse to run production with a development stand-in; name the setting."""
        if not self.is_production:
            return
        problems = []
        if len(self.SECRET_KEY) < 32:
            problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
        if not self.DATABASE_URL:
            problems.append("DATABASE_URL must point at the production database")
        if self.PAYMENT_GATEWAY != "stripe":
            problems.append("PAYMENT_GATEWAY must be 'stripe' (the local gateway is for development)")
        if not self.STRIPE_SECRET_KEY:
            problems.append("STRIPE_SECRET_KEY is required")
        if not self.STRIPE_WEBHOOK_SECRET:
            problems.append("STRIPE_WEBHOOK_SECRET is required")
        if self.MAIL_BACKEND != "smtp":
            problems.append("MAIL_BACKEND must be 'smtp' (the outbox is for development)")
        if not self.BASE_URL.startswith("https://"):
            problems.append("BASE_URL must be the public https:// address")
        if problems:
            raise ConfigError("Hearth will not start in production: " + "; ".join(problems) + ".")

    def flask_config(self, instance_path: Path) -> dict[str, Any]:
        """The settings as Flask config keys, with development defaults filled in."""
        if self.MAIL_BACKEND not in {"smtp", "outbox"}:
            raise ConfigError("MAIL_BACKEND must be 'smtp' or 'outbox'.")
        if self.PAYMENT_GATEWAY not in {"stripe", "local"}:
            raise ConfigError("PAYMENT_GATEWAY must be 'stripe' or 'local'.")
        self.check_production()
        values = {k: v for k, v in asdict(self).items() if k != "extra"}
        if not values["SECRET_KEY"]:
            values["SECRET_KEY"] = _instance_secret_key(instance_path)
        if not values["DATABASE_URL"]:
            values["DATABASE_URL"] = f"sqlite:///{instance_path / 'hearth.sqlite3'}"
        values["SQLALCHEMY_DATABASE_URI"] = values["DATABASE_URL"]
        # A pooled connection may have died since its last use (a database restart): ping it
        # before use. On PostgreSQL mentoring.db.ping_when_the_socket_stirs does that without a
        # round trip per request.
        psycopg = make_url(values["DATABASE_URL"]).get_driver_name() == "psycopg"
        values["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": not psycopg}
        if values["DATABASE_URL"].startswith("sqlite"):
            # SQLite serialises writers; wait for the lock (busy timeout) instead of failing
            # with "database is locked" when several members take seats at once.
            values["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] = {"timeout": 30}
        values["SESSION_COOKIE_HTTPONLY"] = True
        values["SESSION_COOKIE_SAMESITE"] = "Lax"
        values["SESSION_COOKIE_SECURE"] = self.is_production
        values["REMEMBER_COOKIE_HTTPONLY"] = True
        values["REMEMBER_COOKIE_SAMESITE"] = "Lax"
        values["REMEMBER_COOKIE_SECURE"] = self.is_production
        values["WTF_CSRF_TIME_LIMIT"] = None
        values["RATELIMIT_HEADERS_ENABLED"] = True
        values["OUTBOX_DIR"] = self.OUTBOX_DIR or str(instance_path / "outbox")
        values.update(self.extra)
        return values
