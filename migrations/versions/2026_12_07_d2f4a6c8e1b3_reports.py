"""reports

Revision ID: d2f4a6c8e1b3
Revises: c9e3f5a7b2d6
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d2f4a6c8e1b3"
down_revision: str | None = "c9e3f5a7b2d6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_claim_events_queried",
        "claim_events",
        ["tenant_id", "claim_id"],
        unique=False,
        postgresql_where="to_status = 'QUERIED'",
    )
    op.create_index(
        "ix_claims_received",
        "claims",
        ["tenant_id", "received_at"],
        unique=False,
        postgresql_include=["provider_tenant_id"],
    )
    op.create_index(
        "ix_benefit_usage_spend",
        "benefit_usage",
        ["tenant_id", "enrollee_id", "service_date"],
        unique=False,
        postgresql_include=["category", "amount"],
        postgresql_where="amount > 0",
    )

    # claims-aging: the claims open at a moment, by month of decision (a plain column: an
    # expression index would not serve under row-level security).
    op.add_column(
        "claims",
        sa.Column(
            "decided_month",
            sa.Date(),
            sa.Computed(
                "coalesce((date_trunc('month', decided_at AT TIME ZONE 'UTC'))::date,"
                " 'infinity'::date)",
                persisted=True,
            ),
            nullable=False,
        ),
    )
    open_claim_facts = [
        "provider_tenant_id",
        "currency",
        "provider_id",
        "enrollee_id",
        "plan_version_id",
        "total_billed",
    ]
    op.create_index(
        "ix_claims_open_months",
        "claims",
        ["tenant_id", "decided_month", "received_at"],
        unique=False,
        postgresql_include=[*open_claim_facts, "decided_at"],
        postgresql_where="received_at IS NOT NULL",
    )
    op.create_index(
        "ix_claims_open_now",
        "claims",
        ["tenant_id", "received_at", "id"],
        unique=False,
        postgresql_include=[*open_claim_facts, "status", "number", "member_id"],
        postgresql_where="decided_at IS NULL AND received_at IS NOT NULL",
    )


def downgrade() -> None:
    op.drop_index("ix_claims_open_now", table_name="claims")
    op.drop_index("ix_claims_open_months", table_name="claims")
    op.drop_column("claims", "decided_month")
    op.drop_index("ix_benefit_usage_spend", table_name="benefit_usage")
    op.drop_index("ix_claims_received", table_name="claims")
    op.drop_index("ix_claim_events_queried", table_name="claim_events")
