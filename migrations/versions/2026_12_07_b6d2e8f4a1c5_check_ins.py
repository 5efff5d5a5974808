"""check-ins

Revision ID: b6d2e8f4a1c5
Revises: a3f1c7e9b2d4
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

revision: str = "b6d2e8f4a1c5"
down_revision: str | None = "a3f1c7e9b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
