"""Events other features react to, inside the same transaction (billing refunds on them).

Receivers must not commit; the sender's caller owns the unit of work.
"""

from blinker import Namespace

_signals = Namespace()

# sender: None; kwargs: enrollment_id: int, now: datetime
member_left = _signals.signal("member-left")
# sender: None; kwargs: enrollment_id: int, now: datetime -- she has just become an active member
member_joined = _signals.signal("member-joined")
# sender: None; kwargs: meeting_id: int, now: datetime
meeting_cancelled = _signals.signal("meeting-cancelled")
# sender: None; kwargs: circle_id: int, now: datetime
circle_cancelled = _signals.signal("circle-cancelled")
