"""Accounts: signing up, confirming an address, logging in, passwords and settings.

Functions take ids and plain values plus `now`, flush and never commit, and raise DomainErrors
whose message can be shown to the member. Emails are queued with `queue_notification`; links in
them are absolute, built from `BASE_URL`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError

from mentoring.accounts import tokens
from mentoring.accounts.links import minute_key, token_secret
from mentoring.accounts.models import User
from mentoring.accounts.passwords import hash_password, password_matches, password_problem
from mentoring.accounts.sessions import end_all_sessions
from mentoring.errors import DomainError, InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.timekeeping.display import is_valid_timezone
from mentoring.web import public_link

# Notification kinds, shared by every feature that queues mail. A member may turn email off for
# each kind separately, except account and payment mail (security, receipts and refunds), which
# is always sent. Every email of a kind she can turn off carries a one-click link for that kind.
EMAIL_KINDS: dict[str, str] = {
    "reminder": "Meeting reminders",
    "check_in": "Check-in prompts between meetings",
    "announcement": "Announcements from your circle's facilitator",
    "message": "Private messages (you read and answer them in Hearth)",
    "circle_update": "Circle updates: new times, cancellations and notes from your facilitator",
    "waitlist_offer": "Waitlist offers: a seat has opened in a circle you are waiting for",
    "payment": "Payments: receipts and refunds",
    "account": "Account and security",
}
ALWAYS_EMAILED = frozenset({"account", "payment"})
OPTIONAL_EMAIL_KINDS = tuple(kind for kind in EMAIL_KINDS if kind not in ALWAYS_EMAILED)

VERIFY_MAX_AGE = timedelta(hours=48)
RESET_MAX_AGE = timedelta(hours=1)
DISPLAY_NAME_MAX = 80


class InvalidCredentials(DomainError):
    """That email and password don't match."""


class WrongPassword(DomainError):
    """That password isn't right."""

    field = "password"


class WeakPassword(DomainError):
    """Please choose a stronger password."""

    field = "password"


class EmailUnavailable(DomainError):
    """That email address can't be used for this account."""

    field = "email"


def normalise_email(email: str) -> str:
    """Addresses are stored and compared lower-cased and trimmed."""
    return email.strip().lower()


def quiet_hours_problem(start: time | None, end: time | None) -> str | None:
    """Why a quiet-hours window is not usable; None if it is (both None means no quiet hours)."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        return "Please give both a start and an end time, or turn quiet hours off."
    if start == end:
        return "Quiet hours must start and end at different times."
    return None


def find_user_by_email(email: str) -> User | None:
    """The live (not deleted) account with this address, if any."""
    return db.session.execute(
        select(User).where(User.email == normalise_email(email), User.deleted_at.is_(None))
    ).scalar_one_or_none()


def live_user(user_id: int) -> User:
    """The account with this id unless it was deleted; raises NotFound otherwise."""
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("We couldn't find that account.")
    return user


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_password(secrets.token_hex(16))


# Ids start at 1: this one names no account, for work done on behalf of an unknown address.
NO_ACCOUNT_ID = 0


@lru_cache(maxsize=1)
def _decoy_fingerprint() -> str:
    return tokens.fingerprint(_decoy_hash(), 1)


def _check_display_name(display_name: str) -> str:
    name = display_name.strip()
    if not name:
        raise InvalidInput("Please tell us what to call you.", field="display_name")
    if len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput(f"Please keep your name to {DISPLAY_NAME_MAX} characters.", field="display_name")
    return name


def _check_timezone(timezone: str) -> str:
    if not is_valid_timezone(timezone.strip()):
        raise InvalidInput("Please choose a timezone from the list, such as Europe/London.", field="timezone")
    return timezone.strip()


def _check_password(password: str, *, email: str, display_name: str) -> None:
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise WeakPassword(problem)


# --- signing up and confirming the address -------------------------------------------------


def sign_up(*, email: str, password: str, display_name: str, timezone: str, now: datetime) -> None:
    """Create an unverified account and mail a confirmation link.

    When the address already has an account, nothing is created and its owner is told instead,
    so the person signing up learns nothing about who uses Hearth (the caller shows the same
    page either way). Raises InvalidInput or WeakPassword for unusable values.
    """
    email = normalise_email(email)
    display_name = _check_display_name(display_name)
    timezone = _check_timezone(timezone)
    _check_password(password, email=email, display_name=display_name)
    # Hash before looking the address up, so both paths take the same time.
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    if existing is None:
        user = User(email=email, password_hash=password_hash, display_name=display_name, timezone=timezone,
                    created_at=now, email_opt_out=[])
        try:
            with db.session.begin_nested():
                db.session.add(user)
                db.session.flush()
        except IntegrityError:
            existing = find_user_by_email(email)
        else:
            send_verification(user.id, now=now)
            return
    if existing is not None:
        _tell_owner_about_signup(existing, now)


def _tell_owner_about_signup(user: User, now: datetime) -> None:
    login_path, login_url = public_link("accounts.login")
    _, reset_url = public_link("accounts.reset_request")
    queue_notification(
        user.id, "account", f"account-exists:{user.id}:{minute_key(now)}",
        subject="Someone tried to sign up with your email",
        text=(f"Hello {user.display_name},\n\nSomeone (hopefully you) tried to create a Hearth account with "
              f"this email address. You already have one.\n\nLog in: {login_url}\n"
              f"Forgotten your password? Reset it here: {reset_url}\n\n"
              "If this wasn't you, you can ignore this message; nothing has changed."),
        link=login_path,
    )


def send_verification(user_id: int, *, now: datetime) -> bool:
    """Mail a 48-hour confirmation link for the account's current address; False if already verified."""
    user = live_user(user_id)
    if user.is_verified:
        return False
    token = tokens.make_token(tokens.VERIFY_EMAIL, {"uid": user.id, "email": user.email},
                              secret=token_secret(), now=now)
    path, url = public_link("accounts.verify_email", token=token)
    queue_notification(
        user.id, "account", f"verify:{user.id}:{tokens.fingerprint(user.email)}:{minute_key(now)}",
        subject="Please confirm your email address",
        text=(f"Hello {user.display_name},\n\nWelcome to Hearth. Please confirm your email address by "
              f"opening this link within 48 hours:\n{url}\n\n"
              "If you didn't sign up, ignore this message and no account will be used."),
        link=path,
        mailbox_only=True,
    )
    return True


def resend_verification_for_email(email: str, *, now: datetime) -> None:
    """Mail a fresh confirmation link if an unverified account has this address; silent otherwise."""
    user = find_user_by_email(email)
    if user is not None and not user.is_verified:
        send_verification(user.id, now=now)


def confirm_email(token: str, *, now: datetime) -> User:
    """Mark the address in `token` as confirmed. Raises TokenExpired / TokenInvalid, changing nothing.

    The token names the address it was sent to, so it stops working once the address changes.
    """
    payload = tokens.read_token(tokens.VERIFY_EMAIL, token, secret=token_secret(), max_age=VERIFY_MAX_AGE,
                                now=now)
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.deleted_at is not None or user.email != payload.get("email"):
        raise tokens.TokenInvalid()
    if user.email_verified_at is None:
        user.email_verified_at = now
        db.session.flush()
    return user


# --- logging in and passwords ----------------------------------------------------------------


def authenticate(email: str, password: str) -> User:
    """The account these credentials open. Raises InvalidCredentials without saying which part was wrong."""
    user = find_user_by_email(email)
    if user is None:
        password_matches(_decoy_hash(), password)  # same work as a real check
        raise InvalidCredentials()
    if not password_matches(user.password_hash, password):
        raise InvalidCredentials()
    return user


def _reset_fingerprint(user: User | Row[Any]) -> str:
    return tokens.fingerprint(user.password_hash, user.session_version)


def request_password_reset(email: str, *, now: datetime) -> None:
    """Mail a one-hour, single-use reset link if a live account has this address; silent otherwise.

    Known and unknown addresses do the same work: one look-up, a token and link built from her
    values or stand-ins, and one INSERT ... SELECT that queues nothing when there is no account.
    Answering an unknown address sooner would tell anyone timing the request who uses Hearth.
    """
    # Columns only: loading a User would also load her roles, a query an unknown address skips.
    found = db.session.execute(
        select(User.id, User.password_hash, User.session_version, User.display_name)
        .where(User.email == normalise_email(email), User.deleted_at.is_(None))
    ).one_or_none()
    if found is not None:
        user_id, fingerprint, name = found.id, _reset_fingerprint(found), found.display_name
    else:
        user_id, fingerprint, name = NO_ACCOUNT_ID, _decoy_fingerprint(), ""
    token = tokens.make_token(tokens.RESET_PASSWORD, {"uid": user_id, "fp": fingerprint},
                              secret=token_secret(), now=now)
    path, url = public_link("accounts.reset_password", token=token)
    queue_notification(
        user_id, "account", f"reset:{user_id}:{fingerprint}:{minute_key(now)}",
        subject="Reset your Hearth password",
        text=(f"Hello {name},\n\nSomeone (hopefully you) asked to reset your Hearth password. "
              f"This link works once, within one hour:\n{url}\n\n"
              "If you didn't ask, ignore this message; your password stays as it is."),
        link=path,
        mailbox_only=True,
        if_account_exists=True,
    )


def user_for_reset_token(token: str, *, now: datetime) -> User:
    """The account a reset link is for. Raises TokenExpired / TokenInvalid (also once it has been used)."""
    payload = tokens.read_token(tokens.RESET_PASSWORD, token, secret=token_secret(), max_age=RESET_MAX_AGE,
                                now=now)
    user = db.session.get(User, payload.get("uid"))
    # The fingerprint covers the password hash and session version, so a used link is dead.
    if user is None or user.deleted_at is not None or payload.get("fp") != _reset_fingerprint(user):
        raise tokens.TokenInvalid(
            "This link has already been used or is no longer valid. Please ask for a new one."
        )
    return user


def _set_password(user: User, new_password: str, now: datetime, *, keep_session: str | None = None) -> None:
    _check_password(new_password, email=user.email, display_name=user.display_name)
    user.password_hash = hash_password(new_password)
    user.session_version += 1  # reset links made for the old password stop working
    # Someone who knew the old password may be logged in somewhere: every other session ends.
    end_all_sessions(user.id, keep=keep_session)
    _, reset_url = public_link("accounts.reset_request")
    queue_notification(
        user.id, "account", f"password-changed:{user.id}:{user.session_version}",
        subject="Your Hearth password was changed",
        text=(f"Hello {user.display_name},\n\nThe password for your Hearth account was just changed and "
              "every other device was logged out.\n\nIf this wasn't you, reset your password now: "
              f"{reset_url}"),
    )
    db.session.flush()


def reset_password(token: str, new_password: str, *, now: datetime) -> User:
    """Set a new password through a reset link, which then stops working; ends all her sessions.

    A reset proves she controls the address, so an unconfirmed address becomes confirmed.
    Raises TokenExpired / TokenInvalid or WeakPassword, changing nothing.
    """
    user = user_for_reset_token(token, now=now)
    _set_password(user, new_password, now)
    if user.email_verified_at is None:
        user.email_verified_at = now
    db.session.flush()
    return user


def change_password(user_id: int, current_password: str, new_password: str, *, now: datetime,
                    keep_session: str | None = None) -> User:
    """Replace the password after checking the current one; every session but `keep_session`
    (the one she is using) ends.

    Raises WrongPassword (field "current_password") or WeakPassword.
    """
    user = live_user(user_id)
    if not password_matches(user.password_hash, current_password):
        raise WrongPassword(field="current_password")
    _set_password(user, new_password, now, keep_session=keep_session)
    return user


# --- settings --------------------------------------------------------------------------------


def update_settings(
    user_id: int,
    *,
    display_name: str,
    timezone: str,
    quiet_start: time | None,
    quiet_end: time | None,
    email_opt_out: Iterable[str],
    now: datetime,
    remind_day_before: bool = True,
    remind_hour_before: bool = False,
) -> User:
    """Save her name, timezone, quiet hours (both None = none), the email kinds she turned off and
    when she wants meeting reminders (a day and/or an hour ahead; neither is allowed).

    Unknown kinds and "account" are ignored: account mail is always sent.
    Raises InvalidInput with the field it concerns.
    """
    user = live_user(user_id)
    name = _check_display_name(display_name)
    zone = _check_timezone(timezone)
    problem = quiet_hours_problem(quiet_start, quiet_end)
    if problem:
        raise InvalidInput(problem, field="quiet_end")
    user.display_name = name
    user.timezone = zone
    user.quiet_start = quiet_start
    user.quiet_end = quiet_end
    user.email_opt_out = sorted(set(email_opt_out) & set(OPTIONAL_EMAIL_KINDS))
    user.remind_day_before = remind_day_before
    user.remind_hour_before = remind_hour_before
    db.session.flush()
    return user


def create_verified_account(*, email: str, password: str, display_name: str, timezone: str,
                            now: datetime) -> User:
    """Create an account whose address is already proven (she followed a link sent to it, such
    as a sponsor admin's invitation), so it starts verified and no confirmation mail goes out.

    Raises InvalidInput or WeakPassword for unusable values, EmailUnavailable when an account
    with the address exists (she logs in instead); nothing is created then.
    """
    email = normalise_email(email)
    display_name = _check_display_name(display_name)
    timezone = _check_timezone(timezone)
    _check_password(password, email=email, display_name=display_name)
    unavailable = EmailUnavailable("There is already a Hearth account with this address. Please log in.")
    if find_user_by_email(email) is not None:
        raise unavailable
    user = User(email=email, password_hash=hash_password(password), display_name=display_name,
                timezone=timezone, created_at=now, email_verified_at=now, email_opt_out=[])
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise unavailable from None
    return user
