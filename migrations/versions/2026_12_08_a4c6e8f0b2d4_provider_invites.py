"""invites without a role: a provider organisation's users have none

A provider's users invite colleagues; the invitee becomes a provider user, who holds the
provider's fixed permissions, so the invite names no role.

Revision ID: a4c6e8f0b2d4
Revises: f3c4d5e6f7a8
Create Date: 2026-12-07 23:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a4c6e8f0b2d4"
down_revision: str | None = "f3c4d5e6f7a8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("invites", "role_id", nullable=True)


def downgrade() -> None:
    op.execute("delete from invites where role_id is null")
    op.alter_column("invites", "role_id", nullable=False)
