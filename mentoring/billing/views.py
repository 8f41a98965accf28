"""Billing pages (placeholder, replaced by the payments work)."""

from flask import Blueprint

bp = Blueprint("billing", __name__, url_prefix="/billing")
