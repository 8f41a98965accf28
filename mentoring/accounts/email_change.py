"""Changing her email address: confirmed from the new address, announced to the old one."""

from __future__ import annotations

from datetime import datetime

from mentoring.accounts import tokens
from mentoring.accounts.links import minute_key, token_secret
from mentoring.accounts.models import User
from mentoring.accounts.passwords import password_matches
from mentoring.accounts.service import (
    VERIFY_MAX_AGE,
    EmailUnavailable,
    WrongPassword,
    find_user_by_email,
    live_user,
    normalise_email,
)
from mentoring.accounts.sessions import end_all_sessions
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.web import public_link


def request_email_change(user_id: int, password: str, new_email: str, *, now: datetime) -> None:
    """Mail a 48-hour confirmation link to `new_email`; the change applies only when it is opened.

    The current address is told about the request. If the new address already has an account,
    nothing is sent to it, so this cannot be used to discover who uses Hearth.
    Raises WrongPassword or EmailUnavailable (same address as now).
    """
    user = live_user(user_id)
    if not password_matches(user.password_hash, password):
        raise WrongPassword()
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise EmailUnavailable("That is already your email address.")
    address_key = tokens.fingerprint(new_email)
    queue_notification(
        user.id, "account", f"email-change-requested:{user.id}:{address_key}:{minute_key(now)}",
        subject="Your Hearth email address is being changed",
        text=(f"Hello {user.display_name},\n\nSomeone (hopefully you) asked to move your Hearth account to "
              f"{new_email}. Nothing changes until the link we sent there is opened.\n\n"
              "If this wasn't you, change your password now."),
    )
    if find_user_by_email(new_email) is not None:
        return
    token = tokens.make_token(tokens.CHANGE_EMAIL, {"uid": user.id, "email": new_email, "from": user.email},
                              secret=token_secret(), now=now)
    path, url = public_link("accounts.confirm_email_change", token=token)
    queue_notification(
        user.id, "account", f"email-change:{user.id}:{address_key}:{minute_key(now)}",
        subject="Confirm your new email address",
        text=(f"Hello {user.display_name},\n\nPlease confirm that Hearth should use this address by opening "
              f"this link within 48 hours:\n{url}"),
        link=path,
        mailbox_only=True,
        extra={"to": new_email},  # the mailer sends to this address instead of the account's current one
    )


def confirm_email_change(token: str, *, now: datetime, keep_session: str | None = None) -> User:
    """Move the account to the confirmed new address and end every session of hers but
    `keep_session` (the one the link was opened in, if it is hers).

    Raises TokenExpired / TokenInvalid (also when the address has changed since the link was
    sent) or EmailUnavailable if someone else has taken the address meanwhile.
    """
    payload = tokens.read_token(tokens.CHANGE_EMAIL, token, secret=token_secret(), max_age=VERIFY_MAX_AGE,
                                now=now)
    user = db.session.get(User, payload.get("uid"))
    new_email = payload.get("email")
    if user is None or user.deleted_at is not None or not isinstance(new_email, str):
        raise tokens.TokenInvalid()
    if user.email == new_email:
        return user
    if user.email != payload.get("from"):
        raise tokens.TokenInvalid()
    if find_user_by_email(new_email) is not None:
        raise EmailUnavailable("That address is now used by another account, so we couldn't switch to it.")
    old_email = user.email
    user.email = new_email
    user.email_verified_at = now
    user.session_version += 1
    end_all_sessions(user.id, keep=keep_session)
    db.session.flush()
    queue_notification(
        user.id, "account", f"email-changed:{user.id}:{user.session_version}",
        subject="Your Hearth email address was changed",
        text=(f"Hello {user.display_name},\n\nYour Hearth account now uses {new_email}; this address "
              f"({old_email}) will no longer receive messages from us."),
        extra={"to": old_email},
    )
    return user
