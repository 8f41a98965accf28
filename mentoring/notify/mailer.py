"""Mailers (placeholder, replaced by the notifications work)."""

from typing import Any


def build_mailer(config: dict[str, Any]) -> object:
    return object()
