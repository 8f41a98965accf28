"""Domain errors raised by services, and the HTTP error pages."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule said no. The message is written for the person who asked."""

    field: str | None = None

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message or self.__doc__ or "That could not be done.")
        if field is not None:
            self.field = field

    @property
    def message(self) -> str:
        return str(self.args[0])


class NotFound(DomainError):
    """We could not find that."""


class PermissionDenied(DomainError):
    """You do not have permission to do that."""


class InvalidInput(DomainError):
    """Please check what you entered."""


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def register_errorhandlers(app: Flask) -> None:
    def render_http_error(error: HTTPException):  # noqa: ANN202
        code = error.code or 500
        if _wants_json():
            return jsonify(error=error.name, description=error.description), code
        return render_template("errors/error.html", error=error, code=code), code

    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, render_http_error)

    @app.errorhandler(500)
    def internal_error(error: Exception):  # noqa: ANN202
        from mentoring.extensions import db

        db.session.rollback()
        if _wants_json():
            return jsonify(error="Internal Server Error"), 500
        return render_template("errors/error.html", error=None, code=500), 500
