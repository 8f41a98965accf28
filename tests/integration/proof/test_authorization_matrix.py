"""Who may open what: every route of Hearth against every kind of visitor.

TABLE says, per endpoint, which URL to aim at (real ids of the member's own rows, from the world
in world.py), who may open it, and what everyone else gets. One test per persona walks every
rule in `app.url_map`: it GETs each route, and for each route that takes a POST she may not use,
POSTs with a valid CSRF token and checks that nothing in the database changed. A new route
without an entry fails `test_every_route_has_an_entry`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import MapAdapter

from tests.integration.proof.conftest import csrf_for, snapshot
from tests.integration.proof.world import (
    MEMBER_EMAIL,
    MEMBER_NAME,
    PERSONAS,
    SECRET_GOAL,
    SECRET_MESSAGE,
    SECRET_OBSTACLE,
    SECRET_PRACTICE,
    SECRET_WHY,
    SECRET_WIN,
    World,
)


class Answer(enum.StrEnum):
    OK = "ok"  # 200, the page
    LOGIN = "login"  # redirected to log in
    UNVERIFIED = "unverified"  # redirected to confirm her address first
    REDIRECT = "redirect"  # sent elsewhere, shown nothing
    BAD_REQUEST = "400"  # a forged or stale link or signature
    FORBIDDEN = "403"
    NOT_FOUND = "404"
    METHOD = "405"


OK, LOGIN, UNVERIFIED, REDIRECT = Answer.OK, Answer.LOGIN, Answer.UNVERIFIED, Answer.REDIRECT
E400, E403, E404, E405 = Answer.BAD_REQUEST, Answer.FORBIDDEN, Answer.NOT_FOUND, Answer.METHOD
EVERYONE = frozenset(PERSONAS)
ANONYMOUS = frozenset({"anonymous"})
SIGNED_IN = EVERYONE - ANONYMOUS
VERIFIED = SIGNED_IN - {"unconfirmed"}
NOBODY: frozenset[str] = frozenset()
ADMIN = frozenset({"admin"})
MEMBER = frozenset({"member"})  # she owns the rows the URLs name
IN_CIRCLE_A = frozenset({"member", "buddy"})
FACILITATOR_A = frozenset({"facilitator"})  # she runs circle A
RUNS_CIRCLE_A = FACILITATOR_A | ADMIN
FACILITATORS = frozenset({"facilitator", "other_facilitator"})  # the live role, not the revoked one
SPONSOR_A = frozenset({"sponsor"})  # HR at the member's employer, organisation A
IN_THREAD = frozenset({"member", "facilitator"})  # her thread with her facilitator
HAS_A_THREAD = {"member": REDIRECT}  # writing again opens the thread she has
ALL_400 = {"anonymous": E400}
CONFIRM_FIRST = {"unconfirmed": UNVERIFIED}


@dataclass(frozen=True)
class Entry:
    """`url` (with {placeholders} from World.ids); `may` get the page; the others get `others`,
    except where `but` says otherwise; anonymous visitors are sent to log in unless `but` says.
    An unauthorised POST must answer what her GET answers, and change nothing."""

    url: str
    may: frozenset[str]
    others: Answer
    but: dict[str, Answer] = field(default_factory=dict)

    def expected(self, persona: str) -> Answer:
        if persona in self.but:
            return self.but[persona]
        if persona in self.may:
            return OK
        if persona == "anonymous":
            return LOGIN
        return self.others


TABLE: dict[str, Entry] = {
    "accounts.change_email": Entry("/account/email", SIGNED_IN, E403),
    "accounts.change_password": Entry("/account/password", SIGNED_IN, E403),
    "accounts.confirm_email_change": Entry("/account/email/confirm/forged-token", NOBODY, E400, but=ALL_400),
    "accounts.delete_account": Entry("/account/delete", SIGNED_IN, E403),
    "accounts.export_data": Entry("/account/export", SIGNED_IN, E403),
    "accounts.facilitator_application": Entry("/account/facilitate", VERIFIED, E403, but=CONFIRM_FIRST),
    "accounts.login": Entry("/account/login", ANONYMOUS, REDIRECT, but=CONFIRM_FIRST),
    "accounts.logout": Entry("/account/logout", EVERYONE, E403),
    "accounts.logout_everywhere": Entry("/account/logout-everywhere", SIGNED_IN, E403),
    "accounts.reset_password": Entry("/account/reset/forged-token", NOBODY, E400, but=ALL_400),
    "accounts.reset_request": Entry("/account/reset", EVERYONE, E403),
    "accounts.reset_sent": Entry("/account/reset/sent", EVERYONE, E403),
    "accounts.settings": Entry("/account/settings", SIGNED_IN, E403),
    "accounts.signup": Entry("/account/signup", ANONYMOUS, REDIRECT),
    "accounts.signup_sent": Entry("/account/signup/check-your-inbox", EVERYONE, E403),
    "accounts.unverified": Entry("/account/unverified", ANONYMOUS | {"unconfirmed"}, REDIRECT),
    "accounts.verify_email": Entry("/account/verify/forged-token", NOBODY, E400, but=ALL_400),
    "admin.approve_application": Entry("/admin/applications/{application}/approve", ADMIN, E403),
    "admin.audit": Entry("/admin/audit", ADMIN, E403),
    "admin.circles": Entry("/admin/circles", ADMIN, E403),
    "admin.decline_application": Entry("/admin/applications/{application}/decline", ADMIN, E403),
    "admin.index": Entry("/admin/", ADMIN, E403),
    "admin.reassign_circle": Entry("/admin/circles/{former_circle}/reassign", ADMIN, E403),
    "admin.retry_mail": Entry("/admin/mail/{notification}/retry", ADMIN, E403),
    "admin.revoke_facilitator": Entry("/admin/users/{user}/revoke-facilitator", ADMIN, E403),
    "admin.undelivered_mail": Entry("/admin/mail", ADMIN, E403),
    "admin.users": Entry("/admin/users", ADMIN, E403),
    "availability.add_window": Entry("/my-week/windows", SIGNED_IN, E403),
    "availability.apply_preset": Entry("/my-week/presets/after_bedtime", SIGNED_IN, E403),
    "availability.calendar_settings": Entry("/my-calendar", SIGNED_IN, E403),
    "availability.choose_a_time": Entry("/facilitate/circles/{circle}/find-a-time", RUNS_CIRCLE_A, E404),
    "availability.clear": Entry("/my-week/clear", SIGNED_IN, E403),
    "availability.feed": Entry("/calendar/{feed}.ics", EVERYONE, E404),
    "availability.find_a_time": Entry("/facilitate/circles/{circle}/find-a-time", RUNS_CIRCLE_A, E404),
    "availability.interest": Entry("/circles/{draft}/interest/{draft_key}", SIGNED_IN, E404),
    "availability.mark_interest": Entry("/circles/{draft}/interest/{draft_key}", SIGNED_IN, E404),
    "availability.new_feed_link": Entry("/my-calendar/new-link", SIGNED_IN, E403),
    "availability.remove_window": Entry("/my-week/windows/{window}/remove", MEMBER, REDIRECT),
    "availability.revoke_feed_link": Entry("/my-calendar/turn-off", SIGNED_IN, E403),
    "availability.week": Entry("/my-week/", SIGNED_IN, E403),
    "billing.admin_payments": Entry("/billing/admin/payments", ADMIN, E403),
    "billing.admin_refund": Entry("/billing/admin/payments/{payment}/refund", ADMIN, E403),
    "billing.local_checkout_cancel": Entry("/billing/local-checkout/{session}/cancel", MEMBER, E404),
    "billing.local_checkout_page": Entry("/billing/local-checkout/{session}", MEMBER, E404),
    "billing.local_checkout_pay": Entry("/billing/local-checkout/{session}/pay", MEMBER, E404),
    "billing.payments": Entry("/billing/payments", SIGNED_IN, E403),
    "billing.quote": Entry("/billing/circles/{circle}/join", VERIFIED, E403, but=CONFIRM_FIRST),
    "billing.receipt": Entry("/billing/payments/{payment}", MEMBER | ADMIN, E404),
    "billing.stripe_webhook": Entry("/billing/stripe/webhook", NOBODY, E400, but=ALL_400),
    "billing.success": Entry("/billing/success?session_id={session}", MEMBER, E404),
    "buddies.accept": Entry("/buddies/sessions/{practice}/accept", IN_CIRCLE_A, E404),
    "buddies.done": Entry("/buddies/sessions/{practice}/done", IN_CIRCLE_A, E404),
    "buddies.keep_apart": Entry("/buddies/circles/{circle}/apart", IN_CIRCLE_A, E404),
    "buddies.manage": Entry("/buddies/circles/{circle}/manage", RUNS_CIRCLE_A, E404),
    "buddies.mine": Entry("/buddies/circles/{circle}", IN_CIRCLE_A, E404),
    "buddies.notes": Entry("/buddies/sessions/{practice}/notes", IN_CIRCLE_A, E404),
    "buddies.other_time": Entry("/buddies/sessions/{practice}/other-time", IN_CIRCLE_A, E404),
    "buddies.propose": Entry("/buddies/circles/{circle}/sessions", IN_CIRCLE_A, E404),
    "buddies.publish": Entry("/buddies/circles/{circle}/publish", RUNS_CIRCLE_A, E404),
    "buddies.request_change": Entry("/buddies/circles/{circle}/change", IN_CIRCLE_A, E404),
    "buddies.stop_keeping_apart": Entry(
        "/buddies/circles/{circle}/apart/{buddy_user}/withdraw", IN_CIRCLE_A, E404),
    "buddies.suggest": Entry("/buddies/circles/{circle}/suggest", RUNS_CIRCLE_A, E404),
    "buddies.swap": Entry("/buddies/circles/{circle}/swap", RUNS_CIRCLE_A, E404),
    "circles.accept_agreement": Entry("/circles/{circle}/agreement", IN_CIRCLE_A, E404),
    "circles.accept_offer": Entry("/circles/{circle}/offer/accept", IN_CIRCLE_A, E404, but=CONFIRM_FIRST),
    "circles.browse": Entry("/circles/", EVERYONE, E403),
    "circles.calendar": Entry("/circles/{circle}/calendar.ics", IN_CIRCLE_A | FACILITATOR_A, E404),
    "circles.dashboard": Entry("/circles/mine", SIGNED_IN, E403),
    "circles.decline_offer": Entry("/circles/{circle}/offer/decline", IN_CIRCLE_A, E404),
    "circles.detail": Entry("/circles/{circle}", EVERYONE, E404),
    "circles.join": Entry("/circles/{circle}/join", VERIFIED, E403, but=CONFIRM_FIRST),
    "circles.leave": Entry("/circles/{circle}/leave", IN_CIRCLE_A, E404),
    "circles.leave_confirm": Entry("/circles/{circle}/leave", IN_CIRCLE_A, REDIRECT),
    "circles.remove_member": Entry("/circles/{circle}/members/{enrollment}/remove", RUNS_CIRCLE_A, E404),
    "circles.remove_member_confirm": Entry(
        "/circles/{circle}/members/{enrollment}/remove", RUNS_CIRCLE_A, E404),
    "conversations.announce": Entry("/talk/circles/{circle}/announce", FACILITATOR_A, E404),
    "conversations.cant_come": Entry("/talk/meetings/{future_meeting}/cant-come", IN_CIRCLE_A, E404),
    "conversations.cant_come_from_email": Entry("/talk/cant-come/forged-token", NOBODY, E400, but=ALL_400),
    "conversations.inbox": Entry("/talk/", SIGNED_IN, E403),
    "conversations.report": Entry("/talk/messages/{message}/report", IN_THREAD, E404),
    "conversations.reports": Entry("/talk/reports", ADMIN, E403),
    "conversations.thread": Entry("/talk/threads/{thread}", IN_THREAD, E404),
    "conversations.undo_cant_come": Entry("/talk/meetings/{future_meeting}/can-come", IN_CIRCLE_A, E404),
    "conversations.write": Entry("/talk/circles/{circle}/facilitator", IN_CIRCLE_A, E404, but=HAS_A_THREAD),
    "employees.claim": Entry("/sponsors/circles/{circle}/claim", VERIFIED, E404, but=CONFIRM_FIRST),
    "employees.confirm_work_email": Entry("/sponsors/employer/work-email/forged-token", NOBODY, E400),
    "employees.employer": Entry("/sponsors/employer", SIGNED_IN, E403),
    "employees.redeem_code": Entry("/sponsors/employer/code", SIGNED_IN, E403),
    "employees.unlink": Entry("/sponsors/employer/unlink", SIGNED_IN, E403),
    "employees.what_my_employer_sees": Entry("/sponsors/employer/report", SIGNED_IN, E403),
    "employees.work_email": Entry("/sponsors/employer/work-email", SIGNED_IN, E403),
    # An invitation works without an account (it can create one); a forged one is refused.
    "outcomes.measure": Entry("/outcomes/circles/{circle}/measure/start", IN_CIRCLE_A, E404),
    "outcomes.mine": Entry("/outcomes/circles/{circle}", IN_CIRCLE_A, E404),
    "outcomes.programme": Entry("/outcomes/programme", ADMIN, E403),
    "outcomes.pulse": Entry("/outcomes/meetings/{meeting}/pulse", IN_CIRCLE_A, E404),
    "outcomes.pulse_summary": Entry("/outcomes/circles/{circle}/pulse", RUNS_CIRCLE_A, E404),
    "sponsors.accept_invite": Entry("/sponsors/invitations/forged-token", NOBODY, E400, but=ALL_400),
    "sponsors.admin_activate_pool": Entry("/sponsors/admin/pools/{unpaid_pool}/activate", ADMIN, E403),
    "sponsors.admin_invite": Entry("/sponsors/admin/organizations/{org}/invite", ADMIN, E403),
    "sponsors.admin_organization": Entry("/sponsors/admin/organizations/{org}", ADMIN, E403),
    "sponsors.admin_organizations": Entry("/sponsors/admin/organizations", ADMIN, E403),
    "sponsors.create_code": Entry("/sponsors/{org}/codes", SPONSOR_A, E404),
    "sponsors.dashboard": Entry("/sponsors/{org}/", SPONSOR_A, E404),
    # HR with one organisation goes straight to its dashboard.
    "sponsors.home": Entry("/sponsors/", NOBODY, E403, but={"sponsor": REDIRECT, "other_sponsor": REDIRECT}),
    "sponsors.invite_admin": Entry("/sponsors/{org}/admins/invite", SPONSOR_A, E404),
    "sponsors.local_payment": Entry("/sponsors/{org}/pools/{unpaid_pool}/local-payment", SPONSOR_A, E404),
    "sponsors.new_pool": Entry("/sponsors/{org}/pools/new", SPONSOR_A, E404),
    "sponsors.pay_pool": Entry("/sponsors/{org}/pools/{unpaid_pool}/pay", SPONSOR_A, E404),
    "sponsors.pool": Entry("/sponsors/{org}/pools/{pool}", SPONSOR_A, E404),
    "sponsors.report_csv": Entry("/sponsors/{org}/report.csv", SPONSOR_A, E404),
    "growth.add_note": Entry("/growth/goals/{goal}/notes", MEMBER, E404),
    "growth.care": Entry("/growth/care/{circle}", FACILITATOR_A, E404),
    "growth.check_in": Entry("/growth/circles/{circle}/check-in", IN_CIRCLE_A, E404),
    "growth.edit_check_in": Entry("/growth/check-ins/{check_in}", MEMBER, E404),
    "growth.edit_goal": Entry("/growth/goals/{goal}/edit", MEMBER, E404),
    "growth.followed_up": Entry("/growth/support/{check_in}/followed-up", FACILITATOR_A, E404),
    "growth.goal": Entry("/growth/goals/{goal}", MEMBER, E404),
    "growth.goal_status": Entry("/growth/goals/{goal}/status/achieved", MEMBER, E404),
    "growth.goals": Entry("/growth/goals", SIGNED_IN, E403),
    "growth.help_now": Entry("/growth/help", EVERYONE, E403),
    "growth.settings": Entry("/growth/settings", SIGNED_IN, E403),
    "growth.support_sent": Entry("/growth/check-ins/{check_in}/support", MEMBER, E404),
    "manage.agenda": Entry("/facilitate/meetings/{future_meeting}/agenda", RUNS_CIRCLE_A, E404),
    "manage.attendance": Entry("/facilitate/meetings/{meeting}/attendance", RUNS_CIRCLE_A, E404),
    "manage.cancel_circle": Entry("/facilitate/circles/{circle}/cancel", RUNS_CIRCLE_A, E404),
    "manage.cancel_meeting": Entry("/facilitate/meetings/{future_meeting}/cancel", RUNS_CIRCLE_A, E404),
    "manage.circle": Entry("/facilitate/circles/{circle}", RUNS_CIRCLE_A, E404),
    "manage.dashboard": Entry("/facilitate/", FACILITATORS, E403),
    "manage.edit_circle": Entry("/facilitate/circles/{circle}/edit", RUNS_CIRCLE_A, E404),
    "manage.move_meeting": Entry("/facilitate/meetings/{future_meeting}/move", RUNS_CIRCLE_A, E404),
    "manage.new_circle": Entry("/facilitate/circles/new", FACILITATORS, E403),
    "manage.publish": Entry("/facilitate/circles/{draft}/publish", RUNS_CIRCLE_A, E404),
    "manage.skip_week": Entry("/facilitate/meetings/{future_meeting}/skip", RUNS_CIRCLE_A, E404),
    "notify.inbox": Entry("/notifications/", SIGNED_IN, E403),
    "notify.unsubscribe_confirm": Entry("/notifications/unsubscribe/forged-token", NOBODY, E400, but=ALL_400),
    "notify.unsubscribe_now": Entry("/notifications/unsubscribe/forged-token", NOBODY, E400, but=ALL_400),
    "notify.mark_all_read": Entry("/notifications/read", SIGNED_IN, E403),
    "web.healthz": Entry("/healthz", EVERYONE, E403),
    "web.landing": Entry("/", EVERYONE, E403),
}


def secrets_for(persona: str) -> tuple[str, ...]:
    """What of the member's must not appear on any page this persona opens: her goal and her
    check-in's words are hers alone (her facilitator sees that she asked, not what she wrote);
    her message to her facilitator is for the two of them; her email address is for her and the
    admins; her name for her circle and the admins (never her employer's HR)."""
    readers = {
        SECRET_GOAL: MEMBER, SECRET_WHY: MEMBER, SECRET_WIN: MEMBER, SECRET_OBSTACLE: MEMBER,
        SECRET_MESSAGE: IN_THREAD,
        SECRET_PRACTICE: IN_CIRCLE_A,  # the pair's notes
        MEMBER_EMAIL: MEMBER | ADMIN,
        MEMBER_NAME: IN_CIRCLE_A | FACILITATOR_A | ADMIN,
    }
    return tuple(secret for secret, allowed in readers.items() if persona not in allowed)


def classify(response) -> Answer | str:  # noqa: ANN001
    code = response.status_code
    if code in (200, 304):
        return OK
    if code in (301, 302, 303):
        location = response.headers.get("Location", "")
        if "/account/login" in location:
            return LOGIN
        if "/account/unverified" in location:
            return UNVERIFIED
        return REDIRECT
    for answer in (E400, E403, E404, E405):
        if str(code) == answer.value:
            return answer
    return f"HTTP {code}"


def _rules(app: Flask) -> dict[str, set[str]]:
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        methods.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return methods


def _only_post(adapter: MapAdapter, url: str) -> bool:
    try:
        adapter.match(url.split("?")[0], method="GET")
    except MethodNotAllowed:
        return True
    return False


def test_every_route_has_an_entry(app: Flask) -> None:
    endpoints = set(_rules(app))
    assert sorted(endpoints - set(TABLE)) == [], "add these routes to the authorization TABLE"
    assert sorted(set(TABLE) - endpoints) == [], "these TABLE entries name no route"


def test_every_entry_aims_at_its_own_route(app: Flask, world: World) -> None:
    adapter = app.url_map.bind("localhost")
    for endpoint, methods in _rules(app).items():
        if endpoint in TABLE:
            method = "GET" if "GET" in methods else "POST"
            path = TABLE[endpoint].url.format(**world.ids).split("?")[0]
            assert adapter.match(path, method=method)[0] == endpoint, (endpoint, path)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_what_the_table_says(
    app: Flask, world: World, persona_client: Callable[[str], FlaskClient], persona: str
) -> None:
    client = persona_client(persona)
    adapter = app.url_map.bind("localhost")
    wrong = []
    for endpoint, methods in sorted(_rules(app).items()):
        entry = TABLE.get(endpoint)
        if entry is None:
            continue
        url = entry.url.format(**world.ids)
        # A POST-only route answers GET with 405, unless its URL is also another route's page.
        if "GET" in methods or _only_post(adapter, url):
            response = client.get(url)
            got = classify(response)
            want = entry.expected(persona) if "GET" in methods else E405
            if got != want:
                wrong.append(f"GET  {endpoint} {url}: {got}, expected {want}")
            leaked = [s for s in secrets_for(persona) if s in response.get_data(as_text=True)]
            if leaked:
                wrong.append(f"GET  {endpoint} {url}: shows {leaked}")
        if "POST" in methods and persona not in entry.may and persona not in entry.but:
            want = entry.expected(persona)
            with app.app_context():
                before = snapshot()
            got = classify(client.post(url, data={"csrf_token": csrf_for(client)}))
            with app.app_context():
                changed = [name for name, rows in snapshot().items() if before[name] != rows]
            if got != want or changed:
                wrong.append(f"POST {endpoint} {url}: {got}, expected {want}; changed {changed}")
    assert wrong == [], "\n".join(wrong)
