"""Payment gateways (placeholder, replaced by the payments work)."""

from typing import Any


def build_gateway(config: dict[str, Any]) -> object:
    return object()
