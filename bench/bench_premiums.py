"""How long `core_api.plans.premiums.exposure` takes over 12 months with 100,000 enrollees
(target: < 200 ms).

    python -m bench.bench_premiums [--enrollees 100000] [--months 12] [--rounds 9]

Uses the embedded PostgreSQL under `.data/bench-pg` (or DATABASE_URL's server) and a fresh
database migrated with alembic, dropped at the end; no services. As the database owner
(only a bench may: the API's rules are not what is measured) it writes an HMO with four
plans (the first with a new version in the middle of the range), twenty clients and the
enrollees: half principals, a fifth spouses, the rest children, coverage starting on any
day from two years before the range to ten months into it (the pessimistic case: joiners
on every day make a cohort each), 10 % suspended for a while and reactivated, 5 %
terminated. A
second HMO with a fifth as many enrollees shares the tables. Each round computes the
months as the core does (its role, Row-Level Security, one transaction) and prints the
time and the PostgreSQL backend's CPU time. The check: each month's members and member
days equal a plain count over the members' ACTIVE spans.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
import uuid
from datetime import date, timedelta

import asyncpg
from sqlalchemy import func, select

from bench.stack import admin_sql, run_bench, with_database
from core_api.db import create_engine, session_factory, tenant_transaction
from core_api.plans.premiums import Exposure, exposure
from scripts.db import migrate
from scripts.run import open_database
from shared.embedded_pg import DEFAULT_DATA_DIR

TARGET_MS = 200
HMO = uuid.UUID("00000001-0000-7000-8000-000000000001")
OTHER_HMO = uuid.UUID("00000001-0000-7000-8000-000000000002")

# As the database owner, in order; `params` holds the range's first day, the day the
# first plan's second version begins and the number of enrollees of the HMO measured.
PARAMS = (
    "create temporary table params as select $1::date as first, $2::date as v2, $3::int as size"
)
WRITE = (
    # Ids that grow in insertion order, as the app's uuid7 do.
    """create function pg_temp.id(kind int, n bigint) returns uuid language sql immutable as
    $$ select (lpad(to_hex(kind), 8, '0') || '-0000-7000-8000-'
               || lpad(to_hex(n), 12, '0'))::uuid $$""",
    """insert into tenants (id, slug, name, code, kind, created_at)
    select pg_temp.id(1, t), 'bench-' || t, 'Bench ' || t, 'BN' || t, 'HMO', now()
      from generate_series(1, 2) t""",
    """insert into plans (id, tenant_id, created_at, code, name, currency, is_active,
                       current_version_no, version)
    select pg_temp.id(2, t * 10 + p), pg_temp.id(1, t), now(), 'P' || p, 'Plan ' || p, 'NGN',
           true, case p when 1 then 2 else 1 end, 1
      from generate_series(1, 2) t, generate_series(1, 4) p""",
    """insert into plan_versions (id, tenant_id, created_at, plan_id, version_no, effective_from,
                               max_dependants, max_children, capitation_rate,
                               premium_principal, premium_spouse, premium_child)
    select pg_temp.id(3, t * 100 + p * 10 + v), pg_temp.id(1, t), now(),
           pg_temp.id(2, t * 10 + p), v, case v when 1 then first - 1100 else v2 end,
           5, 4, 0, 1500000 + p * 250000 + v * 100000, 1200000 + v * 50000, 800000 + v * 10000
      from params, generate_series(1, 2) t, generate_series(1, 4) p, generate_series(1, 2) v
     where v = 1 or p = 1""",
    """insert into clients (id, tenant_id, created_at, code, name, member_seq, version,
                         covered_since)
    select pg_temp.id(4, t * 100 + c), pg_temp.id(1, t), now(), 'C' || c, 'Client ' || c, 0, 1,
           first - 1100
      from params, generate_series(1, 2) t, generate_series(1, 20) c""",
    """insert into enrollees (id, tenant_id, created_at, member_id, client_id, plan_id,
                           relationship, member_no, first_name, last_name, date_of_birth, sex,
                           status, coverage_start, version)
    select pg_temp.id(5, t * 10000000 + n), pg_temp.id(1, t), now(), 'BN' || t || '-' || n,
           pg_temp.id(4, t * 100 + 1 + n % 20), pg_temp.id(2, t * 10 + 1 + (n / 20) % 4),
           case when n % 10 < 5 then 'PRINCIPAL' when n % 10 < 7 then 'SPOUSE' else 'CHILD' end,
           n, 'F', 'L', date '1980-01-01', 'F', 'ACTIVE', first - 730 + (hashint4(n) & 1023), 1
      from params, generate_series(1, 2) t,
           generate_series(1, case t when 1 then size else size / 5 end) n""",
    # Enrolled; one in ten suspended and reactivated later, one in twenty terminated.
    """insert into enrollee_status_changes (id, tenant_id, created_at, enrollee_id, status,
                                         effective_date, reason)
    select pg_temp.id(6, (tenant_id = pg_temp.id(1, 2))::int * 100000000 + member_no * 4 + step),
           tenant_id, now() + step * interval '1 second', id, steps.status, on_day, ''
      from enrollees,
           lateral (values
             (0, 'ACTIVE', coverage_start),
             (1, case when member_no % 10 = 3 then 'SUSPENDED' end,
                 coverage_start + 30 + (hashint4(member_no * 7) & 255)),
             (2, case when member_no % 10 = 3 then 'ACTIVE' end,
                 coverage_start + 300 + (hashint4(member_no * 7) & 255)),
             (3, case when member_no % 20 = 7 then 'TERMINATED' end,
                 coverage_start + 200 + (hashint4(member_no * 13) & 511))
           ) as steps (step, status, on_day)
     where steps.status is not null and on_day < current_date""",
)

# Each month's members and member days, straight from the members' ACTIVE spans.
CHECK = """
with spans as (
  select enrollee_id, status, effective_date as since,
         lead(effective_date) over (partition by enrollee_id
                                    order by effective_date, created_at) as until
    from enrollee_status_changes where tenant_id = $1
), months as (
  select m::date as month, (m + interval '1 month')::date as next
    from generate_series($2::date, $3::date, interval '1 month') m
)
select month, count(distinct enrollee_id),
       sum(least(coalesce(until, next), next, $4::date + 1)
           - greatest(since, month, $2::date))
  from spans join months
    on since < least(next, $4::date + 1) and coalesce(until, next) > greatest(month, $2::date)
 where status = 'ACTIVE' and coalesce(until, next) > since
 group by month order by month
"""


def months_before(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def backend_cpu_ms(pid: int) -> float | None:
    """The PostgreSQL backend's CPU time so far, when the server runs on this machine."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


async def write(database_url: str, first_day: date, version_day: date, enrollees: int) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute(PARAMS, first_day, version_day, enrollees)
            for statement in WRITE:
                await conn.execute(statement)
        await conn.execute("vacuum analyze")
    finally:
        await conn.close()


async def check(database_url: str, first_day: date, last_day: date, rows: list[Exposure]) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        expected = [tuple(r) for r in await conn.fetch(CHECK, HMO, first_day, last_day, last_day)]
    finally:
        await conn.close()
    found: dict[date, tuple[int, int]] = {}
    for row in rows:
        members, days = found.get(row.month, (0, 0))
        found[row.month] = (members + row.members, days + row.member_days)
    if [(month, *totals) for month, totals in sorted(found.items())] != expected:
        raise SystemExit(f"check failed: {sorted(found.items())} != {expected}")


async def rounds(
    database_url: str, first_day: date, last_day: date, count: int
) -> tuple[list[float], list[float], list[Exposure]]:
    engine = create_engine(database_url, pool_size=1)
    factory = session_factory(engine)
    walls, cpus, rows = [], [], []
    try:
        for round_ in range(1, count + 1):
            async with tenant_transaction(factory, HMO) as db:
                pid = await db.scalar(select(func.pg_backend_pid()))
                cpu_before = backend_cpu_ms(pid)
                started = time.perf_counter()
                rows = await exposure(db, HMO, first_day, last_day)
                wall = (time.perf_counter() - started) * 1000
                cpu_after = backend_cpu_ms(pid)
            walls.append(wall)
            cpu = "?"
            if cpu_after is not None and cpu_before is not None:
                cpus.append(cpu_after - cpu_before)
                cpu = f"{cpus[-1]:.0f} ms"
            print(f"round {round_}: {wall:.0f} ms ({cpu} of PostgreSQL CPU), {len(rows)} rows")
    finally:
        await engine.dispose()
    return walls, cpus, rows


async def bench(args: argparse.Namespace) -> list[float]:
    this_month = date.today().replace(day=1)
    first_day = months_before(this_month, args.months)
    last_day = this_month - timedelta(days=1)
    middle = first_day + (last_day - first_day) / 2
    database = open_database(DEFAULT_DATA_DIR / "bench-pg")
    name = f"vetra_bench_{secrets.token_hex(4)}"
    await admin_sql(database.url, f'CREATE DATABASE "{name}"')
    url = with_database(database.url, name)
    try:
        await asyncio.to_thread(migrate, url)
        started = time.perf_counter()
        await write(url, first_day, middle + timedelta(days=3), args.enrollees)
        print(f"{args.enrollees:,} enrollees written in {time.perf_counter() - started:.1f} s")
        walls, cpus, rows = await rounds(url, first_day, last_day, args.rounds)
        await check(url, first_day, last_day, rows)
        if cpus:
            print(f"PostgreSQL CPU: median {statistics.median(cpus):.0f} ms")
        return walls
    finally:
        await admin_sql(database.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enrollees", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    def run() -> int:
        walls = asyncio.run(bench(args))
        median = statistics.median(walls)
        verdict = "within" if median < TARGET_MS else "ABOVE"
        print(
            f"median {median:.0f} ms, best {min(walls):.0f} ms: {verdict} the {TARGET_MS} ms target"
        )
        return 0

    return run_bench(run)


if __name__ == "__main__":
    sys.exit(main())
