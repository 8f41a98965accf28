"""growth: goals with progress notes, check-ins between meetings, check-in time

Revision ID: e123152b84ff
Revises: 7b0c7f29c82e
Create Date: 2026-11-29 19:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e123152b84ff'
down_revision = '7b0c7f29c82e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('next_step', sa.String(length=300), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_goals_circle_id_circles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_goals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index('ix_goals_circle_visibility', ['circle_id', 'visibility'], unique=False)
        batch_op.create_index('ix_goals_user_status', ['user_id', 'status'], unique=False)

    op.create_table('goal_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_notes_goal_id_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_notes'))
    )
    with op.batch_alter_table('goal_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_notes_goal_id'), ['goal_id'], unique=False)

    op.create_table('check_ins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('after_meeting_id', sa.Integer(), nullable=False),
    sa.Column('mood', sa.Integer(), nullable=False),
    sa.Column('win', sa.Text(), nullable=False),
    sa.Column('obstacle', sa.Text(), nullable=False),
    sa.Column('progress', sa.JSON(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('needs_support', sa.Boolean(), nullable=False),
    sa.Column('support_shares_text', sa.Boolean(), nullable=False),
    sa.Column('support_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('support_followed_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('support_followed_up_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('mood BETWEEN 1 AND 5', name=op.f('ck_check_ins_mood_range')),
    sa.ForeignKeyConstraint(['after_meeting_id'], ['meetings.id'], name=op.f('fk_check_ins_after_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['circle_id'], ['circles.id'], name=op.f('fk_check_ins_circle_id_circles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['support_followed_up_by_id'], ['users.id'], name=op.f('fk_check_ins_support_followed_up_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_check_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('user_id', 'after_meeting_id', name=op.f('uq_check_ins_user_id_after_meeting_id'))
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_after_meeting_id'), ['after_meeting_id'], unique=False)
        batch_op.create_index('ix_check_ins_circle_support', ['circle_id', 'needs_support'], unique=False)

    op.create_table('check_in_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('prompt_time', sa.Time(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_check_in_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_check_in_preferences'))
    )


def downgrade():
    op.drop_table('check_in_preferences')
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index('ix_check_ins_circle_support')
        batch_op.drop_index(batch_op.f('ix_check_ins_after_meeting_id'))
    op.drop_table('check_ins')
    with op.batch_alter_table('goal_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_notes_goal_id'))
    op.drop_table('goal_notes')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index('ix_goals_user_status')
        batch_op.drop_index('ix_goals_circle_visibility')
    op.drop_table('goals')
