"""membership and network

Revision ID: 855a5d369a63
Revises: a52d6a6f920e
Create Date: 2026-11-23 19:14:57.557635
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import enable_tenant_rls

TENANT_TABLES = [
    "clients",
    "plans",
    "plan_versions",
    "plan_benefits",
    "plan_exclusions",
    "enrollees",
    "enrollee_status_changes",
    "benefit_usage",
    "change_requests",
]

revision: str = "855a5d369a63"
down_revision: str | None = "a52d6a6f920e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("member_seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_clients_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_clients_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_clients_tenant_id_id")),
    )
    op.create_table(
        "plans",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("current_version_no", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_plans_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_plans_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_plans_tenant_id_id")),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "HOSPITAL", "PHARMACY", "LAB", name="provider_type", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("services", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_tenant_id"], ["tenants.id"], name=op.f("fk_providers_org_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("org_tenant_id", name=op.f("uq_providers_org_tenant_id")),
        sa.UniqueConstraint("slug", name=op.f("uq_providers_slug")),
    )
    op.create_index("ix_providers_type_state", "providers", ["type", "state"], unique=False)
    op.create_table(
        "enrollees",
        sa.Column("member_id", sa.String(length=48), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("principal_id", sa.Uuid(), nullable=True),
        sa.Column(
            "relationship",
            sa.Enum(
                "PRINCIPAL", "SPOUSE", "CHILD", name="relationship", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("member_no", sa.Integer(), nullable=False),
        sa.Column("child_no", sa.Integer(), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column(
            "sex", sa.Enum("M", "F", name="sex", native_enum=False, length=32), nullable=False
        ),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("primary_provider_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "SUSPENDED",
                "TERMINATED",
                name="enrollee_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("coverage_start", sa.Date(), nullable=False),
        sa.Column("coverage_end", sa.Date(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["primary_provider_id"],
            ["providers.id"],
            name=op.f("fk_enrollees_primary_provider_id_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "client_id"],
            ["clients.tenant_id", "clients.id"],
            name=op.f("fk_enrollees_tenant_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"],
            ["plans.tenant_id", "plans.id"],
            name=op.f("fk_enrollees_tenant_id_plan_id_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "principal_id"],
            ["enrollees.tenant_id", "enrollees.id"],
            name=op.f("fk_enrollees_tenant_id_principal_id_enrollees"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_enrollees_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollees")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_enrollees_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "member_id", name=op.f("uq_enrollees_tenant_id_member_id")
        ),
    )
    op.create_index(
        "ix_enrollees_client_name",
        "enrollees",
        ["tenant_id", "client_id", "last_name", "first_name"],
        unique=False,
    )
    op.create_index(
        "ix_enrollees_principal", "enrollees", ["tenant_id", "principal_id"], unique=False
    )
    op.create_table(
        "network_links",
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("provider_tenant_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "REQUESTED",
                "ACTIVE",
                "DECLINED",
                "ENDED",
                name="link_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_network_links_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["provider_tenant_id"],
            ["tenants.id"],
            name=op.f("fk_network_links_provider_tenant_id_tenants"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_network_links_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_links")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_network_links_tenant_id_id")),
    )
    op.create_index(
        "ix_network_links_provider", "network_links", ["provider_tenant_id", "status"], unique=False
    )
    op.create_index(
        "uq_network_links_open",
        "network_links",
        ["tenant_id", "provider_id"],
        unique=True,
        postgresql_where="status in ('REQUESTED', 'ACTIVE')",
    )
    op.create_table(
        "plan_versions",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("max_dependants", sa.Integer(), nullable=False),
        sa.Column("max_children", sa.Integer(), nullable=False),
        sa.Column("capitation_rate", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"],
            ["plans.tenant_id", "plans.id"],
            name=op.f("fk_plan_versions_tenant_id_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_plan_versions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_plan_versions_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "plan_id",
            "version_no",
            name=op.f("uq_plan_versions_tenant_id_plan_id_version_no"),
        ),
    )
    op.create_table(
        "benefit_usage",
        sa.Column("enrollee_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("source_type", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "enrollee_id"],
            ["enrollees.tenant_id", "enrollees.id"],
            name=op.f("fk_benefit_usage_tenant_id_enrollee_id_enrollees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_benefit_usage_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_usage")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_benefit_usage_tenant_id_id")),
    )
    op.create_index(
        "ix_benefit_usage_lookup",
        "benefit_usage",
        ["tenant_id", "enrollee_id", "category", "service_date"],
        unique=False,
    )
    op.create_table(
        "change_requests",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ADD_DEPENDANT",
                "EDIT_ENROLLEE",
                "DELETE_DEPENDANT",
                name="change_request_kind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("enrollee_id", sa.Uuid(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "APPROVED",
                "DECLINED",
                name="change_request_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=300), nullable=True),
        sa.Column("result_enrollee_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "client_id"],
            ["clients.tenant_id", "clients.id"],
            name=op.f("fk_change_requests_tenant_id_client_id_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "enrollee_id"],
            ["enrollees.tenant_id", "enrollees.id"],
            name=op.f("fk_change_requests_tenant_id_enrollee_id_enrollees"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_change_requests_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_change_requests_tenant_id_id")),
    )
    op.create_index(
        "ix_change_requests_status", "change_requests", ["tenant_id", "status"], unique=False
    )
    op.create_table(
        "enrollee_status_changes",
        sa.Column("enrollee_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACTIVE",
                "SUSPENDED",
                "TERMINATED",
                name="enrollee_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "enrollee_id"],
            ["enrollees.tenant_id", "enrollees.id"],
            name=op.f("fk_enrollee_status_changes_tenant_id_enrollee_id_enrollees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_enrollee_status_changes_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollee_status_changes")),
        sa.UniqueConstraint(
            "tenant_id", "id", name=op.f("uq_enrollee_status_changes_tenant_id_id")
        ),
    )
    op.create_index(
        "ix_enrollee_status_changes_lookup",
        "enrollee_status_changes",
        ["tenant_id", "enrollee_id", "effective_date"],
        unique=False,
    )
    op.create_table(
        "plan_benefits",
        sa.Column("plan_version_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("limit_amount", sa.BigInteger(), nullable=False),
        sa.Column("limit_visits", sa.Integer(), nullable=True),
        sa.Column(
            "period",
            sa.Enum(
                "POLICY_YEAR", "CALENDAR_MONTH", name="benefit_period", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("copay_percent", sa.Integer(), nullable=False),
        sa.Column("waiting_period_days", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "copay_percent between 0 and 100", name=op.f("ck_plan_benefits_copay_percent_range")
        ),
        sa.CheckConstraint(
            "limit_amount >= 0", name=op.f("ck_plan_benefits_limit_amount_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_version_id"],
            ["plan_versions.tenant_id", "plan_versions.id"],
            name=op.f("fk_plan_benefits_tenant_id_plan_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_plan_benefits_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_benefits")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_plan_benefits_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "plan_version_id",
            "category",
            name=op.f("uq_plan_benefits_tenant_id_plan_version_id_category"),
        ),
    )
    op.create_table(
        "plan_exclusions",
        sa.Column("plan_version_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("PROCEDURE", "DIAGNOSIS", name="exclusion_kind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_version_id"],
            ["plan_versions.tenant_id", "plan_versions.id"],
            name=op.f("fk_plan_exclusions_tenant_id_plan_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_plan_exclusions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_exclusions")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_plan_exclusions_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "plan_version_id",
            "kind",
            "code",
            name=op.f("uq_plan_exclusions_tenant_id_plan_version_id_kind_code"),
        ),
    )
    op.add_column("users", sa.Column("client_id", sa.Uuid(), nullable=True))
    op.add_column("users", sa.Column("enrollee_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_users_tenant_id_client_id_clients"),
        "users",
        "clients",
        ["tenant_id", "client_id"],
        ["tenant_id", "id"],
    )
    op.create_foreign_key(
        op.f("fk_users_tenant_id_enrollee_id_enrollees"),
        "users",
        "enrollees",
        ["tenant_id", "enrollee_id"],
        ["tenant_id", "id"],
    )
    op.add_column("tenants", sa.Column("contact_email", sa.String(length=254), nullable=True))
    op.add_column("tenants", sa.Column("contact_phone", sa.String(length=32), nullable=True))
    for table in TENANT_TABLES:
        enable_tenant_rls(table)
    enable_tenant_rls("network_links", shared_with="provider_tenant_id")


def downgrade() -> None:
    op.drop_column("tenants", "contact_phone")
    op.drop_column("tenants", "contact_email")
    op.drop_constraint(
        op.f("fk_users_tenant_id_enrollee_id_enrollees"), "users", type_="foreignkey"
    )
    op.drop_constraint(op.f("fk_users_tenant_id_client_id_clients"), "users", type_="foreignkey")
    op.drop_column("users", "enrollee_id")
    op.drop_column("users", "client_id")
    op.drop_table("plan_exclusions")
    op.drop_table("plan_benefits")
    op.drop_index("ix_enrollee_status_changes_lookup", table_name="enrollee_status_changes")
    op.drop_table("enrollee_status_changes")
    op.drop_index("ix_change_requests_status", table_name="change_requests")
    op.drop_table("change_requests")
    op.drop_index("ix_benefit_usage_lookup", table_name="benefit_usage")
    op.drop_table("benefit_usage")
    op.drop_table("plan_versions")
    op.drop_index(
        "uq_network_links_open",
        table_name="network_links",
        postgresql_where="status in ('REQUESTED', 'ACTIVE')",
    )
    op.drop_index("ix_network_links_provider", table_name="network_links")
    op.drop_table("network_links")
    op.drop_index("ix_enrollees_principal", table_name="enrollees")
    op.drop_index("ix_enrollees_client_name", table_name="enrollees")
    op.drop_table("enrollees")
    op.drop_index("ix_providers_type_state", table_name="providers")
    op.drop_table("providers")
    op.drop_table("plans")
    op.drop_table("clients")
