"""Row-Level Security helpers that migrations call for each tenant table."""

from __future__ import annotations

from alembic import op

APP_ROLE = "vetra_app"
# Scalar subqueries: evaluated once per statement (an InitPlan), where the bare call would
# be inlined and evaluated for every row read.
TENANT = "(SELECT app_tenant_id())"
LOOKUP = "(SELECT app_auth_lookup())"


def enable_tenant_rls(
    table: str, *, lookup_column: str | None = None, shared_with: str | None = None
) -> None:
    """Only rows of the transaction's tenant are visible or writable.

    `lookup_column` also lets a transaction see the single row whose secret-derived
    value it set in `app.auth_lookup` (resolving a session token or API key before the
    tenant is known). `shared_with` names a second tenant column whose tenant may also
    read and write the row (a network link belongs to the HMO and to the provider).
    """
    owner = f"tenant_id = {TENANT}"
    if shared_with:
        owner = f"({owner} OR {shared_with} = {TENANT})"
    visible = f"({owner} OR {lookup_column} = {LOOKUP})" if lookup_column else owner
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY tenant_isolation ON {table} USING ({visible}) WITH CHECK ({owner})")


def make_append_only(table: str) -> None:
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION refuse_change()"
    )
