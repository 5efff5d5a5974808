"""Latency of `GET /v1/claims/queue` (a page of 50) with 1,000,000 claims in one tenant
(target: p99 < 100 ms).

    python -m bench.bench_queue [--claims 1000000] [--clients 1,8,32] [--duration 10]

Starts its own stack (see `bench/stack.py`). Through the API it creates an HMO, a plan,
a client, a member, a linked provider and one real claim. Then, as the database owner
(only a bench may: the API's rules are not what is measured), it copies that claim
`--claims` times with multi-row `INSERT … SELECT generate_series`, spreading status
(half open), risk, billed value and received day, each copy's `queue_score` computed
by the API's own SQL expression (`core_api.claims.queue.score_sql`, default settings).
Then for each client count, that many concurrent clients read queue pages for
`--duration` seconds: the first page and pages reached through cursors (up to 20 pages
deep). It prints requests/s, p50 and p99.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Awaitable
from urllib.parse import urlencode

import asyncpg
import httpx
from sqlalchemy import column, table
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from bench.stack import (
    Api,
    LightHttp,
    Result,
    Stack,
    bench_stack,
    hmo_with_claims,
    measure,
    run_async,
    run_bench,
)
from core_api.claims import queue
from core_api.models.claim import Claim
from core_api.models.settings import TenantSettings
from core_api.tenants.settings import DEFAULT_CLAIM_SLA_DAYS
from scripts.run import Service

CHUNK = 250_000


def copy_score() -> str:
    """`queue.score_sql` with the default settings over the columns of a copy (`r`
    below), as SQL text with its constants inlined."""
    columns = ("on_hold", "risk_score", "total_billed", "received_at", "created_at")
    copy = table("r", *(column(name, Claim.__table__.c[name].type) for name in columns))
    defaults = TenantSettings(claim_sla_days=DEFAULT_CLAIM_SLA_DAYS, risk_thresholds={})
    score = queue.score_sql(defaults, aliased(Claim, copy, adapt_on_names=True))
    return str(score.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


INSERT = f"""
insert into claims (
    id, tenant_id, created_at, number, enrollee_id, member_id, provider_id,
    provider_tenant_id, plan_version_id, service_date, billing_month, diagnosis_codes,
    status, currency, total_billed, total_approved, copay_amount, risk_score, queue_score,
    on_hold, decided_by_sampling, version, received_at
)
select
    gen_random_uuid(), t.tenant_id, r.created_at, 'B-' || g, t.enrollee_id, t.member_id,
    t.provider_id, t.provider_tenant_id, t.plan_version_id, t.service_date, t.billing_month,
    t.diagnosis_codes, r.status, 'NGN', r.total_billed, 0, 0, r.risk_score, {copy_score()},
    r.on_hold, false, 1, r.received_at
from claims t
cross join generate_series($2::bigint, $3::bigint) g
cross join lateral (select now() - ((g * 13) % 90) * interval '1 day' as moment) d
cross join lateral (
    select
        (array['RECEIVED', 'IN_REVIEW', 'RESUBMITTED', 'APPROVED', 'REJECTED', 'SETTLED'])
            [1 + g % 6] as status,
        (1000 + (g * 104729) % 50000000)::bigint as total_billed,
        case when g % 10 = 0 then (g * 31) % 101 else (g * 7) % 30 end as risk_score,
        false as on_hold,
        d.moment as received_at,
        d.moment as created_at
) r
where t.id = $1
"""  # noqa: S608 (module constants only)


async def insert(database_url: str, template: str, count: int) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        for start in range(1, count + 1, CHUNK):
            end = min(start + CHUNK - 1, count)
            await conn.execute(INSERT, template, start, end)
        await conn.execute("analyze claims")
    finally:
        await conn.close()


async def load(
    name: str,
    http: LightHttp,
    core: Service,
    headers: dict[str, str],
    cursors: list[str | None],
    clients: int,
    duration: float,
) -> Result:
    rng = random.Random(7)

    def send() -> Awaitable[int]:
        cursor = rng.choice(cursors)
        query = urlencode({"limit": "50", **({"cursor": cursor} if cursor else {})})
        return http.request("GET", f"/v1/claims/queue?{query}", headers)

    return await measure(name, send, clients=clients, duration=duration, warmup=0, server=core)


async def bench(stack: Stack, args: argparse.Namespace) -> list[Result]:
    counts = [int(c) for c in args.clients.split(",")]
    top = max(counts)
    limits = httpx.Limits(max_connections=top, max_keepalive_connections=top)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        headers, (template,) = await hmo_with_claims(
            Api(client, stack.core.url), 1, coverage_start="2025-01-01", service_date="2026-01-05"
        )
        started = time.perf_counter()
        await insert(stack.database_url, template, args.claims)
        print(f"{args.claims} claims written in {time.perf_counter() - started:.1f}s")
        url = f"{stack.core.url}/v1/claims/queue"
        cursors: list[str | None] = [None]
        for _ in range(20):  # walk 20 pages deep; warms connections and caches too
            last = cursors[-1]
            params = {"limit": "50", **({"cursor": last} if last else {})}
            page = await client.get(url, params=params, headers=headers)
            page.raise_for_status()
            cursors.append(page.json()["next_cursor"])
        results = []
        http = LightHttp(stack.core.url)
        for n in counts:
            result = await load(
                f"queue page, {n} clients", http, stack.core, headers, cursors, n, args.duration
            )
            print(result.line(), flush=True)
            results.append(result)
        http.close()
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--clients", default="1,8,32", help="comma-separated client counts")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--workers", type=int, default=1, help="core API processes")
    args = parser.parse_args()

    def run() -> int:
        with bench_stack(bff=False, workers=args.workers) as stack:
            run_async(bench(stack, args))
        return 0

    return run_bench(run)


if __name__ == "__main__":
    sys.exit(main())
