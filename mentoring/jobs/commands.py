"""Scheduler commands (placeholder, replaced by the notifications work)."""

from flask import Flask


def init_app(app: Flask) -> None:
    return None
