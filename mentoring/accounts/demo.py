"""Demo accounts (placeholder, replaced by the accounts work)."""


def seed_accounts(password: str) -> list[str]:
    return []
