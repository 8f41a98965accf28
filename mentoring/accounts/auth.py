"""Who is logged in, and what each role may do. Every permission check lives here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, flash, redirect, request, url_for
from flask_login import current_user

from mentoring.accounts.models import Role, User
from mentoring.accounts.sessions import user_for_session
from mentoring.db import utcnow
from mentoring.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    # Runs on every request: her session must still exist on the server (see accounts.sessions).
    return user_for_session(session_id, now=utcnow())


def has_role(user: Any, role: Role | str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return str(role) in user.active_roles()


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN)


def is_facilitator(user: Any) -> bool:
    return has_role(user, Role.FACILITATOR)


def can_manage_circle(user: Any, facilitator_id: int | None) -> bool:
    """Admins, and the circle's facilitator while she holds the live facilitator role.

    A circle awaiting a new facilitator (`facilitator_id` None) is managed by admins only.
    """
    if is_admin(user):
        return True
    return facilitator_id is not None and is_facilitator(user) and user.id == facilitator_id


def role_required(role: Role) -> Callable[[F], F]:
    """Only users holding `role` get through; others see 403, anonymous users log in."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_role(current_user, role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def verified_required(view: F) -> F:
    """Logged in with a verified email address."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_verified:
            flash("Please confirm your email address first. We can send the link again.", "warning")
            return redirect(url_for("accounts.unverified", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.jinja_env.globals.update(is_admin=is_admin, is_facilitator=is_facilitator, has_role=has_role)
