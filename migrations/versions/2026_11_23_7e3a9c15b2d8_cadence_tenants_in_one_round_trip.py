"""cadence tenants in one round trip

Revision ID: 7e3a9c15b2d8
Revises: 5b7c2e91d4a0
Create Date: 2026-11-23 23:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7e3a9c15b2d8"
down_revision: str | None = "5b7c2e91d4a0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The settlement cadence job runs outside any request. Like `vetra_pa_due_tenants`, this
# walks the HMOs with each one's setting in force (RLS stays on), returns those with a
# cadence, and restores the caller's setting: one round trip per pass.
CADENCE_TENANTS = """
CREATE FUNCTION vetra_cadence_tenants() RETURNS TABLE (tenant_id uuid, cadence text)
LANGUAGE plpgsql SET search_path = public AS $$
#variable_conflict use_column
DECLARE
  caller_tenant text := current_setting('app.tenant_id', true);
  t uuid;
  c text;
BEGIN
  FOR t IN SELECT id FROM tenants WHERE kind = 'HMO' ORDER BY id LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    SELECT s.settlement_cadence INTO c FROM tenant_settings s WHERE s.tenant_id = t;
    IF c IS NOT NULL THEN
      tenant_id := t;
      cadence := c;
      RETURN NEXT;
    END IF;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(caller_tenant, ''), true);
END $$"""


def upgrade() -> None:
    op.execute(CADENCE_TENANTS)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS vetra_cadence_tenants()")
