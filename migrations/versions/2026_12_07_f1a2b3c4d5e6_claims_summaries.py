"""exact monthly summaries of claims and exposure (loss ratio, utilisation, dashboard)

Revision ID: f1a2b3c4d5e6
Revises: e7c1d3f5a9b2
Create Date: 2026-12-07 20:10:00.000000
"""

from collections.abc import Sequence

revision: str = "f1a2b3c4d5e6"
down_revision: str | None = "e7c1d3f5a9b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
