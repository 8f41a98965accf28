"""What the dispatcher does with one claimed notification, and when it tries again."""

from __future__ import annotations

import smtplib
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from mentoring.notify.dispatch import (
    MAX_ATTEMPTS,
    Action,
    Outgoing,
    describe_failure,
    is_permanent,
    plan_delivery,
    retry_due_at,
)
from mentoring.notify.messages import Recipient

TEN_PM_LONDON = datetime(2026, 1, 15, 22, 0, tzinfo=UTC)
AFTERNOON = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)

REMINDER = Outgoing(
    id=1, kind="reminder", channel="email", dedup_key="k", payload={}, attempts=0,
    recipient=Recipient(email="ada@example.com", display_name="Ada"), timezone="Europe/London",
    quiet_start=time(21, 30), quiet_end=time(7, 0), email_opt_out=(), verified=True, deleted=False,
    user_id=9,
)


def test_a_due_email_in_her_daytime_is_sent() -> None:
    assert plan_delivery(REMINDER, AFTERNOON) == (Action.SEND, None)


def test_an_email_held_past_its_stale_time_is_kept_in_app_only() -> None:
    meeting_start = datetime(2026, 1, 16, 6, 30, tzinfo=UTC)
    reminder = replace(REMINDER, payload={"stale_at": meeting_start.isoformat()})
    # Quiet hours would hold it until 07:00 London, after the meeting has started ...
    assert plan_delivery(reminder, TEN_PM_LONDON) == (Action.DEFER, datetime(2026, 1, 16, 7, 0, tzinfo=UTC))
    # ... and at 07:00 it is not mailed at all.
    assert plan_delivery(reminder, datetime(2026, 1, 16, 7, 0, tzinfo=UTC)) == (Action.SETTLE, None)
    assert plan_delivery(reminder, datetime(2026, 1, 16, 6, 0, tzinfo=UTC)) == (Action.DEFER, datetime(
        2026, 1, 16, 7, 0, tzinfo=UTC))


def test_in_her_quiet_hours_it_waits_until_they_end() -> None:
    assert plan_delivery(REMINDER, TEN_PM_LONDON) == (Action.DEFER, datetime(2026, 1, 16, 7, 0, tzinfo=UTC))


def test_account_mail_ignores_quiet_hours_and_opt_outs() -> None:
    password_reset = replace(REMINDER, kind="account", email_opt_out=("account",), verified=False)
    assert plan_delivery(password_reset, TEN_PM_LONDON) == (Action.SEND, None)


@pytest.mark.parametrize(
    "item",
    [
        replace(REMINDER, channel="in_app"),
        replace(REMINDER, email_opt_out=("reminder",)),
        replace(REMINDER, deleted=True),
        replace(REMINDER, verified=False),
    ],
    ids=["in-app only", "opted out", "account deleted", "address not verified"],
)
def test_no_email_goes_out_for_in_app_opted_out_deleted_or_unverified(item: Outgoing) -> None:
    assert plan_delivery(item, AFTERNOON) == (Action.SETTLE, None)


def test_payment_and_account_mail_goes_out_even_when_an_old_opt_out_names_it() -> None:
    for kind in ("payment", "account"):
        item = replace(REMINDER, kind=kind, email_opt_out=("payment", "account", "reminder"))
        assert plan_delivery(item, AFTERNOON) == (Action.SEND, None), kind


def test_retries_back_off_then_give_up_after_the_fifth_attempt() -> None:
    delays = [retry_due_at(attempts, AFTERNOON) for attempts in range(1, MAX_ATTEMPTS + 1)]
    assert delays == [AFTERNOON + timedelta(minutes=m) for m in (1, 5, 15, 60)] + [None]


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"5.1.1 No such user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (451, b"4.2.2 Mailbox full")}), False),
        (smtplib.SMTPDataError(554, b"5.7.1 Message rejected"), True),
        (smtplib.SMTPDataError(452, b"4.3.1 Insufficient storage"), False),
        # Our own login or sender address: fixed in the settings, then every message goes.
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), False),
        (smtplib.SMTPSenderRefused(550, b"5.7.1 Not our domain", "hello@hearth.local"), False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_only_a_5xx_about_the_message_is_a_permanent_refusal(error: Exception, permanent: bool) -> None:
    assert is_permanent(error) is permanent
    assert describe_failure(error).startswith("Refused permanently") is permanent
