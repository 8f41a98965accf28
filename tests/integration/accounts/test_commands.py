from sqlalchemy import func, select

from mentoring.accounts.demo import seed_accounts
from mentoring.accounts.models import Role, User
from mentoring.accounts.passwords import password_matches
from mentoring.extensions import db
from tests.factories import make_user
from tests.helpers import audit_actions
from tests.integration.accounts.helpers import STRONG, user_by_email


def test_create_admin_makes_a_verified_admin_after_asking_for_a_password(runner, ctx: None) -> None:  # noqa: ANN001
    result = runner.invoke(args=["create-admin", "Boss@Example.com"], input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert STRONG not in result.output  # the password is not echoed
    admin = user_by_email("boss@example.com")
    assert admin is not None and admin.is_verified
    assert Role.ADMIN in admin.active_roles()
    assert password_matches(admin.password_hash, STRONG)
    assert audit_actions() == ["account.created", "role.granted"]


def test_create_admin_refuses_a_weak_password(runner, ctx: None) -> None:  # noqa: ANN001
    result = runner.invoke(args=["create-admin", "boss@example.com"], input="1234567890\n1234567890\n")
    assert result.exit_code != 0
    assert "most commonly used" in result.output
    assert user_by_email("boss@example.com") is None


def test_create_admin_promotes_an_existing_member_without_touching_her_password(runner, ctx: None) -> None:  # noqa: ANN001
    member = make_user("mira@example.com")
    old_hash = member.password_hash
    db.session.commit()
    result = runner.invoke(args=["create-admin", "mira@example.com"])
    assert result.exit_code == 0, result.output
    promoted = user_by_email("mira@example.com")
    assert Role.ADMIN in promoted.active_roles() and promoted.password_hash == old_hash
    assert audit_actions() == ["role.granted"]
    again = runner.invoke(args=["create-admin", "mira@example.com"])
    assert "already an admin" in again.output
    assert audit_actions() == ["role.granted"]


def test_demo_accounts_are_seeded_once(ctx: None) -> None:
    lines = seed_accounts("hearth-demo-2026")
    db.session.commit()
    assert any("member40@demo.hearth" in line for line in lines)
    count = db.session.execute(select(func.count(User.id))).scalar_one()
    assert count == 46
    members = db.session.execute(select(User).where(User.email.like("member%@demo.hearth"))).scalars().all()
    assert len(members) == 40 and all(m.is_verified for m in members)
    assert len({m.display_name for m in members}) == 40
    assert {m.timezone.split("/")[0] for m in members} == {"America", "Europe"}
    assert password_matches(members[0].password_hash, "hearth-demo-2026")
    assert Role.FACILITATOR in user_by_email("facilitator3@demo.hearth").active_roles()
    assert user_by_email("facilitator3@demo.hearth").bio
    hr = user_by_email("hr@demo.hearth")
    # Her sponsor_admin role comes with Northwind, from the sponsors demo (tests/integration/sponsors).
    assert hr.display_name == "Priya (HR, Northwind)"
    assert Role.ADMIN in user_by_email("admin@demo.hearth").active_roles()

    audit_before = len(audit_actions())
    assert seed_accounts("hearth-demo-2026") == lines
    db.session.commit()
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 46
    assert len(audit_actions()) == audit_before


def test_create_admin_refuses_a_malformed_address(runner, ctx: None) -> None:  # noqa: ANN001
    result = runner.invoke(args=["create-admin", "not-an-address"])
    assert result.exit_code != 0
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 0
