"""plan premiums

Revision ID: a3f1c7e9b2d4
Revises: e1b5a7c3d9f2
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3f1c7e9b2d4"
down_revision: str | None = "e1b5a7c3d9f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREMIUMS = ("premium_principal", "premium_spouse", "premium_child")
LOOKUP = "ix_enrollee_status_changes_lookup"
LEFT_ACTIVE = "ix_enrollee_status_changes_left_active"
CHANGES = "enrollee_status_changes"


def upgrade() -> None:
    # Existing versions had no premium: they earn 0 (the default exists only to fill them).
    for column in PREMIUMS:
        op.add_column(
            "plan_versions", sa.Column(column, sa.BigInteger(), nullable=False, server_default="0")
        )
        op.alter_column("plan_versions", column, server_default=None)
    op.create_check_constraint(
        op.f("ck_plan_versions_premiums_non_negative"),
        "plan_versions",
        " and ".join(f"{column} >= 0" for column in PREMIUMS),
    )
    # Exposure reads the histories of the members who left ACTIVE, whole and in order.
    op.drop_index(LOOKUP, table_name=CHANGES)
    op.create_index(
        LOOKUP,
        CHANGES,
        ["tenant_id", "enrollee_id", "effective_date", "created_at"],
        postgresql_include=["status"],
    )
    op.create_index(
        LEFT_ACTIVE,
        CHANGES,
        ["tenant_id", "enrollee_id", "effective_date"],
        postgresql_where=sa.text("status <> 'ACTIVE'"),
    )


def downgrade() -> None:
    op.drop_index(LEFT_ACTIVE, table_name=CHANGES)
    op.drop_index(LOOKUP, table_name=CHANGES)
    op.create_index(LOOKUP, CHANGES, ["tenant_id", "enrollee_id", "effective_date"])
    op.drop_constraint(op.f("ck_plan_versions_premiums_non_negative"), "plan_versions")
    for column in PREMIUMS:
        op.drop_column("plan_versions", column)
