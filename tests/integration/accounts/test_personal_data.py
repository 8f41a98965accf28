import json
from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.models import FacilitatorApplication, Role, RoleAssignment
from mentoring.accounts.signals import account_deleted
from mentoring.audit.models import AuditEntry
from mentoring.billing.models import Payment
from mentoring.circles.models import Attendance
from mentoring.extensions import db
from mentoring.notify.models import Notification
from mentoring.notify.service import queue_notification
from tests.conftest import PASSWORD, post_form
from tests.factories import enroll, login, make_circle, make_user
from tests.helpers import fresh, page_text
from tests.integration.accounts.helpers import STRONG, user_by_email


def member_with_history():  # noqa: ANN201
    user = make_user("mira@example.com", display_name="Mira K.", bio="Two kids, one job.")
    circle = make_circle(title="Back to work, gently")
    enrollment = enroll(circle, user, price_cents=1500)
    db.session.add(Attendance(meeting_id=circle.meetings[0].id, user_id=user.id, status="excused",
                              note="sick child"))
    db.session.add(Payment(enrollment_id=enrollment.id, user_id=user.id, amount_cents=12000,
                           unit_amount_cents=1500, currency="USD", meetings_covered=8, first_sequence=1,
                           gateway="local", gateway_session_id="cs_test_1", gateway_payment_id="pi_test_1",
                           status="paid"))
    queue_notification(user.id, "reminder", f"reminder:{user.id}", subject="Your circle meets tomorrow",
                       text="See you there.")
    db.session.add(FacilitatorApplication(user_id=user.id, bio="I ran groups.", training="A course."))
    db.session.flush()
    return user


def test_download_my_data_holds_everything_about_her_but_no_password_hash(
    client: FlaskClient, ctx: None
) -> None:
    user = member_with_history()
    db.session.add(RoleAssignment(user_id=user.id, role="facilitator"))
    fresh(user).email_opt_out = ["reminder"]
    db.session.commit()
    login(client, user)

    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data(as_text=True)
    assert "password" not in raw and fresh(user).password_hash not in raw
    data = json.loads(raw)
    assert data["account"]["email"] == "mira@example.com"
    assert data["account"]["bio"] == "Two kids, one job."
    assert data["settings"]["timezone"] == "Europe/London"
    assert data["settings"]["quiet_hours"] == {"start": "21:30:00", "end": "07:00:00"}
    assert data["settings"]["email_opt_out"] == ["reminder"]
    assert [r["role"] for r in data["roles"]] == ["facilitator"]
    assert data["enrollments"][0]["circle"] == "Back to work, gently"
    assert data["enrollments"][0]["price_cents_per_meeting"] == 1500
    assert data["attendance"][0]["status"] == "excused" and data["attendance"][0]["note"] == "sick child"
    assert data["payments"][0]["amount_cents"] == 12000 and data["payments"][0]["currency"] == "USD"
    assert data["notifications"][0]["subject"] == "Your circle meets tomorrow"
    assert data["facilitator_applications"][0]["training"] == "A course."
    datetime.fromisoformat(data["exported_at"])


def test_the_delete_page_asks_for_her_password_and_a_wrong_one_changes_nothing(
    client: FlaskClient, ctx: None
) -> None:
    user = make_user("mira@example.com")
    db.session.commit()
    login(client, user)
    page = page_text(client.get("/account/delete"))
    assert 'type="password"' in page and "data-confirm" in page
    response = post_form(client, "/account/delete", {"password": "not my password"})
    assert "That password isn't right." in page_text(response)
    assert fresh(user).deleted_at is None
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 400  # no CSRF token
    assert fresh(user).deleted_at is None


def test_deleting_her_account_anonymises_it_and_keeps_payments(client: FlaskClient, ctx: None) -> None:
    user = member_with_history()
    db.session.add(RoleAssignment(user_id=user.id, role=str(Role.FACILITATOR)))
    db.session.commit()
    user_id = user.id
    heard: list[dict] = []

    def receiver(sender: object, **kwargs: object) -> None:
        heard.append(kwargs)

    login(client, user)
    with account_deleted.connected_to(receiver):
        response = post_form(client, "/account/delete", {"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")

    assert [h["user_id"] for h in heard] == [user_id]
    gone = fresh(user)
    assert gone.email == f"deleted-{user_id}@deleted.invalid"
    assert gone.display_name == "Former member" and gone.bio is None and gone.deleted_at is not None
    assert gone.email_opt_out == [] and gone.active_roles() == set()
    kept = db.session.execute(select(Payment).where(Payment.user_id == user_id)).scalar_one()
    # The record stays; leaving before any meeting was held refunded the unheld meetings.
    assert kept.amount_cents == 12000 and kept.status == "refunded" and kept.refunded_cents == 12000
    pending = db.session.execute(select(Notification).where(Notification.user_id == user_id,
                                                            Notification.status == "pending")).scalars().all()
    # Only the refund notice is left to send, to the address she had.
    assert [(n.kind, n.payload["to"]) for n in pending] == [("payment", "mira@example.com")]
    assert db.session.execute(select(FacilitatorApplication)).all() == []
    assert db.session.execute(select(AuditEntry).where(AuditEntry.action == "account.deleted")).scalar_one()

    assert client.get("/account/settings").status_code == 302  # logged out
    login_again = post_form(client, "/account/login", {"email": "mira@example.com", "password": PASSWORD})
    assert "That email and password don't match." in page_text(login_again)

    signup = post_form(client, "/account/signup", {"email": "mira@example.com", "display_name": "Mira again",
                                                   "timezone": "Europe/London", "password": STRONG})
    assert signup.status_code == 302
    newcomer = user_by_email("mira@example.com")
    assert newcomer is not None and newcomer.id != user_id


def test_deleting_her_account_says_what_she_gets_back_and_mails_the_refund_notice(
    client: FlaskClient, ctx: None
) -> None:
    from mentoring.db import utcnow
    from mentoring.notify.dispatch import dispatch_due
    from tests.integration.accounts.test_mailbox_links import RecordingMailer

    user = member_with_history()
    db.session.commit()
    login(client, user)
    page = page_text(client.get("/account/delete"))
    assert "What you get back" in page
    assert "$120" in page and "Back to work, gently" in page and "8 meetings" in page

    assert post_form(client, "/account/delete", {"password": PASSWORD}).status_code == 302
    mailer = RecordingMailer()
    dispatch_due(utcnow(), mailer=mailer)
    [notice] = [m for m in mailer.sent if "Refund" in str(m["Subject"])]
    assert "mira@example.com" in str(notice["To"])
    assert "$120" in str(notice["Subject"])
    assert not [m for m in mailer.sent if "meets tomorrow" in str(m["Subject"])]  # the rest is dropped


def test_a_member_with_nothing_to_get_back_is_not_promised_a_refund(client: FlaskClient, ctx: None) -> None:
    user = make_user("mira@example.com")
    db.session.commit()
    login(client, user)
    assert "What you get back" not in page_text(client.get("/account/delete"))
