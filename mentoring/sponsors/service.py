"""Organisations, their sponsor admins, and employees linking themselves to their employer.

A sponsor admin's powers follow her live role: a RoleAssignment of `sponsor_admin` for that
organisation, not revoked. Every sponsor action is written to the audit log by the service that
does it, in the same unit of work.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from mentoring.accounts import tokens
from mentoring.accounts.links import minute_key, token_secret
from mentoring.accounts.models import Role, RoleAssignment, User
from mentoring.accounts.roles import grant_role
from mentoring.audit.service import record
from mentoring.errors import DomainError, InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.sponsors.models import (
    EmployeeLink,
    InviteCode,
    LinkMethod,
    Organization,
    OrganizationDomain,
    SponsorInvite,
)
from mentoring.web import public_link

INVITE_MAX_AGE = timedelta(days=7)
WORK_EMAIL_MAX_AGE = timedelta(hours=48)
MAX_CODE_USES = 10_000
MAX_CODE_DAYS = 366
DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{3,253}$")
# Codes are typed by hand: no 0/O or 1/I to confuse.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class InviteCodeRefused(DomainError):
    """That code doesn't work. Please check it with your employer."""

    field = "code"


class AlreadyLinked(DomainError):
    """You are already linked to an employer. Unlink first to link to another one."""


def parse_domains(text: str) -> list[str]:
    """Domains typed one per line or separated by commas, lower-cased. Raises InvalidInput."""
    domains = sorted({d.strip().lower().lstrip("@") for d in re.split(r"[\s,]+", text or "") if d.strip()})
    if not domains:
        raise InvalidInput(
            "Please give at least one email domain, such as northwind.example.", field="domains"
        )
    for domain in domains:
        if not DOMAIN_RE.match(domain):
            raise InvalidInput(f"“{domain[:60]}” is not an email domain.", field="domains")
    return domains


def _email(value: str, field: str) -> str:
    value = (value or "").strip().lower()
    if not EMAIL_RE.match(value):
        raise InvalidInput("Please enter an email address.", field=field)
    return value


def create_organization(
    name: str, domains_text: str, billing_email: str, *, admin_id: int, now: datetime
) -> Organization:
    """An admin adds an organisation with its verified email domains and billing contact.

    Raises InvalidInput (empty or duplicate name, bad or already-used domain, bad address).
    """
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("Please give the organisation's name (up to 120 characters).", field="name")
    if db.session.scalar(select(Organization.id).where(func.lower(Organization.name) == name.lower())):
        raise InvalidInput("An organisation with this name already exists.", field="name")
    domains = parse_domains(domains_text)
    taken = db.session.scalars(
        select(OrganizationDomain.domain).where(OrganizationDomain.domain.in_(domains))
    ).all()
    if taken:
        raise InvalidInput(f"{taken[0]} already belongs to another organisation.", field="domains")
    organization = Organization(
        name=name,
        billing_email=_email(billing_email, "billing_email"),
        created_by_id=admin_id,
        created_at=now,
    )
    organization.domains = [OrganizationDomain(domain=d, verified_at=now) for d in domains]
    db.session.add(organization)
    db.session.flush()
    record(
        "sponsor.organization_created",
        actor_id=admin_id,
        subject_type="organization",
        subject_id=organization.id,
        details={"domains": domains},
        now=now,
    )
    return organization


def organizations() -> list[Organization]:
    return list(db.session.scalars(select(Organization).order_by(Organization.name)))


def get_organization(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("We couldn't find that organisation.")
    return organization


# --- sponsor admins -------------------------------------------------------------------------


def sponsored_organizations(user: User) -> list[int]:
    """The organisations her live sponsor_admin role lets her act for."""
    return sorted(
        {
            r.organization_id
            for r in user.roles
            if r.role == Role.SPONSOR_ADMIN and r.revoked_at is None and r.organization_id is not None
        }
    )


def require_sponsor_admin(user_id: int, organization_id: int) -> Organization:
    """Her live role for this organisation, checked against the database now.

    Raises NotFound both for an organisation that does not exist and for one she does not act
    for, so a sponsor admin learns nothing about other organisations, not even which exist.
    """
    live = db.session.scalar(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == user_id,
            RoleAssignment.role == str(Role.SPONSOR_ADMIN),
            RoleAssignment.organization_id == organization_id,
            RoleAssignment.revoked_at.is_(None),
        )
    )
    if live is None:
        raise NotFound("We couldn't find that organisation.")
    return get_organization(organization_id)


def invite_sponsor_admin(organization_id: int, email: str, *, actor_id: int, now: datetime) -> SponsorInvite:
    """Invite someone to act for the organisation. The signed, expiring link goes by email only,
    to the Hearth account registered with that address.

    The actor is an admin, or a sponsor admin of this organisation (checked by the caller's page
    and again here). Raises InvalidInput (bad address, no account with it), NotFound.
    """
    organization = get_organization(organization_id)
    email = _email(email, "email")
    invitee = db.session.scalar(select(User).where(User.email == email, User.deleted_at.is_(None)))
    if invitee is None:
        raise InvalidInput(
            "There is no Hearth account with this address yet. Ask her to sign up "
            "with it first, then invite her.",
            field="email",
        )
    invite = SponsorInvite(
        organization_id=organization.id, email=email, invited_by_id=actor_id, created_at=now
    )
    db.session.add(invite)
    db.session.flush()
    token = tokens.make_token(
        tokens.SPONSOR_INVITE, {"invite": invite.id, "email": email}, secret=token_secret(), now=now
    )
    path, url = public_link("sponsors.accept_invite", token=token)
    queue_notification(
        invitee.id,
        "account",
        f"sponsor-invite:{invite.id}",
        subject=f"You're invited to manage {organization.name}'s sponsored seats on Hearth",
        text=(
            f"Hello {invitee.display_name},\n\nYou have been invited to act as a sponsor admin for "
            f"{organization.name}. Open this link within 7 days, logged in with this address, to accept:\n"
            f"{url}\n\nIf you weren't expecting this, ignore it and nothing changes."
        ),
        extra={"to": email},
        mailbox_only=True,
    )
    record(
        "sponsor.admin_invited",
        actor_id=actor_id,
        subject_type="organization",
        subject_id=organization.id,
        details={"invite_id": invite.id},
        now=now,
    )
    return invite


def accept_invite(token: str, user_id: int, *, now: datetime) -> Organization:
    """She accepts an invitation: the sponsor_admin role for that organisation (audited).

    Raises TokenExpired/TokenInvalid (also when she is logged in with another address or it
    was accepted already).
    """
    payload = tokens.read_token(
        tokens.SPONSOR_INVITE, token, secret=token_secret(), max_age=INVITE_MAX_AGE, now=now
    )
    invite = db.session.get(SponsorInvite, payload.get("invite"))
    user = db.session.get(User, user_id)
    if invite is None or user is None or user.email != payload.get("email") or invite.email != user.email:
        raise tokens.TokenInvalid(
            "This invitation is for another address. Log in with the address it was sent to."
        )
    accepted = db.session.execute(
        update(SponsorInvite)
        .where(SponsorInvite.id == invite.id, SponsorInvite.accepted_at.is_(None))
        .values(accepted_at=now, accepted_by_id=user_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if accepted != 1:
        raise tokens.TokenInvalid("This invitation has already been accepted.")
    grant_role(
        user_id,
        Role.SPONSOR_ADMIN,
        actor_id=invite.invited_by_id,
        now=now,
        organization_id=invite.organization_id,
        reason=f"sponsor invite {invite.id} accepted",
    )
    return get_organization(invite.organization_id)


# --- invite codes ---------------------------------------------------------------------------


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


def invite_codes(organization_id: int) -> list[InviteCode]:
    return list(
        db.session.scalars(
            select(InviteCode)
            .where(InviteCode.organization_id == organization_id)
            .order_by(InviteCode.created_at.desc())
        )
    )


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
    work_email = _email(work_email, "work_email")
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
    path, url = public_link("sponsors.confirm_work_email", token=token)
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
