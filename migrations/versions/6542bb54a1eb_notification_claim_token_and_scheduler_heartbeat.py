"""notification claim token and scheduler heartbeat

A claimed notification carries its dispatcher's token, so only that dispatcher records the
outcome; the scheduler records a heartbeat that /healthz reads.

Revision ID: 6542bb54a1eb
Revises: 1f32878fe2a9
Create Date: 2026-11-29 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6542bb54a1eb'
down_revision = '1f32878fe2a9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))

    op.create_table('scheduler_heartbeats',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_heartbeats'))
    )


def downgrade():
    op.drop_table('scheduler_heartbeats')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('claim_token')
