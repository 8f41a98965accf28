from pathlib import Path

import pytest

from mentoring.config import ConfigError, Settings

GOOD_PRODUCTION = {
    "HEARTH_ENV": "production",
    "SECRET_KEY": "x" * 48,
    "DATABASE_URL": "postgresql+psycopg://hearth@db/hearth",
    "BASE_URL": "https://hearth.example",
    "MAIL_BACKEND": "smtp",
    "PAYMENT_GATEWAY": "stripe",
    "STRIPE_SECRET_KEY": "sk_live_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
}


def test_complete_production_settings_start(tmp_path: Path) -> None:
    config = Settings.from_env(GOOD_PRODUCTION).flask_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SQLALCHEMY_DATABASE_URI"] == GOOD_PRODUCTION["DATABASE_URL"]


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("SECRET_KEY", "", "SECRET_KEY"),
        ("PAYMENT_GATEWAY", "local", "PAYMENT_GATEWAY"),
        ("MAIL_BACKEND", "outbox", "MAIL_BACKEND"),
        ("STRIPE_WEBHOOK_SECRET", "", "STRIPE_WEBHOOK_SECRET"),
        ("DATABASE_URL", "", "DATABASE_URL"),
    ],
)
def test_production_refuses_development_stand_ins(tmp_path: Path, key: str, value: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env({**GOOD_PRODUCTION, key: value}).flask_config(tmp_path)


def test_development_generates_and_keeps_a_secret_key(tmp_path: Path) -> None:
    first = Settings.from_env({}).flask_config(tmp_path)
    second = Settings.from_env({}).flask_config(tmp_path)
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert first["SESSION_COOKIE_SECURE"] is False


def test_unknown_backend_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MAIL_BACKEND"):
        Settings.from_env({"MAIL_BACKEND": "pigeon"}).flask_config(tmp_path)


def test_smtp_timeouts_are_settings_and_a_bad_one_is_named(tmp_path) -> None:  # noqa: ANN001
    config = Settings.from_env({"MAIL_TIMEOUT": "12", "MAIL_DATA_TIMEOUT": "300"}).flask_config(tmp_path)
    assert (config["MAIL_TIMEOUT"], config["MAIL_DATA_TIMEOUT"]) == (12.0, 300.0)
    defaults = Settings.from_env({}).flask_config(tmp_path)
    assert (defaults["MAIL_TIMEOUT"], defaults["MAIL_DATA_TIMEOUT"]) == (30.0, 600.0)
    for bad in ("soon", "0", "-5"):
        with pytest.raises(ConfigError, match="MAIL_DATA_TIMEOUT"):
            Settings.from_env({"MAIL_DATA_TIMEOUT": bad})


@pytest.mark.parametrize(("value", "expected"), [(None, 0), ("", 0), ("1", 1), ("2", 2)])
def test_trusted_proxies_is_a_count(value: str | None, expected: int) -> None:
    env = {} if value is None else {"TRUSTED_PROXIES": value}
    assert expected == Settings.from_env(env).TRUSTED_PROXIES


@pytest.mark.parametrize("value", ["-1", "yes", "1.5"])
def test_a_nonsense_proxy_count_is_refused_by_name(value: str) -> None:
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        Settings.from_env({"TRUSTED_PROXIES": value})


def test_the_outbox_is_the_instance_folders_unless_outbox_dir_names_another(tmp_path: Path) -> None:
    assert Settings.from_env({}).flask_config(tmp_path)["OUTBOX_DIR"] == str(tmp_path / "outbox")
    elsewhere = str(tmp_path / "load-run" / "outbox")
    assert Settings.from_env({"OUTBOX_DIR": elsewhere}).flask_config(tmp_path)["OUTBOX_DIR"] == elsewhere
