"""Her in-app notifications: her own only, newest first, in her timezone, read when she says so."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.conftest import csrf_token
from tests.factories import login, make_notification, make_user
from tests.helpers import get_page

INBOX = "/notifications/"
WHEN = datetime(2026, 1, 15, 20, 30, tzinfo=UTC)


def unread_badge(html: str) -> str | None:
    match = re.search(r'<span class="badge badge-count">(\d+)</span>', html)
    return match.group(1) if match else None


def test_she_must_log_in_to_see_notifications(client: FlaskClient) -> None:
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_she_sees_her_own_notifications_and_nobody_elses(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        ada = make_user(timezone="America/New_York")
        bea = make_user()
        make_notification(ada, subject="Your circle meets tomorrow", text="Bring a cup of tea.",
                          link="/circles/7", due_at=WHEN)
        make_notification(bea, subject="Bea's private reminder", text="Bea's check-in is due.", due_at=WHEN)
        db.session.commit()
        login(client, ada)

    html = get_page(client, INBOX)

    assert "Your circle meets tomorrow" in html
    assert "Bring a cup of tea." in html
    assert 'href="/circles/7"' in html
    assert "Thu 15 Jan 2026, 15:30 EST" in html  # 20:30 UTC on her New York clock, zone named
    assert "Bea" not in html


def test_newest_first_with_pages(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user = make_user()
        for n in range(25):
            make_notification(user, subject=f"Notice number {n:02d}", due_at=WHEN + timedelta(minutes=n))
        db.session.commit()
        login(client, user)

    first = get_page(client, INBOX)
    assert first.index("Notice number 24") < first.index("Notice number 05")
    assert "Notice number 04" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = get_page(client, INBOX + "?page=2")
    assert "Notice number 04" in second and "Notice number 00" in second and "Notice number 05" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "There is nothing more" in get_page(client, INBOX + "?page=9")
    assert "Notice number 24" in get_page(client, INBOX + "?page=nonsense")
    assert "Notice number 24" in get_page(client, INBOX + "?page=-3")
    assert "There is nothing more" in get_page(client, INBOX + "?page=" + "9" * 30)


def test_a_reminder_scheduled_for_later_does_not_show_yet(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user = make_user()
        make_notification(user, subject="Meeting next week", due_at=datetime.now(UTC) + timedelta(days=7))
        db.session.commit()
        login(client, user)
    html = get_page(client, INBOX)
    assert "Meeting next week" not in html
    assert unread_badge(html) is None


def test_the_header_shows_her_unread_count_and_opening_the_list_does_not_clear_it(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        user = make_user()
        other = make_user()
        for _ in range(3):
            make_notification(user, due_at=WHEN)
        read = make_notification(user, due_at=WHEN)
        read.read_at = WHEN
        make_notification(other, due_at=WHEN)
        db.session.commit()
        login(client, user)

    assert unread_badge(get_page(client, INBOX)) == "3"
    assert unread_badge(get_page(client, INBOX)) == "3"


def test_mark_all_read_clears_the_count_for_her_only(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user = make_user()
        other = make_user()
        make_notification(user, due_at=WHEN)
        make_notification(user, due_at=WHEN)
        make_notification(other, key="others", due_at=WHEN)
        db.session.commit()
        login(client, user)

    token = csrf_token(client, "/notifications/")
    seen = datetime.now(UTC).isoformat()
    response = client.post("/notifications/read", data={"csrf_token": token, "seen_until": seen},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "All caught up." in html
    assert unread_badge(html) is None
    with app.app_context():
        others = select(Notification.read_at).where(Notification.dedup_key == "others")
        assert db.session.execute(others).scalar_one() is None


def test_what_arrived_after_she_loaded_the_page_stays_unread(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user = make_user()
        make_notification(user, key="seen", due_at=WHEN)
        db.session.commit()
        login(client, user)
    token = csrf_token(client, "/notifications/")
    loaded_at = datetime.now(UTC)
    with app.app_context():
        make_notification(db.session.get(type(user), user.id), key="new",
                          due_at=loaded_at + timedelta(microseconds=1))
        db.session.commit()

    client.post("/notifications/read", data={"csrf_token": token, "seen_until": loaded_at.isoformat()})

    with app.app_context():
        rows = {n.dedup_key: n.read_at for n in db.session.execute(select(Notification)).scalars()}
    assert rows["seen"] is not None
    assert rows["new"] is None


def test_mark_all_read_needs_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user = make_user()
        make_notification(user, due_at=WHEN)
        db.session.commit()
        login(client, user)
    assert client.post("/notifications/read").status_code == 400
    assert unread_badge(get_page(client, INBOX)) == "1"


def test_the_unread_count_is_one_query_per_page(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        user = make_user()
        make_notification(user, due_at=WHEN)
        db.session.commit()
        login(client, user)
        counts: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
            if "count(" in statement.lower():
                counts.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            html = get_page(client, INBOX)  # the badge appears twice in the header
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert unread_badge(html) == "1"
    assert len(counts) == 1


def test_anonymous_pages_do_not_count_anything(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        counts: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
            counts.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get("/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert not [s for s in counts if "notifications" in s]
