"""Account commands (placeholder, replaced by the accounts work)."""

from flask import Flask


def init_app(app: Flask) -> None:
    return None
