"""The scheduler process: runs every registered job on its interval (`flask scheduler run`).

It runs in its own process, never inside a web worker. The schedule is code (the registry), so
jobs live in memory and nothing is persisted: a restart simply starts the schedule again, and
every job runs once right away, which is safe because every job is idempotent.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from types import FrameType

from apscheduler.events import EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from mentoring.db import utcnow
from mentoring.extensions import db
from mentoring.jobs.registry import JobSpec, load_jobs

logger = logging.getLogger(__name__)

# A run that is late (the process was busy or suspended) still runs within five minutes; runs
# missed while it was late collapse into one; a job never overlaps itself.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def run_job(app: Flask, spec: JobSpec, now: datetime | None = None) -> bool:
    """Run one job in its own app context and commit its work once; False if it raised.

    A failing job is rolled back and logged, and the scheduler carries on with the next run.
    Jobs that commit for themselves (the notification dispatcher) leave nothing to commit here.
    """
    with app.app_context():
        try:
            spec.func(now or utcnow())
            db.session.commit()
        except Exception:
            db.session.rollback()
            logger.exception("Job %s failed", spec.name)
            return False
    return True


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A UTC scheduler with every registered job added, not yet started."""
    scheduler = BlockingScheduler(
        timezone="UTC", jobstores={"default": MemoryJobStore()}, job_defaults=dict(JOB_DEFAULTS)
    )
    for spec in load_jobs().values():
        scheduler.add_job(
            run_job,
            trigger=IntervalTrigger(seconds=spec.seconds, timezone="UTC"),
            args=(app, spec),
            id=spec.name,
            name=spec.name,
            next_run_time=utcnow(),
            # Also set on each job, so the built scheduler can be inspected before it starts.
            **JOB_DEFAULTS,
        )
    return scheduler


def run_scheduler(app: Flask) -> None:
    """Run the scheduler until SIGTERM or SIGINT, then let running jobs finish and return."""
    scheduler = build_scheduler(app)
    stop_requested = threading.Event()
    received: list[str] = []

    def request_stop(signum: int, frame: FrameType | None) -> None:
        # A signal handler runs in the main thread wherever it was interrupted -- possibly inside
        # the scheduler, holding a lock a running job needs to finish. Shutting down from here
        # can deadlock, so the handler only raises a flag; a helper thread does the shutdown.
        received.append(signal.Signals(signum).name)
        stop_requested.set()

    def shut_down_when_asked() -> None:
        stop_requested.wait()
        logger.info("Scheduler stopping (%s); waiting for running jobs", ", ".join(received))
        scheduler.shutdown(wait=True)

    def started(event: SchedulerEvent) -> None:
        # Only now is there a running scheduler to shut down; a signal that came earlier is
        # already waiting in the flag.
        threading.Thread(target=shut_down_when_asked, name="scheduler-stopper", daemon=True).start()
        jobs = scheduler.get_jobs()
        logger.info("Scheduler started with %s jobs: %s", len(jobs), ", ".join(job.id for job in jobs))

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    scheduler.start()
    logger.info("Scheduler stopped")
