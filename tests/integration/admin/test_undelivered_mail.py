"""Admins see email that failed every retry, without its content, and can send it again."""

from flask.testing import FlaskClient

from mentoring.accounts.models import Role
from mentoring.extensions import db
from mentoring.notify.models import NotificationStatus
from tests.conftest import csrf_token
from tests.factories import login, make_notification, make_user
from tests.helpers import audit_actions, fresh, page_text


def _failed_mail():  # noqa: ANN202
    member = make_user("noor@example.com")
    notification = make_notification(member, subject="Private: your circle's new room", kind="circle_update")
    notification.status = NotificationStatus.FAILED
    notification.attempts = 5
    notification.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
    db.session.commit()
    return notification


def test_an_admin_sees_failed_mail_without_its_content_and_sends_it_again(
    client: FlaskClient, ctx: None
) -> None:
    notification = _failed_mail()
    admin = make_user("staff@example.com", roles=(Role.ADMIN,))
    db.session.commit()
    login(client, admin)

    page = page_text(client.get("/admin/mail"))
    assert "noor@example.com" in page and "circle update" in page and "SMTPServerDisconnected" in page
    assert "Private: your circle" not in page

    token = csrf_token(client, "/admin/mail")
    response = client.post(f"/admin/mail/{notification.id}/retry", data={"csrf_token": token})
    assert response.status_code == 302
    retried = fresh(notification)
    assert (retried.status, retried.attempts) == (NotificationStatus.PENDING, 0)
    assert audit_actions() == ["notification.retried"]

    # A second click finds nothing to retry and changes nothing.
    client.post(f"/admin/mail/{notification.id}/retry", data={"csrf_token": token})
    assert audit_actions() == ["notification.retried"]
    assert "Every email has been delivered." in page_text(client.get("/admin/mail"))


def test_members_cannot_see_or_retry_undelivered_mail(client: FlaskClient, ctx: None) -> None:
    notification = _failed_mail()
    login(client, make_user("mira@example.com"))
    db.session.commit()
    assert client.get("/admin/mail").status_code == 403
    token = csrf_token(client, "/account/settings")
    assert client.post(f"/admin/mail/{notification.id}/retry", data={"csrf_token": token}).status_code == 403
    assert fresh(notification).status == NotificationStatus.FAILED
