"""plan premiums

Revision ID: a3f1c7e9b2d4
Revises: e1b5a7c3d9f2
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

revision: str = "a3f1c7e9b2d4"
down_revision: str | None = "e1b5a7c3d9f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
