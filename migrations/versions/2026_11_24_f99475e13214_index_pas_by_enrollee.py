"""index PAs by enrollee

Revision ID: f99475e13214
Revises: 7e3a9c15b2d8
Create Date: 2026-11-24 01:17:43.395210
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f99475e13214"
down_revision: str | None = "7e3a9c15b2d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The enrollee portal lists a family's PAs newest first (`GET /v1/me/authorizations`).
    op.create_index(
        "ix_authorizations_enrollee", "authorizations", ["tenant_id", "enrollee_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_authorizations_enrollee", table_name="authorizations")
