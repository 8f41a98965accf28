"""Her private calendar feed: one URL her calendar app polls, with every circle of hers in it.

Calendar apps send no cookies, so the URL itself is the key. It is `<feed id>-<HMAC>` of the
feed's random nonce under the app's secret key: the database alone holds no working URL, a
new nonce (regenerate) kills the old URL, and a revoked feed answers 404 like an unknown one.
The feed carries one series per circle, built exactly as the per-circle download is
(`circles.calendar`), with the meeting link or address only where she may see it, and her
practice sessions with her buddy.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from mentoring.accounts.models import User
from mentoring.availability.models import CalendarFeed
from mentoring.buddies.models import BuddyPair, BuddyPairMember, PracticeSession, SessionStatus
from mentoring.circles.calendar import CircleSeries, MeetingTime, SingleEvent, circles_calendar
from mentoring.circles.models import (
    Circle,
    CircleStatus,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    MeetingStatus,
)
from mentoring.circles.queries import calendar_location, calendar_schedule
from mentoring.errors import NotFound
from mentoring.extensions import db

TOKEN_RE = re.compile(r"^(\d{1,12})-([0-9a-f]{40})$")
# Her circles in the feed: those she is in and those she has finished (a past term stays in her
# calendar, as the download allows); the place only while she is active.
FEED_ENROLLMENTS = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


class FeedNotFound(NotFound):
    """We could not find that calendar. It may have been turned off or replaced."""


def feed_token(feed: CalendarFeed, secret_key: str) -> str:
    digest = hmac.new(secret_key.encode(), f"calendar-feed:{feed.id}:{feed.nonce}".encode(), hashlib.sha256)
    return f"{feed.id}-{digest.hexdigest()[:40]}"


def her_feed(user_id: int) -> CalendarFeed | None:
    """Her feed, live or revoked (None if she never made one)."""
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))


def regenerate_feed(user_id: int, *, now: datetime) -> CalendarFeed:
    """Give her a live feed with a new URL; any URL she had stops working. Flushes."""
    feed = her_feed(user_id)
    if feed is None:
        feed = CalendarFeed(user_id=user_id, nonce="", created_at=now)
        db.session.add(feed)
    feed.nonce = secrets.token_hex(16)
    feed.created_at = now
    feed.revoked_at = None
    db.session.flush()
    return feed


def revoke_feed(user_id: int, *, now: datetime) -> None:
    """Turn her feed off: its URL answers 404 from now on. Raises FeedNotFound if she has none."""
    feed = her_feed(user_id)
    if feed is None or feed.revoked_at is not None:
        raise FeedNotFound("You have no calendar link turned on.")
    feed.revoked_at = now
    db.session.flush()


def feed_owner(token: str, secret_key: str) -> int:
    """Whose live feed the token opens. Raises FeedNotFound for a malformed, unknown, replaced
    or revoked token, or a deleted account (all alike, so a token can't be probed)."""
    match = TOKEN_RE.match(token)
    feed = db.session.get(CalendarFeed, int(match.group(1))) if match else None
    if feed is None or feed.revoked_at is not None:
        raise FeedNotFound()
    if not hmac.compare_digest(feed_token(feed, secret_key), token):
        raise FeedNotFound()
    owner = db.session.get(User, feed.user_id)
    if owner is None or owner.deleted_at is not None:
        raise FeedNotFound()
    return feed.user_id


@dataclass(frozen=True)
class FeedCircle:
    circle: Circle
    with_place: bool  # she may see the meeting link and address


def _her_circles(user_id: int) -> list[FeedCircle]:
    rows = db.session.execute(
        select(Circle, Enrollment.status)
        .outerjoin(Enrollment, (Enrollment.circle_id == Circle.id) & (Enrollment.user_id == user_id))
        .where(Circle.status != CircleStatus.DRAFT,
               or_(Circle.facilitator_id == user_id,
                   Enrollment.status.in_([str(s) for s in FEED_ENROLLMENTS])))
        .order_by(Circle.id)
    ).all()
    return [FeedCircle(circle, circle.facilitator_id == user_id or status == EnrollmentStatus.ACTIVE)
            for circle, status in rows]


def _practice_sessions(user_id: int, page_url: str) -> list[SingleEvent]:
    """Her practice sessions with her buddies (proposed ones tentative), in one query. The
    topic only: no buddy's name, in case she shares her calendar."""
    rows = db.session.execute(
        select(PracticeSession, BuddyPair.circle_id)
        .join(BuddyPair, BuddyPair.id == PracticeSession.pair_id)
        .join(BuddyPairMember, BuddyPairMember.pair_id == BuddyPair.id)
        .where(
            BuddyPairMember.user_id == user_id,
            BuddyPair.active_until.is_(None),
            PracticeSession.status != SessionStatus.REPLACED,
        )
        .order_by(PracticeSession.starts_at)
    ).all()
    return [
        SingleEvent(
            uid=f"practice-{s.id}@hearth",
            summary=f"Practice with your buddy: {s.topic}",
            starts_at=s.starts_at,
            ends_at=s.starts_at + timedelta(minutes=s.duration_minutes),
            url=page_url.replace("{id}", str(circle_id)),
            tentative=s.status == SessionStatus.PROPOSED,
        )
        for s, circle_id in rows
    ]


def feed_calendar(user_id: int, *, page_url: str, now: datetime) -> bytes:
    """Her feed's .ics: one series per circle and her practice sessions (three queries however
    many circles).

    `page_url` is the circle page's absolute URL with `{id}` for the circle id.
    """
    circles = _her_circles(user_id)
    meetings: dict[int, list[MeetingTime]] = {c.circle.id: [] for c in circles}
    if circles:
        for circle_id, sequence, starts_at, ends_at, status in db.session.execute(
            select(Meeting.circle_id, Meeting.sequence, Meeting.starts_at, Meeting.ends_at, Meeting.status)
            .where(Meeting.circle_id.in_(list(meetings))).order_by(Meeting.circle_id, Meeting.sequence)
        ):
            meetings[circle_id].append(MeetingTime(sequence=sequence, starts_at=starts_at, ends_at=ends_at,
                                                   cancelled=status == MeetingStatus.CANCELLED))
    series = []
    for item in circles:
        circle = item.circle
        schedule = calendar_schedule(circle, page_url.replace("{id}", str(circle.id)))
        series.append(CircleSeries(schedule, meetings[circle.id],
                                   calendar_location(circle) if item.with_place else None))
    return circles_calendar(series, now=now, events=_practice_sessions(user_id, page_url))


def without_stamps(body: bytes) -> bytes:
    """The feed minus its DTSTAMP lines (the time of serving): what the ETag is taken over, so
    the tag changes when her meetings do, not every time the app asks."""
    return b"\r\n".join(line for line in body.split(b"\r\n") if not line.startswith(b"DTSTAMP"))
