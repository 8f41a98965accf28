"""Employees linking themselves to their employer: invite codes, a work-email link, unlinking.

She keeps logging in with her own address; a work address is kept only on her link, and only
while she is linked. Her activity feeds her employer's report only while she is linked.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update

from mentoring.accounts import tokens
from mentoring.accounts.links import minute_key, token_secret
from mentoring.accounts.models import User
from mentoring.audit.service import record
from mentoring.errors import DomainError, InvalidInput
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.sponsors.models import EmployeeLink, InviteCode, LinkMethod, Organization, OrganizationDomain
from mentoring.sponsors.service import email_address
from mentoring.web import public_link

WORK_EMAIL_MAX_AGE = timedelta(hours=48)
MAX_CODE_USES = 10_000
MAX_CODE_DAYS = 366
# Codes are typed by hand: no 0/O or 1/I to confuse.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class InviteCodeRefused(DomainError):
    """That code doesn't work. Please check it with your employer."""

    field = "code"


class AlreadyLinked(DomainError):
    """You are already linked to an employer. Unlink first to link to another one."""



def create_invite_code(
    organization_id: int, *, max_uses: int, days: int, actor_id: int, now: datetime
) -> InviteCode:
    """A code employees type to link themselves (single or multi-use, with an expiry); audited.
    Raises InvalidInput."""
    if not 1 <= max_uses <= MAX_CODE_USES:
        raise InvalidInput(f"Uses must be between 1 and {MAX_CODE_USES}.", field="max_uses")
    if not 1 <= days <= MAX_CODE_DAYS:
        raise InvalidInput(f"The code can last from 1 to {MAX_CODE_DAYS} days.", field="days")
    code = "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(3))
    invite_code = InviteCode(
        organization_id=organization_id,
        code=code,
        max_uses=max_uses,
        expires_at=now + timedelta(days=days),
        created_by_id=actor_id,
        created_at=now,
    )
    db.session.add(invite_code)
    db.session.flush()
    record(
        "sponsor.invite_code_created",
        actor_id=actor_id,
        subject_type="organization",
        subject_id=organization_id,
        details={"code_id": invite_code.id, "max_uses": max_uses, "days": days},
        now=now,
    )
    return invite_code


_INVITE_CODES = (select(InviteCode).where(InviteCode.organization_id == bindparam("organization_id"))
                 .order_by(InviteCode.created_at.desc()))


def invite_codes(organization_id: int) -> list[InviteCode]:
    return list(db.session.scalars(_INVITE_CODES, {"organization_id": organization_id}))


def _normalise_code(code: str) -> str:
    letters = re.sub(r"[^A-Z0-9]", "", (code or "").upper())
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def live_link(user_id: int) -> EmployeeLink | None:
    return db.session.scalar(
        select(EmployeeLink).where(EmployeeLink.user_id == user_id, EmployeeLink.unlinked_at.is_(None))
    )


def _link(
    user_id: int, organization_id: int, method: LinkMethod, now: datetime, **values: object
) -> EmployeeLink:
    if live_link(user_id) is not None:
        raise AlreadyLinked()
    link = EmployeeLink(
        user_id=user_id, organization_id=organization_id, method=method, linked_at=now, **values
    )
    db.session.add(link)
    db.session.flush()
    return link


def redeem_invite_code(user_id: int, code: str, *, now: datetime) -> EmployeeLink:
    """Link her to the code's organisation. One use is taken with a conditional UPDATE, so a
    used-up code is never over-used. Raises InviteCodeRefused (wrong, expired, used up),
    AlreadyLinked."""
    invite_code = db.session.scalar(select(InviteCode).where(InviteCode.code == _normalise_code(code)))
    if invite_code is None:
        raise InviteCodeRefused("We don't know that code. Please check it with your employer.")
    if invite_code.expires_at <= now:
        raise InviteCodeRefused("This code has expired. Please ask your employer for a new one.")
    if live_link(user_id) is not None:
        raise AlreadyLinked()
    used = db.session.execute(
        update(InviteCode)
        .where(
            InviteCode.id == invite_code.id,
            InviteCode.uses < InviteCode.max_uses,
            InviteCode.expires_at > now,
        )
        .values(uses=InviteCode.uses + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        raise InviteCodeRefused("This code has been used up. Please ask your employer for a new one.")
    return _link(
        user_id, invite_code.organization_id, LinkMethod.INVITE_CODE, now, invite_code_id=invite_code.id
    )


# --- work email -----------------------------------------------------------------------------


def send_work_email_link(user_id: int, work_email: str, *, now: datetime) -> Organization:
    """Send a signed link to her work address on one of an organisation's domains.

    She keeps logging in with her own address; the work address is only kept, on her link,
    once she opens it. Raises InvalidInput (not an address, or a domain no organisation has),
    AlreadyLinked.
    """
    work_email = email_address(work_email, "work_email")
    domain = work_email.rsplit("@", 1)[1]
    row = db.session.scalar(select(OrganizationDomain).where(OrganizationDomain.domain == domain))
    if row is None:
        raise InvalidInput(
            "This address is not on a domain of an employer that sponsors seats on Hearth.",
            field="work_email",
        )
    if live_link(user_id) is not None:
        raise AlreadyLinked()
    user = db.session.get(User, user_id)
    token = tokens.make_token(
        tokens.WORK_EMAIL,
        {"uid": user_id, "org": row.organization_id, "email": work_email},
        secret=token_secret(),
        now=now,
    )
    path, url = public_link("employees.confirm_work_email", token=token)
    queue_notification(
        user_id,
        "account",
        f"work-email:{user_id}:{tokens.fingerprint(work_email)}:{minute_key(now)}",
        subject="Confirm your work address for Hearth",
        text=(
            f"Hello {user.display_name},\n\nOpen this link within 48 hours, logged in to Hearth, "
            "to link your "
            f"account to {row.organization.name}:\n{url}\n\nWe keep this address only for the link; "
            "you keep logging in with your own address."
        ),
        extra={"to": work_email},
        mailbox_only=True,
    )
    return row.organization


def confirm_work_email(token: str, user_id: int, *, now: datetime) -> EmployeeLink:
    """She opened the link sent to her work address: link her. Raises TokenExpired/TokenInvalid,
    AlreadyLinked."""
    payload = tokens.read_token(
        tokens.WORK_EMAIL, token, secret=token_secret(), max_age=WORK_EMAIL_MAX_AGE, now=now
    )
    if payload.get("uid") != user_id:
        raise tokens.TokenInvalid(
            "This link was sent for another account. Log in with your own account to use it."
        )
    domain = str(payload.get("email", "")).rsplit("@", 1)[-1]
    still_theirs = db.session.scalar(
        select(OrganizationDomain.id).where(
            OrganizationDomain.domain == domain, OrganizationDomain.organization_id == payload.get("org")
        )
    )
    if still_theirs is None:
        raise tokens.TokenInvalid()
    return _link(user_id, payload["org"], LinkMethod.WORK_EMAIL, now, work_email=payload["email"])


def unlink(user_id: int, *, now: datetime) -> bool:
    """She unlinks herself: from now on her activity feeds no report. Her work address is
    forgotten. Months already reported stay as they were. True if she was linked."""
    return (
        db.session.execute(
            update(EmployeeLink)
            .where(EmployeeLink.user_id == user_id, EmployeeLink.unlinked_at.is_(None))
            .values(unlinked_at=now, work_email=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        > 0
    )
