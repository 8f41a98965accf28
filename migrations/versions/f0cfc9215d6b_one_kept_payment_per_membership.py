"""one kept payment per membership; gateway events that wait for their payment

Revision ID: f0cfc9215d6b
Revises: 6542bb54a1eb
Create Date: 2026-11-29 19:45:00

- enrollments.membership_number / payments.membership_number: a rejoin reuses the enrollment
  row, so "one kept payment" is scoped to the membership, not to the row. Existing rows are
  first memberships (server default 1).
- uq_payments_one_kept_per_membership: a partial unique index (SQLite and PostgreSQL both
  support WHERE on an index), so two paid checkouts racing for one place cannot both be kept.
- webhook_events.waiting_for / payload: an event about a payment not yet known is kept and
  applied when the payment appears.
"""
from alembic import op
import sqlalchemy as sa


revision = 'f0cfc9215d6b'
down_revision = '6542bb54a1eb'
branch_labels = None
depends_on = None

KEPT = sa.text("status IN ('paid', 'partially_refunded')")


def upgrade():
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('membership_number', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('membership_number', sa.Integer(), server_default='1', nullable=False))

    # Payments kept twice for one place before this index existed (the race it closes) must be
    # settled by a person (refund one of them); creating the index over them would only fail
    # with a less helpful message.
    duplicates = op.get_bind().execute(sa.text(
        "SELECT enrollment_id FROM payments WHERE status IN ('paid', 'partially_refunded') "
        "GROUP BY enrollment_id, membership_number HAVING COUNT(*) > 1"
    )).scalars().all()
    if duplicates:
        raise RuntimeError(
            "These enrollments have more than one kept payment; refund the extra ones, then "
            f"upgrade again: {sorted(duplicates)}"
        )

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('uq_payments_one_kept_per_membership', ['enrollment_id', 'membership_number'],
                              unique=True, sqlite_where=KEPT, postgresql_where=KEPT)

    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_for', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_webhook_events_waiting_for'), ['waiting_for'], unique=False)


def downgrade():
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_events_waiting_for'))
        batch_op.drop_column('payload')
        batch_op.drop_column('waiting_for')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('uq_payments_one_kept_per_membership')
        batch_op.drop_column('membership_number')

    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_column('membership_number')
