"""How long the check-in prompt job takes over 10,000 active members, every one of them due.

`python -m tests.bench.prompt_job [--members 10000]`: builds running circles of 10 members in a
throwaway SQLite database (or PostgreSQL via DATABASE_URL, in its own schema), picks the moment a
day before their next meeting, so every member gets a reminder, and times one run of the job and
a second run (which must queue nothing).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from sqlalchemy import func, insert, select

from mentoring import create_app
from mentoring.accounts.models import User
from mentoring.circles.models import Circle, Enrollment, Meeting
from mentoring.circles.schedule import weekly_slots
from mentoring.extensions import db
from mentoring.growth.jobs import queue_check_in_prompts
from mentoring.notify.models import Notification
from tests.bench.run import throwaway_database

PER_CIRCLE = 10
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata")


def build(members: int, first: datetime) -> datetime:
    """Running circles that all met on `first` and `first` + 7 days; returns the reminder moment."""
    circles = members // PER_CIRCLE
    facilitators = [{"id": i, "email": f"f{i}@bench.example", "password_hash": "x", "display_name": f"F {i}",
                     "timezone": "UTC", "created_at": first, "session_version": 1, "email_opt_out": []}
                    for i in range(1, circles + 1)]
    people = [{"id": circles + i, "email": f"m{i}@bench.example", "password_hash": "x",
               "display_name": f"M {i}", "timezone": ZONES[i % len(ZONES)],
               "created_at": first, "session_version": 1, "email_opt_out": [], "quiet_start": None,
               "quiet_end": None} for i in range(1, members + 1)]
    circle_rows, meeting_rows, enrollments = [], [], []
    slots = list(weekly_slots(first.date(), clock(20, 30), 60, "UTC", 8))
    for cid in range(1, circles + 1):
        circle_rows.append({"id": cid, "facilitator_id": cid, "title": f"Circle {cid}", "theme": "t",
                            "description": "", "capacity": 12, "min_to_run": 4, "seats_taken": PER_CIRCLE,
                            "format": "virtual", "language": "English", "kids_welcome": False,
                            "onsite_childcare": False, "timezone": "UTC", "weekday": first.weekday(),
                            "start_time": clock(20, 30), "duration_minutes": 60, "first_date": first.date(),
                            "meeting_count": 8, "status": "running", "agreement_text": "x",
                            "price_mode": "free", "currency": "USD", "created_at": first})
        for slot in slots:
            meeting_rows.append({"circle_id": cid, "sequence": slot.sequence, "starts_at": slot.starts_at,
                                 "ends_at": slot.ends_at, "status": "scheduled", "agenda": ""})
        for k in range(PER_CIRCLE):
            enrollments.append({"circle_id": cid, "user_id": circles + (cid - 1) * PER_CIRCLE + k + 1,
                                "status": "active", "funding": "free", "price_cents": 0, "created_at": first})
    for model, rows in ((User, facilitators + people), (Circle, circle_rows), (Meeting, meeting_rows),
                        (Enrollment, enrollments)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[start:start + 5000])
    db.session.commit()
    return slots[2].starts_at - timedelta(hours=23)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    args = parser.parse_args(argv)
    first = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=14)
    with throwaway_database("prompts") as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40, "TESTING": True})
        with app.app_context():
            db.create_all()
            now = build(args.members, first)
            started = time.perf_counter()
            queued = queue_check_in_prompts(now)
            db.session.commit()
            first_run = time.perf_counter() - started
            started = time.perf_counter()
            again = queue_check_in_prompts(now)
            db.session.commit()
            second_run = time.perf_counter() - started
            total = db.session.scalar(select(func.count()).select_from(Notification))
            db.session.remove()
            db.engine.dispose()
    print(f"{args.members} active members: first run queued {queued} in {first_run:.2f}s; "
          f"second run queued {again} in {second_run:.2f}s; {total} notifications in all")
    return 0 if queued == args.members and again == 0 and total == args.members else 1


if __name__ == "__main__":
    sys.exit(main())
