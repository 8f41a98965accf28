from hypothesis import assume, given
from hypothesis import strategies as st

from mentoring.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    UNUSABLE_HASH,
    _common_passwords,
    password_matches,
    password_problem,
)


def test_a_long_unusual_passphrase_is_accepted() -> None:
    assert password_problem("plum kettle orbit 42", email="a@b.example", display_name="Ana B.") is None


@given(st.text(max_size=MIN_LENGTH - 1))
def test_anything_shorter_than_ten_characters_is_refused(password: str) -> None:
    assert "at least 10" in password_problem(password)


def test_more_than_128_characters_is_refused() -> None:
    assert "at most 128" in password_problem("x" * (MAX_LENGTH + 1))
    assert password_problem("plumkettle" * 12 + "orbitxyz") is None  # exactly 128


def test_the_most_common_passwords_are_refused_whatever_their_case() -> None:
    for password in ("1234567890", "qwertyuiop", "password123", "PassWord123", "QWERTYUIOP"):
        assert "most commonly used" in password_problem(password)


def test_her_email_or_name_is_refused_as_a_password() -> None:
    assert "email address or name" in password_problem("Mira.K@Example.com", email="mira.k@example.com")
    assert "email address or name" in password_problem("mira kowalski", display_name="Mira Kowalski")


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=MIN_LENGTH, max_size=MAX_LENGTH))
def test_a_long_enough_uncommon_password_is_accepted(password: str) -> None:
    assume(password.strip().lower() not in _common_passwords())
    assume(password.strip().lower() not in {"a@b.example", "ana"})
    assert password_problem(password, email="a@b.example", display_name="Ana") is None


def test_the_unusable_hash_never_matches() -> None:
    assert not password_matches(UNUSABLE_HASH, "")
    assert not password_matches(UNUSABLE_HASH, UNUSABLE_HASH)
    assert not password_matches("", "anything")
