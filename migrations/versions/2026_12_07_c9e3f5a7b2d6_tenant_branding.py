"""tenant branding

Revision ID: c9e3f5a7b2d6
Revises: b6d2e8f4a1c5
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.rls import enable_tenant_rls

revision: str = "c9e3f5a7b2d6"
down_revision: str | None = "b6d2e8f4a1c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BRANDING_COLUMNS = (
    ("display_name", 100),
    ("primary_colour", 7),
    ("support_email", 254),
    ("support_phone", 32),
)


def upgrade() -> None:
    for name, length in BRANDING_COLUMNS:
        op.add_column("tenant_settings", sa.Column(name, sa.String(length=length), nullable=True))
    op.create_table(
        "tenant_logos",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_tenant_logos_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_logos")),
    )
    enable_tenant_rls("tenant_logos")


def downgrade() -> None:
    op.drop_table("tenant_logos")
    for name, _ in reversed(BRANDING_COLUMNS):
        op.drop_column("tenant_settings", name)
