"""exact summaries for the utilisation report

- `utilisation_member_months`: what each member used per currency, month, provider and
  benefit category (`''`: the whole claims and visits, whatever their categories): claims,
  visits and approved cost, with the member's current client and plan and the provider's
  type.
- `utilisation_cells`: the same summed over members per scope (every provider, one
  provider or one provider type; every category or one), client, plan and month, and per
  `prev_month`, the member's previous month with use in the same scope (`-infinity`:
  none): the members with use in months a..b are those counted there whose previous month
  is before a, so distinct members over any run of whole months are a sum.

Kept by statement triggers on claims, claim_items, check_ins and enrollees in the
transaction of the change: the members a statement touched are worked out again from
their claims and visits (`utilisation_refresh`, a member's rows locked first), and what
their cells lose and gain is upserted in key order. `utilisation_summaries_rebuild(tenant)`
recomputes both from the raw rows (the backfill here, the bench loader, the tests).
The days of the months a period covers only in part are read from the claims and check-ins
by day (`ix_claims_service_date`, `ix_check_ins_visit_date`).

Revision ID: f3c4d5e6f7a8
Revises: f2b3c4d5e6f7
Create Date: 2026-12-07 23:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

from migrations.rls import enable_tenant_rls

revision: str = "f3c4d5e6f7a8"
down_revision: str | None = "f2b3c4d5e6f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INCURRED = "('APPROVED', 'SETTLED')"
MONTH_OF = "date_trunc('month', {day}::timestamp)::date"

TABLES = [
    """CREATE TABLE utilisation_member_months (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    enrollee_id uuid NOT NULL,
    currency varchar(3) NOT NULL,
    month date NOT NULL,
    provider_id uuid NOT NULL,
    category varchar(40) NOT NULL,
    client_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    provider_type varchar(32) NOT NULL,
    claims bigint NOT NULL,
    visits bigint NOT NULL,
    cost bigint NOT NULL,
    CONSTRAINT pk_utilisation_member_months
        PRIMARY KEY (tenant_id, enrollee_id, currency, month, provider_id, category)
)""",
    """CREATE TABLE utilisation_cells (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    currency varchar(3) NOT NULL,
    provider_id uuid NOT NULL,
    provider_type varchar(32) NOT NULL,
    category varchar(40) NOT NULL,
    client_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    month date NOT NULL,
    prev_month date NOT NULL,
    members integer NOT NULL,
    claims bigint NOT NULL,
    visits bigint NOT NULL,
    cost bigint NOT NULL,
    -- The sums in the key's index too: a scope's cells are read from it alone.
    CONSTRAINT pk_utilisation_cells PRIMARY KEY (
        tenant_id, currency, provider_id, provider_type, category, client_id, plan_id,
        month, prev_month
    ) INCLUDE (members, claims, visits, cost)
)""",
]

# What the members of `{members}` (tenant_id, id, client_id, plan_id) used, as
# utilisation_member_months rows: each claim not rejected (its currency) once whole and
# once per category of its lines, with the approved amounts of a claim APPROVED or
# SETTLED; each eligible check-in (the currency of the member's plan) whole and under its
# category (`unspecified` when it named none).
ROWS_OF = f"""
SELECT m.tenant_id, m.id, x.currency, x.month, x.provider_id, x.category,
    m.client_id, m.plan_id, p.type::text, sum(x.claims), sum(x.visits), sum(x.cost)
FROM ({{members}}) m
CROSS JOIN LATERAL (
    SELECT c.currency, {MONTH_OF.format(day="c.service_date")} AS month, c.provider_id,
        k.category, 1 AS claims, 0 AS visits, k.cost
    FROM claims c
    CROSS JOIN LATERAL (
        SELECT ''::varchar AS category,
            CASE WHEN c.status IN {INCURRED} THEN c.total_approved ELSE 0 END AS cost
        UNION ALL
        SELECT i.category, sum(
            CASE WHEN c.status IN {INCURRED} THEN coalesce(i.approved_amount, 0) ELSE 0 END
        )
        FROM claim_items i WHERE i.tenant_id = c.tenant_id AND i.claim_id = c.id
        GROUP BY i.category
    ) k
    WHERE c.tenant_id = m.tenant_id AND c.enrollee_id = m.id AND c.status <> 'REJECTED'
    UNION ALL
    SELECT pl.currency, {MONTH_OF.format(day="v.visit_date")}, v.provider_id, k.category, 0, 1, 0
    FROM check_ins v
    JOIN plans pl ON pl.tenant_id = m.tenant_id AND pl.id = m.plan_id
    CROSS JOIN LATERAL (
        VALUES (''::varchar), (coalesce(v.benefit_category, 'unspecified'))
    ) k (category)
    WHERE v.tenant_id = m.tenant_id AND v.enrollee_id = m.id AND v.eligible
) x
JOIN providers p ON p.id = x.provider_id
GROUP BY m.tenant_id, m.id, x.currency, x.month, x.provider_id, x.category,
    m.client_id, m.plan_id, p.type"""

# Member rows (`{rows}`, with a `sign`) as what they add to (1) or take from (-1) the
# cells: per member, scope and month, with the member's previous month in the scope.
CELLS_APPLY = """
INSERT INTO utilisation_cells AS s
SELECT tenant_id, currency, provider_id, provider_type, category, client_id, plan_id,
    month, prev_month, sum(sign), sum(sign * claims), sum(sign * visits), sum(sign * cost)
FROM (
    SELECT *, coalesce(lag(month) OVER (
        PARTITION BY sign, tenant_id, enrollee_id, currency, provider_id, provider_type,
            category
        ORDER BY month
    ), '-infinity') AS prev_month
    FROM (
        SELECT r.sign, r.tenant_id, r.enrollee_id, r.currency, k.provider_id,
            k.provider_type, r.category, r.client_id, r.plan_id, r.month,
            sum(r.claims) AS claims, sum(r.visits) AS visits, sum(r.cost) AS cost
        FROM ({rows}) r
        CROSS JOIN LATERAL (
            VALUES (uuid_nil(), ''::varchar), (r.provider_id, ''), (uuid_nil(), r.provider_type)
        ) k (provider_id, provider_type)
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ) by_scope
) d
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
HAVING (sum(sign), sum(sign * claims), sum(sign * visits), sum(sign * cost)) <> (0, 0, 0, 0)
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
ON CONFLICT (tenant_id, currency, provider_id, provider_type, category, client_id, plan_id,
    month, prev_month)
DO UPDATE SET members = s.members + excluded.members, claims = s.claims + excluded.claims,
    visits = s.visits + excluded.visits, cost = s.cost + excluded.cost"""

MEMBERS_OF = """
SELECT e.tenant_id, e.id, e.client_id, e.plan_id FROM enrollees e
WHERE e.tenant_id = tenant AND e.id = ANY (ids)"""
MINE = "tenant_id = tenant AND enrollee_id = ANY (ids)"

REFRESH_FUNCTION = f"""
CREATE FUNCTION utilisation_refresh(tenant uuid, ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    was utilisation_member_months[];
BEGIN
    -- One transaction at a time per member (in key order: never a deadlock between two):
    -- the second reads what the first committed.
    PERFORM pg_advisory_xact_lock(lock)
    FROM (
        SELECT DISTINCT hashtextextended('utilisation ' || tenant || ' ' || id, 0) AS lock
        FROM unnest(ids) id ORDER BY 1
    ) locks;
    was := ARRAY(SELECT s FROM utilisation_member_months s WHERE {MINE});
    DELETE FROM utilisation_member_months WHERE {MINE};
    INSERT INTO utilisation_member_months {ROWS_OF.format(members=MEMBERS_OF)};
    {
    CELLS_APPLY.format(
        rows=f'''
        SELECT -1 AS sign, * FROM unnest(was)
        UNION ALL
        SELECT 1, * FROM utilisation_member_months WHERE {MINE}'''
    )
};
    IF FOUND THEN
        DELETE FROM utilisation_cells WHERE tenant_id = tenant AND members = 0;
    END IF;
END $$"""

# The members `ids` of `tenants` refreshed, each tenant's under its own id (a provider's
# tenant writes claims and check-ins; the summaries are the HMO's).
TOUCH_FUNCTION = """
CREATE FUNCTION utilisation_touch(tenants uuid[], ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    caller text := current_setting('app.tenant_id', true);
    tenant uuid;
BEGIN
    FOR tenant IN SELECT DISTINCT t FROM unnest(tenants) t ORDER BY 1 LOOP
        PERFORM set_config('app.tenant_id', tenant::text, true);
        PERFORM utilisation_refresh(tenant, ARRAY(
            SELECT DISTINCT m.id FROM unnest(tenants, ids) AS m (t, id) WHERE m.t = tenant
        ));
    END LOOP;
    PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
END $$"""

# The (tenant_id, enrollee_id) a statement touched, per table and operation; an update
# only when it changed what the summaries read.
TOUCHED = {
    "claims": {
        "INSERT": "SELECT tenant_id, enrollee_id FROM new_rows WHERE status <> 'REJECTED'",
        "DELETE": "SELECT tenant_id, enrollee_id FROM old_rows WHERE status <> 'REJECTED'",
        "UPDATE": f"""
            SELECT t.tenant_id, t.enrollee_id
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.tenant_id, o.enrollee_id), (n.tenant_id, n.enrollee_id))
                t (tenant_id, enrollee_id)
            WHERE (o.status = 'REJECTED') <> (n.status = 'REJECTED')
                OR (o.status IN {INCURRED}) <> (n.status IN {INCURRED})
                OR (o.service_date, o.currency, o.provider_id, o.enrollee_id, o.total_approved)
                    IS DISTINCT FROM
                    (n.service_date, n.currency, n.provider_id, n.enrollee_id, n.total_approved)
        """,
    },
    "claim_items": {
        op_: f"""
            SELECT c.tenant_id, c.enrollee_id FROM ({lines}) i
            JOIN claims c ON c.tenant_id = i.tenant_id AND c.id = i.claim_id
            WHERE c.status <> 'REJECTED'
        """
        for op_, lines in {
            "INSERT": "SELECT tenant_id, claim_id FROM new_rows",
            "DELETE": "SELECT tenant_id, claim_id FROM old_rows",
            "UPDATE": """
                SELECT t.tenant_id, t.claim_id
                FROM old_rows o JOIN new_rows n ON n.id = o.id
                CROSS JOIN LATERAL (VALUES (o.tenant_id, o.claim_id), (n.tenant_id, n.claim_id))
                    t (tenant_id, claim_id)
                WHERE (o.claim_id, o.category, o.approved_amount)
                    IS DISTINCT FROM (n.claim_id, n.category, n.approved_amount)
            """,
        }.items()
    },
    "check_ins": {
        "INSERT": "SELECT tenant_id, enrollee_id FROM new_rows WHERE eligible",
        "DELETE": "SELECT tenant_id, enrollee_id FROM old_rows WHERE eligible",
        "UPDATE": """
            SELECT t.tenant_id, t.enrollee_id
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.tenant_id, o.enrollee_id), (n.tenant_id, n.enrollee_id))
                t (tenant_id, enrollee_id)
            WHERE (o.eligible, o.visit_date, o.provider_id, o.benefit_category, o.enrollee_id)
                IS DISTINCT FROM
                (n.eligible, n.visit_date, n.provider_id, n.benefit_category, n.enrollee_id)
        """,
    },
    # A member moved to another client or plan takes its use along; a deleted one's goes.
    "enrollees": {
        "DELETE": "SELECT tenant_id, id FROM old_rows",
        "UPDATE": """
            SELECT n.tenant_id, n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.client_id, o.plan_id) <> (n.client_id, n.plan_id)
        """,
    },
}
TRANSITION = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def _trigger_function(table: str) -> str:
    branches = "\nELS".join(
        f"IF TG_OP = '{operation}' THEN\n"
        f"    PERFORM utilisation_touch(tenants, ids) FROM (\n"
        f"        SELECT array_agg(tenant_id) AS tenants, array_agg(enrollee_id) AS ids\n"
        f"        FROM ({touched}) touched (tenant_id, enrollee_id)\n"
        f"    ) found WHERE tenants IS NOT NULL;"
        for operation, touched in TOUCHED[table].items()
    )
    return (
        f"CREATE FUNCTION utilisation_track_{table}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{branches}\nEND IF;\nRETURN NULL;\nEND $$"
    )


TRIGGERS = [
    f"CREATE TRIGGER utilisation_track_{table}_{operation.lower()} AFTER {operation} ON {table}"
    f" REFERENCING {TRANSITION[operation]}"
    f" FOR EACH STATEMENT EXECUTE FUNCTION utilisation_track_{table}()"
    for table, operations in TOUCHED.items()
    for operation in operations
]

ALL_MEMBERS = "SELECT tenant_id, id, client_id, plan_id FROM enrollees WHERE tenant_id = tenant"
REBUILD_FUNCTION = f"""
CREATE FUNCTION utilisation_summaries_rebuild(tenant uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM utilisation_member_months WHERE tenant_id = tenant;
    INSERT INTO utilisation_member_months {ROWS_OF.format(members=ALL_MEMBERS)};
    DELETE FROM utilisation_cells WHERE tenant_id = tenant;
    {
    CELLS_APPLY.format(
        rows='''
        SELECT 1 AS sign, * FROM utilisation_member_months WHERE tenant_id = tenant'''
    )
};
END $$"""

FUNCTIONS = (
    "utilisation_summaries_rebuild(uuid)",
    *(f"utilisation_track_{table}()" for table in TOUCHED),
    "utilisation_touch(uuid[], uuid[])",
    "utilisation_refresh(uuid, uuid[])",
)
SUMMARIES = ("utilisation_member_months", "utilisation_cells")
# Read or written by the backfill.
BACKFILLED = ("claims", "claim_items", "check_ins", "enrollees", "plans", *SUMMARIES)


def upgrade() -> None:
    # The claims served and the visits made in a few days: the months a period covers in
    # part.
    op.create_index("ix_claims_service_date", "claims", ["tenant_id", "service_date"])
    op.create_index("ix_check_ins_visit_date", "check_ins", ["tenant_id", "visit_date"])
    for statement in TABLES:
        op.execute(statement)
    for table in SUMMARIES:
        enable_tenant_rls(table)
    # Nearly always empty: what a refresh's clean-up looks for.
    op.execute(
        "CREATE INDEX ix_utilisation_cells_emptied ON utilisation_cells (tenant_id)"
        " WHERE members = 0"
    )
    for statement in (
        REFRESH_FUNCTION,
        TOUCH_FUNCTION,
        *(_trigger_function(table) for table in TOUCHED),
        REBUILD_FUNCTION,
        *TRIGGERS,
    ):
        op.execute(statement)
    # Every tenant's rows at once: Row-Level Security binds the owner too (FORCE), so it
    # is lifted for this transaction's backfill only.
    for table in BACKFILLED:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute("SELECT utilisation_summaries_rebuild(id) FROM tenants")
    for table in BACKFILLED:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    for statement in TRIGGERS:
        name, table = statement.split()[2], statement.split()[6]
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    for table in reversed(SUMMARIES):
        op.execute(f"DROP TABLE {table}")
    op.drop_index("ix_check_ins_visit_date", table_name="check_ins")
    op.drop_index("ix_claims_service_date", table_name="claims")
