"""Admin pages (placeholder, replaced by the accounts work)."""

from flask import Blueprint, abort

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
def index():  # noqa: ANN201
    abort(404)
