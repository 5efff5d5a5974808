"""How long `POST /v1/enrollees/import` takes for a 100,000-row CSV (the target: < 20 s).

    python -m bench.bench_import [--rows 100000] [--clients 3]

Starts its own stack (see `bench/stack.py`), creates a tenant, a plan and a few clients,
generates a realistic file (about 60% principals, the rest spouses and children, every
person distinct), posts it once with `mode=all_or_nothing`, prints the elapsed time and
rows per second, then checks in the database that every row is there with gapless
member numbers per client and one status history row per enrollee.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import secrets
import sys
import time
from datetime import date, timedelta

import asyncpg
import httpx

from bench.stack import BFF_KEY, PLATFORM_KEY, Stack, bench_stack, run_bench

PASSWORD = "bench-password-0123"
EMAIL = "bench.admin@example.com"
COLUMNS = (
    "ref,principal_ref,relationship,client_code,plan_code,first_name,last_name,"
    "date_of_birth,sex,email,phone,coverage_start"
)
MEN = (
    "Chinedu",
    "Emeka",
    "Tunde",
    "Musa",
    "Ibrahim",
    "Segun",
    "Obinna",
    "Kelechi",
    "Yusuf",
    "Femi",
    "Uche",
    "Babajide",
)
WOMEN = (
    "Ngozi",
    "Amaka",
    "Funmilayo",
    "Aisha",
    "Chiamaka",
    "Bisi",
    "Kemi",
    "Zainab",
    "Ifeoma",
    "Yetunde",
    "Halima",
    "Nneka",
)
SURNAMES = (
    "Okafor",
    "Adeyemi",
    "Bello",
    "Eze",
    "Okonkwo",
    "Balogun",
    "Ibrahim",
    "Nwosu",
    "Olawale",
    "Abubakar",
    "Chukwu",
    "Adebayo",
    "Obi",
    "Lawal",
    "Okeke",
    "Ogunleye",
    "Danjuma",
    "Nnamdi",
    "Akinola",
    "Usman",
    "Onyeka",
    "Babatunde",
    "Garba",
    "Ekwueme",
)
# dependants per principal: 0, 1, 2 or 3 (mean about 0.7, so about 60% principals)
DEPENDANT_WEIGHTS = (55, 25, 12, 8)


class RosterWriter:
    """Writes families as CSV rows, never the same person (client, names, birth) twice."""

    def __init__(self, plan: str, seed: int = 2026) -> None:
        self.plan, self.rng, self.rows = plan, random.Random(seed), 0
        self.out = io.StringIO()
        self.out.write(COLUMNS + "\n")
        self.writer = csv.writer(self.out, lineterminator="\n")
        self.people: set[tuple[str, str, str, date]] = set()

    def birth(self, client: str, first: str, last: str, oldest: int, youngest: int) -> date:
        while True:
            born = date.today() - timedelta(days=self.rng.randint(youngest * 365, oldest * 365))
            if (key := (client, first, last, born)) not in self.people:
                self.people.add(key)
                return born

    def person(self, client: str, last: str, sex: str, ages: tuple[int, int]) -> list[str]:
        first = self.rng.choice(MEN if sex == "M" else WOMEN)
        born = self.birth(client, first, last, *ages)
        return [first, last, born.isoformat(), sex]

    def family(self, number: int, client: str) -> None:
        ref, last = f"E{number}", self.rng.choice(SURNAMES)
        sex = self.rng.choice("MF")
        head = self.person(client, last, sex, (60, 22))
        email = f"{head[0]}.{last}.{number}@example.com".lower()
        phone = f"+234 80{self.rng.randint(0, 9)} {self.rng.randint(1000000, 9999999)}"
        self.write([ref, "", "PRINCIPAL", client, self.plan, *head, email, phone, "2026-01-01"])
        dependants = self.rng.choices(range(4), DEPENDANT_WEIGHTS)[0]
        for k in range(dependants):
            spouse = k == 0 and self.rng.random() < 0.6
            kin_sex = ("F" if sex == "M" else "M") if spouse else self.rng.choice("MF")
            kin = self.person(client, last, kin_sex, (55, 22) if spouse else (21, 0))
            relationship = "SPOUSE" if spouse else "CHILD"
            self.write(["", ref, relationship, "", "", *kin, "", "", ""])

    def write(self, row: list[str]) -> None:
        self.writer.writerow(row)
        self.rows += 1


def roster_csv(rows: int, clients: list[str], plan: str) -> tuple[bytes, int]:
    """About `rows` rows (whole families); the file and its exact row count."""
    writer = RosterWriter(plan)
    number = 0
    while writer.rows < rows:
        number += 1
        writer.family(number, clients[number % len(clients)])
    return writer.out.getvalue().encode(), writer.rows


async def prepare(
    client: httpx.AsyncClient, core: str, clients: int
) -> tuple[dict[str, str], str, list[str]]:
    """A tenant, its admin's headers, a plan and client codes."""
    slug = f"bench-{secrets.token_hex(3)}"
    tenant = await client.post(
        f"{core}/v1/tenants",
        headers={"x-api-key": PLATFORM_KEY},
        json={"slug": slug, "name": "Bench HMO", "admin_email": EMAIL, "admin_password": PASSWORD},
    )
    tenant.raise_for_status()
    session = await client.post(
        f"{core}/v1/auth/sessions",
        headers={"x-api-key": BFF_KEY},
        json={"tenant": slug, "email": EMAIL, "password": PASSWORD},
    )
    session.raise_for_status()
    admin = {"x-api-key": BFF_KEY, "x-session-token": session.json()["token"]}
    plan = await client.post(
        f"{core}/v1/plans",
        headers=admin,
        json={
            "code": "GOLD",
            "name": "Gold",
            "max_dependants": 5,
            "max_children": 4,
            "benefits": [
                {"category": "outpatient", "limit_amount": 5_000_000, "period": "POLICY_YEAR"}
            ],
        },
    )
    plan.raise_for_status()
    codes = [f"CORP{i}" for i in range(1, clients + 1)]
    for code in codes:
        made = await client.post(
            f"{core}/v1/clients",
            headers=admin,
            json={"code": code, "name": f"Corporate {code}", "covered_since": "2000-01-01"},
        )
        made.raise_for_status()
    return admin, "GOLD", codes


VERIFY_SQL = """
select (select count(*) from enrollees),
       (select count(*) from enrollee_status_changes),
       (select count(*) from enrollees where relationship = 'PRINCIPAL'),
       (select bool_and(n = top and n = seq) from (
            select count(*) n, max(e.member_no) top, max(c.member_seq) seq
            from enrollees e join clients c on c.id = e.client_id
            where e.relationship = 'PRINCIPAL' group by e.client_id) per_client)
"""


async def verify(database_url: str, tenant_id: str, rows: int) -> str:
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", tenant_id)
            enrollees, history, principals, gapless = await conn.fetchrow(VERIFY_SQL)
    finally:
        await conn.close()
    if not (enrollees == history == rows and gapless):
        raise SystemExit(f"verification failed: {enrollees=} {history=} {gapless=}")
    return f"verified: {enrollees} enrollees ({principals} principals), gapless member numbers"


async def bench(stack: Stack, args: argparse.Namespace) -> None:
    core = stack.core.url
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=300.0)) as client:
        admin, plan, clients = await prepare(client, core, args.clients)
        body, rows = roster_csv(args.rows, clients, plan)
        print(f"{rows} rows, {len(body) / 1e6:.1f} MB, {len(clients)} clients", flush=True)
        started = time.perf_counter()
        response = await client.post(
            f"{core}/v1/enrollees/import",
            content=body,
            headers={**admin, "content-type": "text/csv"},
        )
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        created = response.json()["created"]
        print(f"POST /v1/enrollees/import: {elapsed:.2f} s, {created / elapsed:,.0f} rows/s")
        me = await client.get(f"{core}/v1/me", headers=admin)
        me.raise_for_status()
        print(await verify(stack.database_url, me.json()["tenant"]["id"], rows))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=3)
    args = parser.parse_args()

    def run() -> int:
        with bench_stack(bff=False) as stack:
            asyncio.run(bench(stack, args))
        return 0

    return run_bench(run)


if __name__ == "__main__":
    sys.exit(main())
