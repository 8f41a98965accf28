"""The schedule is code: every periodic job registers here with its interval.

A job is a function `job(now: datetime) -> object` that runs inside an app context, derives
what is due from the database, flushes its work and never commits: the runner commits once
per run. Jobs must be idempotent, because a run may repeat or overlap another scheduler's.
The one exception is the notification dispatcher, which must commit its claims before it sends
(see `mentoring.notify.dispatch`); the runner's commit after it is then a no-op.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

JobFunc = Callable[[datetime], Any]

# Feature modules whose jobs the scheduler loads.
JOB_MODULES = (
    "mentoring.jobs.heartbeat", "mentoring.notify.jobs", "mentoring.circles.jobs", "mentoring.billing.jobs",
    "mentoring.accounts.jobs", "mentoring.growth.jobs", "mentoring.sponsors.jobs", "mentoring.outcomes.jobs",
)


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc
    seconds: int


REGISTRY: dict[str, JobSpec] = {}


def periodic(*, seconds: int) -> Callable[[JobFunc], JobFunc]:
    """Register `func` to run every `seconds`."""

    def decorator(func: JobFunc) -> JobFunc:
        name = f"{func.__module__}.{func.__name__}"
        REGISTRY[name] = JobSpec(name=name, func=func, seconds=seconds)
        return func

    return decorator


def load_jobs() -> dict[str, JobSpec]:
    for module in JOB_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
    return dict(REGISTRY)
