"""pre-authorizations: requests, history, auto-approval rules, SLA job support

Revision ID: 1927039ed1ec
Revises: d3cf83bb2d61
Create Date: 2026-11-23 20:09:02.233405
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import enable_tenant_rls

# The SLA job runs outside any request, so it does not know which tenants have work.
# Like `vetra_mail_due_tenants`, this walks the tenants with each one's setting in force
# (RLS stays on) and restores the caller's: the tenants with an open PA past its SLA not
# yet marked breached, or an APPROVED PA past its validity.
PA_DUE_TENANTS = """
CREATE FUNCTION vetra_pa_due_tenants(p_now timestamptz, p_today date) RETURNS SETOF uuid
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  caller_tenant text := current_setting('app.tenant_id', true);
  t uuid;
BEGIN
  FOR t IN SELECT id FROM tenants WHERE kind = 'HMO' ORDER BY id LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    IF EXISTS (
      SELECT 1 FROM authorizations
       WHERE tenant_id = t AND breached_at IS NULL AND sla_due_at <= p_now
         AND status IN ('SUBMITTED', 'IN_REVIEW', 'APPEALED')
    ) OR EXISTS (
      SELECT 1 FROM authorizations
       WHERE tenant_id = t AND status = 'APPROVED' AND valid_to < p_today
    ) THEN
      RETURN NEXT t;
    END IF;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(caller_tenant, ''), true);
END $$"""
revision: str = "1927039ed1ec"
down_revision: str | None = "d3cf83bb2d61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pa_rules",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("max_amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "max_urgency",
            sa.Enum(
                "ROUTINE", "URGENT", "EMERGENCY", name="pa_urgency", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("valid_days", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("max_amount > 0", name=op.f("ck_pa_rules_positive_max_amount")),
        sa.CheckConstraint(
            "valid_days between 1 and 365", name=op.f("ck_pa_rules_valid_days_range")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"],
            ["plans.tenant_id", "plans.id"],
            name=op.f("fk_pa_rules_tenant_id_plan_id_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_pa_rules_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pa_rules")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_pa_rules_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "plan_id",
            "procedure_code",
            name=op.f("uq_pa_rules_tenant_id_plan_id_procedure_code"),
        ),
    )
    op.create_table(
        "authorizations",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("enrollee_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.String(length=48), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("provider_tenant_id", sa.Uuid(), nullable=False),
        sa.Column(
            "urgency",
            sa.Enum(
                "ROUTINE", "URGENT", "EMERGENCY", name="pa_urgency", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("procedure_code", sa.String(length=32), nullable=False),
        sa.Column("diagnosis_codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("estimated_amount", sa.BigInteger(), nullable=False),
        sa.Column("approved_amount", sa.BigInteger(), nullable=True),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "SUBMITTED",
                "IN_REVIEW",
                "APPROVED",
                "REJECTED",
                "APPEALED",
                "USED",
                "EXPIRED",
                "CANCELLED",
                name="pa_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("sla_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("auth_code", sa.String(length=32), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_claim_id", sa.Uuid(), nullable=True),
        sa.Column("matched_rule_id", sa.Uuid(), nullable=True),
        sa.Column("suspicious", sa.Boolean(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_by", sa.Uuid(), nullable=True),
        sa.Column("hold_cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hold_cleared_by", sa.Uuid(), nullable=True),
        sa.Column("submitted_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "approved_amount is null or approved_amount > 0",
            name=op.f("ck_authorizations_positive_approved_amount"),
        ),
        sa.CheckConstraint(
            "estimated_amount > 0", name=op.f("ck_authorizations_positive_estimate")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_authorizations_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["provider_tenant_id"],
            ["tenants.id"],
            name=op.f("fk_authorizations_provider_tenant_id_tenants"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "enrollee_id"],
            ["enrollees.tenant_id", "enrollees.id"],
            name=op.f("fk_authorizations_tenant_id_enrollee_id_enrollees"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"],
            ["plans.tenant_id", "plans.id"],
            name=op.f("fk_authorizations_tenant_id_plan_id_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_authorizations_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorizations")),
        sa.UniqueConstraint(
            "tenant_id", "auth_code", name=op.f("uq_authorizations_tenant_id_auth_code")
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_authorizations_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_authorizations_tenant_id_number")),
    )
    op.create_index(
        "ix_authorizations_provider_tenant",
        "authorizations",
        ["provider_tenant_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_authorizations_sla",
        "authorizations",
        ["tenant_id", "sla_due_at", "id"],
        unique=False,
        postgresql_where="status in ('SUBMITTED', 'IN_REVIEW', 'APPEALED')",
    )
    op.create_index(
        "ix_authorizations_status", "authorizations", ["tenant_id", "status"], unique=False
    )
    op.create_table(
        "pa_events",
        sa.Column("authorization_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "SUBMITTED",
                "IN_REVIEW",
                "APPROVED",
                "REJECTED",
                "APPEALED",
                "USED",
                "EXPIRED",
                "CANCELLED",
                name="pa_status",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "SUBMITTED",
                "IN_REVIEW",
                "APPROVED",
                "REJECTED",
                "APPEALED",
                "USED",
                "EXPIRED",
                "CANCELLED",
                name="pa_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("note_enc", sa.LargeBinary(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "authorization_id"],
            ["authorizations.tenant_id", "authorizations.id"],
            name=op.f("fk_pa_events_tenant_id_authorization_id_authorizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_pa_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pa_events")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_pa_events_tenant_id_id")),
    )
    op.create_index(
        "ix_pa_events_authorization",
        "pa_events",
        ["tenant_id", "authorization_id", "created_at"],
        unique=False,
    )
    for table in ("pa_rules", "pa_events"):
        enable_tenant_rls(table)
    enable_tenant_rls("authorizations", shared_with="provider_tenant_id")
    op.execute(PA_DUE_TENANTS)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS vetra_pa_due_tenants(timestamptz, date)")
    op.drop_index("ix_pa_events_authorization", table_name="pa_events")
    op.drop_table("pa_events")
    op.drop_index("ix_authorizations_status", table_name="authorizations")
    op.drop_index(
        "ix_authorizations_sla",
        table_name="authorizations",
        postgresql_where="status in ('SUBMITTED', 'IN_REVIEW', 'APPEALED')",
    )
    op.drop_index("ix_authorizations_provider_tenant", table_name="authorizations")
    op.drop_table("authorizations")
    op.drop_table("pa_rules")
