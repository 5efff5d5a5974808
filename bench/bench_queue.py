"""Latency of `GET /v1/claims/queue` (a page of 50) with 1,000,000 claims in one tenant
(target: p99 < 100 ms).

    python -m bench.bench_queue [--claims 1000000] [--clients 1,8,32] [--duration 10]

Starts its own stack (see `bench/stack.py`). Through the API it creates an HMO, a plan,
a client, a member, a linked provider and one real claim. Then, as the database owner
(only a bench may: the API's rules are not what is measured), it copies that claim
`--claims` times with multi-row `INSERT … SELECT generate_series`, spreading status
(half open), risk, billed value and received day, with `queue_score` computed by the
same formula as `core_api/claims/queue.py`. Then for each client count, that many
concurrent clients read queue pages for `--duration` seconds: the first page and pages
reached through cursors (up to 20 pages deep). It prints requests/s, p50 and p99.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import sys
import time
from collections.abc import Awaitable

import asyncpg
import httpx

from bench.stack import (
    PASSWORD,
    PLATFORM_KEY,
    Api,
    Result,
    Stack,
    bench_stack,
    linked_provider,
    measure,
    run_bench,
)
from core_api.claims import queue

CHUNK = 250_000

# Mirrors core_api.claims.queue.score for the default SLA of 14 days (flag_score 50).
INSERT = f"""
insert into claims (
    id, tenant_id, created_at, number, enrollee_id, member_id, provider_id,
    provider_tenant_id, plan_version_id, service_date, billing_month, diagnosis_codes,
    status, currency, total_billed, total_approved, copay_amount, risk_score, queue_score,
    on_hold, decided_by_sampling, version, received_at
)
select
    gen_random_uuid(), t.tenant_id, r.received, 'B-' || g, t.enrollee_id, t.member_id,
    t.provider_id, t.provider_tenant_id, t.plan_version_id, t.service_date, t.billing_month,
    t.diagnosis_codes, r.status, 'NGN', r.billed, 0, 0, r.risk,
    (case when r.risk >= {queue.FLAG_SCORE} then {queue.TIER} else 0 end)
      + r.risk * {queue.RISK_POINTS}
      + floor(log(2, (r.billed / 100 + 1)::numeric))::bigint * {queue.VALUE_POINTS_PER_DOUBLING}
      - (r.received::date - date '{queue.EPOCH.isoformat()}')
        * ({queue.SLA_POINTS} / 14),
    false, false, 1, r.received
from claims t
cross join generate_series($2::bigint, $3::bigint) g
cross join lateral (
    select
        (array['RECEIVED', 'IN_REVIEW', 'RESUBMITTED', 'APPROVED', 'REJECTED', 'SETTLED'])
            [1 + g % 6] as status,
        (1000 + (g * 104729) % 50000000)::bigint as billed,
        case when g % 10 = 0 then (g * 31) % 101 else (g * 7) % 30 end as risk,
        now() - ((g * 13) % 90) * interval '1 day' as received
) r
where t.id = $1
"""  # noqa: S608 (module constants only)


async def setup(api: Api) -> tuple[dict[str, str], str]:
    """An HMO with one real claim (the template) and an admin session."""
    platform = {"x-api-key": PLATFORM_KEY}
    slug = f"bench-{secrets.token_hex(3)}"
    admin_email = f"admin@{slug}.example.com"
    body = {"slug": slug, "name": "Bench HMO", "admin_email": admin_email}
    await api.post("/v1/tenants", {**body, "admin_password": PASSWORD}, platform)
    admin = await api.session(slug, admin_email)
    benefits = [{"category": "outpatient", "limit_amount": 50_000_00}]
    plan = await api.post(
        "/v1/plans", {"code": "GOLD", "name": "Gold", "benefits": benefits}, admin
    )
    client = await api.post("/v1/clients", {"code": "ACME", "name": "Acme"}, admin)
    member = await api.post(
        "/v1/enrollees",
        {
            "client_id": client["id"],
            "plan_id": plan["id"],
            "first_name": "Bench",
            "last_name": "Member",
            "date_of_birth": "1980-01-01",
            "sex": "F",
            "coverage_start": "2025-01-01",
        },
        admin,
    )
    provider_id, desk = await linked_provider(api, slug, admin)
    claim = await api.post(
        "/v1/claims",
        {
            "member_id": member["member_id"],
            "provider_id": provider_id,
            "service_date": "2026-01-05",
            "items": [{"code": "CONS-01", "quantity": 1, "unit_price": 15_000_00}],
        },
        desk,
    )
    return admin, claim["id"]


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
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    cursors: list[str | None],
    clients: int,
    duration: float,
) -> Result:
    rng = random.Random(7)

    def send() -> Awaitable[httpx.Response]:
        cursor = rng.choice(cursors)
        params = {"limit": "50", **({"cursor": cursor} if cursor else {})}
        return client.get(url, params=params, headers=headers)

    return await measure(name, send, clients=clients, duration=duration, warmup=0)


async def bench(stack: Stack, args: argparse.Namespace) -> list[Result]:
    counts = [int(c) for c in args.clients.split(",")]
    top = max(counts)
    limits = httpx.Limits(max_connections=top, max_keepalive_connections=top)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        headers, template = await setup(Api(client, stack.core.url))
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
        for n in counts:
            result = await load(
                f"queue page, {n} clients", client, url, headers, cursors, n, args.duration
            )
            print(result.line(), flush=True)
            results.append(result)
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--clients", default="1,8,32", help="comma-separated client counts")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    args = parser.parse_args()

    def run() -> int:
        with bench_stack(bff=False) as stack:
            asyncio.run(bench(stack, args))
        return 0

    return run_bench(run)


if __name__ == "__main__":
    sys.exit(main())
