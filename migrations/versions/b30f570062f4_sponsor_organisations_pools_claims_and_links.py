"""sponsor organisations, seat pools, claims, invite codes and employee links

Revision ID: b30f570062f4
Revises: 27e378e7c3b3
Create Date: 2026-11-29 20:00:00

- organizations / organization_domains (one organisation per domain) / sponsor_invites.
- seat_pools: the pool-seat ledger; `seats_claimed <= seats` is a check constraint as well as
  the condition of the one UPDATE that takes a seat.
- seat_claims: one per membership (unique enrollment_id + membership_number).
- employee_links: at most one live link per member (a partial unique index, SQLite and
  PostgreSQL both support WHERE on an index); unlinked rows keep their dates.
- invite_codes: `uses <= max_uses` checked by the database too.
- sponsor_report_months: a closed month's aggregate figures, written once (unique per month).
- role_assignments.organization_id now refers to organizations (it was waiting for the table).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b30f570062f4'
down_revision = '27e378e7c3b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('billing_email', sa.String(length=254), nullable=False),
    sa.Column('gateway_customer_id', sa.String(length=255), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_organizations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('gateway_customer_id', name=op.f('uq_organizations_gateway_customer_id')),
    sa.UniqueConstraint('name', name=op.f('uq_organizations_name'))
    )
    op.create_table('invite_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('max_uses > 0', name=op.f('ck_invite_codes_max_uses_positive')),
    sa.CheckConstraint('uses >= 0 AND uses <= max_uses', name=op.f('ck_invite_codes_uses_within_max')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_invite_codes_created_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_invite_codes_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_invite_codes_code'))
    )
    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_codes_organization_id'), ['organization_id'], unique=False)

    op.create_table('organization_domains',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_domains_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_domains')),
    sa.UniqueConstraint('domain', name=op.f('uq_organization_domains_domain'))
    )
    with op.batch_alter_table('organization_domains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_domains_organization_id'), ['organization_id'], unique=False)

    op.create_table('seat_pools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('seats_claimed', sa.Integer(), nullable=False),
    sa.Column('price_cap_cents', sa.Integer(), nullable=False),
    sa.Column('meetings_per_seat', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('payment_method', sa.String(length=10), nullable=False),
    sa.Column('gateway_session_id', sa.String(length=255), nullable=True),
    sa.Column('gateway_invoice_id', sa.String(length=255), nullable=True),
    sa.Column('checkout_url', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('price_cap_cents >= 0', name=op.f('ck_seat_pools_cap_not_negative')),
    sa.CheckConstraint('seats > 0', name=op.f('ck_seat_pools_seats_positive')),
    sa.CheckConstraint('seats_claimed >= 0 AND seats_claimed <= seats', name=op.f('ck_seat_pools_claims_within_seats')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_seat_pools_created_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_seat_pools_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seat_pools')),
    sa.UniqueConstraint('gateway_invoice_id', name=op.f('uq_seat_pools_gateway_invoice_id')),
    sa.UniqueConstraint('gateway_session_id', name=op.f('uq_seat_pools_gateway_session_id'))
    )
    with op.batch_alter_table('seat_pools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seat_pools_organization_id'), ['organization_id'], unique=False)

    op.create_table('sponsor_invites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_sponsor_invites_accepted_by_id_users')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_sponsor_invites_invited_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_sponsor_invites_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsor_invites'))
    )
    with op.batch_alter_table('sponsor_invites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sponsor_invites_organization_id'), ['organization_id'], unique=False)

    op.create_table('employee_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=12), nullable=False),
    sa.Column('work_email', sa.String(length=254), nullable=True),
    sa.Column('invite_code_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('unlinked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invite_code_id'], ['invite_codes.id'], name=op.f('fk_employee_links_invite_code_id_invite_codes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_employee_links_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_employee_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee_links'))
    )
    with op.batch_alter_table('employee_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_links_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_links_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_employee_links_one_live_per_user', ['user_id'], unique=True, sqlite_where=sa.text('unlinked_at IS NULL'), postgresql_where=sa.text('unlinked_at IS NULL'))

    op.create_table('seat_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('membership_number', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_seat_claims_enrollment_id_enrollments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pool_id'], ['seat_pools.id'], name=op.f('fk_seat_claims_pool_id_seat_pools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_seat_claims_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seat_claims')),
    sa.UniqueConstraint('enrollment_id', 'membership_number', name=op.f('uq_seat_claims_enrollment_id_membership_number'))
    )
    with op.batch_alter_table('seat_claims', schema=None) as batch_op:
        batch_op.create_index('ix_seat_claims_pool_status_user', ['pool_id', 'status', 'user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seat_claims_user_id'), ['user_id'], unique=False)

    op.create_table('sponsor_report_months',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('counted', sa.Integer(), nullable=False),
    sa.Column('people_through', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_sponsor_report_months_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsor_report_months')),
    sa.UniqueConstraint('organization_id', 'month', name=op.f('uq_sponsor_report_months_organization_id_month'))
    )
    with op.batch_alter_table('role_assignments', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_role_assignments_organization_id_organizations'),
                                    'organizations', ['organization_id'], ['id'])


def downgrade():
    with op.batch_alter_table('role_assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_role_assignments_organization_id_organizations'),
                                 type_='foreignkey')

    with op.batch_alter_table('seat_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_claims_user_id'))
        batch_op.drop_index('ix_seat_claims_pool_status_user')

    op.drop_table('sponsor_report_months')
    op.drop_table('seat_claims')
    with op.batch_alter_table('employee_links', schema=None) as batch_op:
        batch_op.drop_index('uq_employee_links_one_live_per_user', sqlite_where=sa.text('unlinked_at IS NULL'), postgresql_where=sa.text('unlinked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_employee_links_user_id'))
        batch_op.drop_index(batch_op.f('ix_employee_links_organization_id'))

    op.drop_table('employee_links')
    with op.batch_alter_table('sponsor_invites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sponsor_invites_organization_id'))

    op.drop_table('sponsor_invites')
    with op.batch_alter_table('seat_pools', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seat_pools_organization_id'))

    op.drop_table('seat_pools')
    with op.batch_alter_table('organization_domains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_domains_organization_id'))

    op.drop_table('organization_domains')
    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_codes_organization_id'))

    op.drop_table('invite_codes')
    op.drop_table('organizations')
