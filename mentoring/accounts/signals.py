"""Account events other features react to, inside the same transaction."""

from blinker import Namespace

_signals = Namespace()

# sender: None; kwargs: user_id: int, now: datetime. Circles leaves her circles on it.
account_deleted = _signals.signal("account-deleted")
