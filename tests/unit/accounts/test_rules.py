from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring.accounts.service import EMAIL_KINDS, OPTIONAL_EMAIL_KINDS, quiet_hours_problem
from mentoring.accounts.views import is_safe_next


@pytest.mark.parametrize("target", ["/circles/mine", "/circles/3?tab=members", "/account/settings?"])
def test_paths_inside_hearth_are_safe_after_login(target: str) -> None:
    assert is_safe_next(target)


@pytest.mark.parametrize("target", [
    None, "", "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
    "circles/mine", "/x\r\nLocation: https://evil.example", "http:/evil.example",
])
def test_other_sites_and_odd_targets_are_not_followed(target: str | None) -> None:
    assert not is_safe_next(target)


@given(st.text())
def test_a_safe_target_never_names_another_host(target: str) -> None:
    if is_safe_next(target):
        assert target.startswith("/") and not target.startswith("//")


def test_quiet_hours_may_wrap_midnight_or_be_off() -> None:
    assert quiet_hours_problem(time(21, 30), time(7, 0)) is None
    assert quiet_hours_problem(time(13, 0), time(15, 0)) is None
    assert quiet_hours_problem(None, None) is None


def test_quiet_hours_need_two_different_ends() -> None:
    assert "different" in quiet_hours_problem(time(22, 0), time(22, 0))
    assert "both" in quiet_hours_problem(time(22, 0), None)
    assert "both" in quiet_hours_problem(None, time(7, 0))


def test_account_mail_cannot_be_turned_off() -> None:
    assert "account" in EMAIL_KINDS
    assert "account" not in OPTIONAL_EMAIL_KINDS
    assert {"circle_update", "waitlist_offer", "reminder"} <= set(OPTIONAL_EMAIL_KINDS)
