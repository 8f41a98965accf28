"""Growth pages: her goals, her check-in, asking for support, help now, the care view."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mentoring.circles.models import Circle
from mentoring.db import utcnow
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db
from mentoring.forms import ascii_number, commit_or_flash, form_unit_of_work, show_error
from mentoring.growth import (
    personal_data,  # noqa: F401 - connects her export and deletion
    queries,
    service,
)
from mentoring.growth.care import care_view, open_support_flags
from mentoring.growth.forms import PROGRESS_LABELS, CheckInForm, GoalForm, NoteForm, PromptTimeForm
from mentoring.growth.help import crisis_lines
from mentoring.growth.models import CheckIn

bp = Blueprint("growth", __name__, url_prefix="/growth")


def _goal_form(**data: object) -> GoalForm:
    form = GoalForm(**data)
    form.set_circles(queries.her_circles(current_user.id))
    return form


def _render_goals(form: GoalForm, status: int = 200) -> tuple[str, int]:
    return render_template("growth/goals.html", page=queries.goals_page(current_user.id), form=form), status


@bp.route("/goals", methods=["GET", "POST"])
@login_required
def goals() -> tuple[str, int] | Response:
    form = _goal_form()
    if request.method == "GET" or not form.validate_on_submit():
        return _render_goals(form, 200 if request.method == "GET" else 400)
    try:
        goal = service.create_goal(current_user.id, form.to_input(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _render_goals(form, 400)
    db.session.commit()
    flash("Your goal is saved.", "success")
    return redirect(url_for("growth.goal", goal_id=goal.id))


def _history(goal_id: int) -> queries.GoalHistory:
    try:
        return queries.goal_history(goal_id, current_user.id)
    except NotFound:
        abort(404)


def _render_goal(goal_id: int, note_form: NoteForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "growth/goal.html",
        history=_history(goal_id),
        note_form=note_form or NoteForm(),
        progress_labels=PROGRESS_LABELS,
    ), status


@bp.get("/goals/<int:goal_id>")
@login_required
def goal(goal_id: int) -> tuple[str, int]:
    return _render_goal(goal_id)


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_goal(goal_id: int) -> tuple[str, int] | Response:
    current = _history(goal_id).goal
    form = _goal_form(obj=current) if request.method == "GET" else _goal_form()
    if request.method == "POST" and form.validate_on_submit():
        with form_unit_of_work(form, success="Your goal is updated.") as change:
            service.update_goal(goal_id, current_user.id, form.to_input(), now=utcnow())
        if change.done:
            return redirect(url_for("growth.goal", goal_id=goal_id))
    status = 200 if request.method == "GET" else 400
    return render_template("growth/goal_form.html", form=form, goal=current), status


@bp.post("/goals/<int:goal_id>/notes")
@login_required
def add_note(goal_id: int) -> tuple[str, int] | Response:
    _history(goal_id)
    form = NoteForm()
    if form.validate_on_submit():
        with form_unit_of_work(form, success="Your note is saved.") as change:
            service.add_goal_note(goal_id, current_user.id, form.text.data or "", now=utcnow())
        if change.done:
            return redirect(url_for("growth.goal", goal_id=goal_id))
    return _render_goal(goal_id, form, 400)


_STATUS_WORDS = {
    "achieved": "Marked as reached. Well done.",
    "dropped": "Set aside. Letting a goal go is a choice too.",
    "active": "It's one of your active goals again.",
}


@bp.post("/goals/<int:goal_id>/status/<any(achieved, dropped, active):status>")
@login_required
def goal_status(goal_id: int, status: str) -> Response:
    _history(goal_id)
    commit_or_flash(
        lambda: service.set_goal_status(goal_id, current_user.id, status, now=utcnow()),
        success=_STATUS_WORDS[status],
    )
    return redirect(url_for("growth.goal", goal_id=goal_id))


def _progress_from_form() -> dict[int, str]:
    return {
        goal_id: value
        for key, value in request.form.items()
        if key.startswith("progress-") and value
        and (goal_id := ascii_number(key.removeprefix("progress-"))) is not None
    }


def _check_in_page(circle_id: int) -> queries.CheckInPage:
    try:
        return queries.check_in_page(circle_id, current_user.id, utcnow())
    except NotFound:
        abort(404)


def _render_check_in(page: queries.CheckInPage, form: CheckInForm, status: int = 200) -> tuple[str, int]:
    chosen = (
        _progress_from_form()
        if request.method == "POST"
        else {int(k): v for k, v in (page.check_in.progress if page.check_in else {}).items()}
    )
    return render_template(
        "growth/check_in.html", page=page, form=form, progress_labels=PROGRESS_LABELS, chosen=chosen
    ), status


def _commit_check_in(check_in: CheckIn, asked_now: bool) -> Response:
    """Commit her check-in and say where she goes next. The ids are read before the commit,
    which expires the object: reading them after would cost a second transaction."""
    check_in_id, circle_id = check_in.id, check_in.circle_id
    db.session.commit()
    if asked_now:
        return redirect(url_for("growth.support_sent", check_in_id=check_in_id))
    flash("Thank you for checking in.", "success")
    return redirect(url_for("growth.check_in", circle_id=circle_id))


@bp.route("/circles/<int:circle_id>/check-in", methods=["GET", "POST"])
@login_required
def check_in(circle_id: int) -> tuple[str, int] | Response:
    """Her check-in for the gap open now; POST records a new one (editing has its own URL).

    A POST reads the page only to show it again with what was wrong: `record_check_in` checks
    her membership and the open gap itself, and a circle she is not in answers 404 either way."""
    if request.method == "GET":
        page = _check_in_page(circle_id)
        form = CheckInForm(obj=page.check_in) if page.check_in else CheckInForm()
        if page.check_in:
            form.mood.data = str(page.check_in.mood)
        return _render_check_in(page, form)
    form = CheckInForm()
    if not form.validate_on_submit():
        return _render_check_in(_check_in_page(circle_id), form, 400)
    try:
        saved = service.record_check_in(
            current_user.id, circle_id, form.to_input(_progress_from_form()), now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _render_check_in(_check_in_page(circle_id), form, 400)
    return _commit_check_in(saved, saved.needs_support)


@bp.post("/check-ins/<int:check_in_id>")
@login_required
def edit_check_in(check_in_id: int) -> tuple[str, int] | Response:
    try:
        existing = service.own_check_in(check_in_id, current_user.id)
    except NotFound:
        abort(404)
    circle_id, had_asked = existing.circle_id, existing.needs_support
    form = CheckInForm()
    if form.validate_on_submit():
        try:
            saved = service.edit_check_in(
                check_in_id, current_user.id, form.to_input(_progress_from_form()), now=utcnow()
            )
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            return _commit_check_in(saved, saved.needs_support and not had_asked)
    return _render_check_in(_check_in_page(circle_id), form, 400)


@bp.get("/check-ins/<int:check_in_id>/support")
@login_required
def support_sent(check_in_id: int) -> str:
    try:
        asked = service.own_check_in(check_in_id, current_user.id)
    except NotFound:
        abort(404)
    circle = db.session.get(Circle, asked.circle_id)
    return render_template("growth/support_sent.html", check_in=asked, circle=circle)


@bp.get("/help")
def help_now() -> str:
    """Readable without logging in: someone in trouble must not meet a login form."""
    timezone = current_user.timezone if current_user.is_authenticated else None
    countries = crisis_lines(country=request.args.get("country"), timezone=timezone)
    return render_template("growth/help.html", countries=countries)


def _facilitated_circle(circle_id: int) -> Circle:
    # Only the circle's own facilitator: admins and sponsor admins have no care view.
    circle = db.session.get(Circle, circle_id)
    if circle is None or circle.facilitator_id != current_user.id:
        abort(404)
    return circle


@bp.get("/care/<int:circle_id>")
@login_required
def care(circle_id: int) -> str:
    circle = _facilitated_circle(circle_id)
    return render_template("growth/care.html", circle=circle, rows=care_view(circle_id, utcnow()))


@bp.post("/support/<int:check_in_id>/followed-up")
@login_required
def followed_up(check_in_id: int) -> Response:
    try:
        flag = service.follow_up_support(check_in_id, current_user.id, now=utcnow())
    except NotFound:
        abort(404)
    circle_id = flag.circle_id
    db.session.commit()
    flash("Marked as followed up.", "success")
    return redirect(url_for("growth.care", circle_id=circle_id))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> tuple[str, int] | Response:
    form = PromptTimeForm()
    if request.method == "GET":
        form.prompt_time.data = queries.prompt_time_of(current_user.id)
    elif form.validate_on_submit() and commit_or_flash(
        lambda: service.set_prompt_time(current_user.id, form.prompt_time.data),
        success="Saved: we'll ask at that time.",
    ):
        return redirect(url_for("growth.settings"))
    return render_template("growth/settings.html", form=form), 200 if request.method == "GET" else 400


@bp.app_context_processor
def growth_helpers() -> dict[str, object]:
    """Panels other pages include: her dashboard, the facilitator's dashboard, a circle page."""

    def viewer() -> int | None:
        return current_user.id if current_user.is_authenticated else None

    return {
        "growth_panel": lambda: queries.growth_panel(current_user.id, utcnow()),
        "support_flags": lambda: open_support_flags(current_user.id),
        "circle_shared": lambda circle_id, member_ids=None: queries.circle_shared(
            circle_id, viewer(), member_ids),
    }
