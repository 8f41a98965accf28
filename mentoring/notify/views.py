"""In-app notifications (placeholder, replaced by the notifications work)."""

from flask import Blueprint, Flask, abort

bp = Blueprint("notify", __name__, url_prefix="/notifications")


@bp.get("/")
def inbox():  # noqa: ANN201
    abort(404)


@bp.app_context_processor
def inject_unread() -> dict[str, object]:
    return {"unread_notifications": lambda: 0}


def init_app(app: Flask) -> None:
    return None
