"""The scheduler process: its registry, its configuration, the CLI, and a clean shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import func, select

from mentoring import PROJECT_ROOT
from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.jobs.heartbeat import scheduler_health
from mentoring.jobs.registry import JobSpec, load_jobs
from mentoring.jobs.runner import build_scheduler, run_job
from mentoring.notify.models import Notification
from mentoring.notify.service import queue_notification
from tests.factories import make_notification, make_user

DISPATCHER = "mentoring.notify.jobs.dispatch_notifications"


def test_the_registry_loads_the_dispatcher_every_thirty_seconds() -> None:
    jobs = load_jobs()
    assert jobs[DISPATCHER].seconds == 30


def test_the_scheduler_is_built_as_the_design_says_without_starting(app: Flask) -> None:
    scheduler = build_scheduler(app)
    assert isinstance(scheduler, BlockingScheduler)
    assert not scheduler.running
    assert str(scheduler.timezone) == "UTC"
    assert isinstance(scheduler._jobstores["default"], MemoryJobStore)
    assert {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}.items() <= (
        scheduler._job_defaults.items()
    )
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(load_jobs())
    dispatcher = jobs[DISPATCHER]
    assert isinstance(dispatcher.trigger, IntervalTrigger)
    assert dispatcher.trigger.interval == timedelta(seconds=30)
    assert (dispatcher.coalesce, dispatcher.max_instances, dispatcher.misfire_grace_time) == (True, 1, 300)


def test_scheduler_list_prints_the_jobs(runner) -> None:  # noqa: ANN001
    result = runner.invoke(args=["scheduler", "list"])
    assert result.exit_code == 0
    assert f"{DISPATCHER}\tevery 30s" in result.output


def test_run_once_sends_due_mail_to_the_outbox(app: Flask, runner) -> None:  # noqa: ANN001
    with app.app_context():
        user = make_user("ada@example.com")
        user.quiet_start = user.quiet_end = None  # the test runs at whatever hour it is
        make_notification(user, subject="Your circle meets tomorrow",
                          due_at=datetime.now(UTC) - timedelta(minutes=1))
        db.session.commit()

    result = runner.invoke(args=["scheduler", "run-once", "dispatch_notifications"])

    assert result.exit_code == 0, result.output
    assert f"{DISPATCHER}: ok" in result.output
    [eml] = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    content = eml.read_text()
    assert "To: " in content and "ada@example.com" in content
    assert "Subject: Your circle meets tomorrow" in content
    with app.app_context():
        assert db.session.execute(select(Notification.status)).scalar_one() == "sent"


def test_run_once_all_runs_every_job(runner) -> None:  # noqa: ANN001
    result = runner.invoke(args=["scheduler", "run-once", "--all"])
    assert result.exit_code == 0, result.output
    assert f"{DISPATCHER}: ok" in result.output


def test_run_once_needs_exactly_one_job_or_all(runner) -> None:  # noqa: ANN001
    assert runner.invoke(args=["scheduler", "run-once"]).exit_code == 2
    assert runner.invoke(args=["scheduler", "run-once", "dispatch_notifications", "--all"]).exit_code == 2
    unknown = runner.invoke(args=["scheduler", "run-once", "no_such_job"])
    assert unknown.exit_code == 2
    assert "not a registered job" in unknown.output


def test_a_job_run_commits_its_work_once_it_returns(app: Flask) -> None:
    with app.app_context():
        user_id = make_user().id
        db.session.commit()

    def queue_welcome(now: datetime) -> None:
        queue_notification(user_id, "welcome", "welcome:job", subject="Welcome", text="Hello.", due_at=now)

    assert run_job(app, JobSpec(name="test.queue_welcome", func=queue_welcome, seconds=60)) is True
    with app.app_context():
        assert db.session.execute(select(func.count(Notification.id))).scalar_one() == 1


def test_a_failing_job_is_rolled_back_and_logged(app: Flask, caplog) -> None:  # noqa: ANN001
    with app.app_context():
        user_id = make_user().id
        db.session.commit()

    def queue_then_fail(now: datetime) -> None:
        queue_notification(user_id, "welcome", "welcome:job", subject="Welcome", text="Hello.", due_at=now)
        raise RuntimeError("the job broke")

    assert run_job(app, JobSpec(name="test.queue_then_fail", func=queue_then_fail, seconds=60)) is False
    assert "Job test.queue_then_fail failed" in caplog.text
    assert "the job broke" in caplog.text
    with app.app_context():
        assert db.session.execute(select(func.count(Notification.id))).scalar_one() == 0


def test_scheduler_run_beats_and_stops_cleanly_on_sigterm(app: Flask, app_config: dict) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": app_config["DATABASE_URL"],
        "SECRET_KEY": app_config["SECRET_KEY"],
        "MAIL_BACKEND": "outbox",
        "HEARTH_ENV": "development",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output: list[str] = []
    try:
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if "record_heartbeat" in line and "executed successfully" in line:
                break
        assert any("Scheduler started with" in line for line in output), "".join(output)
        assert DISPATCHER in "".join(output)
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, "".join(output) + rest
    assert "Scheduler stopping (SIGTERM)" in rest
    assert "Scheduler stopped" in rest
    # Every job runs once at start, the heartbeat with them: /healthz sees a live scheduler.
    with app.app_context():
        assert scheduler_health(utcnow()).state == "ok"
