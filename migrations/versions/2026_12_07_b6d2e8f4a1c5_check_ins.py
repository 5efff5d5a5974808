"""check-ins

Revision ID: b6d2e8f4a1c5
Revises: a3f1c7e9b2d4
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import enable_tenant_rls

revision: str = "b6d2e8f4a1c5"
down_revision: str | None = "a3f1c7e9b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_ins",
        sa.Column("enrollee_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.String(length=48), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("provider_tenant_id", sa.Uuid(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("benefit_category", sa.String(length=40), nullable=True),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["providers.id"], name=op.f("fk_check_ins_provider_id_providers")
        ),
        sa.ForeignKeyConstraint(
            ["provider_tenant_id"],
            ["tenants.id"],
            name=op.f("fk_check_ins_provider_tenant_id_tenants"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "enrollee_id"],
            ["enrollees.tenant_id", "enrollees.id"],
            name=op.f("fk_check_ins_tenant_id_enrollee_id_enrollees"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_check_ins_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_check_ins_tenant_id_id")),
    )
    # The enrollee portal's visit history: a family's visits by date.
    op.create_index(
        "ix_check_ins_enrollee_date", "check_ins", ["tenant_id", "enrollee_id", "visit_date"]
    )
    # A provider's own check-ins across the HMOs it works with, newest first.
    op.create_index("ix_check_ins_provider_tenant", "check_ins", ["provider_tenant_id", "id"])
    enable_tenant_rls("check_ins", shared_with="provider_tenant_id")


def downgrade() -> None:
    op.drop_index("ix_check_ins_provider_tenant", table_name="check_ins")
    op.drop_index("ix_check_ins_enrollee_date", table_name="check_ins")
    op.drop_table("check_ins")
