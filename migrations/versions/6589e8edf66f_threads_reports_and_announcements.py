"""Private threads between a member and her facilitator, reports of a message, circle announcements

"Can't come" needs no table: it is the meeting's attendance pre-filled as excused.

Revision ID: 6589e8edf66f
Revises: b30f570062f4
Create Date: 2026-11-29 20:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = "6589e8edf66f"
down_revision = "b30f570062f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["circle_id"], ["circles.id"], name=op.f("fk_threads_circle_id_circles"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["member_id"], ["users.id"], name=op.f("fk_threads_member_id_users")),
        sa.ForeignKeyConstraint(["facilitator_id"], ["users.id"], name=op.f("fk_threads_facilitator_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
        sa.UniqueConstraint("circle_id", "member_id", "facilitator_id",
                            name=op.f("uq_threads_circle_id_member_id_facilitator_id")),
    )
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_threads_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_threads_facilitator_id"), ["facilitator_id"], unique=False)

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_messages_thread_id_threads"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_messages_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_thread_id_id", ["thread_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_messages_author_id"), ["author_id"], unique=False)

    op.create_table(
        "message_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name=op.f("fk_message_reports_message_id_messages"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reporter_id"], ["users.id"], name=op.f("fk_message_reports_reporter_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_reports")),
        sa.UniqueConstraint("message_id", "reporter_id", name=op.f("uq_message_reports_message_id_reporter_id")),
    )
    with op.batch_alter_table("message_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_reports_reporter_id"), ["reporter_id"], unique=False)

    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["circle_id"], ["circles.id"], name=op.f("fk_announcements_circle_id_circles"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_announcements_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index("ix_announcements_circle_id_created_at", ["circle_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_announcements_author_id"), ["author_id"], unique=False)


def downgrade():
    op.drop_table("announcements")
    op.drop_table("message_reports")
    op.drop_table("messages")
    op.drop_table("threads")
