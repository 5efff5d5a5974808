"""clients covered since

Revision ID: c4e8a1d2b7f3
Revises: f99475e13214
Create Date: 2026-11-24 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e8a1d2b7f3"
down_revision: str | None = "f99475e13214"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A client's existing enrollees keep their coverage: the client is covered since the
# earliest of its enrollees' coverage starts and its own creation day.
BACKFILL = """
UPDATE clients c
   SET covered_since = LEAST(
         (c.created_at AT TIME ZONE 'UTC')::date,
         (SELECT min(e.coverage_start) FROM enrollees e
           WHERE e.tenant_id = c.tenant_id AND e.client_id = c.id))
"""


def upgrade() -> None:
    op.add_column("clients", sa.Column("covered_since", sa.Date(), nullable=True))
    # Every tenant's rows at once: Row-Level Security binds the owner too (FORCE), so it
    # is lifted for this transaction's backfill only.
    for table in ("clients", "enrollees"):
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(BACKFILL)
    for table in ("clients", "enrollees"):
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.alter_column("clients", "covered_since", nullable=False)


def downgrade() -> None:
    op.drop_column("clients", "covered_since")
