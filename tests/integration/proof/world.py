"""One small world with everyone the authorization matrix and the fuzzing ask about.

Two running circles (A: a paid circle, B: a free one), each with its facilitator and members; a
facilitator whose role was revoked; two employers, each with its sponsor admin and seat pools
(the member works for A); an unconfirmed account; an admin. The member of circle A
owns one of everything a member can own (enrollment, goal, check-in asking for support,
payment with its local checkout, calendar feed, a window of her week, a notification, a thread
with her facilitator, a link to her employer, a buddy and a practice session), so the
matrix can aim every route at someone's real row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import Flask

from mentoring.accounts.models import FacilitatorApplication, Role, RoleAssignment, User
from mentoring.accounts.roles import revoke_role
from mentoring.availability.feed import feed_token, regenerate_feed
from mentoring.availability.find_time import interest_key
from mentoring.availability.models import AvailabilityWindow
from mentoring.billing.models import LocalCheckoutSession, Payment
from mentoring.buddies.models import BuddyPair, BuddyPairMember, PracticeSession
from mentoring.circles.models import Circle, CircleStatus
from mentoring.conversations.models import Message, Thread
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.growth.models import CheckIn, Goal
from mentoring.notify.models import Notification
from mentoring.sponsors.models import EmployeeLink, Organization, OrganizationDomain, PoolStatus, SeatPool
from tests.factories import enroll, make_circle, make_user

# Who asks. "member" owns the rows the routes are aimed at; "buddy" sits in her circle;
# "sponsor" is an HR admin of the member's employer (organisation A), "other_sponsor" of B.
PERSONAS = (
    "anonymous",
    "unconfirmed",
    "member",
    "buddy",
    "other_member",
    "facilitator",
    "other_facilitator",
    "revoked_facilitator",
    "sponsor",
    "other_sponsor",
    "admin",
)

# The member's words that only she may read, and her address.
SECRET_GOAL = "Private goal of Mia"
SECRET_WHY = "Secret why of Mia"
SECRET_WIN = "Secret win of Mia"
SECRET_OBSTACLE = "Secret obstacle of Mia"
MEMBER_EMAIL = "mia@example.com"
MEMBER_NAME = "Mia Member"
SECRET_MESSAGE = "Secret message of Mia to her facilitator"
SECRET_PRACTICE = "Secret practice notes of Mia and her buddy"


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    ids: dict[str, int | str] = field(default_factory=dict)

    def user(self, persona: str) -> User | None:
        return self.users.get(persona)


def _running(facilitator: User, title: str, **fields: object) -> Circle:
    # Three weeks in: meetings behind her (check-ins, attendance) and meetings to come.
    return make_circle(facilitator, title=title, status=CircleStatus.RUNNING,
                       first_date=utcnow().date() - timedelta(days=21), start_time=time(20, 30),
                       **fields)


def _organization(name: str, domain: str, sponsor: User) -> Organization:
    org = Organization(name=name, billing_email=f"billing@{domain}")
    org.domains = [OrganizationDomain(domain=domain)]
    db.session.add(org)
    db.session.flush()
    db.session.add(RoleAssignment(user_id=sponsor.id, role=str(Role.SPONSOR_ADMIN), organization_id=org.id))
    return org


def _pool(org: Organization, status: str, now: datetime) -> SeatPool:
    pool = SeatPool(organization_id=org.id, seats=10, price_cap_cents=2000, meetings_per_seat=8,
                    currency="USD", amount_cents=160_000, valid_from=now - timedelta(days=1),
                    valid_until=now + timedelta(days=180), status=status, payment_method="card",
                    activated_at=now if status == PoolStatus.ACTIVE else None)
    db.session.add(pool)
    db.session.flush()
    return pool


def build_world(app: Flask) -> World:
    """Build and commit the world (inside an app context)."""
    now = utcnow()
    world = World()
    u = world.users
    u["admin"] = make_user(display_name="Ada Admin", roles=(Role.ADMIN,))
    u["facilitator"] = make_user(display_name="Fran Facilitator", roles=(Role.FACILITATOR,))
    u["other_facilitator"] = make_user(display_name="Olga Facilitator", roles=(Role.FACILITATOR,))
    u["revoked_facilitator"] = make_user(display_name="Rita Revoked", roles=(Role.FACILITATOR,))
    u["member"] = make_user(display_name=MEMBER_NAME, email=MEMBER_EMAIL)
    u["buddy"] = make_user(display_name="Bea Buddy")
    u["other_member"] = make_user(display_name="Olive Other")
    u["unconfirmed"] = make_user(display_name="Una Unconfirmed", verified=False)
    u["sponsor"] = make_user(display_name="Hana HR")
    u["other_sponsor"] = make_user(display_name="Omar HR")

    circle = _running(u["facilitator"], "Circle A", price_mode="fixed", price_cents=1500)
    other = _running(u["other_facilitator"], "Circle B")
    former = _running(u["revoked_facilitator"], "Circle C")
    draft = make_circle(u["facilitator"], title="Draft D", status=CircleStatus.DRAFT)
    enrollment = enroll(circle, u["member"], price_cents=1500)
    enroll(circle, u["buddy"])
    enroll(other, u["other_member"])
    revoke_role(u["revoked_facilitator"].id, Role.FACILITATOR, actor_id=u["admin"].id, now=now,
                reason="the matrix")

    past = next(m for m in sorted(circle.meetings, key=lambda m: m.sequence) if m.starts_at < now)
    future = next(m for m in sorted(circle.meetings, key=lambda m: m.sequence) if m.starts_at > now)
    goal = Goal(user_id=u["member"].id, circle_id=circle.id, title=SECRET_GOAL,
                why=SECRET_WHY, visibility="private")
    check_in = CheckIn(user_id=u["member"].id, circle_id=circle.id, after_meeting_id=past.id, mood=2,
                       win=SECRET_WIN, obstacle=SECRET_OBSTACLE, visibility="private",
                       needs_support=True, support_requested_at=now, created_at=now, updated_at=now)
    payment = Payment(enrollment_id=enrollment.id, user_id=u["member"].id, amount_cents=7500,
                      unit_amount_cents=1500, currency="GBP", meetings_covered=5, first_sequence=4,
                      gateway="local", gateway_session_id="cs_local_mia", gateway_payment_id="pi_mia",
                      status="paid", paid_at=now)
    db.session.add_all([goal, check_in, payment])
    db.session.flush()
    checkout = LocalCheckoutSession(id="cs_local_mia", payment_id=payment.id, amount_cents=7500,
                                    currency="GBP", title="Circle A", status="open",
                                    success_url="http://localhost/billing/success?session_id=cs_local_mia",
                                    cancel_url="http://localhost/", expires_at=now + timedelta(minutes=30))
    window = AvailabilityWindow(user_id=u["member"].id, weekday=1, start_minute=20 * 60,
                                end_minute=22 * 60, kind="available", label="after bedtime")
    notification = Notification(user_id=u["member"].id, kind="circle_reminder", dedup_key="mia:failed",
                                payload={"subject": "Your circle meets tomorrow"}, status="failed",
                                attempts=5)
    application = FacilitatorApplication(user_id=u["other_member"].id, bio="Bio", training="Training")
    db.session.add_all([checkout, window, notification, application])
    pair = BuddyPair(circle_id=circle.id, active_from=now - timedelta(days=7))
    db.session.add(pair)
    db.session.flush()
    db.session.add_all([BuddyPairMember(pair_id=pair.id, user_id=u["member"].id),
                        BuddyPairMember(pair_id=pair.id, user_id=u["buddy"].id)])
    practice = PracticeSession(pair_id=pair.id, proposed_by_id=u["buddy"].id,
                               starts_at=now + timedelta(days=2), topic="Asking for flexible hours",
                               notes=SECRET_PRACTICE)
    db.session.add(practice)
    thread = Thread(circle_id=circle.id, member_id=u["member"].id, facilitator_id=u["facilitator"].id)
    db.session.add(thread)
    db.session.flush()
    message = Message(thread_id=thread.id, author_id=u["member"].id, body=SECRET_MESSAGE)
    db.session.add(message)

    employer = _organization("Northwind", "northwind.example", u["sponsor"])
    other_employer = _organization("Southwind", "southwind.example", u["other_sponsor"])
    pool = _pool(employer, PoolStatus.ACTIVE, now)
    unpaid_pool = _pool(employer, PoolStatus.PENDING, now)
    _pool(other_employer, PoolStatus.ACTIVE, now)
    db.session.add_all([
        EmployeeLink(user_id=u["member"].id, organization_id=employer.id, method="invite_code",
                     linked_at=now - timedelta(days=400)),
        EmployeeLink(user_id=u["other_member"].id, organization_id=other_employer.id,
                     method="invite_code", linked_at=now - timedelta(days=400)),
    ])
    feed = regenerate_feed(u["member"].id, now=now)
    db.session.flush()

    secret = app.config["SECRET_KEY"]
    world.ids.update(
        circle=circle.id, other_circle=other.id, former_circle=former.id, draft=draft.id,
        enrollment=enrollment.id, meeting=past.id, future_meeting=future.id, goal=goal.id,
        check_in=check_in.id, payment=payment.id, session="cs_local_mia", window=window.id,
        notification=notification.id, application=application.id, feed=feed_token(feed, secret),
        draft_key=interest_key(draft.id, secret), user=u["facilitator"].id,
        thread=thread.id, message=message.id, practice=practice.id, buddy_user=u["buddy"].id,
        org=employer.id, other_org=other_employer.id,
        pool=pool.id, unpaid_pool=unpaid_pool.id,
    )
    db.session.commit()
    return world
