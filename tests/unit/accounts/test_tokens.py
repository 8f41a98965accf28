from datetime import UTC, datetime, timedelta

import pytest

from mentoring.accounts.tokens import (
    RESET_PASSWORD,
    VERIFY_EMAIL,
    TokenExpired,
    TokenInvalid,
    fingerprint,
    make_token,
    read_token,
)

SECRET = "a-test-secret-that-is-long-enough"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_token_carries_its_payload_until_it_expires() -> None:
    token = make_token(VERIFY_EMAIL, {"uid": 7, "email": "a@b.example"}, secret=SECRET, now=NOW)
    later = NOW + timedelta(hours=47, minutes=59)
    assert read_token(VERIFY_EMAIL, token, secret=SECRET, max_age=timedelta(hours=48), now=later) == {
        "uid": 7, "email": "a@b.example"}


def test_an_old_token_is_expired() -> None:
    token = make_token(RESET_PASSWORD, {"uid": 7}, secret=SECRET, now=NOW)
    with pytest.raises(TokenExpired):
        read_token(RESET_PASSWORD, token, secret=SECRET, max_age=timedelta(hours=1),
                   now=NOW + timedelta(hours=1, seconds=1))


def test_a_token_for_another_purpose_or_secret_is_invalid() -> None:
    token = make_token(VERIFY_EMAIL, {"uid": 7}, secret=SECRET, now=NOW)
    with pytest.raises(TokenInvalid):
        read_token(RESET_PASSWORD, token, secret=SECRET, max_age=timedelta(hours=1), now=NOW)
    with pytest.raises(TokenInvalid):
        read_token(VERIFY_EMAIL, token, secret=SECRET + "x", max_age=timedelta(hours=1), now=NOW)


def test_a_tampered_token_is_invalid_and_not_expired() -> None:
    token = make_token(VERIFY_EMAIL, {"uid": 7}, secret=SECRET, now=NOW)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(TokenInvalid) as raised:
        read_token(VERIFY_EMAIL, tampered, secret=SECRET, max_age=timedelta(hours=1), now=NOW)
    assert not isinstance(raised.value, TokenExpired)
    with pytest.raises(TokenInvalid):
        read_token(VERIFY_EMAIL, "not-a-token", secret=SECRET, max_age=timedelta(hours=1), now=NOW)


def test_the_fingerprint_changes_with_the_account_state() -> None:
    assert fingerprint("hash-a", 1) == fingerprint("hash-a", 1)
    assert fingerprint("hash-a", 1) != fingerprint("hash-a", 2)
    assert fingerprint("hash-a", 1) != fingerprint("hash-b", 1)
