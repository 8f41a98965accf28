"""Account pages: sign up, confirm, log in and out, reset, settings, data export and deletion."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from mentoring.accounts import email_change, personal_data, roles, service, sessions
from mentoring.accounts.auth import is_facilitator, verified_required
from mentoring.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    EmailForm,
    FacilitatorApplicationForm,
    LoginForm,
    LogoutEverywhereForm,
    ResendVerificationForm,
    ResetPasswordForm,
    SettingsForm,
    SignupForm,
)
from mentoring.accounts.models import DEFAULT_QUIET_END, DEFAULT_QUIET_START
from mentoring.accounts.tokens import TokenInvalid
from mentoring.db import utcnow
from mentoring.errors import DomainError
from mentoring.extensions import db, limiter
from mentoring.forms import form_unit_of_work, show_error

bp = Blueprint("accounts", __name__, url_prefix="/account")

Page = str | BaseResponse | tuple[str, int]


def is_safe_next(target: str | None) -> bool:
    """Only a path inside Hearth ("/circles/3?x=1"), never another site or a scheme-relative URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def account_key() -> str:
    """Rate-limit key of the account a request is about: the logged-in member, else the address
    a form names (as a digest), else the reset link's token.

    Guessing one member's password is limited per account, wherever the guesses come from; the
    limit per client address stays much higher, so colleagues behind one office address (or
    members behind one proxy) are not throttled together.
    """
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    email = service.normalise_email(request.form.get("email", ""))
    subject = email or (request.view_args or {}).get("token", "")
    return "account:" + hashlib.sha256(subject.encode()).hexdigest()[:32]


# Per account: a guesser or a flood aimed at one person. Per address: far higher, for an office of
# colleagues behind one address.
LOGIN_PER_ACCOUNT = "10/minute;50/hour"
LOGIN_PER_ADDRESS = "100/minute;1000/hour"
MAIL_PER_ACCOUNT = "5/hour"  # asking for a sign-up, confirmation or reset mail
MAIL_PER_ADDRESS = "100/hour"
CHANGE_PER_ACCOUNT = "10/hour"  # password, email address, deletion, a reset link


def _landing_after_login() -> str:
    target = request.values.get("next")
    if is_safe_next(target):
        return target.rstrip("?")  # type: ignore[union-attr]
    if not current_user.is_verified:
        return url_for("accounts.unverified")
    return url_for("circles.dashboard")


def _link_problem(error: TokenInvalid, *, retry_endpoint: str, retry_label: str) -> tuple[str, int]:
    return render_template("accounts/link_problem.html", message=error.message,
                           retry_url=url_for(retry_endpoint), retry_label=retry_label), 400


# --- sign up and confirmation ----------------------------------------------------------------


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(MAIL_PER_ACCOUNT, methods=["POST"], key_func=account_key)
@limiter.limit(MAIL_PER_ADDRESS, methods=["POST"])
def signup() -> Page:
    if current_user.is_authenticated:
        return redirect(url_for("circles.dashboard"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            service.sign_up(email=form.email.data, password=form.password.data,
                            display_name=form.display_name.data, timezone=form.timezone.data, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            # The same page whether or not the address already had an account.
            return redirect(url_for(".signup_sent"))
    return render_template("accounts/signup.html", form=form)


@bp.get("/signup/check-your-inbox")
def signup_sent() -> str:
    return render_template("accounts/signup_sent.html")


@bp.get("/verify/<token>")
def verify_email(token: str) -> Page:
    try:
        user = service.confirm_email(token, now=utcnow())
    except TokenInvalid as error:
        return _link_problem(error, retry_endpoint="accounts.unverified", retry_label="Send me a new link")
    db.session.commit()
    flash("Thank you, your email address is confirmed.", "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for("circles.dashboard"))
    return redirect(url_for(".login"))


@bp.route("/unverified", methods=["GET", "POST"])
@limiter.limit(MAIL_PER_ACCOUNT, methods=["POST"], key_func=account_key)
@limiter.limit(MAIL_PER_ADDRESS, methods=["POST"])
def unverified() -> Page:
    if current_user.is_authenticated and current_user.is_verified:
        return redirect(url_for("circles.dashboard"))
    form = ResendVerificationForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            service.send_verification(current_user.id, now=utcnow())
            db.session.commit()
            flash(f"We've sent a new link to {current_user.email}. It works for 48 hours.", "success")
            return redirect(url_for(".unverified"))
        if form.email.data:
            service.resend_verification_for_email(form.email.data, now=utcnow())
            db.session.commit()
            flash("If that address has an account waiting to be confirmed, we've sent it a new link.",
                  "success")
            return redirect(url_for(".unverified"))
        form.email.errors = ["Please enter your email address."]
    return render_template("accounts/unverified.html", form=form)


# --- logging in and out ----------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_PER_ACCOUNT, methods=["POST"], key_func=account_key)
@limiter.limit(LOGIN_PER_ADDRESS, methods=["POST"])
def login() -> Page:
    if current_user.is_authenticated:
        return redirect(_landing_after_login())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data)
        except service.InvalidCredentials as error:
            form.form_errors.append(error.message)
        else:
            user.session_token = sessions.start_session(user.id, now=utcnow())
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_landing_after_login())
    return render_template("accounts/login.html", form=form, next=request.args.get("next", ""))


@bp.post("/logout")
def logout() -> BaseResponse:
    if current_user.is_authenticated:
        # Ends the session on the server: a copy of this cookie no longer logs anyone in.
        sessions.end_session(current_user.session_token)
        db.session.commit()
    logout_user()
    flash("You are logged out. See you soon.", "info")
    return redirect(url_for("web.landing"))


@bp.route("/logout-everywhere", methods=["GET", "POST"])
@login_required
def logout_everywhere() -> Page:
    form = LogoutEverywhereForm()
    if form.validate_on_submit():
        sessions.end_all_sessions(current_user.id)
        db.session.commit()
        logout_user()
        flash("You are logged out on every device, this one too. Log in again to carry on.", "info")
        return redirect(url_for(".login"))
    return render_template("accounts/logout_everywhere.html", form=form)


# --- password reset --------------------------------------------------------------------------


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(MAIL_PER_ACCOUNT, methods=["POST"], key_func=account_key)
@limiter.limit(MAIL_PER_ADDRESS, methods=["POST"])
def reset_request() -> Page:
    form = EmailForm()
    if form.validate_on_submit():
        service.request_password_reset(form.email.data, now=utcnow())
        db.session.commit()
        return redirect(url_for(".reset_sent"))
    return render_template("accounts/reset_request.html", form=form)


@bp.get("/reset/sent")
def reset_sent() -> str:
    return render_template("accounts/reset_sent.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(CHANGE_PER_ACCOUNT, methods=["POST"], key_func=account_key)
def reset_password(token: str) -> Page:
    retry = {"retry_endpoint": "accounts.reset_request", "retry_label": "Ask for a new link"}
    try:
        service.user_for_reset_token(token, now=utcnow())
    except TokenInvalid as error:
        return _link_problem(error, **retry)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            service.reset_password(token, form.password.data, now=utcnow())
        except TokenInvalid as error:
            db.session.rollback()
            return _link_problem(error, **retry)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            logout_user()
            flash("Your password has been changed. Please log in with it.", "success")
            return redirect(url_for(".login"))
    return render_template("accounts/reset_password.html", form=form)


# --- settings --------------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> Page:
    if request.method == "GET":
        opted_out = set(current_user.email_opt_out or [])
        form = SettingsForm(data={
            "display_name": current_user.display_name,
            "timezone": current_user.timezone,
            "quiet_hours": current_user.quiet_start is not None,
            "quiet_start": current_user.quiet_start or DEFAULT_QUIET_START,
            "quiet_end": current_user.quiet_end or DEFAULT_QUIET_END,
            "remind_day_before": current_user.remind_day_before,
            "remind_hour_before": current_user.remind_hour_before,
            **{f"email_{kind}": kind not in opted_out for kind in service.OPTIONAL_EMAIL_KINDS},
        })
    else:
        form = SettingsForm()
    if form.validate_on_submit():
        quiet_on = form.quiet_hours.data
        with form_unit_of_work(form, success="Your settings are saved.") as change:
            service.update_settings(
                current_user.id, display_name=form.display_name.data, timezone=form.timezone.data,
                quiet_start=form.quiet_start.data if quiet_on else None,
                quiet_end=form.quiet_end.data if quiet_on else None,
                email_opt_out=form.opted_out_kinds(), now=utcnow(),
                remind_day_before=bool(form.remind_day_before.data),
                remind_hour_before=bool(form.remind_hour_before.data),
            )
        if change.done:
            return redirect(url_for(".settings"))
    return render_template(
        "accounts/settings.html", form=form,
        application=roles.pending_application(current_user.id),
        facilitator=is_facilitator(current_user),
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(CHANGE_PER_ACCOUNT, methods=["POST"], key_func=account_key)
def change_password() -> Page:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with form_unit_of_work(
            form, success="Your password is changed. Other devices have been logged out."
        ) as change:
            service.change_password(current_user.id, form.current_password.data, form.password.data,
                                    now=utcnow(), keep_session=current_user.session_token)
        if change.done:
            return redirect(url_for(".settings"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/email", methods=["GET", "POST"])
@login_required
@limiter.limit(CHANGE_PER_ACCOUNT, methods=["POST"], key_func=account_key)
def change_email() -> Page:
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            email_change.request_email_change(current_user.id, form.password.data, form.email.data,
                                              now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"We've sent a link to {form.email.data}. Your address changes when you open it "
                  "(within 48 hours).", "success")
            return redirect(url_for(".settings"))
    return render_template("accounts/change_email.html", form=form)


@bp.get("/email/confirm/<token>")
def confirm_email_change(token: str) -> Page:
    current = current_user.session_token if current_user.is_authenticated else None
    try:
        user = email_change.confirm_email_change(token, now=utcnow(), keep_session=current)
    except DomainError as error:
        db.session.rollback()
        problem = error if isinstance(error, TokenInvalid) else TokenInvalid(error.message)
        return _link_problem(problem, retry_endpoint="accounts.change_email", retry_label="Try again")
    db.session.commit()
    flash(f"Your email address is now {user.email}.", "success")
    if current_user.is_authenticated and current_user.id == user.id:
        return redirect(url_for(".settings"))
    return redirect(url_for(".login"))


# --- her data --------------------------------------------------------------------------------


@bp.get("/export")
@login_required
def export_data() -> Response:
    data = personal_data.export_user_data(current_user.id, now=utcnow())
    response = Response(json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="hearth-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(CHANGE_PER_ACCOUNT, methods=["POST"], key_func=account_key)
def delete_account() -> Page:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            personal_data.delete_account(current_user.id, form.password.data, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            logout_user()
            flash("Your account has been deleted. Thank you for being part of Hearth.", "info")
            return redirect(url_for("web.landing"))
    # What leaving her circles would give back is billing's to say; she reads it before deciding.
    return render_template("accounts/delete.html", form=form,
                           refunds=personal_data.refunds_on_deletion(current_user.id, now=utcnow()))


@bp.route("/facilitate", methods=["GET", "POST"])
@verified_required
def facilitator_application() -> Page:
    form = FacilitatorApplicationForm()
    if form.validate_on_submit():
        with form_unit_of_work(
            form, success="Thank you. Our team will read your application and email you."
        ) as change:
            roles.apply_to_facilitate(current_user.id, bio=form.bio.data, training=form.training.data,
                                      now=utcnow())
        if change.done:
            return redirect(url_for(".settings"))
    return render_template(
        "accounts/facilitator_application.html", form=form,
        application=roles.pending_application(current_user.id),
        facilitator=is_facilitator(current_user),
    )
