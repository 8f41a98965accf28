"""Practice buddies through HTTP: the facilitator suggests, swaps and publishes; a member sees
her buddy, can privately ask "not with X" and ask for a change; leaving re-pairs."""

from __future__ import annotations

import json

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from mentoring.accounts.personal_data import delete_account, export_user_data
from mentoring.buddies.models import BuddyApart, BuddyPair, BuddyPairMember
from mentoring.buddies.queries import buddies_of
from mentoring.circles.enrollment import leave_circle
from mentoring.circles.models import Enrollment
from mentoring.extensions import db
from mentoring.growth.service import CheckInInput, record_check_in
from mentoring.notify.models import Notification
from tests.conftest import PASSWORD, post_form
from tests.factories import login, make_pair, make_user
from tests.integration.growth.helpers import NOW, member_of, running_circle


def page(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)


def notes_of(user_id: int) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user_id)))


def published_groups(circle_id: int) -> set[frozenset[int]]:
    pairs = db.session.scalars(
        select(BuddyPair).where(
            BuddyPair.circle_id == circle_id,
            BuddyPair.active_from.is_not(None),
            BuddyPair.active_until.is_(None),
        )
    )
    return {frozenset(m.user_id for m in p.members) for p in pairs}


@pytest.fixture
def circle4(ctx: None) -> dict:
    with time_machine.travel(NOW, tick=False):
        circle = running_circle(title="Back to work")
        members = [member_of(circle, display_name=name) for name in ("Ana", "Bea", "Cleo", "Dee")]
        db.session.commit()
        return {"circle": circle, "members": members, "facilitator": circle.facilitator}


def test_the_facilitator_suggests_with_reasons_then_publishes_and_each_member_sees_her_buddy(
    client: FlaskClient, new_client, circle4: dict
) -> None:
    circle, (ana, *_rest) = circle4["circle"], circle4["members"]
    manage = f"/buddies/circles/{circle.id}/manage"
    with time_machine.travel(NOW, tick=False):
        login(client, circle4["facilitator"])
        post_form(client, manage, {}, action=f"/buddies/circles/{circle.id}/suggest")
        suggestion = page(client.get(manage))
        assert "same timezone (Europe/London)" in suggestion and "not buddies before" in suggestion
        member = new_client()
        login(member, ana)
        assert "You don't have a practice buddy yet" in page(member.get(f"/buddies/circles/{circle.id}"))
        assert notes_of(ana.id) == []

        post_form(client, manage, {}, action=f"/buddies/circles/{circle.id}/publish")
        groups = published_groups(circle.id)
        assert len(groups) == 2 and set().union(*groups) == {m.id for m in circle4["members"]}
        (buddy_id,) = buddies_of(ana.id, circle.id)
        buddy = next(m for m in circle4["members"] if m.id == buddy_id)
        assert buddy.display_name in page(member.get(f"/buddies/circles/{circle.id}"))
        (told,) = notes_of(ana.id)
        assert buddy.display_name in told.payload["text"]


def test_a_member_cannot_open_the_facilitators_buddy_pages(client: FlaskClient, circle4: dict) -> None:
    circle = circle4["circle"]
    with time_machine.travel(NOW, tick=False):
        login(client, circle4["members"][0])
        assert client.get(f"/buddies/circles/{circle.id}/manage").status_code == 404
        response = post_form(
            client, f"/buddies/circles/{circle.id}", {}, action=f"/buddies/circles/{circle.id}/suggest"
        )
    assert response.status_code == 404
    assert db.session.scalar(select(BuddyPair.id)) is None


def test_not_with_x_is_private_and_the_suggestion_and_a_swap_respect_it(
    client: FlaskClient, new_client, circle4: dict
) -> None:
    circle, (ana, bea, _cleo, _dee) = circle4["circle"], circle4["members"]
    with time_machine.travel(NOW, tick=False):
        login(client, ana)
        mine = f"/buddies/circles/{circle.id}"
        post_form(client, mine, {"other_id": bea.id}, action=f"{mine}/apart")
        assert db.session.scalar(select(BuddyApart.other_id).where(BuddyApart.user_id == ana.id)) == bea.id

        facilitator = new_client()
        login(facilitator, circle4["facilitator"])
        manage = f"{mine}/manage"
        post_form(facilitator, manage, {}, action=f"{mine}/suggest")
        drafts = db.session.scalars(select(BuddyPair).where(BuddyPair.active_from.is_(None))).all()
        assert frozenset({ana.id, bea.id}) not in {frozenset(m.user_id for m in p.members) for p in drafts}
        ana_partner = next(m.user_id for p in drafts for m in p.members
                           if ana.id in {x.user_id for x in p.members} and m.user_id != ana.id)
        before = {p.id: sorted(m.user_id for m in p.members) for p in drafts}
        # Swapping Bea in for Ana's partner would pair Ana with Bea: refused, nothing changes.
        response = post_form(facilitator, manage, {"first": ana_partner, "second": bea.id},
                             action=f"{mine}/swap")
        assert response.status_code == 400
        assert "can&#39;t be buddies" in page(response) or "can't be buddies" in page(response)
        db.session.expire_all()
        after = {p.id: sorted(m.user_id for m in p.members)
                 for p in db.session.scalars(select(BuddyPair).where(BuddyPair.active_from.is_(None)))}
        assert after == before

        bea_client = new_client()
        login(bea_client, bea)
        bea_sees = page(bea_client.get(mine))
        assert "Ana" in bea_sees  # among those Bea herself could choose
        assert "rather not" in bea_sees and "Withdraw" not in bea_sees
        assert not any("Ana" in json.dumps(n.payload) for n in notes_of(bea.id))
        assert "not_paired_with" in export_user_data(bea.id, now=NOW)
        assert export_user_data(bea.id, now=NOW)["not_paired_with"] == []


def test_a_swap_moves_two_members_between_pairs(client: FlaskClient, circle4: dict) -> None:
    circle, (_ana, _bea, _cleo, _dee) = circle4["circle"], circle4["members"]
    with time_machine.travel(NOW, tick=False):
        login(client, circle4["facilitator"])
        base = f"/buddies/circles/{circle.id}"
        post_form(client, f"{base}/manage", {}, action=f"{base}/suggest")
        drafts = db.session.scalars(select(BuddyPair).where(BuddyPair.active_from.is_(None))).all()
        first, second = ([m.user_id for m in p.members] for p in drafts)
        response = post_form(client, f"{base}/manage", {"first": first[0], "second": second[0]},
                             action=f"{base}/swap")
        assert response.status_code == 302
        db.session.expire_all()
        now_groups = {frozenset(m.user_id for m in p.members)
                      for p in db.session.scalars(select(BuddyPair).where(BuddyPair.active_from.is_(None)))}
        assert now_groups == {frozenset({second[0], first[1]}), frozenset({first[0], second[1]})}


def test_asking_for_a_change_tells_the_facilitator_and_not_the_buddy(
    client: FlaskClient, circle4: dict
) -> None:
    circle, (ana, bea, *_rest) = circle4["circle"], circle4["members"]
    with time_machine.travel(NOW, tick=False):
        make_pair(circle, ana, bea, at=NOW)
        db.session.commit()
        login(client, ana)
        mine = f"/buddies/circles/{circle.id}"
        post_form(client, mine, {}, action=f"{mine}/change")
        post_form(client, mine, {}, action=f"{mine}/change")
    (note,) = notes_of(circle4["facilitator"].id)
    assert "Ana" in note.payload["subject"] and "different practice buddy" in note.payload["subject"]
    assert notes_of(bea.id) == []
    assert db.session.scalar(
        select(BuddyPairMember.change_requested_at).where(BuddyPairMember.user_id == ana.id)
    ) is not None


def test_asking_for_a_change_without_a_buddy_says_so(client: FlaskClient, circle4: dict) -> None:
    circle = circle4["circle"]
    with time_machine.travel(NOW, tick=False):
        login(client, circle4["members"][0])
        mine = f"/buddies/circles/{circle.id}"
        response = post_form(client, mine, {}, action=f"{mine}/change", follow_redirects=True)
    assert "have a practice buddy in this circle yet" in page(response)
    assert notes_of(circle4["facilitator"].id) == []


def test_a_member_who_leaves_leaves_her_pair_and_the_facilitator_is_asked_to_re_pair(circle4: dict) -> None:
    circle, (ana, bea, cleo, dee) = circle4["circle"], circle4["members"]
    with time_machine.travel(NOW, tick=False):
        make_pair(circle, ana, bea, at=NOW)
        make_pair(circle, cleo, dee, at=NOW)
        db.session.commit()
        enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == ana.id))
        leave_circle(enrollment.id, ana.id, now=NOW)
        db.session.commit()
    assert published_groups(circle.id) == {frozenset({cleo.id, dee.id})}
    assert buddies_of(bea.id, circle.id) == frozenset()
    (ask,) = notes_of(circle4["facilitator"].id)
    assert "needs a new pair" in ask.payload["subject"]

    from mentoring.buddies.service import publish_pairs, suggest_pairs

    with time_machine.travel(NOW, tick=False):
        newcomer = member_of(circle, display_name="Eve")
        drafts = suggest_pairs(circle.id, now=NOW)
        publish_pairs(circle.id, now=NOW)
        db.session.commit()
    # The whole pair stays as it was; Bea gets the newcomer.
    assert {frozenset(m.user_id for m in d.members) for d in drafts} >= {frozenset({cleo.id, dee.id})}
    assert published_groups(circle.id) == {frozenset({cleo.id, dee.id}), frozenset({bea.id, newcomer.id})}


def test_a_trio_goes_on_as_a_pair_when_one_leaves(circle4: dict) -> None:
    circle, (ana, bea, cleo, _dee) = circle4["circle"], circle4["members"]
    with time_machine.travel(NOW, tick=False):
        make_pair(circle, ana, bea, cleo, at=NOW)
        db.session.commit()
        enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == ana.id))
        leave_circle(enrollment.id, ana.id, now=NOW)
        db.session.commit()
    assert published_groups(circle.id) == {frozenset({bea.id, cleo.id})}
    assert notes_of(circle4["facilitator"].id) == []


def test_asking_for_support_can_tell_her_buddy_without_her_words(circle4: dict) -> None:
    circle, (ana, bea, cleo, _dee) = circle4["circle"], circle4["members"]
    with time_machine.travel(NOW, tick=False):
        make_pair(circle, ana, bea, at=NOW)
        record_check_in(
            ana.id, circle.id,
            CheckInInput(mood=2, obstacle="SECRET-WORDS", needs_support=True, support_tells_buddy=True),
            now=NOW,
        )
        db.session.commit()
    (told,) = notes_of(bea.id)
    assert "Ana" in told.payload["subject"] and "SECRET-WORDS" not in json.dumps(told.payload)
    assert notes_of(cleo.id) == []


def test_her_pairs_and_wishes_are_in_her_export_and_go_with_her_account(circle4: dict) -> None:
    circle, (ana, bea, cleo, _dee) = circle4["circle"], circle4["members"]
    with time_machine.travel(NOW, tick=False):
        make_pair(circle, ana, bea, at=NOW)
        db.session.add(BuddyApart(user_id=ana.id, other_id=cleo.id))
        db.session.commit()
        export = export_user_data(ana.id, now=NOW)
        assert export["buddy_pairs"][0]["circle_id"] == circle.id
        assert export["not_paired_with"][0]["member_id"] == cleo.id
        delete_account(ana.id, PASSWORD, now=NOW)
        db.session.commit()
    assert db.session.scalar(select(BuddyPairMember.id).where(BuddyPairMember.user_id == ana.id)) is None
    assert db.session.scalar(select(BuddyApart.id)) is None
    assert buddies_of(bea.id, circle.id) == frozenset()


def test_bad_input_on_not_with_is_a_message_by_the_field(client: FlaskClient, circle4: dict) -> None:
    circle = circle4["circle"]
    stranger = make_user(display_name="Stranger")
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        login(client, circle4["members"][0])
        mine = f"/buddies/circles/{circle.id}"
        response = post_form(client, mine, {"other_id": stranger.id}, action=f"{mine}/apart")
    assert response.status_code == 400 and "Please choose a member of your circle" in page(response)
    assert db.session.scalar(select(BuddyApart.id)) is None


@pytest.mark.parametrize("other_id", [str(2**31), str(2**63), "-1", "0"])
def test_a_member_id_no_row_can_have_is_a_message_by_the_field(client: FlaskClient, circle4: dict,
                                                                other_id: str) -> None:
    # Hypothesis found it: 2**31 went to PostgreSQL as an integer and came back a 500.
    circle = circle4["circle"]
    with time_machine.travel(NOW, tick=False):
        login(client, circle4["members"][0])
        mine = f"/buddies/circles/{circle.id}"
        response = post_form(client, mine, {"other_id": other_id}, action=f"{mine}/apart")
    assert response.status_code == 400 and "Please choose a member of your circle" in page(response)
    assert db.session.scalar(select(BuddyApart.id)) is None


def test_a_member_who_leaves_while_a_suggestion_waits_leaves_no_pair_of_one(circle4: dict) -> None:
    from mentoring.buddies.service import suggest_pairs

    circle, (ana, *_rest) = circle4["circle"], circle4["members"]
    with time_machine.travel(NOW, tick=False):
        suggest_pairs(circle.id, now=NOW)
        db.session.commit()
        enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == ana.id))
        leave_circle(enrollment.id, ana.id, now=NOW)
        db.session.commit()
    drafts = db.session.scalars(select(BuddyPair).where(BuddyPair.active_from.is_(None))).all()
    assert [len(d.members) for d in drafts] == [2]
    assert ana.id not in {m.user_id for d in drafts for m in d.members}


def test_tell_my_buddy_is_offered_only_to_a_member_with_a_buddy(client: FlaskClient, circle4: dict) -> None:
    circle, (ana, bea, cleo, _dee) = circle4["circle"], circle4["members"]
    with time_machine.travel(NOW, tick=False):
        make_pair(circle, ana, bea, at=NOW)
        db.session.commit()
        login(client, ana)
        assert "Tell my practice buddy too" in page(client.get(f"/growth/circles/{circle.id}/check-in"))
        login(client, cleo)
        assert "Tell my practice buddy too" not in page(client.get(f"/growth/circles/{circle.id}/check-in"))


def test_members_who_gave_their_week_are_paired_for_the_time_they_share(circle4: dict) -> None:
    from mentoring.availability.models import AvailabilityWindow
    from mentoring.buddies.service import suggest_pairs

    circle, (ana, bea, cleo, dee) = circle4["circle"], circle4["members"]
    # Ana and Dee are free on Tuesday evenings, Bea and Cleo on Saturday mornings (London time).
    for person, weekday, start in ((ana, 1, 1200), (dee, 1, 1200), (bea, 5, 540), (cleo, 5, 540)):
        db.session.add(AvailabilityWindow(user_id=person.id, weekday=weekday, start_minute=start,
                                          end_minute=start + 180, kind="available"))
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        drafts = suggest_pairs(circle.id, now=NOW)
    assert {frozenset(m.user_id for m in d.members) for d in drafts} == {
        frozenset({ana.id, dee.id}), frozenset({bea.id, cleo.id})
    }
    assert all(d.reasons.startswith("3 hours a week both free") for d in drafts)


def test_two_employees_of_one_organisation_are_never_suggested_or_swapped_together(
    client: FlaskClient, circle4: dict
) -> None:
    from mentoring.buddies.service import CannotBePaired, suggest_pairs, swap_members
    from mentoring.sponsors.models import EmployeeLink, Organization

    circle, (ana, bea, _cleo, _dee) = circle4["circle"], circle4["members"]
    org = Organization(name="Northwind", billing_email="hr@northwind.example")
    db.session.add(org)
    db.session.flush()
    for person in (ana, bea):
        db.session.add(EmployeeLink(user_id=person.id, organization_id=org.id, method="code"))
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        drafts = suggest_pairs(circle.id, now=NOW)
        groups = [sorted(m.user_id for m in d.members) for d in drafts]
        assert frozenset({ana.id, bea.id}) not in {frozenset(g) for g in groups}
        partner = next(u for g in groups if ana.id in g for u in g if u != ana.id)
        with pytest.raises(CannotBePaired):
            swap_members(circle.id, partner, bea.id, now=NOW)
