"""The community `make loadtest` drives, and the accounts its simulated clients act as.

The bulk of it is `make bench`'s community (tests/bench/run.py), built with the same builders;
on top come open paid circles for members to join and pay for, one circle that 40 members race
for, and a signed session cookie per account used, so no simulated client spends its time on a
password hash (logging in is not what is measured). Everything the clients need goes into one
JSON plan for `tests/load/locustfile.py`.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any

from flask import Flask, session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Integer, insert, select, text

from mentoring.accounts.models import User
from mentoring.accounts.sessions import start_session
from mentoring.circles.models import Circle, CircleAgreement, Enrollment, EnrollmentStatus, Meeting
from mentoring.circles.schedule import weekly_slots
from mentoring.extensions import db
from mentoring.growth.models import CheckIn
from mentoring.growth.queries import gaps_of_circles
from mentoring.growth.rhythm import open_gap
from tests.bench.run import (
    FACILITATORS,
    MEMBERS,
    SPONSOR_ADMIN,
    build,
    build_growth,
    build_outcomes,
    build_pulses,
)

USER_AGENT = "hearth-loadtest"
SEATS = 12
RACERS = 40
PRICE_CENTS = 1500


def address_of(user_id: int) -> str:
    """Each account's own client address (sent as X-Forwarded-For through TRUSTED_PROXIES=1), so
    the rate limiter sees many members, as it would in production, instead of one client."""
    return f"10.{(user_id >> 16) & 255}.{(user_id >> 8) & 255}.{user_id & 255}"


def build_community(scale: float, now: datetime) -> None:
    """`make bench`'s community at `scale` (1.0 = 5,000 members, 300 circles)."""
    facilitator_id, _, _ = build(scale, now, random.Random(2026), "load")
    build_growth(now, random.Random(9), "load", facilitator_id)
    build_pulses(now, random.Random(11), "load")
    build_outcomes(now, "load")


def add_paid_circles(count: int, now: datetime) -> list[int]:
    """`count` open circles at a fixed price, empty, starting in two weeks, with what creating a
    circle records; returns their ids."""
    first_id = (db.session.scalar(select(db.func.max(Circle.id))) or 0) + 1
    first_meeting = (db.session.scalar(select(db.func.max(Meeting.id))) or 0) + 1
    first = (now + timedelta(days=14)).date()
    circles, meetings = [], []
    for n, cid in enumerate(range(first_id, first_id + count)):
        circles.append({
            "id": cid, "facilitator_id": (n % 5) + 1, "title": f"Paid circle {cid}", "theme": "returning",
            "description": "A small confidential circle.", "capacity": SEATS, "min_to_run": 4,
            "seats_taken": 0, "format": "virtual", "meeting_link": "https://meet.example.com/x",
            "address": None, "language": "English", "kids_welcome": True, "onsite_childcare": False,
            "timezone": "Europe/London", "weekday": first.weekday(), "start_time": clock(20, 30),
            "duration_minutes": 60, "first_date": first, "meeting_count": 8, "status": "open",
            "agreement_text": "What is said here stays here.", "price_mode": "fixed", "currency": "USD",
            "price_cents": PRICE_CENTS, "sliding_min_cents": None, "sliding_suggested_cents": None,
            "sliding_max_cents": None, "created_at": now, "published_at": now,
        })
        for slot in weekly_slots(first, clock(20, 30), 60, "Europe/London", 8):
            meetings.append({"id": first_meeting + len(meetings), "circle_id": cid, "sequence": slot.sequence,
                             "starts_at": slot.starts_at, "ends_at": slot.ends_at, "status": "scheduled",
                             "agenda": ""})
    db.session.execute(insert(Circle), circles)
    db.session.execute(insert(Meeting), meetings)
    # Creating a circle records its agreement's first version (circles.service.create_circle), which
    # every member who joins accepts.
    db.session.execute(insert(CircleAgreement), [
        {"circle_id": c["id"], "version": 1, "text": c["agreement_text"], "created_at": now} for c in circles
    ])
    return [c["id"] for c in circles]


def advance_sequences() -> None:
    """The builders insert explicit ids; move every PostgreSQL sequence past them, so rows the
    load creates (payments, enrollments, check-ins, notifications) get fresh ids."""
    for table in db.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key or not isinstance(table.c.id.type, Integer):
            continue
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false) "
            f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"
        ))


class Accounts:
    """Signed session cookies (with the CSRF secret inside) for the accounts the clients use."""

    def __init__(self, app: Flask, now: datetime) -> None:
        self.app, self.now = app, now
        self.serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        self.made: dict[int, dict[str, str]] = {}

    def __call__(self, user_id: int) -> dict[str, str]:
        """{"id", "cookie", "csrf", "addr"} for one account, made once: a server-side session
        exactly as logging in opens it, and the form token that session accepts."""
        if user_id not in self.made:
            token = start_session(user_id, now=self.now)
            user = db.session.get(User, user_id)
            assert user is not None
            user.session_token = token
            addr = address_of(user_id)
            headers = {"X-Forwarded-For": addr, "User-Agent": USER_AGENT}
            # A fresh app context: Flask-WTF keeps the token in `g`, which would hand every
            # account the first one's.
            with self.app.app_context(), self.app.test_request_context(headers=headers):
                login_user(user)
                csrf = generate_csrf()
                cookie = self.serializer.dumps(dict(session))
            self.made[user_id] = {"id": str(user_id), "cookie": cookie, "csrf": csrf, "addr": addr}
        return self.made[user_id]


def make_plan(app: Flask, scale: float, now: datetime, join_circles: int,
              rng: random.Random) -> dict[str, Any]:
    """Add the load's own rows, commit, and return the plan the simulated clients follow."""
    facilitators = max(int(FACILITATORS * scale), 1)
    members = max(int(MEMBERS * scale), 1)
    paid = add_paid_circles(join_circles + 1, now)
    race_circle, join_ids = paid[0], paid[1:]
    db.session.commit()
    advance_sequences()
    db.session.commit()
    account = Accounts(app, now)

    places = db.session.execute(
        select(Enrollment.user_id, Enrollment.circle_id).join(Circle, Circle.id == Enrollment.circle_id)
        .where(Enrollment.status == EnrollmentStatus.ACTIVE, Circle.status == "running")
        .order_by(Enrollment.id)
    ).all()
    rng.shuffle(places := list(places))
    seen: set[int] = set()
    browsing = []  # one place per member: her circle page, dashboard, goals, check-in form
    for uid, cid in places:
        if uid not in seen:
            seen.add(uid)
            browsing.append((uid, cid))
    browsing = browsing[:300]

    gaps = gaps_of_circles({cid for _, cid in places})
    open_gaps = {cid: gap for cid, circle_gaps in gaps.items() if (gap := open_gap(circle_gaps, now))}
    done = set(db.session.execute(
        select(CheckIn.user_id, CheckIn.after_meeting_id)
        .where(CheckIn.after_meeting_id.in_([g.after_meeting_id for g in open_gaps.values()]))
    ).tuples())
    check_ins = [(uid, cid) for uid, cid in places
                 if cid in open_gaps and (uid, open_gaps[cid].after_meeting_id) not in done][:1500]

    sheets = []  # per facilitator: a running circle of hers, its last meeting begun, whom to mark
    for fid in range(1, facilitators + 1):
        meeting = db.session.execute(
            select(Meeting.id, Meeting.circle_id).join(Circle, Circle.id == Meeting.circle_id)
            .where(Circle.facilitator_id == fid, Circle.status == "running", Meeting.starts_at < now,
                   Meeting.status != "cancelled")
            .order_by(Meeting.starts_at.desc()).limit(1)
        ).first()
        if meeting is None:
            continue
        roster = list(db.session.scalars(select(Enrollment.user_id).where(
            Enrollment.circle_id == meeting.circle_id, Enrollment.status == EnrollmentStatus.ACTIVE)))
        sheets.append({"facilitator": account(fid), "meeting": meeting.id, "circle": meeting.circle_id,
                       "members": roster})

    pool = list(range(facilitators + 2, members + facilitators + 1))
    joiners = rng.sample(pool, min(len(pool), len(join_ids) * SEATS + RACERS))
    racers, joiners = joiners[:RACERS], joiners[RACERS:]
    joins = [(joiners[n], join_ids[n % len(join_ids)]) for n in range(len(joiners))]

    plan = {
        "race_circle": race_circle,
        "racers": [account(uid) for uid in racers],
        "browsing": [{**account(uid), "circle": cid} for uid, cid in browsing],
        "check_ins": [{**account(uid), "circle": cid} for uid, cid in check_ins],
        "sheets": sheets,
        "sponsors": [account(SPONSOR_ADMIN)],
        "organization": 1,
        "joins": [{**account(uid), "circle": cid} for uid, cid in joins],
        "anonymous_circle": browsing[0][1],
    }
    db.session.commit()
    return plan


def utc_now() -> datetime:
    return datetime.now(UTC)
