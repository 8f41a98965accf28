"""Circles pages (placeholder, replaced by the circles work)."""

from flask import Blueprint, abort

bp = Blueprint("circles", __name__, url_prefix="/circles")


@bp.get("/")
def browse():  # noqa: ANN201
    abort(404)


@bp.get("/mine")
def dashboard():  # noqa: ANN201
    abort(404)


@bp.get("/facilitating")
def facilitator_dashboard():  # noqa: ANN201
    abort(404)
