"""employee_links: an index on (user_id, organization_id, linked_at) for "linked to this employer then?"

Revision ID: 3c1e9a7d5b20
Revises: b6d79a46d88c
Create Date: 2026-11-29 21:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c1e9a7d5b20'
down_revision = 'b6d79a46d88c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('employee_links', schema=None) as batch_op:
        batch_op.create_index('ix_employee_links_user_organization', ['user_id', 'organization_id', 'linked_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('employee_links', schema=None) as batch_op:
        batch_op.drop_index('ix_employee_links_user_organization')
