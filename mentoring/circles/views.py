"""Members' side of circles (placeholder routes, replaced by the membership work)."""

from flask import Blueprint, abort

bp = Blueprint("circles", __name__, url_prefix="/circles")


@bp.get("/")
def browse():  # noqa: ANN201
    abort(404)


@bp.get("/<int:circle_id>")
def detail(circle_id: int):  # noqa: ANN201
    abort(404)


@bp.get("/mine")
def dashboard():  # noqa: ANN201
    abort(404)


@bp.get("/<int:circle_id>/members/<int:enrollment_id>/remove")
def remove_member_confirm(circle_id: int, enrollment_id: int):  # noqa: ANN201
    abort(404)
