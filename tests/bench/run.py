"""`make bench`: do the members' pages stay fast and flat as the community grows?

Builds a community the size of a real one (10,000 members, 600 circles with their 4,800
meetings, enrollments and attendance, 2,300 circles of past terms, so some 20,000 meetings with
3 to 8 pulse answers each, 200,000 check-ins, 50,000 goals, 50,000 notifications, and 20
employers with seat pools, one of them with 2,000 employees) and the same community ten times
larger, each in a throwaway
database, with bulk inserts. Then, for each page, it times requests through the Flask test client
(logged in by session) and counts the SQL statements per request, beside a bare Flask route
measured in the same run, and checks:

  1. at most 10 queries per page, and the same number at 1x and at 10x;
  2. median time at most 15x the bare route's;
  3. the 10x community costs at most 1.5x the 1x time.

Then find-a-time is timed against a naive baseline in the same run (see `tests/bench/find_time.py`).

Requests to the two communities and the bare route are interleaved in a shuffled order each
round, so noise from other processes, caches and garbage falls on every page alike. Options:
`--scale 0.2` for a quick run, `--factor`, `--requests`.
With DATABASE_URL set to PostgreSQL the communities are built there, each in its own schema that
is dropped afterwards; otherwise temporary SQLite files are used.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select
from tqdm import tqdm
from werkzeug.security import generate_password_hash

from mentoring import create_app
from mentoring.accounts.models import RoleAssignment, User
from mentoring.accounts.sessions import start_session
from mentoring.availability.models import AvailabilityWindow
from mentoring.availability.windows import PRESETS
from mentoring.buddies.matching import Candidate, suggest_buddies
from mentoring.circles import catalog
from mentoring.circles.models import Attendance, Circle, Enrollment, Meeting
from mentoring.circles.schedule import weekly_slots
from mentoring.extensions import db
from mentoring.growth.models import CheckIn, Goal
from mentoring.notify.models import Notification
from mentoring.outcomes.figures import close_terms
from mentoring.outcomes.models import OutcomeMeasure, PulseResponse
from mentoring.sponsors.models import EmployeeLink, Organization, OrganizationDomain, SeatClaim, SeatPool
from mentoring.sponsors.reports import close_months
from tests.bench.find_time import run_find_time_bench
from tests.helpers import postgres_schema
from tests.querycount import count_queries

MEMBERS, CIRCLES, FACILITATORS, EMPLOYEES = 10_000, 600, 60, 2_000
PAST_CIRCLES = 2_300  # earlier terms' circles: their meetings carry pulses, nothing else
EMPLOYERS, SMALL_EMPLOYER = 20, 100  # organisation 1 has EMPLOYEES, the other 19 SMALL_EMPLOYER each
NOTIFICATIONS_PER_MEMBER = 5
QUERY_LIMIT, BARE_FACTOR, GROWTH_FACTOR = 10, 15.0, 1.5
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles",
         "Asia/Kolkata", "Australia/Sydney", "UTC")
STARTS = (clock(9, 30), clock(10, 0), clock(12, 30), clock(13, 0), clock(19, 30), clock(20, 0),
          clock(20, 30), clock(21, 0))
CHUNK = 5_000
CHECK_INS_PER_MEMBER, GOALS_PER_MEMBER = 20, 5  # 200,000 check-ins and 50,000 goals at 1x


@dataclass
class Community:
    label: str
    app: Flask
    client_member: FlaskClient
    client_facilitator: FlaskClient
    client_sponsor: FlaskClient
    member_circle_id: int
    care_circle_id: int = 0
    cleanup: list[Any] = field(default_factory=list)
    client_admin: FlaskClient | None = None


@contextmanager
def throwaway_database(label: str) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        with postgres_schema(url, f"hearth_bench_{label}") as schema_url:
            yield schema_url
        return
    with tempfile.TemporaryDirectory(prefix=f"hearth-bench-{label}-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"


def bulk(model: type, rows: list[dict[str, Any]], bar: tqdm) -> None:
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        db.session.execute(insert(model), part)
        bar.update(len(part))


def build(scale: float, now: datetime, rng: random.Random, label: str) -> tuple[int, int, int]:
    """Fill the database; returns (facilitator id, member id, one of her circles' id)."""
    members, circles, facilitators = (max(int(n * scale), 1) for n in (MEMBERS, CIRCLES, FACILITATORS))
    password = generate_password_hash("bench-password")
    today = now.date()
    users = [
        {"id": i, "email": f"user{i}@bench.example", "password_hash": password, "display_name": f"Member {i}",
         "timezone": rng.choice(ZONES), "email_verified_at": now, "created_at": now, "session_version": 1,
         "email_opt_out": []}
        for i in range(1, members + facilitators + 1)
    ]
    roles = [{"user_id": i, "role": "facilitator", "granted_at": now} for i in range(1, facilitators + 1)]
    me = facilitators + 1  # the measured member
    pool = list(range(facilitators + 2, members + facilitators + 1))

    circle_rows: list[dict[str, Any]] = []
    meeting_rows: list[dict[str, Any]] = []
    enrollment_rows: list[dict[str, Any]] = []
    attendance_rows: list[dict[str, Any]] = []
    my_circles: list[int] = []
    me_waiting = False
    meeting_id = 0
    # Earlier terms' circles were created first, so they have the lower ids (a list walking the
    # newest first meets the live circles before them, as it does in a real community).
    past = max(int(PAST_CIRCLES * scale), 1)
    for cid in range(past + 1, past + circles + 1):
        first = today + timedelta(days=rng.randint(-42, 28))
        roll = rng.random()
        status = "draft" if roll < 0.05 else "cancelled" if roll < 0.08 else (
            "running" if first <= today else "open")
        if roll > 0.95:
            first, status = today - timedelta(days=120), "completed"
        capacity = rng.randint(6, 12)
        start, zone = rng.choice(STARTS), rng.choice(ZONES)
        price_mode = rng.choice(("free", "free", "sliding", "fixed"))
        taken = rng.randint(capacity // 2, capacity) if status in ("open", "running", "completed") else 0
        joinable = status in ("open", "running")
        mine = joinable and len(my_circles) < 3 and taken < capacity
        if mine:
            taken += 1
            my_circles.append(cid)
        if status == "open" and taken >= capacity:
            status = "full"
        circle_rows.append({
            "id": cid, "facilitator_id": (cid % facilitators) + 1, "title": f"Circle {cid}",
            "theme": rng.choice(list(catalog.THEMES)), "description": "A small confidential circle.",
            "capacity": capacity, "min_to_run": 4, "seats_taken": taken,
            "format": rng.choice(list(catalog.FORMATS)), "meeting_link": "https://meet.example.com/x",
            "address": None, "language": rng.choice(("English", "English", "Spanish", "French")),
            "kids_welcome": rng.random() < 0.4, "onsite_childcare": rng.random() < 0.15, "timezone": zone,
            "weekday": first.weekday(), "start_time": start, "duration_minutes": 60, "first_date": first,
            "meeting_count": 8, "status": status, "agreement_text": "What is said here stays here.",
            "price_mode": price_mode, "currency": "USD",
            "price_cents": 1500 if price_mode == "fixed" else None,
            "sliding_min_cents": 0 if price_mode == "sliding" else None,
            "sliding_suggested_cents": 1500 if price_mode == "sliding" else None,
            "sliding_max_cents": 3000 if price_mode == "sliding" else None,
            "created_at": now, "published_at": None if status == "draft" else now,
        })
        active = rng.sample(pool, taken - (1 if mine else 0)) + ([me] if mine else [])
        for uid in active:
            enrollment_rows.append({"circle_id": cid, "user_id": uid, "status": "active", "funding": "free",
                                    "price_cents": 0, "agreed_at": now, "joined_at": now, "created_at": now})
        if status == "full":
            taken_ids = set(active)
            waiting = [u for u in rng.sample(pool, 6) if u not in taken_ids][: rng.randint(0, 4)]
            if not me_waiting and not mine:
                waiting.append(me)
                me_waiting = True
            for n, uid in enumerate(waiting):
                enrollment_rows.append({"circle_id": cid, "user_id": uid, "status": "waitlisted",
                                        "funding": "free", "price_cents": 0, "agreed_at": now,
                                        "waitlisted_at": now + timedelta(seconds=n), "created_at": now})
        for slot in weekly_slots(first, start, 60, zone, 8):
            meeting_id += 1
            held = slot.starts_at < now
            meeting_rows.append({"id": meeting_id, "circle_id": cid, "sequence": slot.sequence,
                                 "starts_at": slot.starts_at, "ends_at": slot.ends_at,
                                 "status": "held" if held and status != "draft" else "scheduled",
                                 "agenda": ""})
            if held and status in ("running", "full", "completed"):
                for uid in active:
                    mark = rng.choice(("present", "present", "absent", "excused"))
                    attendance_rows.append({"meeting_id": meeting_id, "user_id": uid, "marked_at": now,
                                            "status": mark})
    # Earlier terms' circles, completed one to three years ago: only their meetings matter here
    # (they carry pulses), but they sit in the same tables the pages read.
    for cid in range(1, past + 1):
        first = today - timedelta(days=rng.randint(365, 3 * 365))
        start, zone = rng.choice(STARTS), rng.choice(ZONES)
        circle_rows.append({
            **circle_rows[0], "id": cid, "facilitator_id": (cid % facilitators) + 1, "title": f"Circle {cid}",
            "status": "completed", "seats_taken": 0, "timezone": zone, "weekday": first.weekday(),
            "start_time": start, "first_date": first, "price_mode": "free", "price_cents": None,
            "sliding_min_cents": None, "sliding_suggested_cents": None, "sliding_max_cents": None,
            "published_at": now,
        })
        for slot in weekly_slots(first, start, 60, zone, 8):
            meeting_id += 1
            meeting_rows.append({"id": meeting_id, "circle_id": cid, "sequence": slot.sequence,
                                 "starts_at": slot.starts_at, "ends_at": slot.ends_at, "status": "held",
                                 "agenda": ""})
    # Her week (after bedtime, free; the school run and evening rush, blocked), and the same for
    # one member in four, so "fits my week" reads her rows from a table of realistic size.
    week = [*PRESETS["after_bedtime"].windows, *PRESETS["default_blocks"].windows]
    window_rows = [
        {"user_id": uid, "weekday": w.weekday, "start_minute": w.start, "end_minute": w.end, "kind": w.kind,
         "hard": w.hard, "label": w.label}
        for uid in [me, *pool[::4]] for w in week
    ]
    # Her inbox and everyone's: reminders and replies, most read, a few not yet.
    notification_rows = [
        {"user_id": uid, "kind": "circle_reminder", "dedup_key": f"bench:{uid}:{n}", "channel": "in_app",
         "due_at": now - timedelta(days=n), "visible_at": now - timedelta(days=n), "status": "sent",
         "attempts": 1, "sent_at": now - timedelta(days=n), "created_at": now - timedelta(days=n),
         "read_at": None if n == 0 else now, "payload": {"subject": "Your circle meets tomorrow",
                                                         "text": "Tuesday, 20:30.", "link": "/circles/mine"}}
        for uid in range(facilitators + 1, members + facilitators + 1)
        for n in range(NOTIFICATIONS_PER_MEMBER)
    ]
    total = sum(map(len, (users, roles, circle_rows, meeting_rows, enrollment_rows, attendance_rows,
                          window_rows, notification_rows)))
    with tqdm(total=total, desc=f"building {label}", unit="rows", file=sys.stderr) as bar:
        tables = ((User, users), (RoleAssignment, roles), (Circle, circle_rows), (Meeting, meeting_rows),
                  (Enrollment, enrollment_rows), (Attendance, attendance_rows),
                  (AvailabilityWindow, window_rows), (Notification, notification_rows))
        for model, rows in tables:
            bulk(model, rows, bar)
        db.session.commit()
    build_employers(scale, pool, now, rng)
    return 1, me, my_circles[0]


SPONSOR_ADMIN = 2  # a facilitator who also acts for the employer


def build_employers(scale: float, members: list[int], now: datetime, rng: random.Random) -> None:
    """EMPLOYERS organisations, each with its linked members (distinct people), a pool, and a
    sponsored claim on each employee's active places (claimed before the circles met, so their
    attendance feeds the report). Organisation 1, the one measured, has EMPLOYEES employees."""
    start = now - timedelta(days=200)
    sizes = [max(int(EMPLOYEES * scale), 1), *[max(int(SMALL_EMPLOYER * scale), 1)] * (EMPLOYERS - 1)]
    everyone = rng.sample(members, min(sum(sizes), len(members)))
    for org, size in enumerate(sizes, start=1):
        staff, everyone = sorted(everyone[:size]), everyone[size:]
        build_employer(org, staff, now, start)
    db.session.execute(insert(RoleAssignment), [{"user_id": SPONSOR_ADMIN, "role": "sponsor_admin",
                                                 "organization_id": 1, "granted_at": start}])
    db.session.commit()


def build_employer(org: int, staff: list[int], now: datetime, start: datetime) -> None:
    db.session.execute(insert(Organization), [
        {"id": org, "name": f"Bench employer {org}", "billing_email": f"ap@org{org}.example",
         "created_at": start}])
    db.session.execute(insert(OrganizationDomain), [{"organization_id": org, "domain": f"org{org}.example",
                                                     "verified_at": start}])
    places = db.session.execute(select(Enrollment.id, Enrollment.user_id).where(
        Enrollment.status == "active", Enrollment.user_id.in_(staff))).all()
    db.session.execute(insert(SeatPool), [{
        "id": org, "organization_id": org, "seats": len(places) + 10, "seats_claimed": len(places),
        "price_cap_cents": 2000, "meetings_per_seat": 8, "currency": "USD", "amount_cents": 0,
        "valid_from": start, "valid_until": now + timedelta(days=200), "status": "active",
        "payment_method": "manual", "created_at": start, "activated_at": start}])
    for part in range(0, len(staff), CHUNK):
        db.session.execute(insert(EmployeeLink), [
            {"user_id": uid, "organization_id": org, "method": "invite_code", "linked_at": start}
            for uid in staff[part:part + CHUNK]])
    for part in range(0, len(places), CHUNK):
        db.session.execute(insert(SeatClaim), [
            {"pool_id": org, "enrollment_id": eid, "membership_number": 1, "user_id": uid,
             "status": "claimed", "claimed_at": start} for eid, uid in places[part:part + CHUNK]])
    close_months(org, now)  # as the scheduler does when each month ends


def build_growth(now: datetime, rng: random.Random, label: str, facilitator_id: int) -> int:
    """Goals and check-ins for every member; returns a running circle the facilitator leads.

    Check-ins go to random meetings (one per member and meeting, as the unique key wants), so
    the tables have their full size whatever the enrollments; the pages must not care.
    """
    with db.session.no_autoflush:
        meetings = db.session.execute(select(Meeting.id, Meeting.circle_id)).all()
        users = list(db.session.scalars(select(User.id)))
        care_circle = db.session.scalars(
            select(Circle.id).where(Circle.facilitator_id == facilitator_id, Circle.status == "running")
            .order_by(Circle.id)
        ).first()
    goals = [
        {"user_id": uid, "circle_id": None, "title": f"Goal {n}", "why": "Because.",
         "next_step": "A small step", "visibility": rng.choice(("private", "circle")),
         "status": rng.choice(("active", "active", "achieved")), "created_at": now, "updated_at": now}
        for uid in users for n in range(GOALS_PER_MEMBER)
    ]
    check_ins = [
        {"user_id": uid, "circle_id": circle_id, "after_meeting_id": meeting_id, "mood": rng.randint(1, 5),
         "win": "A win.", "obstacle": "", "progress": {}, "visibility": "private",
         "needs_support": rng.random() < 0.02, "support_shares_text": False, "created_at": now,
         "updated_at": now}
        for uid in users
        for meeting_id, circle_id in rng.sample(meetings, min(CHECK_INS_PER_MEMBER, len(meetings)))
    ]
    with tqdm(total=len(goals) + len(check_ins), desc=f"growth {label}", unit="rows", file=sys.stderr) as bar:
        bulk(Goal, goals, bar)
        bulk(CheckIn, check_ins, bar)
        db.session.commit()
    return care_circle or 1


def build_pulses(now: datetime, rng: random.Random, label: str) -> None:
    """Pulse answers on every meeting that has begun, from 3 to 8 members each (whoever they
    are: the facilitator's page must only count and average them)."""
    with db.session.no_autoflush:
        meetings = db.session.execute(
            select(Meeting.id, Meeting.circle_id).where(Meeting.starts_at < now)
        ).all()
        users = list(db.session.scalars(select(User.id)))
    rows = [
        {"meeting_id": meeting_id, "circle_id": circle_id, "user_id": uid, "felt_heard": rng.randint(1, 5),
         "connected": rng.randint(1, 5), "learned": rng.randint(1, 5),
         "note_to_facilitator": "Thank you." if rng.random() < 0.05 else "", "created_at": now}
        for meeting_id, circle_id in meetings
        for uid in rng.sample(users, rng.randint(3, 8))
    ]
    with tqdm(total=len(rows), desc=f"pulses {label} ({len(meetings)} meetings)", unit="rows",
              file=sys.stderr) as bar:
        bulk(PulseResponse, rows, bar)
        db.session.commit()


ADMIN = 3  # a facilitator who is also a platform admin


def build_outcomes(now: datetime, label: str) -> None:
    """Start and end ratings for every member of the completed circles, and the admin role."""
    with db.session.no_autoflush:
        places = db.session.execute(
            select(Enrollment.user_id, Enrollment.circle_id)
            .join(Circle, Circle.id == Enrollment.circle_id)
            .where(Circle.status == "completed", Enrollment.status == "active")
        ).all()
    rows = [
        {"user_id": uid, "circle_id": cid, "phase": phase, "isolation": 6 - (n % 3 if phase == "end" else 0),
         "confidence": 4, "balance": 4, "stress": 5, "created_at": now}
        for n, (uid, cid) in enumerate(places)
        for phase in ("start", "end")
    ]
    db.session.execute(insert(RoleAssignment), [{"user_id": ADMIN, "role": "admin", "granted_at": now}])
    with tqdm(total=len(rows), desc=f"outcomes {label}", unit="rows", file=sys.stderr) as bar:
        bulk(OutcomeMeasure, rows, bar)
        db.session.commit()
    close_terms(now)  # as the scheduler does when a term's circles have all closed
    db.session.commit()


def community(label: str, scale: float, url: str, now: datetime) -> Community:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40, "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    app.add_url_rule("/_bench/bare", "bench_bare", lambda: "ok")
    with app.app_context():
        db.create_all()
        facilitator_id, member_id, circle_id = build(scale, now, random.Random(2026), label)
        care_circle_id = build_growth(now, random.Random(9), label, facilitator_id)
        build_pulses(now, random.Random(11), label)
        build_outcomes(now, label)
    clients = []
    for user_id in (member_id, facilitator_id, SPONSOR_ADMIN, ADMIN):
        client = app.test_client()
        with app.app_context():
            token = start_session(user_id, now=now)
            db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = f"{user_id}:{token}"
            session["_fresh"] = True
        clients.append(client)
    return Community(label, app, clients[0], clients[1], clients[2], circle_id, care_circle_id,
                     client_admin=clients[3])


PAGES = (
    ("bare Flask route", "member", lambda c: "/_bench/bare"),
    ("circle list", "member", lambda c: "/circles/"),
    ("circle list, filtered", "member",
     lambda c: "/circles/?kids_welcome=y&time_of_day=evening&price=free&seats_available=y"),
    ("circle list, fits week", "member", lambda c: "/circles/?fits_my_week=y"),
    ("circle page", "member", lambda c: f"/circles/{c.member_circle_id}"),
    ("member dashboard", "member", lambda c: "/circles/mine"),
    ("facilitator dashboard", "facilitator", lambda c: "/facilitate/"),
    ("member goals", "member", lambda c: "/growth/goals"),
    ("care view", "facilitator", lambda c: f"/growth/care/{c.care_circle_id}"),
    ("facilitator pulse", "facilitator", lambda c: f"/outcomes/circles/{c.care_circle_id}/pulse"),
    ("sponsor dashboard", "sponsor", lambda c: "/sponsors/1/"),
    ("programme outcomes", "admin", lambda c: "/outcomes/programme"),
)


def one_request(c: Community, who: str, path: str) -> tuple[float, int]:
    clients = {"member": c.client_member, "facilitator": c.client_facilitator, "sponsor": c.client_sponsor,
               "admin": c.client_admin}
    client = clients[who]
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    return elapsed, response.status_code


def queries(c: Community, who: str, path: str) -> tuple[int, int]:
    with c.app.app_context():
        engine = db.engine
    with count_queries(engine) as statements:
        _, status = one_request(c, who, path)
    return len(statements), status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="size of the 1x community (1.0 = 10,000 members)")
    parser.add_argument("--factor", type=int, default=10, help="how much larger the big community is")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page and size")
    args = parser.parse_args(argv)
    now = datetime.now(UTC)
    with throwaway_database("1x") as small_url, throwaway_database(f"{args.factor}x") as large_url:
        started = time.perf_counter()
        small = community("1x", args.scale, small_url, now)
        large = community(f"{args.factor}x", args.scale * args.factor, large_url, now)
        print(f"built both communities in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        sizes = (small, large)
        counts = {(c.label, name): queries(c, who, path(c)) for c in sizes for name, who, path in PAGES}
        timings: dict[tuple[str, str], list[float]] = {key: [] for key in counts}
        for c in sizes:  # warm every page once
            for _, who, path in PAGES:
                one_request(c, who, path(c))
        gc.collect()
        # Each round asks for every page at both sizes once, in a shuffled order: a request timed
        # right after a heavy one (or a light one) pays (or is spared) its cache misses and
        # garbage, so a fixed order would favour whichever page always comes second.
        order = random.Random(7)
        requests = [(name, who, path, c) for name, who, path in PAGES for c in sizes]
        for _ in tqdm(range(args.requests), desc="timing", file=sys.stderr):
            order.shuffle(requests)
            for name, who, path, c in requests:
                timings[(c.label, name)].append(one_request(c, who, path(c))[0])
        for c in sizes:
            with c.app.app_context():
                db.session.remove()
                db.engine.dispose()
    pages_ok = report(small.label, large.label, counts, timings) == 0
    report_matching()
    return 0 if run_find_time_bench() and pages_ok else 1


def report_matching(rounds: int = 200) -> None:
    """How long suggesting buddies for a full (12-member) circle takes."""
    rng = random.Random(12)
    people = [Candidate(i, f"M{i}", rng.choice(ZONES), organization_id=rng.choice((None, 1, 2)))
              for i in range(1, 13)]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        suggest_buddies(people, apart=[frozenset({1, 2})])
        times.append(time.perf_counter() - started)
    print(f"Matching a 12-member circle: median {statistics.median(times) * 1000:.2f} ms, "
          f"slowest {max(times) * 1000:.2f} ms over {rounds} runs.")


def report(small: str, large: str, counts: dict, timings: dict) -> int:
    median = {key: statistics.median(values) * 1000 for key, values in timings.items()}
    bare = {label: median[(label, PAGES[0][0])] for label in (small, large)}
    header = (f"{'page':<24}{'status':>7}{small + ' ms':>10}{large + ' ms':>10}"
              f"{'q ' + small:>7}{'q ' + large:>7}{'x bare':>8}{'growth':>8}  targets")
    print(header)
    print("-" * len(header))
    failed = False
    for name, _, _ in PAGES:
        (q1, s1), (q2, s2) = counts[(small, name)], counts[(large, name)]
        t1, t2 = median[(small, name)], median[(large, name)]
        vs_bare = max(t1 / bare[small], t2 / bare[large])
        growth = t2 / t1
        if name == PAGES[0][0]:
            verdict = "(reference)"
        else:
            checks = {
                "queries": q1 <= QUERY_LIMIT and q1 == q2,
                "x bare": vs_bare <= BARE_FACTOR,
                "growth": growth <= GROWTH_FACTOR,
            }
            failed |= not all(checks.values())
            verdict = " ".join(f"{k} {'PASS' if ok else 'FAIL'}" for k, ok in checks.items())
        status = str(s1) if s1 == s2 else f"{s1}/{s2}"
        print(f"{name:<24}{status:>7}{t1:>10.2f}{t2:>10.2f}{q1:>7}{q2:>7}{vs_bare:>8.1f}{growth:>8.2f}"
              f"  {verdict}")
    print()
    print(f"Targets: <= {QUERY_LIMIT} queries and equal at both sizes; median <= {BARE_FACTOR:g}x the bare "
          f"route; {large} <= {GROWTH_FACTOR:g}x the {small} time. Overall: {'FAIL' if failed else 'PASS'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
