"""notification fan-out: batched reads per tenant, session-end signal

Revision ID: e1b5a7c3d9f2
Revises: c4e8a1d2b7f3
Create Date: 2026-11-25 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e1b5a7c3d9f2"
down_revision: str | None = "c4e8a1d2b7f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each process's notification hub reads the new rows of every woken user at once, across
# tenants. These functions are SECURITY INVOKER (they run as the app role, RLS applies):
# for each tenant named they put that tenant in force and read only its rows, exactly as
# one `tenant_transaction` per tenant would, in one round trip. The caller's tenant
# setting is put back at the end.
ROWS_AFTER = """
CREATE FUNCTION vetra_notifications_after(
  p_tenants uuid[], p_users uuid[], p_after bigint[], p_limit integer
) RETURNS SETOF notifications
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  caller_tenant text := current_setting('app.tenant_id', true);
  t uuid;
BEGIN
  FOR t IN SELECT DISTINCT x FROM unnest(p_tenants) AS x LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    RETURN QUERY
      SELECT n.*
        FROM unnest(p_tenants, p_users, p_after) AS w(tenant_id, user_id, after_seq)
        CROSS JOIN LATERAL (
          SELECT * FROM notifications m
           WHERE m.tenant_id = w.tenant_id AND m.user_id = w.user_id AND m.seq > w.after_seq
           ORDER BY m.seq LIMIT p_limit
        ) n
       WHERE w.tenant_id = t;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(caller_tenant, ''), true);
END $$"""

# What decides whether a session still stands, for the sessions with open streams.
SESSION_STATES = """
CREATE FUNCTION vetra_session_states(p_tenants uuid[], p_sessions uuid[])
RETURNS TABLE (
  session_id uuid, revoked_at timestamptz, expires_at timestamptz,
  last_seen_at timestamptz, is_active boolean
)
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  caller_tenant text := current_setting('app.tenant_id', true);
  t uuid;
BEGIN
  FOR t IN SELECT DISTINCT x FROM unnest(p_tenants) AS x LOOP
    PERFORM set_config('app.tenant_id', t::text, true);
    RETURN QUERY
      SELECT s.id, s.revoked_at, s.expires_at, s.last_seen_at, u.is_active
        FROM unnest(p_tenants, p_sessions) AS w(tenant_id, session_id)
        JOIN auth_sessions s ON s.tenant_id = w.tenant_id AND s.id = w.session_id
        JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
       WHERE w.tenant_id = t;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(caller_tenant, ''), true);
END $$"""

# A session revoked (logout, password change, deactivation, a reset) or deleted tells the
# hubs at commit, whichever code path did it, so its streams end at once.
SESSION_ENDED = """
CREATE FUNCTION vetra_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL) THEN
    PERFORM pg_notify('vetra_session_ended', OLD.id::text);
  END IF;
  RETURN NULL;
END $$"""
SESSION_ENDED_TRIGGER = """
CREATE TRIGGER auth_sessions_ended AFTER UPDATE OF revoked_at OR DELETE ON auth_sessions
FOR EACH ROW EXECUTE FUNCTION vetra_session_ended()"""


def upgrade() -> None:
    op.execute(ROWS_AFTER)
    op.execute(SESSION_STATES)
    op.execute(SESSION_ENDED)
    op.execute(SESSION_ENDED_TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS auth_sessions_ended ON auth_sessions")
    op.execute("DROP FUNCTION IF EXISTS vetra_session_ended()")
    op.execute("DROP FUNCTION IF EXISTS vetra_session_states(uuid[], uuid[])")
    op.execute(
        "DROP FUNCTION IF EXISTS vetra_notifications_after(uuid[], uuid[], bigint[], integer)"
    )
