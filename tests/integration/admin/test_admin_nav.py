"""The admin pages lead to every admin task."""

from __future__ import annotations

from flask.testing import FlaskClient

from mentoring.accounts.models import Role
from mentoring.extensions import db
from tests.factories import login, make_user
from tests.helpers import get_page


def test_the_admin_nav_leads_to_payments_and_refunds(client: FlaskClient, ctx: None) -> None:
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(client, admin)
    for path in ("/admin/", "/admin/users", "/admin/audit"):
        assert 'href="/billing/admin/payments">Payments and refunds</a>' in get_page(client, path)
    assert "Payments" in get_page(client, "/billing/admin/payments")
