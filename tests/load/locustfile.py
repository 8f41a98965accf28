"""The simulated clients of `make loadtest`, driven through Locust's library API.

`python -m tests.load.locustfile PLAN.json RESULT.json` runs, against the gunicorn the plan
names, one short saturation run per page (every client asks for that page and nothing else, no
think time), then the mixed scenario: anonymous visitors, members, facilitators and HR browsing
with a little think time while 40 members who have opened one paid circle's payment page join it
at the same instant and pay through the local gateway. Each request is recorded under its
page's name; the figures go to RESULT.json for `tests/load/run.py` to judge.

Every account acts from its own address (X-Forwarded-For, behind TRUSTED_PROXIES=1) with its own
session cookie from the plan, and forms carry the CSRF token that session accepts (the mixed
scenario reads it from the page instead, as a browser does).
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, constant, task
from locust.env import Environment
from locust.exception import StopUser
from requests.cookies import create_cookie

from tests.load import cpu

PLAN: dict[str, Any] = {}
BARE = "bare route (static css)"
BARE_AGAIN = "bare route (static css), again"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf(body: str) -> str:
    found = CSRF.search(body)
    return found.group(1) if found else ""


class Client(FastHttpUser):
    """One browser: an account (or none), its address and its cookie jar."""

    abstract = True
    account: dict[str, str] | None = None

    def act_as(self, account: dict[str, str] | None) -> None:
        self.account = account
        self.client.cookiejar.clear()
        if account:
            host = urlsplit(self.host).hostname or "127.0.0.1"
            self.client.cookiejar.set_cookie(create_cookie("session", account["cookie"], domain=host))

    def twin(self) -> Client:
        """The same browser (account, address, cookies) on a second connection, for a second
        click while the first is under way: one Locust client must not send two requests at
        once (each request swaps its redirect setting, so the other may follow a redirect)."""
        other = type(self)(self.environment)
        other.account = self.account
        for cookie in self.client.cookiejar:
            other.client.cookiejar.set_cookie(cookie)
        return other

    def _headers(self) -> dict[str, str]:
        if self.account:
            addr = self.account["addr"]
        else:
            addr = f"192.168.{id(self) % 250}.{id(self) // 250 % 250 + 1}"
        return {"X-Forwarded-For": addr, "User-Agent": "hearth-loadtest"}

    def get(self, path: str, name: str, expect: int = 200) -> str:
        with self.client.get(path, name=name, headers=self._headers(), allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} (expected {expect})")
            return response.text or ""

    def post(self, path: str, name: str, data: dict[str, str], expect: int = 302) -> str:
        """POST a form; returns where it redirects ("" if it did not)."""
        with self.client.post(path, name=name, data=data, headers=self._headers(), allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code} (expected {expect})")
            location = urlsplit(response.headers.get("Location") or "")
            return location.path + (f"?{location.query}" if location.query else "")


def _shared(items: list[Any]) -> Iterator[Any]:
    """Hand out items to all clients in turn; a list used up starts again."""
    return itertools.cycle(items)


def _once(items: list[Any]) -> Callable[[], Any]:
    """Hand out each item once (a seat can be bought once); None when used up."""
    source = iter(items)
    return lambda: next(source, None)


def _join_and_pay(user: Client, account: dict[str, str], circle: int, csrf: str, prefix: str,
                  double_click: bool = False) -> str:
    """Quote -> hold the seat and open the local checkout -> its page -> pay -> success.
    With `double_click` "Pay" is pressed twice at once (she must be charged once: the row
    checks count kept payments). Returns "paid", "full" or "failed"."""
    user.act_as(account)
    with user.client.post(f"/billing/circles/{circle}/join", name=f"{prefix}hold seat + checkout",
                          data={"csrf_token": csrf, "amount": "", "agree": "y", "submit": "Join the circle"},
                          headers=user._headers(), allow_redirects=False, catch_response=True) as response:
        location = response.headers.get("Location") or ""
        if response.status_code == 200 and "full" in (response.text or "").lower():
            response.success()
            return "full"
        if response.status_code != 302 or "/billing/local-checkout/" not in location:
            response.failure(f"{response.status_code} to {location!r}")
            return "failed"
    checkout = urlsplit(location).path
    page = user.get(checkout, f"{prefix}local checkout page")
    token = _csrf(page) or csrf
    pay = (f"{checkout}/pay", f"{prefix}pay (local gateway)", {"csrf_token": token})
    if double_click:
        second = gevent.spawn(user.twin().post, *pay)
        success = user.post(*pay)
        second.join()
    else:
        success = user.post(*pay)
    if not success.startswith("/billing/success"):
        return "failed"
    user.get(success, f"{prefix}payment success page")
    return "paid"


# --- one page at a time ---------------------------------------------------------------------


def _page_actions() -> dict[str, Callable[[Client], None]]:
    browsing = _shared(PLAN["browsing"])
    sheets = _shared(PLAN["sheets"])
    half = len(PLAN["check_ins"]) // 2  # the second half is the mixed scenario's
    check_in_forms = _shared(PLAN["check_ins"][:half])
    check_ins = _once(PLAN["check_ins"][:half])
    joins = _once(PLAN["joins"])
    sponsor = PLAN["sponsors"][0]
    org = PLAN["organization"]

    def member(page: Callable[[Client, dict[str, str]], None]) -> Callable[[Client], None]:
        def run(user: Client) -> None:
            if user.account is None:
                user.act_as(next(browsing))
            page(user, user.account)  # type: ignore[arg-type]
        return run

    def facilitator(page: Callable[[Client, dict[str, Any]], None]) -> Callable[[Client], None]:
        def run(user: Client) -> None:
            if user.account is None:
                user.sheet = next(sheets)  # type: ignore[attr-defined]
                user.act_as(user.sheet["facilitator"])  # type: ignore[attr-defined]
            page(user, user.sheet)  # type: ignore[attr-defined]
        return run

    def sponsor_page(path: str, name: str) -> Callable[[Client], None]:
        def run(user: Client) -> None:
            if user.account is None:
                user.act_as(sponsor)
            user.get(path, name)
        return run

    def check_in_form(user: Client) -> None:
        if user.account is None:
            user.act_as(next(check_in_forms))
        user.get(f"/growth/circles/{user.account['circle']}/check-in", "check-in form")  # type: ignore[index]

    def check_in_post(user: Client) -> None:
        account = check_ins()
        if account is None:
            raise StopUser()
        user.act_as(account)
        user.post(f"/growth/circles/{account['circle']}/check-in", "check-in (post)",
                  {"csrf_token": account["csrf"], "mood": "4", "win": "I asked for help.", "obstacle": "",
                   "visibility": "private"})

    def attendance_post(user: Client, sheet: dict[str, Any]) -> None:
        marks = {f"status-{uid}": ("present", "absent", "excused")[(uid + int(time.time())) % 3]
                 for uid in sheet["members"]}
        user.post(f"/facilitate/meetings/{sheet['meeting']}/attendance", "attendance (post)",
                  {"csrf_token": sheet["facilitator"]["csrf"], **marks})

    def join(user: Client) -> None:
        account = joins()
        if account is None:
            raise StopUser()
        _join_and_pay(user, account, int(account["circle"]), account["csrf"], "join: ")

    anonymous = PLAN["anonymous_circle"]
    return {
        BARE: lambda u: u.get("/static/css/app.css", BARE),
        BARE_AGAIN: lambda u: u.get("/static/css/app.css", BARE_AGAIN),
        "landing": lambda u: u.get("/", "landing"),
        "circle list (anonymous)": lambda u: u.get("/circles/", "circle list (anonymous)"),
        "circle page (anonymous)": lambda u: u.get(f"/circles/{anonymous}", "circle page (anonymous)"),
        "circle page (member)": member(lambda u, a: u.get(f"/circles/{a['circle']}", "circle page (member)")),
        "member dashboard": member(lambda u, a: u.get("/circles/mine", "member dashboard")),
        "goals": member(lambda u, a: u.get("/growth/goals", "goals")),
        "check-in form": check_in_form,
        "check-in (post)": check_in_post,
        "facilitator dashboard": facilitator(lambda u, s: u.get("/facilitate/", "facilitator dashboard")),
        "attendance form": facilitator(
            lambda u, s: u.get(f"/facilitate/meetings/{s['meeting']}/attendance", "attendance form")),
        "attendance (post)": facilitator(attendance_post),
        "pulse (facilitator)": facilitator(
            lambda u, s: u.get(f"/outcomes/circles/{s['circle']}/pulse", "pulse (facilitator)")),
        "sponsor dashboard": sponsor_page(f"/sponsors/{org}/", "sponsor dashboard"),
        "sponsor report (csv)": sponsor_page(f"/sponsors/{org}/report.csv", "sponsor report (csv)"),
        "join + pay": join,
    }


def page_user(action: Callable[[Client], None]) -> type[Client]:
    class PageUser(Client):
        wait_time = constant(0)

        @task
        def page(self) -> None:
            action(self)

    return PageUser


# --- the mixed scenario ---------------------------------------------------------------------


def mixed_users() -> list[type[Client]]:
    browsing = _shared(PLAN["browsing"])
    sheets = _shared(PLAN["sheets"])
    check_ins = _once(PLAN["check_ins"][len(PLAN["check_ins"]) // 2:])  # the first half is the page runs
    racers = iter(PLAN["racers"])
    race = PLAN["race_circle"]
    org = PLAN["organization"]
    arrived = {"count": 0}
    start = Event()
    results: dict[str, int] = PLAN.setdefault("race_results", {})

    # Think time: a person reads a page before the next; the load stays below saturation, so
    # the figures say how the pages feel while all of this happens at once.
    class Visitor(Client):
        weight = 3
        wait_time = between(1, 3)

        @task(3)
        def circle_list(self) -> None:
            self.get("/circles/", "circle list (anonymous)")

        @task(1)
        def landing(self) -> None:
            self.get("/", "landing")

        @task(2)
        def circle(self) -> None:
            self.get(f"/circles/{PLAN['anonymous_circle']}", "circle page (anonymous)")

    class Member(Client):
        weight = 6
        wait_time = between(1, 3)

        def on_start(self) -> None:
            self.act_as(next(browsing))

        @task(3)
        def dashboard(self) -> None:
            self.get("/circles/mine", "member dashboard")

        @task(3)
        def circle(self) -> None:
            self.get(f"/circles/{self.account['circle']}", "circle page (member)")  # type: ignore[index]

        @task(2)
        def goals(self) -> None:
            self.get("/growth/goals", "goals")

        @task(1)
        def check_in(self) -> None:
            account = check_ins()
            if account is None:
                return
            self.act_as(account)
            page = self.get(f"/growth/circles/{account['circle']}/check-in", "check-in form")
            self.post(f"/growth/circles/{account['circle']}/check-in", "check-in (post)",
                      {"csrf_token": _csrf(page), "mood": "3", "win": "", "obstacle": "Sick child.",
                       "visibility": "private"})
            self.act_as(next(browsing))

    class Facilitator(Client):
        weight = 1
        wait_time = between(2, 5)

        def on_start(self) -> None:
            self.sheet = next(sheets)
            self.act_as(self.sheet["facilitator"])

        @task(2)
        def dashboard(self) -> None:
            self.get("/facilitate/", "facilitator dashboard")

        @task(2)
        def attendance(self) -> None:
            path = f"/facilitate/meetings/{self.sheet['meeting']}/attendance"
            page = self.get(path, "attendance form")
            marks = {f"status-{uid}": "present" for uid in self.sheet["members"]}
            self.post(path, "attendance (post)", {"csrf_token": _csrf(page), **marks})

        @task(1)
        def pulse(self) -> None:
            self.get(f"/outcomes/circles/{self.sheet['circle']}/pulse", "pulse (facilitator)")

    class Sponsor(Client):
        weight = 1
        wait_time = between(2, 5)

        def on_start(self) -> None:
            self.act_as(PLAN["sponsors"][0])

        @task(3)
        def dashboard(self) -> None:
            self.get(f"/sponsors/{org}/", "sponsor dashboard")

        @task(1)
        def report(self) -> None:
            self.get(f"/sponsors/{org}/report.csv", "sponsor report (csv)")

    class Racer(Client):
        """One of 40 members on the same paid circle's payment page; all press "Join" at once."""

        fixed_count = len(PLAN["racers"])
        wait_time = constant(1)

        def on_start(self) -> None:
            account = next(racers)
            self.act_as(account)
            page = self.get(f"/billing/circles/{race}/join", "race: quote page")
            arrived["count"] += 1
            place = arrived["count"]
            if arrived["count"] == self.fixed_count:
                start.set()
            start.wait(timeout=60)
            outcome = _join_and_pay(self, account, race, _csrf(page), "race: ",
                                    double_click=place % 3 == 0)  # every third presses Pay twice
            results[outcome] = results.get(outcome, 0) + 1

        @task
        def idle(self) -> None:
            """Her seat is settled; she stays on the page."""

    return [Racer, Visitor, Member, Facilitator, Sponsor]


# --- running ----------------------------------------------------------------------------------


def _empty() -> dict[str, Any]:
    return {"requests": 0, "failures": 0, "times": {}, "errors": [], "server_errors": 0}


def figures(environment: Environment, seconds: float, statuses: dict[str, dict[int, int]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for (name, _method), entry in environment.stats.entries.items():
        row = out.setdefault(name, _empty())
        row["requests"] += entry.num_requests
        row["failures"] += entry.num_failures
        for ms, count in entry.response_times.items():
            row["times"][ms] = row["times"].get(ms, 0) + count
    for error in environment.stats.errors.values():
        row = out.setdefault(error.name, _empty())
        row["errors"].append(f"{error.occurrences}x {error.error}")
    for name, counts in statuses.items():
        row = out.setdefault(name, _empty())
        row["server_errors"] = sum(n for status, n in counts.items() if status >= 500)
        row["statuses"] = {str(status): n for status, n in sorted(counts.items())}
    for row in out.values():
        row["seconds"] = seconds
        row["times"] = sorted(row["times"].items())
    return out


def swarm(user_classes: list[type[Client]], users: int, seconds: float, host: str) -> dict[str, Any]:
    environment = Environment(user_classes=user_classes, host=host)
    statuses: dict[str, dict[int, int]] = {}

    def count_status(name: str, response: Any = None, **_: Any) -> None:
        code = getattr(response, "status_code", 0) or 0
        by_code = statuses.setdefault(name, {})
        by_code[code] = by_code.get(code, 0) + 1

    environment.events.request.add_listener(count_status)
    runner = environment.create_local_runner()
    runner.start(users, spawn_rate=users)
    started, before = time.perf_counter(), cpu.snapshot(PLAN["processes"], PLAN["database"])
    # Until time is up, or until every client has stopped: a page whose accounts are used up
    # (each member checks in once, each seat is bought once) stops early, and its requests per
    # second are over the time it ran, not over idle seconds after it.
    deadline = started + seconds
    gevent.sleep(min(1.0, seconds))
    while time.perf_counter() < deadline and runner.user_count > 0:
        gevent.sleep(0.05)
    runner.quit()
    used = cpu.spent(before, cpu.snapshot(PLAN["processes"], PLAN["database"]))
    elapsed = time.perf_counter() - started
    return {"requests": figures(environment, elapsed, statuses), "cpu": used, "seconds": elapsed}


def main(argv: list[str]) -> int:
    plan_path, result_path = argv
    with open(plan_path) as plan:
        PLAN.update(json.load(plan))
    host, users, seconds = PLAN["host"], PLAN["users"], PLAN["seconds"]
    actions = _page_actions()
    result: dict[str, Any] = {"pages": {}, "mixed": {}}
    for name in PLAN["pages"]:
        print(f"  {name}: {users} clients for {seconds:g}s", file=sys.stderr, flush=True)
        measured = swarm([page_user(actions[name])], users, seconds, host)
        result["pages"][name] = measured
    if PLAN["mixed_seconds"]:
        print(f"  mixed scenario: {PLAN['mixed_users']} clients and {len(PLAN['racers'])} racers "
              f"for {PLAN['mixed_seconds']:g}s", file=sys.stderr, flush=True)
        classes = mixed_users()
        result["mixed"] = swarm(classes, PLAN["mixed_users"] + classes[0].fixed_count, PLAN["mixed_seconds"],
                                host)
        result["race"] = PLAN.get("race_results", {})
    with open(result_path, "w") as out:
        json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
