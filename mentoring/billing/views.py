"""Billing pages (placeholder routes, replaced by the payments work)."""

from flask import Blueprint, render_template

bp = Blueprint("billing", __name__, url_prefix="/billing")


@bp.get("/circles/<int:circle_id>/join")
def quote(circle_id: int) -> str:
    return render_template("billing/opens_soon.html", circle_id=circle_id)
