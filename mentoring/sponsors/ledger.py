"""The pool-seat ledger: taking a sponsored seat from a pool and giving it back.

`SeatPool.seats_claimed` counts the pool's live claims. It only changes here: a seat is taken
with one conditional UPDATE (`seats_claimed < seats`, the pool active and valid at `now`), so
the database settles every race for a pool's last seat, on SQLite (writers are serialised) and
on PostgreSQL (the row is locked by the UPDATE) alike; a check constraint backs it up. A claim
changes status (claimed -> returned) with a conditional UPDATE on its current status, so a seat
is given back once however often leaving is processed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from mentoring.extensions import db
from mentoring.sponsors.models import ClaimStatus, PoolStatus, SeatClaim, SeatPool


def _forget_pool_counts(pool_id: int) -> None:
    """The conditional UPDATEs bypass the ORM; make a loaded pool re-read its counter."""
    pool = db.session.identity_map.get(db.session.identity_key(SeatPool, pool_id))
    if pool is not None:
        db.session.expire(pool, ["seats_claimed"])


def take_pool_seat(pool_id: int, now: datetime) -> bool:
    """Take one seat of an active, valid pool if one is free. One statement: no over-claim."""
    result = db.session.execute(
        update(SeatPool)
        .where(
            SeatPool.id == pool_id,
            SeatPool.status == PoolStatus.ACTIVE,
            SeatPool.valid_from <= now,
            SeatPool.valid_until > now,
            SeatPool.seats_claimed < SeatPool.seats,
        )
        .values(seats_claimed=SeatPool.seats_claimed + 1)
        .execution_options(synchronize_session=False)
    )
    _forget_pool_counts(pool_id)
    return result.rowcount == 1


def return_claim(claim_id: int, now: datetime) -> bool:
    """Give a claimed seat back to its pool (an expired pool too: the count stays true).
    True if this call did it."""
    claim = db.session.get(SeatClaim, claim_id)
    if claim is None:
        return False
    returned = (
        db.session.execute(
            update(SeatClaim)
            .where(SeatClaim.id == claim_id, SeatClaim.status == ClaimStatus.CLAIMED)
            .values(status=ClaimStatus.RETURNED, returned_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    if returned:
        db.session.execute(
            update(SeatPool)
            .where(SeatPool.id == claim.pool_id, SeatPool.seats_claimed > 0)
            .values(seats_claimed=SeatPool.seats_claimed - 1)
            .execution_options(synchronize_session=False)
        )
        _forget_pool_counts(claim.pool_id)
        db.session.expire(claim)
    return returned
