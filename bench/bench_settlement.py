"""How long `POST /v1/settlement-runs` takes over 10,000 APPROVED claims (target: < 5 s).

    python -m bench.bench_settlement [--claims 10000] [--providers 4] [--rounds 3]

Starts its own stack (see `bench/stack.py`). Through the API it creates an HMO, a plan,
a client, a member, `--providers` linked providers and one real claim per provider. Then,
as the database owner (only a bench may: the API's rules are not what is measured), it
copies those claims `--claims` times in all with `INSERT … SELECT generate_series` as
APPROVED claims served in the last 30 days. Each round times one run over the period (a
remittance per provider, a line per claim, the whole run with every line in the answer),
checks that it holds every claim and that the totals are the sums of the lines, then
cancels the run so the next round settles the same claims again.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx

from bench.stack import Api, Stack, bench_stack, hmo_with_claims, run_bench

TARGET_SECONDS = 5.0
TODAY = date.today()
PERIOD = {
    "period_from": (TODAY - timedelta(days=30)).isoformat(),
    "period_to": TODAY.isoformat(),
}

# Each template claim (one per provider) is copied `per_template` times as APPROVED.
INSERT = """
insert into claims (
    id, tenant_id, created_at, number, enrollee_id, member_id, provider_id,
    provider_tenant_id, plan_version_id, service_date, billing_month, diagnosis_codes,
    status, currency, total_billed, total_approved, copay_amount, risk_score, queue_score,
    on_hold, decided_by_sampling, version, received_at, decided_at
)
select
    gen_random_uuid(), t.tenant_id, now(), 'S-' || $2::text || '-' || g, t.enrollee_id,
    t.member_id, t.provider_id, t.provider_tenant_id, t.plan_version_id,
    current_date - (g % 30)::int, date_trunc('month', current_date - (g % 30)::int)::date,
    t.diagnosis_codes, 'APPROVED', 'NGN', r.billed, r.billed - r.billed / 10, 0, 0, 0,
    false, false, 3, now(), now()
from claims t
cross join generate_series(1, $3::bigint) g
cross join lateral (select (1000 + (g * 104729) % 5000000)::bigint as billed) r
where t.id = $1
"""


async def insert(database_url: str, templates: list[str], count: int) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        per_template, extra = divmod(count, len(templates))
        for n, template in enumerate(templates):
            await conn.execute(INSERT, template, str(n), per_template + (1 if n < extra else 0))
        await conn.execute("analyze claims")
    finally:
        await conn.close()


def check(run: dict[str, Any], claims: int, providers: int) -> None:
    lines = [line for r in run["remittances"] for line in r["lines"]]
    problems = []
    if len(lines) != claims or len({line["claim_id"] for line in lines}) != claims:
        problems.append(f"{len(lines)} lines for {claims} claims")
    if len(run["remittances"]) != providers:
        problems.append(f"{len(run['remittances'])} remittances for {providers} providers")
    for remittance in run["remittances"]:
        if remittance["total"] != sum(line["amount"] for line in remittance["lines"]):
            problems.append(f"remittance {remittance['id']} total is not the sum of its lines")
    if run["total"] != sum(r["total"] for r in run["remittances"]):
        problems.append("run total is not the sum of its remittances")
    if problems:
        raise SystemExit("check failed: " + "; ".join(problems))


async def bench(stack: Stack, args: argparse.Namespace) -> list[float]:
    core = stack.core.url
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=300.0)) as client:
        api = Api(client, core)
        admin, templates = await hmo_with_claims(
            api,
            args.providers,
            coverage_start=(TODAY - timedelta(days=200)).isoformat(),
            service_date=(TODAY - timedelta(days=40)).isoformat(),
        )
        started = time.perf_counter()
        await insert(stack.database_url, templates, args.claims)
        print(
            f"{args.claims} APPROVED claims over {args.providers} providers written in "
            f"{time.perf_counter() - started:.1f}s",
            flush=True,
        )
        timings = []
        for round_ in range(1, args.rounds + 1):
            started = time.perf_counter()
            response = await client.post(f"{core}/v1/settlement-runs", json=PERIOD, headers=admin)
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            run = response.json()
            check(run, args.claims, args.providers)
            timings.append(elapsed)
            print(
                f"round {round_}: POST /v1/settlement-runs {elapsed:.2f} s "
                f"({args.claims / elapsed:,.0f} claims/s, {len(response.content) / 1e6:.1f} MB)",
                flush=True,
            )
            await api.post(f"/v1/settlement-runs/{run['id']}/cancel", {}, admin)
        return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--providers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    def run() -> int:
        with bench_stack(bff=False) as stack:
            timings = asyncio.run(bench(stack, args))
        median = statistics.median(timings)
        verdict = "within" if median < TARGET_SECONDS else "ABOVE"
        print(f"median {median:.2f} s, best {min(timings):.2f} s: {verdict} the 5 s target")
        return 0

    return run_bench(run)


if __name__ == "__main__":
    sys.exit(main())
