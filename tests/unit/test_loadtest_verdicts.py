"""How `make loadtest` judges what Locust measured (tests/load/run.py): pure functions over the
figures, so a page cannot pass by a slip in the arithmetic."""

from __future__ import annotations

from typing import Any

from tests.load.run import BARE, BARE_AGAIN, judge_pages, percentile, scheduler_is_idle


def page(times: dict[int, int], seconds: float = 10, failures: int = 0,
         server_errors: int = 0) -> dict[str, Any]:
    return {"requests": sum(times.values()), "failures": failures, "times": sorted(times.items()),
            "errors": [], "server_errors": server_errors, "seconds": seconds}


def phase(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"requests": rows, "seconds": 10.0,
            "cpu": {"gunicorn": 1.0, "postgres": 0.5, "load tool": 0.5, "machine": 2.0, "others": 0.0}}


def result(**pages: dict[str, dict[str, Any]]) -> dict[str, Any]:
    bare = phase({BARE: page({10: 900, 20: 100})})  # 100 requests/s, p95 20 ms
    return {"pages": {BARE: bare, **{name: phase(rows) for name, rows in pages.items()}}}


def verdicts(measured: dict[str, Any]) -> dict[str, str]:
    table, _ = judge_pages(measured)
    return {row["page"]: row["verdict"] for row in table}


def test_percentile_reads_the_histogram_of_response_times() -> None:
    times = [(10, 90), (50, 9), (900, 1)]
    assert percentile(times, 0.50) == 10
    assert percentile(times, 0.95) == 50
    assert percentile(times, 1.00) == 900


def test_a_page_within_five_times_the_bare_p95_and_a_fifth_of_its_rate_passes() -> None:
    measured = result(fast={"fast": page({100: 200})})  # p95 100 ms = 5x; 20/s = 1/5
    assert verdicts(measured)["fast"] == "PASS"


def test_a_page_slower_than_five_times_the_bare_p95_fails() -> None:
    measured = result(slow={"slow": page({90: 180, 110: 20})})  # p95 110 ms
    assert verdicts(measured)["slow"] == "FAIL"


def test_a_page_below_a_fifth_of_the_bare_rate_fails() -> None:
    measured = result(rare={"rare": page({20: 190})})  # 19/s
    assert verdicts(measured)["rare"] == "FAIL"


def test_one_error_or_5xx_fails_an_otherwise_fast_page() -> None:
    measured = result(broken={"broken": page({10: 500}, failures=1)},
                      crashed={"crashed": page({10: 500}, server_errors=1)})
    assert verdicts(measured) == {BARE: "reference", "broken": "FAIL", "crashed": "FAIL"}


def test_the_steps_of_a_flow_are_judged_by_the_flows_rate_together() -> None:
    steps = {"hold": page({50: 60}), "pay": page({50: 60}), "success": page({50: 60})}  # 6/s each
    assert set(verdicts(result(flow=steps)).values()) == {"reference", "FAIL"}
    steps = {"hold": page({50: 70}), "pay": page({50: 70}), "success": page({50: 70})}  # 21/s together
    assert verdicts(result(flow=steps))["pay"] == "PASS"


def test_pages_are_judged_against_the_better_of_the_two_bare_runs() -> None:
    # The first bare run was slowed (50/s, p95 40 ms); the last one is the usual 100/s, p95 20 ms.
    measured = result(page_={"page": page({100: 150})})  # 15/s, p95 100 ms
    measured["pages"][BARE] = phase({BARE: page({30: 450, 40: 50})})
    measured["pages"][BARE_AGAIN] = phase({BARE_AGAIN: page({10: 900, 20: 100})})
    assert verdicts(measured) == {BARE: "reference", BARE_AGAIN: "reference", "page": "FAIL"}
    measured["pages"][BARE_AGAIN] = phase({BARE_AGAIN: page({30: 450, 40: 50})})  # both slowed
    assert verdicts(measured)["page"] == "PASS"  # 15/s >= 50/5, and p95 100 <= 5 x 40


def test_the_scheduler_counts_as_idle_only_between_rounds_of_work() -> None:
    # Its heartbeat over two seconds, against a round of reminders taking a third of a CPU.
    assert scheduler_is_idle(0.02, 2.0)
    assert scheduler_is_idle(0.1, 2.0)
    assert not scheduler_is_idle(0.66, 2.0)
    assert not scheduler_is_idle(0.11, 2.0)
