"""Account events other features react to, inside the same transaction."""

from blinker import Namespace

_signals = Namespace()

# sender: None; kwargs: user_id: int, now: datetime. Circles leaves her circles on it.
account_deleted = _signals.signal("account-deleted")

# sender: None; kwargs: user_id: int, role: str, actor_id: int | None, now: datetime. Sent when
# an active role is revoked; circles hands a revoked facilitator's circles back to the admins.
role_revoked = _signals.signal("role-revoked")

# sender: None; kwargs: user_id: int, now: datetime. Each receiver returns a dict of sections
# (name -> JSON-ready data) for her export, so a feature holding her data adds itself here.
personal_data_export = _signals.signal("personal-data-export")
