"""Keep every wording of a circle's confidentiality agreement, and the version each member accepted

Existing circles get their current wording as version 1, and every enrollment that has an
`agreed_at` is taken to have accepted it: before this revision the text could change without
a trace, so the current wording is the best record there is.

Revision ID: 1f32878fe2a9
Revises: 8f0df6a46c8a
Create Date: 2026-11-29 19:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = "1f32878fe2a9"
down_revision = "8f0df6a46c8a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "circle_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["circle_id"], ["circles.id"],
                                name=op.f("fk_circle_agreements_circle_id_circles"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circle_agreements")),
        sa.UniqueConstraint("circle_id", "version", name=op.f("uq_circle_agreements_circle_id_version")),
    )
    op.execute(
        "INSERT INTO circle_agreements (circle_id, version, text, created_at) "
        "SELECT id, 1, agreement_text, created_at FROM circles"
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreement_version", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_enrollments_circle_id_circle_agreements"), "circle_agreements",
            ["circle_id", "agreement_version"], ["circle_id", "version"],
        )
    op.execute("UPDATE enrollments SET agreement_version = 1 WHERE agreed_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_enrollments_circle_id_circle_agreements"), type_="foreignkey")
        batch_op.drop_column("agreement_version")
    op.drop_table("circle_agreements")
