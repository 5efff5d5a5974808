"""exact summaries for the provider-performance and settlement-summary reports

- Provider performance: each claim's figures by provider, client, plan and month
  submitted (`provider_claim_months`) and its turnaround in whole hours
  (`provider_turnaround_hours`).
- Settlement summary: approved claims' amounts by provider, day approved and day settled
  (`settlement_claim_days`), and days from approval to settlement in whole hours
  (`settlement_turnaround_hours`).

Kept by statement triggers on claims, claim_events and risk_events in the transaction of
the change (upserts in key order, so concurrent writers never deadlock on them), and
filled from the existing rows by `report_summaries_rebuild(tenant)`.

Revision ID: f2b3c4d5e6f7
Revises: f1a2b3c4d5e6
Create Date: 2026-12-07 20:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.rls import enable_tenant_rls

revision: str = "f2b3c4d5e6f7"
down_revision: str | None = "f1a2b3c4d5e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUMMARIES = (
    "provider_claim_months",
    "provider_turnaround_hours",
    "settlement_claim_days",
    "settlement_turnaround_hours",
)
# Read or written by the backfill.
BACKFILLED = ("claims", "enrollees", "plan_versions", "claim_events", "risk_events", *SUMMARIES)
FIGURES = ("claims", "billed", "approved_claims", "approved", "decided", "queried", "risk_events")

# The SQL that reads each claim of a relation (the transition tables, or the claims) as
# what it adds to the summaries: `%s` is the relation.
# The claims' columns the summaries read: an update that changes none of them counts nothing.
COUNTED = (
    "created_at",
    "decided_at",
    "settled_at",
    "status",
    "currency",
    "total_billed",
    "total_approved",
    "provider_id",
    "enrollee_id",
    "plan_version_id",
)
CHANGED = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in COUNTED)
FACTS = """
CREATE FUNCTION provider_facts_sql(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
  SELECT c.sign, c.tenant_id, c.currency, c.provider_id, e.client_id, v.plan_id,
    (date_trunc('month', c.created_at AT TIME ZONE 'UTC'))::date AS month,
    c.total_billed AS billed,
    c.status IN ('APPROVED', 'SETTLED') AS approved_claim,
    CASE WHEN c.status IN ('APPROVED', 'SETTLED') THEN c.total_approved ELSE 0 END AS approved,
    c.decided_at IS NOT NULL AS decided,
    EXISTS (SELECT FROM claim_events q WHERE q.tenant_id = c.tenant_id
            AND q.claim_id = c.id AND q.to_status = 'QUERIED') AS queried,
    (SELECT count(*) FROM risk_events r WHERE r.tenant_id = c.tenant_id
     AND r.claim_id = c.id) AS risk_events,
    round(extract(epoch FROM c.decided_at - c.created_at) / 3600)::int AS hours
  FROM %s c
  JOIN enrollees e ON e.tenant_id = c.tenant_id AND e.id = c.enrollee_id
  JOIN plan_versions v ON v.tenant_id = c.tenant_id AND v.id = c.plan_version_id
$q$, source)
$f$;

-- What the claims of `facts` (`provider_facts_sql`'s rows) count, each added (its `sign`
-- 1) or taken away (-1), in the order of the summaries' keys (concurrent writers lock
-- summary rows in one order).
CREATE FUNCTION provider_summaries_sql(facts text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$
SELECT ARRAY[
  format($q$
    INSERT INTO provider_claim_months AS s
    SELECT tenant_id, currency, provider_id, client_id, plan_id, month,
      sum(sign), sum(sign * billed), coalesce(sum(sign) FILTER (WHERE approved_claim), 0),
      sum(sign * approved), coalesce(sum(sign) FILTER (WHERE decided), 0),
      coalesce(sum(sign) FILTER (WHERE queried), 0), sum(sign * risk_events)
    FROM %1$s f
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (tenant_id, currency, month, provider_id, client_id, plan_id) DO UPDATE SET
      claims = s.claims + excluded.claims, billed = s.billed + excluded.billed,
      approved_claims = s.approved_claims + excluded.approved_claims,
      approved = s.approved + excluded.approved, decided = s.decided + excluded.decided,
      queried = s.queried + excluded.queried, risk_events = s.risk_events + excluded.risk_events
  $q$, facts),
  format($q$
    INSERT INTO provider_turnaround_hours AS s
    SELECT f.tenant_id, f.currency, scope.id, provider.id, span.whole_day,
      CASE WHEN span.whole_day THEN floor(f.hours / 24.0)::int * 24 ELSE f.hours END,
      f.month, sum(f.sign)
    FROM %1$s f
    CROSS JOIN LATERAL (VALUES (uuid_nil()), (f.client_id), (f.plan_id)) scope (id)
    CROSS JOIN LATERAL (VALUES (uuid_nil()), (f.provider_id)) provider (id)
    CROSS JOIN (VALUES (true), (false)) span (whole_day)
    WHERE f.hours IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (tenant_id, currency, scope_id, provider_id, whole_day, hours, month)
    DO UPDATE SET claims = s.claims + excluded.claims
  $q$, facts)
]
$f$;

-- Settlement: each approved claim's amount by provider, day approved and day settled
-- (`infinity` while not), and days from approval to settlement in whole hours by the
-- day (and the month) of settlement, for every provider together and each one.
CREATE FUNCTION settlement_summaries_sql(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$
SELECT ARRAY[
  format($q$
    INSERT INTO settlement_claim_days AS s
    SELECT tenant_id, currency, provider_id, (decided_at AT TIME ZONE 'UTC')::date,
      coalesce((settled_at AT TIME ZONE 'UTC')::date, 'infinity'),
      sum(sign), sum(sign * total_approved)
    FROM %1$s c
    WHERE status IN ('APPROVED', 'SETTLED') AND decided_at IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (tenant_id, currency, provider_id, approved_on, settled_on) DO UPDATE SET
      claims = s.claims + excluded.claims, amount = s.amount + excluded.amount
  $q$, source),
  format($q$
    INSERT INTO settlement_turnaround_hours AS s
    SELECT c.tenant_id, c.currency, provider.id, span.whole_month,
      CASE WHEN span.whole_month THEN date_trunc('month', c.settled_on)::date
           ELSE c.settled_on END,
      c.hours, sum(c.sign)
    FROM (
      SELECT sign, tenant_id, currency, provider_id,
        (settled_at AT TIME ZONE 'UTC')::date AS settled_on,
        round(extract(epoch FROM settled_at - decided_at) / 3600)::int AS hours
      FROM %1$s c0
      WHERE status IN ('APPROVED', 'SETTLED') AND decided_at IS NOT NULL
        AND settled_at IS NOT NULL
    ) c
    CROSS JOIN LATERAL (VALUES (uuid_nil()), (c.provider_id)) provider (id)
    CROSS JOIN (VALUES (true), (false)) span (whole_month)
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (tenant_id, currency, provider_id, whole_month, settled_on, hours)
    DO UPDATE SET claims = s.claims + excluded.claims
  $q$, source)
]
$f$;

-- Every statement that counts the claims of `source` in the reports' summaries.
CREATE FUNCTION report_claims_sql(source text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $f$
SELECT provider_summaries_sql(format('(%s)', provider_facts_sql(source)))
  || settlement_summaries_sql(source)
$f$;

CREATE FUNCTION uuid_nil() RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$f$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $f$;

-- An update counts only the claims whose counted columns changed (most updates move a
-- claim through the queue): taken away as they were, added as they are.
CREATE FUNCTION report_summaries_on_claims() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  caller text := current_setting('app.tenant_id', true);
  source text := CASE TG_OP
    WHEN 'INSERT' THEN '(SELECT 1 AS sign, * FROM new_claims)'
    WHEN 'DELETE' THEN '(SELECT -1 AS sign, * FROM old_claims)'
    ELSE '(SELECT -1 AS sign, * FROM old_claims UNION ALL SELECT 1, * FROM new_claims)'
  END;
  changed text := '';
  tenant uuid;
  statement text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF NOT EXISTS (
      SELECT FROM old_claims o JOIN new_claims n ON n.id = o.id WHERE {changed}
    ) THEN
      RETURN NULL;  -- nothing counted changed (a move in the queue, an assignment)
    END IF;
    changed := ' AND id IN (SELECT o.id FROM old_claims o JOIN new_claims n ON n.id = o.id'
      ' WHERE {changed})';
  END IF;
  FOR tenant IN EXECUTE format('SELECT DISTINCT tenant_id FROM %s c', source) LOOP
    PERFORM set_config('app.tenant_id', tenant::text, true);
    FOREACH statement IN ARRAY report_claims_sql(
      format('(SELECT * FROM %s c WHERE tenant_id = %L%s)', source, tenant, changed)
    ) LOOP
      EXECUTE statement;
    END LOOP;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
  RETURN NULL;
END
$f$;

-- A claim's flags count in its cell (as its claim stands).
CREATE FUNCTION provider_flags_sql(source text, sign int) RETURNS text LANGUAGE sql IMMUTABLE
AS $f$
SELECT format($q$
  INSERT INTO provider_claim_months AS s
  SELECT c.tenant_id, c.currency, c.provider_id, e.client_id, v.plan_id,
    (date_trunc('month', c.created_at AT TIME ZONE 'UTC'))::date, 0, 0, 0, 0, 0, 0,
    %2$s * count(*)
  FROM %1$s r
  JOIN claims c ON c.tenant_id = r.tenant_id AND c.id = r.claim_id
  JOIN enrollees e ON e.tenant_id = c.tenant_id AND e.id = c.enrollee_id
  JOIN plan_versions v ON v.tenant_id = c.tenant_id AND v.id = c.plan_version_id
  GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (tenant_id, currency, month, provider_id, client_id, plan_id) DO UPDATE SET
    risk_events = s.risk_events + excluded.risk_events
$q$, source, sign)
$f$;

CREATE FUNCTION provider_summaries_on_flags() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  caller text := current_setting('app.tenant_id', true);
  tenant uuid;
BEGIN
  IF TG_OP = 'INSERT' THEN
    FOR tenant IN SELECT DISTINCT tenant_id FROM new_flags WHERE claim_id IS NOT NULL LOOP
      PERFORM set_config('app.tenant_id', tenant::text, true);
      EXECUTE provider_flags_sql(
        format('(SELECT * FROM new_flags WHERE tenant_id = %L)', tenant), 1
      );
    END LOOP;
  ELSE
    FOR tenant IN SELECT DISTINCT tenant_id FROM old_flags WHERE claim_id IS NOT NULL LOOP
      PERFORM set_config('app.tenant_id', tenant::text, true);
      EXECUTE provider_flags_sql(
        format('(SELECT * FROM old_flags WHERE tenant_id = %L)', tenant), -1
      );
    END LOOP;
  END IF;
  PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
  RETURN NULL;
END
$f$;

-- A claim's first move to QUERIED counts in its cell.
CREATE FUNCTION provider_summaries_on_queries() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE
  caller text := current_setting('app.tenant_id', true);
  tenant uuid;
BEGIN
  FOR tenant IN SELECT DISTINCT tenant_id FROM new_events WHERE to_status = 'QUERIED' LOOP
    PERFORM set_config('app.tenant_id', tenant::text, true);
    INSERT INTO provider_claim_months AS s
    SELECT c.tenant_id, c.currency, c.provider_id, e.client_id, v.plan_id,
      (date_trunc('month', c.created_at AT TIME ZONE 'UTC'))::date, 0, 0, 0, 0, 0, count(*), 0
    FROM (
      SELECT n.claim_id FROM new_events n
      WHERE n.tenant_id = tenant AND n.to_status = 'QUERIED'
      GROUP BY n.claim_id
      HAVING count(*) = (SELECT count(*) FROM claim_events q WHERE q.tenant_id = tenant
                         AND q.claim_id = n.claim_id AND q.to_status = 'QUERIED')
    ) first_queried
    JOIN claims c ON c.tenant_id = tenant AND c.id = first_queried.claim_id
    JOIN enrollees e ON e.tenant_id = c.tenant_id AND e.id = c.enrollee_id
    JOIN plan_versions v ON v.tenant_id = c.tenant_id AND v.id = c.plan_version_id
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (tenant_id, currency, month, provider_id, client_id, plan_id) DO UPDATE SET
      queried = s.queried + excluded.queried;
  END LOOP;
  PERFORM set_config('app.tenant_id', coalesce(caller, ''), true);
  RETURN NULL;
END
$f$;

-- The summaries of a tenant recomputed from its claims (the migration's backfill, the
-- bench after its bulk load, and the tests' check of the triggers).
CREATE FUNCTION report_summaries_rebuild(tenant uuid) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
  claims text := format('(SELECT 1 AS sign, * FROM claims WHERE tenant_id = %L)', tenant);
  statement text;
BEGIN
  DELETE FROM provider_claim_months WHERE tenant_id = tenant;
  DELETE FROM provider_turnaround_hours WHERE tenant_id = tenant;
  DELETE FROM settlement_claim_days WHERE tenant_id = tenant;
  DELETE FROM settlement_turnaround_hours WHERE tenant_id = tenant;
  -- Each claim's facts worked out once for the provider summaries' two statements.
  EXECUTE 'CREATE TEMP TABLE rebuilt_facts AS ' || provider_facts_sql(claims);
  FOREACH statement IN ARRAY
    provider_summaries_sql('rebuilt_facts') || settlement_summaries_sql(claims)
  LOOP
    EXECUTE statement;
  END LOOP;
  DROP TABLE rebuilt_facts;
END
$f$;

-- Each claim submitted from `start` until `stop` read as the summaries count it (the days
-- of a month a report covers only in part).
CREATE FUNCTION provider_claim_facts(tenant uuid, start timestamptz, stop timestamptz)
RETURNS TABLE (
  sign int, tenant_id uuid, currency varchar, provider_id uuid, client_id uuid, plan_id uuid,
  month date, billed bigint, approved_claim boolean, approved bigint, decided boolean,
  queried boolean, risk_events bigint, hours int
) LANGUAGE plpgsql STABLE AS $f$
BEGIN
  RETURN QUERY EXECUTE provider_facts_sql(
    '(SELECT 1 AS sign, * FROM claims'
    ' WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3)'
  ) USING tenant, start, stop;
END
$f$;

CREATE TRIGGER report_summaries_claims_inserted AFTER INSERT ON claims
  REFERENCING NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION report_summaries_on_claims();

CREATE TRIGGER report_summaries_claims_updated AFTER UPDATE ON claims
  REFERENCING OLD TABLE AS old_claims NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION report_summaries_on_claims();

CREATE TRIGGER report_summaries_claims_deleted AFTER DELETE ON claims
  REFERENCING OLD TABLE AS old_claims
  FOR EACH STATEMENT EXECUTE FUNCTION report_summaries_on_claims();

CREATE TRIGGER provider_summaries_flags_inserted AFTER INSERT ON risk_events
  REFERENCING NEW TABLE AS new_flags
  FOR EACH STATEMENT EXECUTE FUNCTION provider_summaries_on_flags();

CREATE TRIGGER provider_summaries_flags_deleted AFTER DELETE ON risk_events
  REFERENCING OLD TABLE AS old_flags
  FOR EACH STATEMENT EXECUTE FUNCTION provider_summaries_on_flags();

CREATE TRIGGER provider_summaries_queries AFTER INSERT ON claim_events
  REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION provider_summaries_on_queries();
""".replace("{changed}", CHANGED)

DROP = """
DROP TRIGGER provider_summaries_queries ON claim_events;
DROP TRIGGER provider_summaries_flags_deleted ON risk_events;
DROP TRIGGER provider_summaries_flags_inserted ON risk_events;
DROP TRIGGER report_summaries_claims_deleted ON claims;
DROP TRIGGER report_summaries_claims_updated ON claims;
DROP TRIGGER report_summaries_claims_inserted ON claims;
DROP FUNCTION provider_claim_facts(uuid, timestamptz, timestamptz);
DROP FUNCTION report_summaries_rebuild(uuid);
DROP FUNCTION provider_summaries_on_queries();
DROP FUNCTION provider_summaries_on_flags();
DROP FUNCTION provider_flags_sql(text, int);
DROP FUNCTION report_summaries_on_claims();
DROP FUNCTION report_claims_sql(text);
DROP FUNCTION settlement_summaries_sql(text);
DROP FUNCTION provider_summaries_sql(text);
DROP FUNCTION uuid_nil();
DROP FUNCTION provider_facts_sql(text);
"""


def upgrade() -> None:
    op.create_index("ix_claims_created", "claims", ["tenant_id", "created_at"], unique=False)
    op.create_index(
        "ix_pa_events_appealed",
        "pa_events",
        ["tenant_id", "authorization_id"],
        unique=False,
        postgresql_where="action = 'appealed'",
    )
    op.create_table(
        "provider_claim_months",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in FIGURES),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint(
            "tenant_id", "currency", "month", "provider_id", "client_id", "plan_id"
        ),
    )
    op.create_table(
        "provider_turnaround_hours",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("scope_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("whole_day", sa.Boolean(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("claims", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        # The claims in the key's index too: a day's hours are read from it alone.
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "currency",
            "scope_id",
            "provider_id",
            "whole_day",
            "hours",
            "month",
            postgresql_include=["claims"],
        ),
    )
    op.create_table(
        "settlement_claim_days",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=False),
        sa.Column("claims", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint(
            "tenant_id", "currency", "provider_id", "approved_on", "settled_on"
        ),
    )
    op.create_table(
        "settlement_turnaround_hours",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("whole_month", sa.Boolean(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("claims", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint(
            "tenant_id", "currency", "provider_id", "whole_month", "settled_on", "hours"
        ),
    )
    for table in SUMMARIES:
        enable_tenant_rls(table)
    for statement in FACTS.split("\n\n"):  # one at a time: each is prepared
        op.execute(statement)
    # Every tenant's rows at once: Row-Level Security binds the owner too (FORCE), so it
    # is lifted for this transaction's backfill only.
    for table in BACKFILLED:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute("SELECT report_summaries_rebuild(id) FROM tenants")
    for table in BACKFILLED:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    for statement in filter(str.strip, DROP.split(";\n")):
        op.execute(statement)
    op.drop_table("settlement_turnaround_hours")
    op.drop_table("settlement_claim_days")
    op.drop_table("provider_turnaround_hours")
    op.drop_table("provider_claim_months")
    op.drop_index("ix_pa_events_appealed", table_name="pa_events")
    op.drop_index("ix_claims_created", table_name="claims")
