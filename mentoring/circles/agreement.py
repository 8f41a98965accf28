"""The confidentiality agreement: which wording each member accepted, and asking again.

Policies (chosen here):
- Every wording of a circle's agreement is kept as a numbered `CircleAgreement` version; the
  circle's `agreement_text` is the current wording and always has a version (one is recorded
  the first time a wording is needed, so circles made before versions existed are covered).
- Joining (a free seat, the waitlist, a paid hold) records the version she accepted beside
  `agreed_at`.
- When the facilitator changes the wording of a published circle, each active member is asked
  to accept the new one before her next meeting: her circle page shows it with an accept form,
  she is told once per version, and the facilitator's roster shows who has not accepted yet.
  Nothing is locked: a member who has not accepted can still come, and the circle reads the
  agreement together (the first meeting's guide says so).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ScalarSelect, func, select

from mentoring.circles.models import Circle, CircleAgreement, Enrollment, EnrollmentStatus
from mentoring.circles.seating import transition
from mentoring.db import insert_into
from mentoring.errors import DomainError, NotFound
from mentoring.extensions import db


class AgreementNotTicked(DomainError):
    """Please tick the box to accept the circle's confidentiality agreement."""

    field = "agree"


class NoPlaceToAgreeFor(DomainError):
    """Only members of the circle are asked to accept its agreement."""


def newest_version(circle_id: int) -> ScalarSelect[int | None]:
    """The circle's newest agreement version as a subquery, to fold into another statement."""
    return (select(func.max(CircleAgreement.version)).where(CircleAgreement.circle_id == circle_id)
            .scalar_subquery())


def current_version(circle_id: int) -> int | None:
    """The number of the circle's newest agreement version (None: none recorded yet)."""
    return db.session.scalar(select(newest_version(circle_id)))


def version_to_accept(circle_id: int) -> int:
    """The version number of the circle's agreement as it reads now.

    Records the wording as a new version first if it is not the newest one (a circle from
    before versions were kept, or a changed text). Two callers recording the same wording at
    once are settled by the (circle_id, version) unique key. Raises NotFound.
    """
    circle = db.session.get(Circle, circle_id)
    if circle is None:
        raise NotFound("We could not find that circle.")
    latest = db.session.execute(
        select(CircleAgreement.version, CircleAgreement.text)
        .where(CircleAgreement.circle_id == circle_id)
        .order_by(CircleAgreement.version.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.text == circle.agreement_text:
        return latest.version
    version = latest.version + 1 if latest is not None else 1
    db.session.execute(
        insert_into(db.session, CircleAgreement)
        .values(circle_id=circle_id, version=version, text=circle.agreement_text)
        .on_conflict_do_nothing(index_elements=["circle_id", "version"])
    )
    return version


def agreed_text(enrollment_id: int) -> str | None:
    """The exact wording she accepted (None if she has not accepted any version)."""
    return db.session.scalar(
        select(CircleAgreement.text)
        .join(Enrollment, (Enrollment.circle_id == CircleAgreement.circle_id)
              & (Enrollment.agreement_version == CircleAgreement.version))
        .where(Enrollment.id == enrollment_id)
    )


def accept_agreement(enrollment_id: int, user_id: int, *, agreed: bool, now: datetime) -> int:
    """She accepts her circle's agreement as it reads now; returns the version she accepted.

    Idempotent: accepting the current version again changes only `agreed_at`. Raises
    AgreementNotTicked, NoPlaceToAgreeFor (not her place, or not an active member).
    """
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.user_id != user_id:
        raise NoPlaceToAgreeFor()
    if not agreed:
        raise AgreementNotTicked()
    version = version_to_accept(enrollment.circle_id)
    # Conditional on her place still being active, so a member removed meanwhile is not re-agreed.
    if not transition(enrollment_id, (EnrollmentStatus.ACTIVE,), agreement_version=version, agreed_at=now):
        raise NoPlaceToAgreeFor()
    return version


def members_yet_to_accept(circle_id: int) -> set[int]:
    """Enrollment ids of active members who have not accepted the current wording."""
    version = current_version(circle_id)
    if version is None:
        return set()
    return set(db.session.scalars(
        select(Enrollment.id).where(
            Enrollment.circle_id == circle_id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Enrollment.agreement_version.is_distinct_from(version),
        )
    ))
