"""Latency of `POST /v1/eligibility` with 100,000 enrollees in the database (target: p99 < 50 ms).

    python -m bench.bench_eligibility [--enrollees 100000] [--clients 32] [--duration 10]

Starts its own stack (see `bench/stack.py`). Through the API it creates an HMO, a plan, a
few clients, a provider linked to the HMO, and an integration key on each side. The
enrollees (with their status history, some suspended, and some approved usage) are
written straight into the database as its owner with COPY, which only a bench may do:
the API's rules are not what is measured here. Then `--clients` concurrent clients
check random Member IDs for `--duration` seconds, first with the HMO's key, then with
the provider's key (which also goes through the network-link check). It prints
requests per second, p50 and p99 for each.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
import uuid
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from bench.stack import (
    PASSWORD,
    PLATFORM_KEY,
    Api,
    LightHttp,
    Result,
    Stack,
    bench_stack,
    linked_provider,
    measure,
    run_async,
    run_bench,
)
from scripts.run import Service
from shared.ids import uuid7

CLIENTS = ("ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI", "STARK", "WAYNE", "TYRELL")
BENEFITS = [
    {"category": "outpatient", "limit_amount": 50_000_00, "limit_visits": 12},
    {"category": "inpatient", "limit_amount": 500_000_00},
    {"category": "maternity", "limit_amount": 300_000_00, "waiting_period_days": 270},
    {"category": "drugs", "limit_amount": 5_000_00, "period": "CALENDAR_MONTH"},
    {"category": "dental", "limit_amount": 20_000_00},
]
CATEGORIES = ("outpatient", "inpatient", "maternity", "drugs", "dental")


async def setup(api: Api) -> dict[str, Any]:
    """The HMO, plan, clients, linked provider and both keys, all through the API."""
    platform = {"x-api-key": PLATFORM_KEY}
    slug = f"bench-{secrets.token_hex(3)}"
    hmo = await api.post(
        "/v1/tenants",
        {
            "slug": slug,
            "name": "Bench HMO",
            "admin_email": f"admin@{slug}.example.com",
            "admin_password": PASSWORD,
        },
        platform,
    )
    admin = await api.session(slug, f"admin@{slug}.example.com")
    plan = await api.post(
        "/v1/plans",
        {
            "code": "GOLD",
            "name": "Gold",
            "benefits": BENEFITS,
            "exclusions": [{"code": f"EXC-{i:04d}"} for i in range(200)],
        },
        admin,
    )
    # Covered since long before the enrollees written below (up to 900 days back).
    since = "2000-01-01"
    clients = {
        code: (
            await api.post(
                "/v1/clients", {"code": code, "name": code.title(), "covered_since": since}, admin
            )
        )["id"]
        for code in CLIENTS
    }
    _, desk = await linked_provider(api, slug, admin)
    key_body = {"name": "bench", "permissions": ["eligibility:check"]}
    hmo_key = await api.post("/v1/api-keys", {**key_body, "scope": "tenant_integration"}, admin)
    provider_key = await api.post(
        "/v1/api-keys", {**key_body, "scope": "provider_integration"}, desk
    )
    return {
        "tenant_id": uuid.UUID(hmo["tenant"]["id"]),
        "code": hmo["tenant"]["code"],
        "plan_id": uuid.UUID(plan["id"]),
        "clients": {code: uuid.UUID(cid) for code, cid in clients.items()},
        "hmo_key": hmo_key["key"],
        "provider_key": provider_key["key"],
    }


def enrollee_rows(
    ctx: dict[str, Any], count: int, rng: random.Random
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], list[str]]:
    """Principals spread over the clients: enrollees, status history and usage rows."""
    now, today = datetime.now(UTC), date.today()
    enrollees, changes, usage, member_ids = [], [], [], []
    numbers = dict.fromkeys(ctx["clients"], 0)
    for i in range(count):
        code = CLIENTS[i % len(CLIENTS)]
        numbers[code] += 1
        enrollee_id = uuid7()
        member_id = f"{ctx['code']}-{code}-{numbers[code]:05d}-P"
        start = today - timedelta(days=rng.randint(0, 900))
        suspended = rng.random() < 0.05
        enrollees.append(
            (
                enrollee_id,
                ctx["tenant_id"],
                now,
                member_id,
                ctx["clients"][code],
                ctx["plan_id"],
                "PRINCIPAL",
                numbers[code],
                f"First{i}",
                f"Last{i}",
                date(1960, 1, 1) + timedelta(days=rng.randint(0, 15000)),
                rng.choice("MF"),
                "SUSPENDED" if suspended else "ACTIVE",
                start,
                1,
            )
        )
        changes.append((uuid7(), ctx["tenant_id"], now, enrollee_id, "ACTIVE", start, "", None))
        if suspended:
            changes.append(
                (uuid7(), ctx["tenant_id"], now, enrollee_id, "SUSPENDED", today, "", None)
            )
        for _ in range(rng.choice((0, 0, 1, 3))):
            usage.append(
                (
                    uuid7(),
                    ctx["tenant_id"],
                    now,
                    enrollee_id,
                    rng.choice(CATEGORIES),
                    today - timedelta(days=rng.randint(0, 300)),
                    rng.randint(1_000, 200_000),
                    1,
                    "bench",
                )
            )
        member_ids.append(member_id)
    return enrollees, changes, usage, member_ids


async def insert(database_url: str, ctx: dict[str, Any], count: int) -> list[str]:
    """COPY as the database owner (RLS does not apply to it; the bench only)."""
    enrollees, changes, usage, member_ids = enrollee_rows(ctx, count, random.Random(2026))
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.copy_records_to_table(
                "enrollees",
                records=enrollees,
                columns=[
                    "id",
                    "tenant_id",
                    "created_at",
                    "member_id",
                    "client_id",
                    "plan_id",
                    "relationship",
                    "member_no",
                    "first_name",
                    "last_name",
                    "date_of_birth",
                    "sex",
                    "status",
                    "coverage_start",
                    "version",
                ],
            )
            await conn.copy_records_to_table(
                "enrollee_status_changes",
                records=changes,
                columns=[
                    "id",
                    "tenant_id",
                    "created_at",
                    "enrollee_id",
                    "status",
                    "effective_date",
                    "reason",
                    "actor_id",
                ],
            )
            await conn.copy_records_to_table(
                "benefit_usage",
                records=usage,
                columns=[
                    "id",
                    "tenant_id",
                    "created_at",
                    "enrollee_id",
                    "category",
                    "service_date",
                    "amount",
                    "visits",
                    "source_type",
                ],
            )
            await conn.execute(
                "update clients c set member_seq = (select max(member_no) from enrollees e"
                " where e.client_id = c.id) where c.tenant_id = $1",
                ctx["tenant_id"],
            )
        # Measure checks, not the bulk load's aftermath: vacuum sets the tuples' hint bits
        # (else the first reads write them), and the checkpoint flushes what COPY dirtied.
        await conn.execute("vacuum (analyze) enrollees, enrollee_status_changes, benefit_usage")
        await conn.execute("checkpoint")
    finally:
        await conn.close()
    return member_ids


async def load(
    name: str,
    http: LightHttp,
    core: Service,
    key: str,
    member_ids: list[str],
    args: argparse.Namespace,
) -> Result:
    headers = {"x-api-key": key}
    today = date.today().isoformat()
    rng = random.Random(7)

    def send() -> Awaitable[int]:
        body = {
            "member_id": rng.choice(member_ids),
            "service_date": today,
            "benefit_category": rng.choice(CATEGORIES),
        }
        return http.request("POST", "/v1/eligibility", headers, body)

    return await measure(
        name,
        send,
        clients=args.clients,
        duration=args.duration,
        warmup=320,
        server=core,
        rate=args.rate,
    )


async def bench(stack: Stack, args: argparse.Namespace) -> list[Result]:
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        ctx = await setup(Api(client, stack.core.url))
        started = time.perf_counter()
        member_ids = await insert(stack.database_url, ctx, args.enrollees)
        print(f"{len(member_ids)} enrollees written in {time.perf_counter() - started:.1f}s")
        print(f"{args.clients} concurrent clients, {args.duration:g}s per target")
        results = []
        http = LightHttp(stack.core.url)
        for name, key in (("HMO key", ctx["hmo_key"]), ("provider key", ctx["provider_key"])):
            result = await load(name, http, stack.core, key, member_ids, args)
            print(result.line(), flush=True)
            results.append(result)
        http.close()
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enrollees", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per target")
    parser.add_argument("--workers", type=int, default=1, help="core API processes")
    parser.add_argument(
        "--rate", type=float, help="requests per second in all (open loop); default: flat out"
    )
    args = parser.parse_args()

    def run() -> int:
        with bench_stack(bff=False, workers=args.workers) as stack:
            run_async(bench(stack, args))
        return 0

    return run_bench(run)


if __name__ == "__main__":
    sys.exit(main())
