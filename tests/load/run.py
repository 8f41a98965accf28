"""`make loadtest`: the production shape on this machine, under load, for a bounded time.

It (re)creates the PostgreSQL database `hearth_load`, runs `flask db upgrade`, fills it with
`make bench`'s community (tests/load/community.py), then starts gunicorn with 4 workers on it
(Redis for the rate limiter, the local payment gateway, the dev outbox) and the scheduler
process, and drives them with Locust (tests/load/locustfile.py):

  1. one short saturation run per page (16 clients, no think time), beside the bare route: a
     static file (/static/css/app.css) served by the same gunicorn in the same run, measured
     first and again last (pages are judged against the better of the two);
  2. a mixed scenario (members, visitors, facilitators, HR) during which 40 members join one
     paid circle at the same instant and pay through the local gateway.

Then it counts rows in PostgreSQL (no oversold circle, the seat ledger matches the enrollments,
no membership with two kept payments, no money kept without a seat), prints one table and exits
non-zero when a target is missed: zero errors and zero 5xx; per page p95 <= 5x the bare route's
p95 and throughput >= 1/5 of the bare route's. Every process it started is stopped at the end,
on Ctrl-C and on errors too. Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres)
and Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import redis

from tests.load import cpu

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "hearth_load"
REDIS = "redis://127.0.0.1:6379/13"
BARE = "bare route (static css)"
# The bare route is measured first and again last; pages are judged against the better of the
# two runs (the higher rate, the lower p95), so a reference slowed by other work on the machine
# (the scheduler sending a round of reminders, say) cannot make the pages look better.
BARE_AGAIN = "bare route (static css), again"
REFERENCES = (BARE, BARE_AGAIN)
P95_FACTOR, RPS_FACTOR = 5.0, 5.0
PAGES = (
    BARE, "landing", "circle list (anonymous)", "circle page (anonymous)", "circle page (member)",
    "member dashboard", "goals", "check-in form", "check-in (post)", "facilitator dashboard",
    "attendance form", "attendance (post)", "pulse (facilitator)", "sponsor dashboard",
    "sponsor report (csv)", "join + pay",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database() -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"


def environment(url: str, port: int, secret: str, outbox: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HEARTH_ENV": "development",  # production refuses the local gateway and the outbox
        "SECRET_KEY": secret,
        "DATABASE_URL": url,
        "BASE_URL": f"http://127.0.0.1:{port}",
        "PAYMENT_GATEWAY": "local",
        "MAIL_BACKEND": "outbox",
        "OUTBOX_DIR": str(outbox),  # the run's own, deleted with it: not the developer's outbox
        "RATELIMIT_STORAGE_URI": REDIS,
        "TRUSTED_PROXIES": "1",
    }


class Processes:
    """The processes this run started, each in its own process group, stopped in reverse."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.started.append((name, process))
        return process

    def stop(self) -> None:
        for _, process in reversed(self.started):
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for _, process in reversed(self.started):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def wait_until_healthy(port: int, processes: Processes, seconds: float = 60) -> None:
    """Until /healthz says the database answers and the scheduler beats."""
    deadline = time.monotonic() + seconds
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        for name, process in processes.started:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{processes.log(name)[-3000:]}")
        with suppress(OSError, ValueError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                body = json.loads(response.read())
            if body.get("scheduler") == "ok":
                return
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn and the scheduler were not healthy within {seconds:g}s: {body}")


def analyze() -> None:
    """Fresh planner statistics, as autovacuum keeps them on a database in use: right after a
    bulk load PostgreSQL still believes the tables are empty, and picks plans 20x slower."""
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as conn:
        conn.execute("ANALYZE")


JOB_DONE = re.compile(r'Job "([\w.]+) \(trigger.*executed successfully')
# The scheduler between rounds: its heartbeat and a look for due messages now and then.
IDLE_SCHEDULER_SHARE = 0.05  # of one CPU


def scheduler_is_idle(cpu_seconds: float, elapsed: float) -> bool:
    """Whether the scheduler used no more CPU over `elapsed` seconds than it does between rounds."""
    return cpu_seconds <= IDLE_SCHEDULER_SHARE * elapsed


def settle(processes: Processes, since: datetime, seconds: float = 150) -> tuple[float, int]:
    """Until every job of the scheduler has run once, it has sent what that made due at once
    (reminders and prompts for thousands of members: a backlog only a bulk load makes) and it
    has been idle for two checks in a row (a job can still be at work after the backlog is
    sent), so pages are measured beside a scheduler in its steady state. Returns (seconds,
    messages sent)."""
    from mentoring.jobs.registry import load_jobs

    jobs = set(load_jobs())
    due = "SELECT count(*) FROM notifications WHERE status = 'pending' AND due_at <= now()"
    scheduler = dict(processes.started)["scheduler"].pid
    started, quiet = time.monotonic(), 0
    checked, used = started, cpu.tree_seconds(scheduler)
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as conn:
        while time.monotonic() - started < seconds and quiet < 2:
            time.sleep(2)
            ran = set(JOB_DONE.findall(processes.log("scheduler")))
            idle = conn.execute(due).fetchone()[0] == 0  # type: ignore[index]
            now, used_now = time.monotonic(), cpu.tree_seconds(scheduler)
            resting = scheduler_is_idle(used_now - used, now - checked)
            checked, used = now, used_now
            quiet = quiet + 1 if jobs <= ran and idle and resting else 0
        sent = conn.execute("SELECT count(*) FROM notifications WHERE status = 'sent' AND sent_at >= %s",
                            (since,)).fetchone()[0]  # type: ignore[index]
    return time.monotonic() - started, sent


@contextmanager
def stopped_on_signals() -> Iterator[None]:
    """SIGTERM and SIGINT (Ctrl-C, even when a shell started us with it ignored) end the run
    with KeyboardInterrupt, so `finally` stops the processes either way."""
    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt
    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def seed(url: str, secret: str, port: int, scale: float, join_circles: int) -> dict[str, Any]:
    # Imported here: the app reads its settings when built, and the plain driver stays light.
    from mentoring import create_app
    from mentoring.extensions import db
    from tests.load.community import build_community, make_plan, utc_now

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "TRUSTED_PROXIES": 1,
                      "BASE_URL": f"http://127.0.0.1:{port}", "RATELIMIT_STORAGE_URI": "memory://"})
    now = utc_now()
    with app.app_context():
        build_community(scale, now)
        plan = make_plan(app, scale, now, join_circles, random.Random(13))
        db.session.remove()
        db.engine.dispose()
    return plan


# --- judging --------------------------------------------------------------------------------


def percentile(times: list[tuple[str, int]], share: float) -> float:
    total = sum(n for _, n in times)
    if not total:
        return float("nan")
    rank, seen = share * total, 0
    for ms, n in times:
        seen += n
        if seen >= rank:
            return float(ms)
    return float(times[-1][0])


def rows_of(measured: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, row in measured.items():
        times = [(int(ms), n) for ms, n in row["times"]]
        seconds = row["seconds"] or 1
        rows.append({
            "page": name, "requests": row["requests"], "rps": row["requests"] / seconds,
            "p50": percentile(times, 0.50), "p95": percentile(times, 0.95), "p99": percentile(times, 0.99),
            "errors": row["failures"], "server_errors": row.get("server_errors", 0),
            "messages": row["errors"], "statuses": row.get("statuses", {}),
        })
    return rows


def judge_pages(result: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    references = [rows_of(result["pages"][name]["requests"])[0]
                  for name in REFERENCES if name in result["pages"]]
    bare = {"rps": max(r["rps"] for r in references), "p95": min(r["p95"] for r in references)}
    table, ok = [], True
    for page, phase in result["pages"].items():
        rows = rows_of(phase["requests"])
        # A flow (join + pay) is several pages in a row for the same clients: each step's rate
        # is the flow's, so its throughput is judged by all its requests together.
        flow_rps = sum(r["rps"] for r in rows)
        requests = sum(r["requests"] for r in rows) or 1
        used = phase["cpu"]
        for row in rows:
            row["vs_p95"] = row["p95"] / bare["p95"] if bare["p95"] else float("inf")
            row["vs_rps"] = (flow_rps if len(rows) > 1 else row["rps"]) / bare["rps"]
            row["flow"] = len(rows) > 1
            row["app_ms"] = used["gunicorn"] * 1000 / requests
            row["db_ms"] = used["postgres"] * 1000 / requests
            machine = phase["seconds"] * (os.cpu_count() or 1)
            row["others"] = used["others"] / machine * 100
            row["scheduler"] = used.get("scheduler", 0.0) / machine * 100
            row["load_tool"] = used.get("load tool", 0.0) / machine * 100
            passed = (row["errors"] == 0 and row["server_errors"] == 0 and row["requests"] > 0
                      and (page in REFERENCES
                           or (row["vs_p95"] <= P95_FACTOR and row["vs_rps"] >= 1 / RPS_FACTOR)))
            row["verdict"] = "reference" if page in REFERENCES else ("PASS" if passed else "FAIL")
            ok &= passed
            table.append(row)
    return table, ok


def print_pages(table: list[dict[str, Any]], title: str, judged: bool = True) -> None:
    print(f"\n{title}")
    head = f"{'page':<34}{'rps':>7}{'p50':>6}{'p95':>6}{'p99':>6}{'err':>5}{'5xx':>5}"
    if judged:
        head += (f"{'p95/bare':>9}{'rps/bare':>9}{'app ms':>7}{'db ms':>6}{'sched':>6}{'locust':>7}"
                 f"{'others':>7}  verdict")
    print(head)
    print("-" * len(head))
    for r in table:
        line = (f"{r['page']:<34}{r['rps']:>7.1f}{r['p50']:>6.0f}{r['p95']:>6.0f}{r['p99']:>6.0f}"
                f"{r['errors']:>5}{r['server_errors']:>5}")
        if judged:
            line += (f"{r['vs_p95']:>9.2f}{r['vs_rps']:>8.2f}{'*' if r['flow'] else ' '}{r['app_ms']:>7.1f}"
                     f"{r['db_ms']:>6.1f}{r['scheduler']:>5.0f}%{r['load_tool']:>6.0f}%{r['others']:>6.0f}%"
                     f"  {r['verdict']}")
        print(line)
        for message in r["messages"][:3]:
            print(f"{'':<6}{message[:150]}")


ROW_CHECKS = {
    "circles with more seat-holding enrollments than seats": """
        SELECT count(*) FROM circles c WHERE c.capacity < (SELECT count(*) FROM enrollments e
          WHERE e.circle_id = c.id AND e.status IN ('held', 'active', 'offered'))""",
    "circles whose seats_taken differs from their seat-holding enrollments": """
        SELECT count(*) FROM circles c WHERE c.seats_taken <> (SELECT count(*) FROM enrollments e
          WHERE e.circle_id = c.id AND e.status IN ('held', 'active', 'offered'))""",
    "memberships with more than one kept payment": """
        SELECT count(*) FROM (SELECT enrollment_id, membership_number FROM payments
          WHERE status IN ('paid', 'partially_refunded') GROUP BY 1, 2 HAVING count(*) > 1) AS twice""",
    "paid payments whose member holds no seat": """
        SELECT count(*) FROM payments p JOIN enrollments e ON e.id = p.enrollment_id
          WHERE p.status = 'paid' AND e.status <> 'active'""",
    "paid checkouts without a kept payment": """
        SELECT count(*) FROM local_checkout_sessions s JOIN payments p ON p.id = s.payment_id
          WHERE s.payment_status = 'paid' AND p.status NOT IN ('paid', 'partially_refunded', 'refunded')""",
}


def check_rows(race_circle: int) -> tuple[list[tuple[str, int]], dict[str, int], bool]:
    with psycopg.connect(f"{SERVER}/{DATABASE}") as conn:
        checks = [(name, conn.execute(sql).fetchone()[0]) for name, sql in ROW_CHECKS.items()]  # type: ignore[index]
        capacity, taken = conn.execute("SELECT capacity, seats_taken FROM circles WHERE id = %s",
                                       (race_circle,)).fetchone()  # type: ignore[misc]
        paid = conn.execute("SELECT count(*) FROM payments p JOIN enrollments e ON e.id = p.enrollment_id "
                            "WHERE e.circle_id = %s AND p.status = 'paid'", (race_circle,)).fetchone()[0]  # type: ignore[index]
        totals = conn.execute("SELECT count(*) FILTER (WHERE status = 'paid'), count(*) FROM payments"
                              ).fetchone()
    race = {"capacity": capacity, "seats_taken": taken, "paid": paid}
    return checks, {**race, "paid_all": totals[0], "payments_all": totals[1]}, all(n == 0 for _, n in checks)  # type: ignore[index]


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.5,
                        help="community size as a share of make bench's (0.5 = 5,000 members, 300 circles)")
    parser.add_argument("--users", type=int, default=16, help="concurrent clients per saturation run")
    parser.add_argument("--seconds", type=float, default=8, help="length of each saturation run")
    parser.add_argument("--mixed-seconds", type=float, default=45,
                        help="length of the mixed scenario (0: none)")
    parser.add_argument("--mixed-users", type=int, default=40,
                        help="clients in the mixed scenario, the racers aside")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--gunicorn", default="", help="more gunicorn options, e.g. '--worker-class gthread'")
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    args = parser.parse_args(argv)
    pages = [p.strip() for p in args.pages.split(",") if p.strip()] or list(PAGES)
    pages = [BARE, *(p for p in pages if p not in REFERENCES), BARE_AGAIN]
    started = time.monotonic()
    port, secret = free_port(), secrets.token_hex(32)
    with tempfile.TemporaryDirectory(prefix="hearth-load-") as folder, stopped_on_signals():
        processes = Processes(Path(folder))
        try:
            url = recreate_database()
            redis.Redis.from_url(REDIS).flushdb()  # the limiter's counters of an earlier run
            env = environment(url, port, secret, Path(folder) / "outbox")
            subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL)
            plan = seed(url, secret, port, args.scale, join_circles=80)
            analyze()
            seeded = time.monotonic() - started
            print(f"seeded in {seeded:.0f}s", file=sys.stderr)
            scheduler_started = datetime.now(UTC)
            scheduler = processes.start("scheduler", [str(BIN / "flask"), "--app", "wsgi", "scheduler",
                                                      "run"], env)
            web = processes.start("gunicorn", [str(BIN / "gunicorn"), "--workers", str(args.workers),
                                               "--bind", f"127.0.0.1:{port}", *shlex.split(args.gunicorn),
                                               "wsgi:app"], env)
            wait_until_healthy(port, processes)
            waited, sent = settle(processes, since=scheduler_started)
            print(f"the scheduler sent the {sent} messages due at once in {waited:.0f}s", file=sys.stderr)
            plan.update(processes={"gunicorn": web.pid, "scheduler": scheduler.pid}, database=DATABASE,
                        host=f"http://127.0.0.1:{port}", users=args.users, seconds=args.seconds, pages=pages,
                        mixed_seconds=args.mixed_seconds, mixed_users=args.mixed_users)
            plan_file, result_file = Path(folder) / "plan.json", Path(folder) / "result.json"
            plan_file.write_text(json.dumps(plan))
            subprocess.run([sys.executable, "-m", "tests.load.locustfile", str(plan_file), str(result_file)],
                           cwd=ROOT, check=True)
            result = json.loads(result_file.read_text())
            time.sleep(1)  # let the last webhooks' commits land before counting
            checks, race, rows_ok = check_rows(plan["race_circle"])
            server_log = processes.log("gunicorn")
        finally:
            processes.stop()
    table, pages_ok = judge_pages(result)
    print_pages(table, f"Saturation: {args.users} clients per page, {args.seconds:g}s each, gunicorn "
                       f"{args.workers} workers on PostgreSQL; bare route = GET /static/css/app.css")
    print("  times in ms. p95/bare, rps/bare: against the better of the two bare runs (first and last).\n"
          "  *: a step of the join + pay flow; its rps/bare is the whole flow's requests/s.\n"
          "  app ms, db ms: CPU time of the gunicorn workers and of PostgreSQL per request; sched, locust,\n"
          "  others: share of the machine's CPU used meanwhile by the scheduler, by Locust itself and by\n"
          "  processes outside this run (other work on the machine).")
    mixed_ok = True
    if result["mixed"]:
        mixed = sorted(rows_of(result["mixed"]["requests"]), key=lambda r: r["page"])
        print_pages(mixed, f"Mixed scenario: {args.mixed_users} clients with think time + "
                           f"{len(plan['racers'])} racers, {args.mixed_seconds:g}s", judged=False)
        mixed_ok = all(r["errors"] == 0 and r["server_errors"] == 0 for r in mixed)
        total = sum(r["requests"] for r in mixed)
        print(f"  {total} requests, {total / args.mixed_seconds:.1f}/s overall")
        outcome = result.get("race", {})
        print(f"\nRace: {len(plan['racers'])} members pressed Join on circle {plan['race_circle']} "
              f"({race['capacity']} seats) at once: {outcome.get('paid', 0)} paid, {outcome.get('full', 0)} "
              f"told it was full, {outcome.get('failed', 0)} failed; seats_taken {race['seats_taken']}, "
              f"paid payments {race['paid']}")
        mixed_ok &= outcome.get("failed", 0) == 0 and race["paid"] <= race["capacity"]
    tracebacks = server_log.count("Traceback")
    print(f"\nRow checks ({race['paid_all']} paid of {race['payments_all']} payments):")
    for name, count in checks:
        print(f"  {name:<72}{count:>5}  {'PASS' if count == 0 else 'FAIL'}")
    print(f"  {'tracebacks in the gunicorn log':<72}{tracebacks:>5}  {'PASS' if tracebacks == 0 else 'FAIL'}")
    ok = pages_ok and mixed_ok and rows_ok and tracebacks == 0
    print(f"\nOverall: {'PASS' if ok else 'FAIL'} in {time.monotonic() - started:.0f}s (building the "
          f"community {seeded:.0f}s, the scheduler's first round {waited:.0f}s for {sent} messages)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
