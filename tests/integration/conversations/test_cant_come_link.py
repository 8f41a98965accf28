"""The signed one-tap "can't come" link in a member's meeting reminder: it asks first."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.circles.lifecycle import queue_meeting_reminders
from mentoring.circles.models import Attendance, Meeting
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.dispatch import dispatch_due
from tests.conftest import csrf_token
from tests.helpers import count, page_text
from tests.integration.conversations.helpers import circle_with_members
from tests.integration.notify.conftest import RecordingMailer, frozen_clock

LINK = re.compile(r"Can't come this time\? Tell your facilitator in one tap \(we ask you to confirm\): (\S+)")


def _reminders_sent():  # noqa: ANN202 - (setup, meeting, {address: plain text})
    setup = circle_with_members(2)
    meeting = db.session.execute(
        select(Meeting).where(Meeting.circle_id == setup.circle.id, Meeting.sequence == 1)
    ).scalar_one()
    meeting.starts_at = utcnow() + timedelta(hours=12)
    meeting.ends_at = meeting.starts_at + timedelta(hours=1)
    for person in (*setup.members, setup.facilitator):
        person.quiet_start = person.quiet_end = None
    db.session.commit()
    queue_meeting_reminders(utcnow())
    db.session.commit()
    mailer = RecordingMailer()
    dispatch_due(utcnow(), mailer=mailer, clock=frozen_clock)
    texts = {}
    for sent in mailer.sent:
        parsed = message_from_bytes(bytes(sent), policy=policy.default)
        texts[parsed["To"].addresses[0].addr_spec] = parsed.get_body(preferencelist=("plain",)).get_content()
    return setup, meeting, texts


def test_a_members_reminder_carries_the_link_and_it_asks_before_marking_her_excused(
    client: FlaskClient, ctx: None
) -> None:
    setup, meeting, texts = _reminders_sent()
    mira = setup.members[0]
    assert not LINK.search(texts[setup.facilitator.email])
    path = urlsplit(LINK.search(texts[mira.email]).group(1)).path

    page = page_text(client.get(path))  # no login
    assert "Tell my facilitator I can't come" in page and setup.circle.title in page
    assert count(Attendance) == 0

    token = csrf_token(client, path)
    done = client.post(path, data={"csrf_token": token, "reason": "no_childcare"})
    assert "Thank you for telling us" in page_text(done)
    mark = db.session.execute(select(Attendance)).scalar_one()
    assert (mark.user_id, mark.meeting_id, mark.status, mark.note) == (mira.id, meeting.id, "excused",
                                                                       "No childcare")


def test_an_altered_link_is_refused_and_changes_nothing(client: FlaskClient, ctx: None) -> None:
    setup, _meeting, texts = _reminders_sent()
    path = urlsplit(LINK.search(texts[setup.members[0].email]).group(1)).path
    altered = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
    response = client.get(altered)
    assert response.status_code == 400 and "This link isn't valid" in page_text(response)
    assert client.post(altered, data={"reason": "work"}).status_code == 400
    assert count(Attendance) == 0
