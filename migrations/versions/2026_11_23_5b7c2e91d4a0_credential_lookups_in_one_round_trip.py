"""credential and provider-link lookups in one round trip each

Revision ID: 5b7c2e91d4a0
Revises: 0d416b772595
Create Date: 2026-11-23 22:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b7c2e91d4a0"
down_revision: str | None = "0d416b772595"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every request resolves its credential before its tenant is known. Each function sets
# `app.auth_lookup` to the secret-derived key (so RLS shows just that row), reads it,
# clears the lookup and puts the row's tenant in force for the rest of the transaction:
# one round trip instead of four. The caller still compares the digest (an API key) or
# checks expiry (a session) and rolls the transaction back when they fail.
FIND_API_KEY = """
CREATE FUNCTION vetra_find_api_key(p_prefix text) RETURNS SETOF api_keys
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
  k api_keys;
BEGIN
  PERFORM set_config('app.auth_lookup', p_prefix, true);
  SELECT * INTO k FROM api_keys WHERE prefix = p_prefix;
  PERFORM set_config('app.auth_lookup', '', true);
  IF k.id IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config('app.tenant_id', k.tenant_id::text, true);
  RETURN NEXT k;
END $$"""

# A session with its user and the user's role permissions.
FIND_SESSION = """
CREATE FUNCTION vetra_find_session(p_digest text) RETURNS TABLE (
  session_id uuid, tenant_id uuid, last_seen_at timestamptz, expires_at timestamptz,
  revoked_at timestamptz, user_id uuid, email text, kind text, is_active boolean,
  client_id uuid, enrollee_id uuid, role_id uuid, role_permissions text[]
)
LANGUAGE plpgsql SET search_path = public AS $$
#variable_conflict use_column
DECLARE
  s auth_sessions;
BEGIN
  PERFORM set_config('app.auth_lookup', p_digest, true);
  SELECT * INTO s FROM auth_sessions WHERE token_hash = p_digest;
  PERFORM set_config('app.auth_lookup', '', true);
  IF s.id IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config('app.tenant_id', s.tenant_id::text, true);
  RETURN QUERY
    SELECT s.id, s.tenant_id, s.last_seen_at, s.expires_at, s.revoked_at, u.id,
           u.email::text, u.kind::text, u.is_active, u.client_id, u.enrollee_id, u.role_id,
           r.permissions
      FROM users u LEFT JOIN roles r ON r.id = u.role_id
     WHERE u.id = s.user_id;
END $$"""

# A provider organisation acting for an HMO (named by code or slug): its provider, its
# ACTIVE link with that HMO if any, and then the HMO's tenant in force.
ACT_FOR_HMO = """
CREATE FUNCTION vetra_act_for_hmo(p_org uuid, p_code text, p_slug text) RETURNS TABLE (
  provider_id uuid, provider_name text, hmo_tenant_id uuid
)
LANGUAGE plpgsql SET search_path = public AS $$
#variable_conflict use_column
DECLARE
  found record;
BEGIN
  SELECT p.id, p.name, l.tenant_id INTO found
    FROM providers p
    LEFT JOIN network_links l
      ON l.provider_id = p.id AND l.status = 'ACTIVE'
     AND l.tenant_id IN (
       SELECT t.id FROM tenants t
        WHERE t.kind = 'HMO' AND (t.code = p_code OR t.slug = p_slug))
   WHERE p.org_tenant_id = p_org
   LIMIT 1;
  IF found.id IS NULL THEN
    RETURN;
  END IF;
  IF found.tenant_id IS NOT NULL THEN
    PERFORM set_config('app.tenant_id', found.tenant_id::text, true);
  END IF;
  RETURN QUERY SELECT found.id, found.name::text, found.tenant_id;
END $$"""


def upgrade() -> None:
    op.execute(FIND_API_KEY)
    op.execute(FIND_SESSION)
    op.execute(ACT_FOR_HMO)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS vetra_act_for_hmo(uuid, text, text)")
    op.execute("DROP FUNCTION IF EXISTS vetra_find_session(text)")
    op.execute("DROP FUNCTION IF EXISTS vetra_find_api_key(text)")
