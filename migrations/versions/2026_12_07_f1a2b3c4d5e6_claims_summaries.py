"""exact summaries of incurred claims, coverage and open flags (loss ratio, dashboard,
premium exposure)

- `incurred_days`: the approved amounts of the claims APPROVED or SETTLED, per service
  day, the member's (current) client and plan, and currency, with how many claims.
- `member_spans`: each member's ACTIVE spans [lo, hi) as premium exposure reads them
  (`core_api.plans.premiums`), with the member's current client, plan and relationship
  and the end of its previous ACTIVE span (`prev_hi`); `coverage_cohorts` counts the
  members per identical span (what exposure prices).
- `open_flags`: the risk events whose outcome is `open` as fraud-anomaly reads it.

Kept in the transaction of the change by statement triggers with transition tables,
whose deltas are upserted in key order (two transactions lock summary rows in the same
order, so they never deadlock on them): claims -> incurred_days; enrollees (client, plan,
relationship, coverage start) -> member_spans and incurred_days; status changes ->
member_spans; member_spans -> coverage_cohorts; risk events, and the claims and PAs
that decide an outcome -> open_flags. `claims_summaries_rebuild(tenant)` recomputes them
all from the raw rows (the backfill here, the bench loader, the tests). The claims queue
index gains provider_tenant_id (the dashboard counts the queue from it alone).

Revision ID: f1a2b3c4d5e6
Revises: e7c1d3f5a9b2
Create Date: 2026-12-07 20:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

from migrations.rls import enable_tenant_rls

revision: str = "f1a2b3c4d5e6"
down_revision: str | None = "e7c1d3f5a9b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEVER = "'infinity'::date"  # a span still open
NONE_BEFORE = "'-infinity'::date"  # no previous span (a key column cannot be null)
INCURRED = "('APPROVED', 'SETTLED')"

TABLES = [
    """CREATE TABLE incurred_days (
    tenant_id uuid NOT NULL,
    service_date date NOT NULL,
    client_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    currency varchar(3) NOT NULL,
    claims integer NOT NULL,
    amount bigint NOT NULL,
    CONSTRAINT pk_incurred_days
        PRIMARY KEY (tenant_id, service_date, client_id, plan_id, currency)
)""",
    """CREATE TABLE member_spans (
    tenant_id uuid NOT NULL,
    enrollee_id uuid NOT NULL,
    lo date NOT NULL,
    hi date NOT NULL,
    prev_hi date NOT NULL,
    client_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    relationship varchar(32) NOT NULL,
    CONSTRAINT pk_member_spans PRIMARY KEY (tenant_id, enrollee_id, lo)
)""",
    """CREATE TABLE coverage_cohorts (
    tenant_id uuid NOT NULL,
    client_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    relationship varchar(32) NOT NULL,
    lo date NOT NULL,
    hi date NOT NULL,
    prev_hi date NOT NULL,
    members integer NOT NULL,
    CONSTRAINT pk_coverage_cohorts
        PRIMARY KEY (tenant_id, client_id, plan_id, relationship, lo, hi, prev_hi)
)""",
    """CREATE TABLE coverage_months (
    tenant_id uuid NOT NULL,
    client_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    relationship varchar(32) NOT NULL,
    month date NOT NULL,
    net integer NOT NULL,
    first_net integer NOT NULL,
    joined integer NOT NULL,
    later_days bigint NOT NULL,
    CONSTRAINT pk_coverage_months
        PRIMARY KEY (tenant_id, client_id, plan_id, relationship, month)
)""",
    """CREATE TABLE open_flags (
    tenant_id uuid NOT NULL,
    event_id uuid NOT NULL,
    on_claim boolean NOT NULL,
    currency varchar(3) NOT NULL,
    CONSTRAINT pk_open_flags PRIMARY KEY (tenant_id, event_id, on_claim)
)""",
]

# The ACTIVE spans of the members `ids` of `tenant`. A member
# who never left ACTIVE is covered from its coverage start on; the others' spans come
# from their history (a change holds until the next one, the latest recorded winning a
# tie), each with the end of the member's previous non-empty ACTIVE span.
SPANS_FUNCTION = f"""
CREATE FUNCTION member_spans_of(tenant uuid, ids uuid[])
RETURNS SETOF member_spans LANGUAGE sql STABLE AS $$
SELECT e.tenant_id, e.id, s.lo, s.hi, s.prev_hi, e.client_id, e.plan_id, e.relationship
FROM enrollees e
CROSS JOIN LATERAL (
    SELECT e.coverage_start AS lo, {NEVER} AS hi, {NONE_BEFORE} AS prev_hi
    WHERE NOT EXISTS (
        SELECT FROM enrollee_status_changes c
        WHERE c.tenant_id = e.tenant_id AND c.enrollee_id = e.id AND c.status <> 'ACTIVE'
    )
    UNION ALL
    SELECT h.lo, h.hi, coalesce(lag(h.hi) OVER (ORDER BY h.lo), {NONE_BEFORE})
    FROM (
        SELECT c.status, c.effective_date AS lo,
            coalesce(
                lead(c.effective_date) OVER (ORDER BY c.effective_date, c.created_at), {NEVER}
            ) AS hi
        FROM enrollee_status_changes c
        WHERE c.tenant_id = e.tenant_id AND c.enrollee_id = e.id
    ) h
    WHERE h.status = 'ACTIVE' AND h.hi > h.lo AND EXISTS (
        SELECT FROM enrollee_status_changes c
        WHERE c.tenant_id = e.tenant_id AND c.enrollee_id = e.id AND c.status <> 'ACTIVE'
    )
) s
WHERE e.tenant_id = tenant AND e.id = ANY (ids)
$$"""

# The open flags among the risk events `ids` of `tenant`, by fraud-anomaly's rule: an
# event on a claim (its PA the one whose auth code the claim cites) and one on a PA (its
# claim the one that used the PA) are open unless cleared, or confirmed (the claim
# rejected, or a "Not me" report standing on the PA).
OPEN_FLAGS_FUNCTION = """
CREATE FUNCTION open_flags_of(tenant uuid, ids uuid[])
RETURNS SETOF open_flags LANGUAGE sql STABLE AS $$
SELECT e.tenant_id, e.id, true, c.currency
FROM risk_events e
CROSS JOIN LATERAL (
    SELECT c.status, c.currency, c.auth_code FROM claims c
    WHERE c.tenant_id = e.tenant_id AND c.id = e.claim_id LIMIT 1
) c
LEFT JOIN LATERAL (
    SELECT a.suspicious, a.hold_cleared_at FROM authorizations a
    WHERE a.tenant_id = e.tenant_id AND a.auth_code = c.auth_code LIMIT 1
) a ON true
WHERE e.tenant_id = tenant AND e.id = ANY (ids) AND e.cleared_at IS NULL
    AND (c.status = 'REJECTED' OR (a.suspicious AND a.hold_cleared_at IS NULL)) IS NOT TRUE
UNION ALL
SELECT e.tenant_id, e.id, false, a.currency
FROM risk_events e
CROSS JOIN LATERAL (
    SELECT a.currency, a.used_by_claim_id, a.suspicious, a.hold_cleared_at
    FROM authorizations a
    WHERE a.tenant_id = e.tenant_id AND a.id = e.authorization_id LIMIT 1
) a
LEFT JOIN LATERAL (
    SELECT c.status FROM claims c
    WHERE c.tenant_id = e.tenant_id AND c.id = a.used_by_claim_id LIMIT 1
) c ON true
WHERE e.tenant_id = tenant AND e.id = ANY (ids) AND e.cleared_at IS NULL
    AND (c.status = 'REJECTED' OR (a.suspicious AND a.hold_cleared_at IS NULL)) IS NOT TRUE
$$"""

# `{table}` computed again for the rows of the things `ids` (`{key}`) of `tenants`: their
# rows deleted, then what `{table}_of` finds for them inserted.
REFRESH_FUNCTION = """
CREATE FUNCTION {table}_refresh(tenants uuid[], ids uuid[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tenant uuid;
BEGIN
    -- Locked in key order first: two transactions refreshing the same rows wait for each
    -- other rather than deadlock.
    PERFORM FROM {table} s
    JOIN unnest(tenants, ids) AS m(tenant_id, id) ON s.tenant_id = m.tenant_id AND s.{key} = m.id
    ORDER BY s.tenant_id, s.{key}
    FOR UPDATE OF s;
    DELETE FROM {table} s
    USING unnest(tenants, ids) AS m(tenant_id, id)
    WHERE s.tenant_id = m.tenant_id AND s.{key} = m.id;
    FOR tenant IN SELECT DISTINCT t FROM unnest(tenants) t ORDER BY 1 LOOP
        INSERT INTO {table}
        SELECT * FROM {table}_of(
            tenant, ARRAY(SELECT i FROM unnest(tenants, ids) AS m(t, i) WHERE m.t = tenant)
        )
        ORDER BY 1, 2, 3;
    END LOOP;
END $$"""
REFRESHED = {"member_spans": "enrollee_id", "open_flags": "event_id"}

# Upserts a delta (`{delta}`: tenant_id, service_date, client_id, plan_id, currency, sign,
# amount) into incurred_days in key order; then drops the cells left with no claim (a
# statement of its own: a statement does not see what its own CTEs wrote).
INCURRED_APPLY = """
INSERT INTO incurred_days AS s
SELECT tenant_id, service_date, client_id, plan_id, currency,
    sum(sign)::integer AS claims, sum(sign * amount) AS amount
FROM ({delta}) d
GROUP BY 1, 2, 3, 4, 5
HAVING sum(sign) <> 0 OR sum(sign * amount) <> 0
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (tenant_id, service_date, client_id, plan_id, currency) DO UPDATE
SET claims = s.claims + excluded.claims, amount = s.amount + excluded.amount"""
# Only after an upsert that wrote a row (FOUND): most statements change no sum.
INCURRED_EMPTIED = "IF FOUND THEN DELETE FROM incurred_days WHERE claims = 0; END IF"

CLAIM_DELTA = f"""
SELECT c.tenant_id, c.service_date, e.client_id, e.plan_id, c.currency,
    {{sign}} AS sign, c.total_approved AS amount
FROM {{rows}} c
CROSS JOIN LATERAL (
    SELECT e.client_id, e.plan_id FROM enrollees e
    WHERE e.tenant_id = c.tenant_id AND e.id = c.enrollee_id LIMIT 1
) e
WHERE c.status IN {INCURRED}"""

# An enrollee moved to another client or plan takes its incurred claims along.
MOVED_DELTA = f"""
SELECT c.tenant_id, c.service_date, e.client_id, e.plan_id, c.currency,
    {{sign}} AS sign, c.total_approved AS amount
FROM {{rows}} e
JOIN new_rows n ON n.id = e.id
JOIN old_rows o ON o.id = e.id AND (o.client_id, o.plan_id) <> (n.client_id, n.plan_id)
CROSS JOIN LATERAL (
    SELECT c.tenant_id, c.service_date, c.currency, c.total_approved FROM claims c
    WHERE c.tenant_id = e.tenant_id AND c.enrollee_id = e.id AND c.status IN {INCURRED}
) c"""

COHORT_DELTA = """
SELECT tenant_id, client_id, plan_id, relationship, lo, hi, prev_hi, {sign} AS sign
FROM {rows}"""

COHORTS_APPLY = """
INSERT INTO coverage_cohorts AS s
SELECT tenant_id, client_id, plan_id, relationship, lo, hi, prev_hi,
    sum(sign)::integer AS members
FROM ({delta}) d
GROUP BY 1, 2, 3, 4, 5, 6, 7
HAVING sum(sign) <> 0
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT (tenant_id, client_id, plan_id, relationship, lo, hi, prev_hi) DO UPDATE
SET members = s.members + excluded.members"""
COHORTS_EMPTIED = "IF FOUND THEN DELETE FROM coverage_cohorts WHERE members = 0; END IF"

# Per month, what the spans beginning and ending in it change: `net` members covered
# (+ for a span begun, - for one ended; an open span never ends), `first_net` the change on
# its first day, `joined` the members a span begun after that day brings who were not
# covered earlier in the month, `later_days` the days the changes after that day add to
# the month (each from its day to the month's end).
MONTH_OF = "date_trunc('month', {day}::timestamp)::date"
NEXT_MONTH = "(date_trunc('month', {day}::timestamp) + interval '1 month')::date"
MONTHS_APPLY = f"""
INSERT INTO coverage_months AS s
SELECT tenant_id, client_id, plan_id, relationship, month, sum(net)::integer,
    sum(first_net)::integer, sum(joined)::integer, sum(later_days)
FROM (
    SELECT tenant_id, client_id, plan_id, relationship, {MONTH_OF.format(day="lo")} AS month,
        sign AS net,
        CASE WHEN lo = {MONTH_OF.format(day="lo")} THEN sign ELSE 0 END AS first_net,
        CASE WHEN lo > {MONTH_OF.format(day="lo")} AND prev_hi <= {MONTH_OF.format(day="lo")}
            THEN sign ELSE 0 END AS joined,
        CASE WHEN lo > {MONTH_OF.format(day="lo")}
            THEN sign * ({NEXT_MONTH.format(day="lo")} - lo) ELSE 0 END AS later_days
    FROM ({{delta}}) d
    UNION ALL
    SELECT tenant_id, client_id, plan_id, relationship, {MONTH_OF.format(day="hi")}, -sign,
        CASE WHEN hi = {MONTH_OF.format(day="hi")} THEN -sign ELSE 0 END, 0,
        CASE WHEN hi > {MONTH_OF.format(day="hi")}
            THEN -sign * ({NEXT_MONTH.format(day="hi")} - hi) ELSE 0 END
    FROM ({{delta}}) d WHERE hi <> {NEVER}
) changes
GROUP BY 1, 2, 3, 4, 5
HAVING (sum(net), sum(first_net), sum(joined), sum(later_days)) <> (0, 0, 0, 0)
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (tenant_id, client_id, plan_id, relationship, month) DO UPDATE
SET net = s.net + excluded.net, first_net = s.first_net + excluded.first_net,
    joined = s.joined + excluded.joined, later_days = s.later_days + excluded.later_days"""
MONTHS_NOTHING = "net = 0 AND first_net = 0 AND joined = 0 AND later_days = 0"
MONTHS_EMPTIED = f"IF FOUND THEN DELETE FROM coverage_months WHERE {MONTHS_NOTHING}; END IF"

# The things a statement touched (`{rows}` a transition table, `{id}` its column naming
# them), whose rows of `{table}` are computed again.
REFRESH = """
PERFORM {table}_refresh(tenants, ids)
FROM (
    SELECT array_agg(tenant_id) AS tenants, array_agg(id) AS ids
    FROM (SELECT DISTINCT tenant_id, id FROM ({members}) m) touched
) found
WHERE tenants IS NOT NULL"""
TOUCHED = "SELECT tenant_id, {id} AS id FROM {rows}"
# Only the columns the spans carry: an enrollee's other updates (its status, its
# address) leave them as they are.
RESHAPED = """
SELECT n.tenant_id, n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
WHERE (n.client_id, n.plan_id, n.relationship, n.coverage_start)
    <> (o.client_id, o.plan_id, o.relationship, o.coverage_start)"""
# The flags whose outcome a claim's change may turn: those on the claim, and on the PA it
# used, when the claim is rejected (or no longer), or changes currency or auth code.
CLAIM_FLAGS = """
SELECT r.tenant_id, r.id FROM new_rows n JOIN old_rows o ON o.id = n.id
CROSS JOIN LATERAL (
    SELECT r.tenant_id, r.id FROM risk_events r
    WHERE r.tenant_id = n.tenant_id AND r.claim_id = n.id
    UNION ALL
    SELECT r.tenant_id, r.id FROM authorizations a
    JOIN risk_events r ON r.tenant_id = a.tenant_id AND r.authorization_id = a.id
    WHERE a.tenant_id = n.tenant_id AND a.used_by_claim_id = n.id
) r
WHERE (n.status = 'REJECTED') <> (o.status = 'REJECTED') OR n.currency <> o.currency
    OR n.auth_code IS DISTINCT FROM o.auth_code"""
# ... and a PA's: those on the PA, and on the claims citing its auth code.
PA_FLAGS = """
SELECT r.tenant_id, r.id FROM new_rows n JOIN old_rows o ON o.id = n.id
CROSS JOIN LATERAL (
    SELECT r.tenant_id, r.id FROM risk_events r
    WHERE r.tenant_id = n.tenant_id AND r.authorization_id = n.id
    UNION ALL
    SELECT r.tenant_id, r.id FROM claims c
    JOIN risk_events r ON r.tenant_id = c.tenant_id AND r.claim_id = c.id
    WHERE c.tenant_id = n.tenant_id AND c.auth_code IN (n.auth_code, o.auth_code)
) r
WHERE (n.suspicious, n.hold_cleared_at, n.used_by_claim_id, n.currency, n.auth_code)
    IS DISTINCT FROM
    (o.suspicious, o.hold_cleared_at, o.used_by_claim_id, o.currency, o.auth_code)"""

SIGNED = {
    "INSERT": [("new_rows", "1")],
    "DELETE": [("old_rows", "-1")],
    "UPDATE": [("new_rows", "1"), ("old_rows", "-1")],
}


def _signed(delta: str, operation: str) -> str:
    """`delta` over the statement's transition tables: new rows added, old ones taken away."""
    return " UNION ALL ".join(
        delta.format(rows=rows, sign=sign) for rows, sign in SIGNED[operation]
    )


def _touched(table: str, operation: str, id_column: str) -> str:
    return REFRESH.format(
        table=table,
        members=" UNION ALL ".join(
            TOUCHED.format(id=id_column, rows=rows) for rows, _ in SIGNED[operation]
        ),
    )


def _trigger_function(name: str, statements: dict[str, list[str]]) -> str:
    """A trigger function running the statements of the statement's TG_OP (static ones,
    planned once per session)."""
    branches = "\nELS".join(
        f"IF TG_OP = '{operation}' THEN\n" + ";\n".join(each) + ";"
        for operation, each in statements.items()
    )
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
        f"{branches}\nEND IF;\nRETURN NULL;\nEND $$"
    )


def _triggers(table: str, function: str, operations: Sequence[str]) -> list[str]:
    """A statement trigger per operation (one with transition tables takes only one)."""
    made = []
    for operation in operations:
        tables = " ".join(
            f"{'NEW' if rows == 'new_rows' else 'OLD'} TABLE AS {rows}"
            for rows, _ in SIGNED[operation]
        )
        made.append(
            f"CREATE TRIGGER {function}_{operation.lower()} AFTER {operation} ON {table} "
            f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    return made


def _incurred(delta: str) -> list[str]:
    return [INCURRED_APPLY.format(delta=delta), INCURRED_EMPTIED]


def _functions() -> list[str]:
    every = list(SIGNED)
    return [
        _trigger_function(
            "incurred_days_track",
            {op_: _incurred(_signed(CLAIM_DELTA, op_)) for op_ in every},
        ),
        _trigger_function(
            "coverage_cohorts_track",
            {
                op_: [
                    COHORTS_APPLY.format(delta=_signed(COHORT_DELTA, op_)),
                    COHORTS_EMPTIED,
                    MONTHS_APPLY.format(delta=_signed(COHORT_DELTA, op_)),
                    MONTHS_EMPTIED,
                ]
                for op_ in every
            },
        ),
        _trigger_function(
            "member_spans_track_history",
            {op_: [_touched("member_spans", op_, "enrollee_id")] for op_ in every},
        ),
        _trigger_function(
            "member_spans_track_members",
            {
                "INSERT": [_touched("member_spans", "INSERT", "id")],
                "DELETE": [_touched("member_spans", "DELETE", "id")],
                "UPDATE": [
                    REFRESH.format(table="member_spans", members=RESHAPED),
                    *_incurred(_signed(MOVED_DELTA, "UPDATE")),
                ],
            },
        ),
        _trigger_function(
            "open_flags_track_events",
            {op_: [_touched("open_flags", op_, "id")] for op_ in every},
        ),
        _trigger_function(
            "open_flags_track_claims",
            {"UPDATE": [REFRESH.format(table="open_flags", members=CLAIM_FLAGS)]},
        ),
        _trigger_function(
            "open_flags_track_authorizations",
            {"UPDATE": [REFRESH.format(table="open_flags", members=PA_FLAGS)]},
        ),
    ]


TRIGGERS = [
    *_triggers("claims", "incurred_days_track", list(SIGNED)),
    *_triggers("member_spans", "coverage_cohorts_track", ["INSERT", "DELETE"]),
    *_triggers("enrollee_status_changes", "member_spans_track_history", list(SIGNED)),
    *_triggers("enrollees", "member_spans_track_members", list(SIGNED)),
    *_triggers("risk_events", "open_flags_track_events", list(SIGNED)),
    *_triggers("claims", "open_flags_track_claims", ["UPDATE"]),
    *_triggers("authorizations", "open_flags_track_authorizations", ["UPDATE"]),
]

ALL_SPANS = """
SELECT tenant_id, client_id, plan_id, relationship, lo, hi, prev_hi, 1 AS sign
FROM member_spans WHERE tenant_id = tenant"""
REBUILD_FUNCTION = f"""
CREATE FUNCTION claims_summaries_rebuild(tenant uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM incurred_days WHERE tenant_id = tenant;
    INSERT INTO incurred_days
    SELECT c.tenant_id, c.service_date, e.client_id, e.plan_id, c.currency,
        count(*), sum(c.total_approved)
    FROM claims c JOIN enrollees e ON e.tenant_id = c.tenant_id AND e.id = c.enrollee_id
    WHERE c.tenant_id = tenant AND c.status IN {INCURRED}
    GROUP BY 1, 2, 3, 4, 5;
    DELETE FROM member_spans WHERE tenant_id = tenant;
    INSERT INTO member_spans SELECT * FROM member_spans_of(
        tenant, ARRAY(SELECT id FROM enrollees WHERE tenant_id = tenant)
    );
    -- Counted again from the spans (their trigger does not fire in a bulk load that
    -- skips triggers).
    DELETE FROM coverage_cohorts WHERE tenant_id = tenant;
    INSERT INTO coverage_cohorts
    SELECT tenant_id, client_id, plan_id, relationship, lo, hi, prev_hi, count(*)
    FROM member_spans WHERE tenant_id = tenant
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
    DELETE FROM coverage_months WHERE tenant_id = tenant;
    {MONTHS_APPLY.format(delta=ALL_SPANS)};
    DELETE FROM open_flags WHERE tenant_id = tenant;
    INSERT INTO open_flags SELECT * FROM open_flags_of(
        tenant, ARRAY(SELECT id FROM risk_events WHERE tenant_id = tenant)
    );
END $$"""

SUMMARIES = ("incurred_days", "member_spans", "coverage_cohorts", "coverage_months", "open_flags")
FUNCTIONS = (
    "claims_summaries_rebuild(uuid)",
    "open_flags_track_authorizations()",
    "open_flags_track_claims()",
    "open_flags_track_events()",
    "open_flags_refresh(uuid[], uuid[])",
    "open_flags_of(uuid, uuid[])",
    "member_spans_track_members()",
    "member_spans_track_history()",
    "coverage_cohorts_track()",
    "incurred_days_track()",
    "member_spans_refresh(uuid[], uuid[])",
    "member_spans_of(uuid, uuid[])",
)
# What the open-flags triggers look up: a PA's flags, the PA a claim used, the claims
# citing an auth code.
LOOKUPS = (
    ("ix_risk_events_authorization", "risk_events", "authorization_id"),
    ("ix_authorizations_used_by", "authorizations", "used_by_claim_id"),
    ("ix_claims_auth_code", "claims", "auth_code"),
)


QUEUED = "status in ('RECEIVED', 'IN_REVIEW', 'RESUBMITTED')"


def _queue_index(include: list[str]) -> None:
    op.drop_index("ix_claims_queue", table_name="claims")
    op.create_index(
        "ix_claims_queue",
        "claims",
        ["tenant_id", "queue_score", "id"],
        postgresql_include=include,
        postgresql_where=QUEUED,
    )


def upgrade() -> None:
    # The dashboard's queue depth from the index alone (row-level security reads
    # provider_tenant_id).
    _queue_index(["provider_tenant_id"])
    for statement in TABLES:
        op.execute(statement)
    for table in SUMMARIES:
        enable_tenant_rls(table)
    # Nearly always empty: what the triggers' clean-up looks for.
    op.execute(
        "CREATE INDEX ix_incurred_days_emptied ON incurred_days (tenant_id) WHERE claims = 0"
    )
    op.execute(
        "CREATE INDEX ix_coverage_cohorts_emptied ON coverage_cohorts (tenant_id) WHERE members = 0"
    )
    op.execute(
        "CREATE INDEX ix_coverage_months_emptied ON coverage_months (tenant_id)"
        f" WHERE {MONTHS_NOTHING}"
    )
    # The spans beginning, and ending, in some days (premium exposure's changes).
    op.create_index("ix_coverage_cohorts_lo", "coverage_cohorts", ["tenant_id", "lo"])
    op.create_index("ix_coverage_cohorts_hi", "coverage_cohorts", ["tenant_id", "hi"])
    # The dashboard's count of open flags.
    op.create_index("ix_open_flags_currency", "open_flags", ["tenant_id", "currency"])
    for name, table, column in LOOKUPS:
        op.create_index(
            name, table, ["tenant_id", column], postgresql_where=f"{column} IS NOT NULL"
        )
    refreshes = [REFRESH_FUNCTION.format(table=t, key=k) for t, k in REFRESHED.items()]
    for statement in (
        SPANS_FUNCTION,
        OPEN_FLAGS_FUNCTION,
        *refreshes,
        *_functions(),
        REBUILD_FUNCTION,
    ):
        op.execute(statement)
    for statement in TRIGGERS:
        op.execute(statement)
    op.execute("SELECT claims_summaries_rebuild(id) FROM tenants")


def downgrade() -> None:
    _queue_index([])
    for statement in TRIGGERS:
        name, table = statement.split()[2], statement.split()[6]
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    for table in reversed(SUMMARIES):
        op.execute(f"DROP TABLE {table}")
    for name, table, _ in LOOKUPS:
        op.drop_index(name, table_name=table)
