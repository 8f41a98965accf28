"""The password policy and hashing. The policy is a pure function over plain values."""

from __future__ import annotations

from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 128
# Any stored hash of this shape never matches a password: werkzeug cannot parse it.
UNUSABLE_HASH = "!unusable"


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most used passwords from public breach corpora.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Why `password` is not acceptable, written for the person choosing it; None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Please use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Please use at most {MAX_LENGTH} characters."
    lowered = password.strip().lower()
    if lowered in _common_passwords():
        return "That password is one of the most commonly used ones. Please choose another."
    for own in (email, display_name):
        if own and lowered == own.strip().lower():
            return "Please don't use your email address or name as your password."
    return None


def hash_password(password: str) -> str:
    """A salted scrypt hash (werkzeug's default KDF)."""
    return generate_password_hash(password, method="scrypt")


def password_matches(password_hash: str, password: str) -> bool:
    if not password_hash or password_hash == UNUSABLE_HASH:
        return False
    try:
        return check_password_hash(password_hash, password)
    except ValueError:
        return False
