"""A link that proves control of a mailbox goes by email only: never in the app or the export."""

from __future__ import annotations

import json
from email.message import EmailMessage

from flask.testing import FlaskClient

from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.notify.dispatch import dispatch_due
from mentoring.notify.models import Notification
from tests.conftest import PASSWORD, post_form
from tests.factories import login, make_user
from tests.helpers import count, get_page
from tests.integration.accounts.helpers import notifications, token_in


class RecordingMailer:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def _mail_to(mailer: RecordingMailer, address: str) -> str:
    bodies = [m.get_body(("plain",)).get_content() for m in mailer.sent if address in str(m["To"])]
    return "\n".join(bodies)


def test_confirmation_reset_and_email_change_links_reach_the_mailbox_but_not_the_app(
    client: FlaskClient, ctx: None
) -> None:
    user = make_user("mira@example.com", verified=False)
    db.session.commit()
    login(client, user)
    assert post_form(client, "/account/unverified", {}).status_code == 302
    assert post_form(client, "/account/reset", {"email": "mira@example.com"}).status_code == 302
    assert post_form(client, "/account/email",
                     {"email": "new@example.com", "password": PASSWORD}).status_code == 302
    tokens = [token_in(n) for subject in ("confirm your email", "reset", "confirm your new")
              for n in notifications(user.id, subject)]
    assert len(tokens) == 3

    inbox = get_page(client, "/notifications/")
    export = client.get("/account/export").get_data(as_text=True)
    for token in tokens:
        assert token not in inbox and token not in export
    assert "Please confirm your email address" in inbox  # she sees that it was sent
    assert "We sent this to your email address" in inbox
    assert "We sent this to your email address" in json.dumps(json.loads(export))

    mailer = RecordingMailer()
    dispatch_due(utcnow(), mailer=mailer)
    to_her, to_new = _mail_to(mailer, "mira@example.com"), _mail_to(mailer, "new@example.com")
    assert tokens[0] in to_her and tokens[1] in to_her
    # The link that moves her account goes to the new address only, never to the old mailbox.
    assert tokens[2] in to_new and tokens[2] not in to_her


def test_deleting_her_account_erases_the_links_that_proved_her_mailbox(
    client: FlaskClient, ctx: None
) -> None:
    user = make_user("mira@example.com")
    db.session.commit()
    login(client, user)
    post_form(client, "/account/reset", {"email": "mira@example.com"})
    dispatch_due(utcnow(), mailer=RecordingMailer())  # mailed: the row is 'sent' but still holds it
    [reset] = notifications(user.id, "reset")
    token, reset_id = token_in(reset), reset.id
    assert post_form(client, "/account/delete", {"password": PASSWORD}).status_code == 302
    db.session.expire_all()
    rows = db.session.query(Notification).filter(Notification.user_id == user.id).all()
    assert all(token not in json.dumps(row.payload) for row in rows)
    assert count(Notification, Notification.id == reset_id) == 0
