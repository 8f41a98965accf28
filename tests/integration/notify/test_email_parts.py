"""Every email is multipart with one button, and one-click unsubscribe turns off one kind only."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from mentoring.accounts.tokens import UNSUBSCRIBE, make_token
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.dispatch import dispatch_due
from tests.factories import make_notification, make_user
from tests.helpers import fresh, page_text
from tests.integration.notify.conftest import RecordingMailer, frozen_clock

SECRET = "test-secret-key-that-is-long-enough-0123456789"
BUTTON = re.compile(r'<a class="button" href="([^"]+)"')


def _sent(mailer: RecordingMailer) -> list[EmailMessage]:
    """What left Hearth, as the recipient's mail app parses it."""
    return [message_from_bytes(bytes(m), policy=policy.default) for m in mailer.sent]


def _parts(message: EmailMessage) -> tuple[str, str]:
    return (message.get_body(preferencelist=("plain",)).get_content(),
            message.get_body(preferencelist=("html",)).get_content())


def _deliver(**notification: object) -> EmailMessage:
    user = notification.pop("user")
    make_notification(user, **notification)
    db.session.commit()
    mailer = RecordingMailer()
    dispatch_due(utcnow(), mailer=mailer, clock=frozen_clock)
    [message] = _sent(mailer)
    return message


def _daytime_user(**kwargs: object):  # noqa: ANN202
    user = make_user(**kwargs)
    user.quiet_start = user.quiet_end = None  # quiet hours would hold the mail back
    db.session.commit()
    return user


def test_an_announcement_is_multipart_with_one_button_to_the_plain_texts_link_and_one_click_headers(
    ctx: None,
) -> None:
    user = _daytime_user(display_name="Mira")
    message = _deliver(user=user, kind="announcement", subject="News from Back to work",
                       text="Bring a notebook <please>.", link="/circles/3")
    assert message.get_content_type() == "multipart/alternative"
    plain, html = _parts(message)
    assert [m.group(1) for m in BUTTON.finditer(html)] == ["http://localhost/circles/3"]
    assert "Read it on the circle page: http://localhost/circles/3" in plain
    assert "Bring a notebook &lt;please&gt;." in html and "Bring a notebook <please>." in plain
    assert 'name="color-scheme" content="light dark"' in html
    assert not re.search(r"<img|@import|<link |src=\"http|url\(", html)  # nothing fetched from afar

    unsubscribe = message["List-Unsubscribe"]
    assert re.fullmatch(r"<http://localhost/notifications/unsubscribe/[^>]+>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = unsubscribe[1:-1]
    assert f"Turn off these emails only (one click, no login): {url}" in plain
    assert f'href="{url}"' in html
    assert "Announcements from your circle" in plain


def test_account_and_payment_mail_has_no_unsubscribe_link(ctx: None) -> None:
    user = _daytime_user()
    for kind in ("payment", "account"):
        message = _deliver(user=user, kind=kind, subject="Your receipt", text="Paid.", link="/billing/")
        assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
        plain, html = _parts(message)
        assert "/notifications/unsubscribe/" not in plain + html
        assert "always sent" in html


def test_one_click_post_turns_off_that_kind_only_without_a_login(client: FlaskClient, ctx: None) -> None:
    user = _daytime_user()
    user.email_opt_out = ["circle_update"]
    db.session.commit()
    message = _deliver(user=user, kind="reminder", subject="Reminder", text="Tomorrow.", link="/circles/1")
    path = urlsplit(message["List-Unsubscribe"][1:-1]).path

    response = client.post(path, data={"List-Unsubscribe": "One-Click"})  # what a mail provider sends
    assert response.status_code == 200
    assert fresh(user).email_opt_out == ["circle_update", "reminder"]
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert fresh(user).email_opt_out == ["circle_update", "reminder"]


def test_opening_the_link_asks_first_and_changes_nothing(client: FlaskClient, ctx: None) -> None:
    user = _daytime_user()
    token = make_token(UNSUBSCRIBE, {"u": user.id, "k": "announcement"}, secret=SECRET, now=utcnow())
    page = page_text(client.get(f"/notifications/unsubscribe/{token}"))
    assert "Turn off these emails?" in page and "Announcements from your circle's facilitator" in page
    assert fresh(user).email_opt_out == []


def test_a_forged_or_altered_link_is_refused_and_changes_nothing(client: FlaskClient, ctx: None) -> None:
    user = _daytime_user()
    now = utcnow()
    good = make_token(UNSUBSCRIBE, {"u": user.id, "k": "reminder"}, secret=SECRET, now=now)
    forged = [
        good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
        make_token(UNSUBSCRIBE, {"u": user.id, "k": "reminder"}, secret="another-secret-" * 4, now=now),
        make_token(UNSUBSCRIBE, {"u": user.id, "k": "payment"}, secret=SECRET, now=now),
        make_token(UNSUBSCRIBE, {"u": user.id + 1000, "k": "reminder"}, secret=SECRET, now=now),
        make_token("reset-password", {"u": user.id, "k": "reminder"}, secret=SECRET, now=now),
    ]
    for token in forged:
        response = client.post(f"/notifications/unsubscribe/{token}")
        assert response.status_code == 400, token
        assert "This link isn't valid" in page_text(response)
    assert fresh(user).email_opt_out == []
