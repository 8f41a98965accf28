"""Organisations and their sponsor admins. (Employees' links are in `eligibility`.)

A sponsor admin's powers follow her live role: a RoleAssignment of `sponsor_admin` for that
organisation, not revoked. Every sponsor action is written to the audit log by the service that
does it, in the same unit of work.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from mentoring.accounts import tokens
from mentoring.accounts.links import token_secret
from mentoring.accounts.models import Role, User
from mentoring.accounts.roles import grant_role
from mentoring.accounts.service import create_verified_account, find_user_by_email
from mentoring.audit.service import record
from mentoring.errors import InvalidInput, NotFound
from mentoring.extensions import db
from mentoring.notify.service import queue_notification
from mentoring.sponsors.models import (
    Organization,
    OrganizationDomain,
    SponsorInvite,
)
from mentoring.web import public_link

INVITE_MAX_AGE = timedelta(days=7)
DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{3,253}$")


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


def email_address(value: str, field: str) -> str:
    """`value` as a lower-cased address; raises InvalidInput on `field` when it is not one."""
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
        billing_email=email_address(billing_email, "billing_email"),
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


# Built once: every sponsor page runs it, and `session.get` with options builds its query anew
# each time, which cost more than running it.
_ORGANIZATION = (select(Organization).options(joinedload(Organization.domains))
                 .where(Organization.id == bindparam("organization_id")))


def get_organization(organization_id: int) -> Organization:
    """The organisation with its email domains (which its pages show), in one query."""
    found = db.session.execute(_ORGANIZATION, {"organization_id": organization_id})
    organization = found.unique().scalar_one_or_none()
    if organization is None:
        raise NotFound("We couldn't find that organisation.")
    return organization


# --- sponsor admins -------------------------------------------------------------------------


def sponsored_organizations(user: User) -> list[int]:
    """The organisations her live sponsor_admin role lets her act for. `user.roles` is read from
    the database on each request (login loads it), so a revoked role stops counting at once.
    Pages answer 404 for any other organisation, so she learns nothing of which exist."""
    return sorted(
        {
            r.organization_id
            for r in user.roles
            if r.role == Role.SPONSOR_ADMIN and r.revoked_at is None and r.organization_id is not None
        }
    )


def invite_sponsor_admin(organization_id: int, email: str, *, actor_id: int | None,
                         now: datetime) -> SponsorInvite:
    """Invite someone to act for the organisation. The signed, expiring link goes by email only,
    to the invited address, whether or not it has a Hearth account yet (the link lets her create
    one). A notification needs an account to hang on: hers, or else the inviter's, addressed
    "to" the invitee, and shown in the inviter's inbox only as "sent by email".

    The actor is an admin, or a sponsor admin of this organisation (checked by the caller's page
    and again here). Raises InvalidInput (bad address, or no account and no inviter), NotFound.
    """
    organization = get_organization(organization_id)
    email = email_address(email, "email")
    invitee = db.session.scalar(select(User).where(User.email == email, User.deleted_at.is_(None)))
    mail_owner = invitee.id if invitee is not None else actor_id
    if mail_owner is None:
        raise InvalidInput("There is no Hearth account with this address yet.", field="email")
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
        mail_owner,
        "account",
        f"sponsor-invite:{invite.id}",
        subject=f"An invitation to manage {organization.name}'s sponsored seats on Hearth",
        text=(
            f"Hello,\n\nYou have been invited to act as a sponsor admin for {organization.name} on "
            "Hearth. Open this link within 7 days to accept (if you have no Hearth account yet, it "
            f"lets you create one with this address):\n{url}\n\n"
            "If you weren't expecting this, ignore it and nothing changes."
        ),
        # Mail hung on the inviter's account must not greet the invitee by the inviter's name.
        extra={"to": email} if invitee is not None else {"to": email, "to_name": ""},
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


def open_invite(token: str, *, now: datetime) -> SponsorInvite:
    """The invitation a link names, while it can still be accepted.

    Raises TokenExpired (older than INVITE_MAX_AGE) or TokenInvalid (altered, or used already).
    """
    payload = tokens.read_token(
        tokens.SPONSOR_INVITE, token, secret=token_secret(), max_age=INVITE_MAX_AGE, now=now
    )
    invite = db.session.get(SponsorInvite, payload.get("invite"))
    if invite is None or invite.email != payload.get("email"):
        raise tokens.TokenInvalid()
    if invite.accepted_at is not None:
        raise tokens.TokenInvalid("This invitation has already been accepted. Log in to manage the seats.")
    return invite


def invitee_has_account(invite: SponsorInvite) -> bool:
    return find_user_by_email(invite.email) is not None


def accept_invite(token: str, user_id: int, *, now: datetime) -> Organization:
    """She accepts an invitation: the sponsor_admin role for that organisation (audited).

    Raises TokenExpired/TokenInvalid (also when she is logged in with another address or it
    was accepted already).
    """
    invite = open_invite(token, now=now)
    user = db.session.get(User, user_id)
    if user is None or invite.email != user.email:
        raise tokens.TokenInvalid(
            "This invitation is for another address. Log in with the address it was sent to."
        )
    return _accept(invite, user_id, now=now)


def accept_invite_with_new_account(
    token: str, *, display_name: str, timezone: str, password: str, now: datetime
) -> User:
    """Someone without a Hearth account accepts. The link reached the invited mailbox, which
    proves the address, so she gets a verified account with it and the sponsor_admin role for
    the organisation, both audited, in one unit of work.

    Raises TokenExpired/TokenInvalid, InvalidInput/WeakPassword (unusable values), or
    EmailUnavailable (an account with the address exists: she logs in to accept). Nothing is
    created when it raises (the caller rolls back).
    """
    invite = open_invite(token, now=now)
    user = create_verified_account(
        email=invite.email, password=password, display_name=display_name, timezone=timezone, now=now
    )
    record(
        "sponsor.admin_account_created",
        actor_id=user.id,
        subject_type="organization",
        subject_id=invite.organization_id,
        details={"invite_id": invite.id, "user_id": user.id},
        now=now,
    )
    _accept(invite, user.id, now=now)
    return user


def _accept(invite: SponsorInvite, user_id: int, *, now: datetime) -> Organization:
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
