"""outcome_terms: each closed term's outcome figures, written once (programme and per employer)

Revision ID: 4d2b8e6f1a90
Revises: 3c1e9a7d5b20
Create Date: 2026-11-29 23:00:00.000000

The table starts empty: the scheduler's hourly `close_outcome_terms` writes every term already
closed on its first run, so the programme page and the sponsor report show them within the hour.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d2b8e6f1a90'
down_revision = '3c1e9a7d5b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outcome_terms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=True),
        sa.Column('term', sa.String(length=7), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('members', sa.Integer(), nullable=False),
        sa.Column('fell', sa.Integer(), nullable=False),
        sa.Column('people_through', sa.Integer(), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_outcome_terms_organization_id_organizations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_terms')),
        sa.UniqueConstraint('organization_id', 'term', name=op.f('uq_outcome_terms_organization_id_term')),
    )
    with op.batch_alter_table('outcome_terms', schema=None) as batch_op:
        batch_op.create_index('uq_outcome_terms_programme_term', ['term'], unique=True,
                              sqlite_where=sa.text('organization_id IS NULL'),
                              postgresql_where=sa.text('organization_id IS NULL'))


def downgrade():
    with op.batch_alter_table('outcome_terms', schema=None) as batch_op:
        batch_op.drop_index('uq_outcome_terms_programme_term')
    op.drop_table('outcome_terms')
