"""Members' weekly availability windows, private calendar feeds, interest in planned circles and reminder choices

Revision ID: 27e378e7c3b3
Revises: e123152b84ff
Create Date: 2026-11-29 20:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = "27e378e7c3b3"
down_revision = "e123152b84ff"
branch_labels = None
depends_on = None


def upgrade():
    # Reminders her way: every existing member keeps today's day-ahead reminder.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remind_day_before", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("remind_hour_before", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table(
        "availability_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("hard", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_availability_windows_weekday_range")),
        sa.CheckConstraint(
            "start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440",
            name=op.f("ck_availability_windows_minutes_within_day"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_availability_windows_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_windows")),
    )
    with op.batch_alter_table("availability_windows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_availability_windows_user_id"), ["user_id"], unique=False)

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_calendar_feeds_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    op.create_table(
        "circle_interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["circle_id"], ["circles.id"], name=op.f("fk_circle_interests_circle_id_circles"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_circle_interests_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circle_interests")),
        sa.UniqueConstraint("circle_id", "user_id", name=op.f("uq_circle_interests_circle_id_user_id")),
    )
    with op.batch_alter_table("circle_interests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_circle_interests_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("circle_interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_circle_interests_user_id"))
    op.drop_table("circle_interests")
    op.drop_table("calendar_feeds")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("remind_hour_before")
        batch_op.drop_column("remind_day_before")
    with op.batch_alter_table("availability_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_windows_user_id"))
    op.drop_table("availability_windows")
