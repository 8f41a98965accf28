"""Facilitators' side of circles (placeholder routes, replaced by the circle-management work)."""

from flask import Blueprint, abort

bp = Blueprint("manage", __name__, url_prefix="/facilitate")


@bp.get("/")
def dashboard():  # noqa: ANN201
    abort(404)
