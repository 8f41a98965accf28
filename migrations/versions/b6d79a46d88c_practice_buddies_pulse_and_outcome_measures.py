"""buddies: pairs, "not with" wishes, practice sessions; outcomes: pulse answers and outcome measures

Revision ID: b6d79a46d88c
Revises: 6589e8edf66f
Create Date: 2026-11-29 20:04:29.353499

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6d79a46d88c'
down_revision = '6589e8edf66f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('buddy_apart',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['other_id'], ['users.id'], name=op.f('fk_buddy_apart_other_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_buddy_apart_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buddy_apart')),
    sa.UniqueConstraint('user_id', 'other_id', name=op.f('uq_buddy_apart_user_id_other_id'))
    )
    with op.batch_alter_table('buddy_apart', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_buddy_apart_other_id'), ['other_id'], unique=False)

    op.create_table('buddy_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('active_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('active_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_buddy_pairs_circle_id_circles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buddy_pairs'))
    )
    with op.batch_alter_table('buddy_pairs', schema=None) as batch_op:
        batch_op.create_index('ix_buddy_pairs_circle_until', ['circle_id', 'active_until'], unique=False)

    op.create_table('outcome_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=5), nullable=False),
    sa.Column('isolation', sa.Integer(), nullable=False),
    sa.Column('confidence', sa.Integer(), nullable=False),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('stress', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('balance BETWEEN 1 AND 7', name=op.f('ck_outcome_measures_balance_range')),
    sa.CheckConstraint('confidence BETWEEN 1 AND 7', name=op.f('ck_outcome_measures_confidence_range')),
    sa.CheckConstraint('isolation BETWEEN 1 AND 7', name=op.f('ck_outcome_measures_isolation_range')),
    sa.CheckConstraint('stress BETWEEN 1 AND 7', name=op.f('ck_outcome_measures_stress_range')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_outcome_measures_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outcome_measures_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_measures')),
    sa.UniqueConstraint('user_id', 'circle_id', 'phase', name=op.f('uq_outcome_measures_user_id_circle_id_phase'))
    )
    with op.batch_alter_table('outcome_measures', schema=None) as batch_op:
        batch_op.create_index('ix_outcome_measures_circle', ['circle_id', 'phase'], unique=False)

    op.create_table('buddy_pair_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('change_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['pair_id'], ['buddy_pairs.id'], name=op.f('fk_buddy_pair_members_pair_id_buddy_pairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_buddy_pair_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_buddy_pair_members')),
    sa.UniqueConstraint('pair_id', 'user_id', name=op.f('uq_buddy_pair_members_pair_id_user_id'))
    )
    with op.batch_alter_table('buddy_pair_members', schema=None) as batch_op:
        batch_op.create_index('ix_buddy_pair_members_user', ['user_id'], unique=False)

    op.create_table('practice_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('duration_minutes BETWEEN 5 AND 120', name=op.f('ck_practice_sessions_duration_range')),
    sa.ForeignKeyConstraint(['pair_id'], ['buddy_pairs.id'], name=op.f('fk_practice_sessions_pair_id_buddy_pairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_practice_sessions_proposed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_sessions'))
    )
    with op.batch_alter_table('practice_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_practice_sessions_pair', ['pair_id', 'starts_at'], unique=False)

    op.create_table('pulse_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('felt_heard', sa.Integer(), nullable=False),
    sa.Column('connected', sa.Integer(), nullable=False),
    sa.Column('learned', sa.Integer(), nullable=False),
    sa.Column('note_to_facilitator', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('connected BETWEEN 1 AND 5', name=op.f('ck_pulse_responses_connected_range')),
    sa.CheckConstraint('felt_heard BETWEEN 1 AND 5', name=op.f('ck_pulse_responses_felt_heard_range')),
    sa.CheckConstraint('learned BETWEEN 1 AND 5', name=op.f('ck_pulse_responses_learned_range')),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_pulse_responses_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_pulse_responses_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pulse_responses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pulse_responses')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_pulse_responses_meeting_id_user_id'))
    )
    with op.batch_alter_table('pulse_responses', schema=None) as batch_op:
        batch_op.create_index('ix_pulse_responses_circle', ['circle_id', 'meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pulse_responses_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pulse_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pulse_responses_user_id'))
        batch_op.drop_index('ix_pulse_responses_circle')

    op.drop_table('pulse_responses')
    with op.batch_alter_table('practice_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_practice_sessions_pair')

    op.drop_table('practice_sessions')
    with op.batch_alter_table('buddy_pair_members', schema=None) as batch_op:
        batch_op.drop_index('ix_buddy_pair_members_user')

    op.drop_table('buddy_pair_members')
    with op.batch_alter_table('outcome_measures', schema=None) as batch_op:
        batch_op.drop_index('ix_outcome_measures_circle')

    op.drop_table('outcome_measures')
    with op.batch_alter_table('buddy_pairs', schema=None) as batch_op:
        batch_op.drop_index('ix_buddy_pairs_circle_until')

    op.drop_table('buddy_pairs')
    with op.batch_alter_table('buddy_apart', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_buddy_apart_other_id'))

    op.drop_table('buddy_apart')
