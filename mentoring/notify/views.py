"""In-app notifications: her list, "mark all as read", and the unread count in the header.

Opening the list does not mark anything read. A GET should not change state (link previews and
prefetching would clear her badge), the first page may not show everything unread, and the
count should drop when she says she has seen them, not because a page happened to load.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import HiddenField

from mentoring.accounts.tokens import TokenInvalid
from mentoring.db import utcnow
from mentoring.extensions import csrf, db
from mentoring.forms import HearthForm
from mentoring.notify import service, unsubscribe
from mentoring.web import page_number

bp = Blueprint("notify", __name__, url_prefix="/notifications")


class MarkAllReadForm(HearthForm):
    # When the page she read was shown; anything that arrived later stays unread.
    seen_until = HiddenField()

    def seen_until_instant(self) -> datetime | None:
        try:
            seen = datetime.fromisoformat(self.seen_until.data or "")
        except ValueError:
            return None
        return seen if seen.tzinfo is not None else None


@bp.get("/")
@login_required
def inbox() -> str:
    now = utcnow()
    page = service.inbox_page(current_user.id, now=now, page=page_number())
    form = MarkAllReadForm(seen_until=now.isoformat())
    return render_template("notify/inbox.html", page=page, form=form)


@bp.post("/read")
@login_required
def mark_all_read() -> Response:
    form = MarkAllReadForm()
    if not form.validate_on_submit():
        flash("That did not work; please try again.", "error")
        return redirect(url_for(".inbox"))
    changed = service.mark_all_read(current_user.id, now=utcnow(), seen_until=form.seen_until_instant())
    db.session.commit()
    flash("All caught up." if changed else "There was nothing unread.", "success")
    return redirect(url_for(".inbox"))


# --- one-click unsubscribe (RFC 8058) ---------------------------------------------------------


@bp.get("/unsubscribe/<token>")
def unsubscribe_confirm(token: str) -> tuple[str, int]:
    """What the link turns off, with a button: opening a link (a mail scanner does) changes nothing."""
    try:
        found = unsubscribe.read_unsubscribe_link(token, secret=current_app.config["SECRET_KEY"],
                                                  now=utcnow())
    except TokenInvalid as error:
        return _link_problem(error)
    return render_template("notify/unsubscribe.html", found=found, done=False), 200


# A mail provider's one-click POST carries no session and no CSRF token: the signed link is the proof.
@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe_now(token: str) -> tuple[str, int]:
    try:
        found = unsubscribe.unsubscribe(token, secret=current_app.config["SECRET_KEY"], now=utcnow())
    except TokenInvalid as error:
        db.session.rollback()
        return _link_problem(error)
    db.session.commit()
    return render_template("notify/unsubscribe.html", found=found, done=True), 200


def _link_problem(error: TokenInvalid) -> tuple[str, int]:
    return render_template("accounts/link_problem.html", message=error.message,
                           retry_url=url_for("accounts.settings"),
                           retry_label="Choose your emails in Settings"), 400


def unread_for_viewer() -> int:
    """Her unread count for the header, as read with her session (accounts.sessions); counted
    here, once per request, only for a user loaded some other way."""
    user = current_user._get_current_object()  # once: each use of the proxy looks her up again
    if not user.is_authenticated:
        return 0
    if user.unread_notifications is not None:
        return user.unread_notifications
    if "unread_notifications" not in g:
        g.unread_notifications = service.unread_count(user.id, now=utcnow())
    return g.unread_notifications


@bp.app_context_processor
def inject_unread() -> dict[str, object]:
    return {"unread_notifications": unread_for_viewer}
