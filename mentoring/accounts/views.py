"""Accounts pages (placeholder routes, replaced by the accounts work)."""

from flask import Blueprint, abort

bp = Blueprint("accounts", __name__, url_prefix="/account")


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    abort(404)


@bp.post("/logout")
def logout():  # noqa: ANN201
    abort(404)


@bp.route("/signup", methods=["GET", "POST"])
def signup():  # noqa: ANN201
    abort(404)


@bp.get("/settings")
def settings():  # noqa: ANN201
    abort(404)


@bp.get("/unverified")
def unverified():  # noqa: ANN201
    abort(404)
