"""claims billing and settings

Revision ID: d3cf83bb2d61
Revises: 9a4581c62440
Create Date: 2026-11-23 20:00:55.259479
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import enable_tenant_rls

TENANT_TABLES = [
    "attachments",
    "counters",
    "idempotency_records",
    "tenant_settings",
    "approval_limits",
    "claim_events",
    "claim_items",
    "claim_queries",
    "platform_fees",
    "risk_events",
]

revision: str = "d3cf83bb2d61"
down_revision: str | None = "9a4581c62440"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("owner_type", sa.String(length=40), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("filename_enc", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("content_enc", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_attachments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_attachments_tenant_id_id")),
    )
    op.create_index(
        "ix_attachments_owner", "attachments", ["tenant_id", "owner_type", "owner_id"], unique=False
    )
    op.create_table(
        "counters",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_counters_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "name", name=op.f("pk_counters")),
    )
    op.create_table(
        "fee_tiers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("min_monthly_claims", sa.Integer(), nullable=False),
        sa.Column("fee_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_fee_tiers_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_tiers")),
        sa.UniqueConstraint(
            "tenant_id",
            "min_monthly_claims",
            name=op.f("uq_fee_tiers_tenant_id_min_monthly_claims"),
        ),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_idempotency_records_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_records")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_idempotency_records_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "scope", "key", name=op.f("uq_idempotency_records_tenant_id_scope_key")
        ),
    )
    op.create_table(
        "tenant_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("claim_sla_days", sa.Integer(), nullable=False),
        sa.Column("frequency_limit_days", sa.Integer(), nullable=False),
        sa.Column("sampling_percent", sa.Integer(), nullable=True),
        sa.Column("sampling_max_risk", sa.Integer(), nullable=False),
        sa.Column("risk_thresholds", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("pa_sla_hours", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_tenant_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_settings")),
    )
    op.create_table(
        "approval_limits",
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.Column("claim_limit", sa.BigInteger(), nullable=False),
        sa.Column("settlement_limit", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "role_id"],
            ["roles.tenant_id", "roles.id"],
            name=op.f("fk_approval_limits_tenant_id_role_id_roles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_approval_limits_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_limits")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_approval_limits_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "role_id", name=op.f("uq_approval_limits_tenant_id_role_id")
        ),
    )
    op.create_table(
        "claims",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("enrollee_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.String(length=48), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("provider_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("plan_version_id", sa.Uuid(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("admission_date", sa.Date(), nullable=True),
        sa.Column("discharge_date", sa.Date(), nullable=True),
        sa.Column("billing_month", sa.Date(), nullable=False),
        sa.Column("auth_code", sa.String(length=32), nullable=True),
        sa.Column("diagnosis_codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "SUBMITTED",
                "RECEIVED",
                "IN_REVIEW",
                "QUERIED",
                "RESUBMITTED",
                "APPROVED",
                "REJECTED",
                "SETTLED",
                name="claim_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_billed", sa.BigInteger(), nullable=False),
        sa.Column("total_approved", sa.BigInteger(), nullable=False),
        sa.Column("copay_amount", sa.BigInteger(), nullable=False),
        sa.Column("risk_score", sa.Integer(), nullable=False),
        sa.Column("queue_score", sa.BigInteger(), nullable=False),
        sa.Column("on_hold", sa.Boolean(), nullable=False),
        sa.Column("assigned_to", sa.Uuid(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_sampling", sa.Boolean(), nullable=False),
        sa.Column("sampling_ratio_bp", sa.Integer(), nullable=True),
        sa.Column("submitted_by", sa.Uuid(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "total_approved <= total_billed", name=op.f("ck_claims_approved_within_billed")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_claims_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["provider_tenant_id"],
            ["tenants.id"],
            name=op.f("fk_claims_provider_tenant_id_tenants"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "enrollee_id"],
            ["enrollees.tenant_id", "enrollees.id"],
            name=op.f("fk_claims_tenant_id_enrollee_id_enrollees"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_version_id"],
            ["plan_versions.tenant_id", "plan_versions.id"],
            name=op.f("fk_claims_tenant_id_plan_version_id_plan_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_claims_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_claims_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_claims_tenant_id_number")),
    )
    op.create_index(
        "ix_claims_enrollee_date",
        "claims",
        ["tenant_id", "enrollee_id", "service_date"],
        unique=False,
    )
    op.create_index(
        "ix_claims_provider_month",
        "claims",
        ["tenant_id", "provider_id", "billing_month"],
        unique=False,
    )
    op.create_index(
        "ix_claims_provider_tenant", "claims", ["provider_tenant_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_claims_queue",
        "claims",
        ["tenant_id", "queue_score", "id"],
        unique=False,
        postgresql_where="status in ('RECEIVED', 'IN_REVIEW', 'RESUBMITTED')",
    )
    op.create_index("ix_claims_status", "claims", ["tenant_id", "status"], unique=False)
    op.create_table(
        "claim_events",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "SUBMITTED",
                "RECEIVED",
                "IN_REVIEW",
                "QUERIED",
                "RESUBMITTED",
                "APPROVED",
                "REJECTED",
                "SETTLED",
                name="claim_status",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "SUBMITTED",
                "RECEIVED",
                "IN_REVIEW",
                "QUERIED",
                "RESUBMITTED",
                "APPROVED",
                "REJECTED",
                "SETTLED",
                name="claim_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "claim_id"],
            ["claims.tenant_id", "claims.id"],
            name=op.f("fk_claim_events_tenant_id_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_claim_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_events")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_claim_events_tenant_id_id")),
    )
    op.create_index(
        "ix_claim_events_claim",
        "claim_events",
        ["tenant_id", "claim_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "claim_items",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("billed_amount", sa.BigInteger(), nullable=False),
        sa.Column("approved_quantity", sa.Integer(), nullable=True),
        sa.Column("approved_amount", sa.BigInteger(), nullable=True),
        sa.Column("reason_code", sa.String(length=16), nullable=True),
        sa.Column("flags", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "approved_amount is null or approved_amount between 0 and billed_amount",
            name=op.f("ck_claim_items_approved_within_line"),
        ),
        sa.CheckConstraint(
            "quantity > 0 and unit_price > 0", name=op.f("ck_claim_items_positive_line")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "claim_id"],
            ["claims.tenant_id", "claims.id"],
            name=op.f("fk_claim_items_tenant_id_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_claim_items_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_items")),
        sa.UniqueConstraint(
            "tenant_id",
            "claim_id",
            "line_no",
            name=op.f("uq_claim_items_tenant_id_claim_id_line_no"),
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_claim_items_tenant_id_id")),
    )
    op.create_table(
        "claim_queries",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author_side", sa.String(length=16), nullable=False),
        sa.Column("message_enc", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "claim_id"],
            ["claims.tenant_id", "claims.id"],
            name=op.f("fk_claim_queries_tenant_id_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_claim_queries_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_queries")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_claim_queries_tenant_id_id")),
    )
    op.create_table(
        "platform_fees",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoice_month", sa.Date(), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "claim_id"],
            ["claims.tenant_id", "claims.id"],
            name=op.f("fk_platform_fees_tenant_id_claim_id_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_platform_fees_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_fees")),
        sa.UniqueConstraint("claim_id", name=op.f("uq_platform_fees_claim_id")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_platform_fees_tenant_id_id")),
    )
    op.create_index(
        "ix_platform_fees_month", "platform_fees", ["tenant_id", "invoice_month"], unique=False
    )
    op.create_table(
        "risk_events",
        sa.Column("claim_id", sa.Uuid(), nullable=True),
        sa.Column("authorization_id", sa.Uuid(), nullable=True),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("evidence", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "claim_id"],
            ["claims.tenant_id", "claims.id"],
            name=op.f("fk_risk_events_tenant_id_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_risk_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_events")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_risk_events_tenant_id_id")),
    )
    op.create_index("ix_risk_events_claim", "risk_events", ["tenant_id", "claim_id"], unique=False)
    op.create_index(
        "ix_risk_events_rule", "risk_events", ["tenant_id", "rule", "created_at"], unique=False
    )
    for table in TENANT_TABLES:
        enable_tenant_rls(table)
    enable_tenant_rls("claims", shared_with="provider_tenant_id")
    # The default schedule (no tenant) is readable by all; an override by its tenant only.
    op.execute("ALTER TABLE fee_tiers ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE fee_tiers FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY tenant_isolation ON fee_tiers "
        "USING (tenant_id IS NULL OR tenant_id = app_tenant_id()) "
        "WITH CHECK (tenant_id IS NULL OR tenant_id = app_tenant_id())"
    )


def downgrade() -> None:
    op.drop_index("ix_risk_events_rule", table_name="risk_events")
    op.drop_index("ix_risk_events_claim", table_name="risk_events")
    op.drop_table("risk_events")
    op.drop_index("ix_platform_fees_month", table_name="platform_fees")
    op.drop_table("platform_fees")
    op.drop_table("claim_queries")
    op.drop_table("claim_items")
    op.drop_index("ix_claim_events_claim", table_name="claim_events")
    op.drop_table("claim_events")
    op.drop_index("ix_claims_status", table_name="claims")
    op.drop_index(
        "ix_claims_queue",
        table_name="claims",
        postgresql_where="status in ('RECEIVED', 'IN_REVIEW', 'RESUBMITTED')",
    )
    op.drop_index("ix_claims_provider_tenant", table_name="claims")
    op.drop_index("ix_claims_provider_month", table_name="claims")
    op.drop_index("ix_claims_enrollee_date", table_name="claims")
    op.drop_table("claims")
    op.drop_table("approval_limits")
    op.drop_table("tenant_settings")
    op.drop_table("idempotency_records")
    op.drop_table("fee_tiers")
    op.drop_table("counters")
    op.drop_index("ix_attachments_owner", table_name="attachments")
    op.drop_table("attachments")
