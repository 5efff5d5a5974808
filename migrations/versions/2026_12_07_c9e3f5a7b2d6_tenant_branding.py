"""tenant branding

Revision ID: c9e3f5a7b2d6
Revises: b6d2e8f4a1c5
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

revision: str = "c9e3f5a7b2d6"
down_revision: str | None = "b6d2e8f4a1c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
