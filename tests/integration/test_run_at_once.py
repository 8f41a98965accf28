"""The race tests' runner: every target in its own thread and session, failures handed back."""

from __future__ import annotations

import threading

from flask import Flask

from mentoring.accounts.models import User
from mentoring.extensions import db
from mentoring.notify.models import Notification
from tests.factories import make_notification, make_user
from tests.helpers import count, run_at_once


def test_the_targets_run_together_and_a_failure_is_returned_and_rolled_back(app: Flask) -> None:
    with app.app_context():
        user_id = make_user().id
        db.session.commit()
    # All three must be running at once to pass this barrier; run one after the other, the first
    # would wait in vain and break it (the timeout only guards against hanging the suite).
    together = threading.Barrier(3, timeout=60)
    threads: set[int] = set()

    def succeed() -> None:
        together.wait()
        threads.add(threading.get_ident())

    def fail_after_writing() -> None:
        together.wait()
        make_notification(db.session.get(User, user_id))
        db.session.flush()
        raise RuntimeError("refused")

    errors = run_at_once(app, [succeed, succeed, fail_after_writing])
    assert [str(error) for error in errors] == ["refused"]
    assert len(threads) == 2
    with app.app_context():
        assert count(Notification) == 0
