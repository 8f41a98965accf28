"""user sessions kept on the server; circles may wait for a new facilitator

- `user_sessions`: one row per login (digest of the token in her session / remember-me cookie),
  so logging out ends that session on the server. Existing cookies name no session and stop
  working: everyone logs in once more after this release.
- `circles.facilitator_id` becomes nullable: a revoked facilitator's going circles are detached
  from her until an admin reassigns them.

Revision ID: 7b0c7f29c82e
Revises: f0cfc9215d6b
Create Date: 2026-11-29 19:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7b0c7f29c82e'
down_revision = 'f0cfc9215d6b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.alter_column('facilitator_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    # A circle still waiting for a facilitator has none to give back: downgrading needs every
    # circle reassigned first, and fails loudly (NOT NULL) otherwise.
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.alter_column('facilitator_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))

    op.drop_table('user_sessions')
