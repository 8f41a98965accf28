"""`flask --app wsgi scheduler ...`: run the scheduler process, list its jobs, run one by hand."""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from mentoring.jobs.registry import JobSpec, load_jobs
from mentoring.jobs.runner import run_job, run_scheduler

scheduler_cli = AppGroup("scheduler", help="The scheduler process and its periodic jobs.")


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _find(jobs: dict[str, JobSpec], name: str) -> JobSpec:
    """A job by its full name or by its last part (`dispatch_notifications`)."""
    if name in jobs:
        return jobs[name]
    matches = [spec for key, spec in jobs.items() if key.rsplit(".", 1)[-1] == name]
    if len(matches) != 1:
        known = ", ".join(sorted(jobs)) or "none"
        problem = "is ambiguous" if matches else "is not a registered job"
        raise click.BadParameter(f"{name!r} {problem}. Jobs: {known}", param_hint="JOBNAME")
    return matches[0]


@scheduler_cli.command("run")
def run() -> None:
    """Run every job on its interval until SIGTERM or Ctrl-C."""
    _configure_logging()
    run_scheduler(current_app._get_current_object())


@scheduler_cli.command("list")
def list_jobs() -> None:
    """Print the registered jobs and their intervals."""
    for spec in sorted(load_jobs().values(), key=lambda spec: spec.name):
        click.echo(f"{spec.name}\tevery {spec.seconds}s")


@scheduler_cli.command("run-once")
@click.argument("jobname", required=False)
@click.option("--all", "run_all", is_flag=True, help="Run every registered job once.")
def run_once(jobname: str | None, run_all: bool) -> None:
    """Run one job (or --all) once, now, and exit non-zero if any failed."""
    if bool(jobname) == run_all:
        raise click.UsageError("Give exactly one of JOBNAME or --all.")
    _configure_logging()
    jobs = load_jobs()
    specs = sorted(jobs.values(), key=lambda spec: spec.name) if run_all else [_find(jobs, jobname or "")]
    app = current_app._get_current_object()
    failed = [spec.name for spec in specs if not run_job(app, spec)]
    for spec in specs:
        click.echo(f"{spec.name}: {'failed' if spec.name in failed else 'ok'}")
    if failed:
        raise click.exceptions.Exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(scheduler_cli)
