"""What a login storm costs everyone else: `GET /v1/me` on the core, without and with
clients logging in continuously on the same process.

    python -m bench.bench_login [--clients 8] [--storm 4] [--duration 8] [--rounds 1]

Logins verify an argon2 password at the production cost (the core it starts never runs
with `VETRA_ENV=test`, whose cost is the lowest). Each round measures `--clients`
concurrent `GET /v1/me` loops for `--duration` seconds, first alone, then while `--storm`
clients log in back to back, and prints both, the storm's logins per second (and any 503
`hasher-busy` answers), and what the storm cost: the ratio of the p99s and of the req/s.
The target is a p99 at most 2x the quiet one.

It starts everything itself, as `bench_me` does: the embedded PostgreSQL under
`.data/bench-pg` (or the server of DATABASE_URL), a fresh database, the core as a uvicorn
process on a free loopback port; all is stopped and dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from bench.stack import (
    BFF_KEY,
    PASSWORD,
    PLATFORM_KEY,
    Api,
    LightHttp,
    Result,
    Stack,
    bench_stack,
    measure,
    run_async,
    run_bench,
)

TARGET_RATIO = 2.0


@dataclass
class Storm:
    """Clients logging in back to back until stopped."""

    logins: list[dict[str, str]]
    url: str
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    started: float = 0.0
    elapsed: float = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        self.started = time.perf_counter()
        await asyncio.gather(*(self._client(body, stop) for body in self.logins))
        self.elapsed = time.perf_counter() - self.started

    async def _client(self, body: dict[str, str], stop: asyncio.Event) -> None:
        http = LightHttp(self.url)
        headers = {"x-api-key": BFF_KEY}
        try:
            while not stop.is_set():
                start = time.perf_counter()
                status = await http.request("POST", "/v1/auth/sessions", headers, body)
                self.statuses[status] += 1
                if status == 201:
                    self.latencies.append(time.perf_counter() - start)
                elif status == 503:
                    await asyncio.sleep(0.1)  # as a client honouring a short Retry-After
        finally:
            http.close()

    def line(self) -> str:
        ok = self.statuses[201]
        others = {k: v for k, v in self.statuses.items() if k != 201}
        p50 = statistics.median(self.latencies) * 1000 if self.latencies else float("nan")
        return (
            f"  login storm: {len(self.logins)} clients, {ok / self.elapsed:.1f} logins/s, "
            f"login p50 {p50:.0f} ms, other answers {dict(others) or 'none'}"
        )


async def prepare(stack: Stack, storm: int) -> tuple[dict[str, str], list[dict[str, str]]]:
    """A tenant, the session `GET /v1/me` uses, and one staff login per storm client."""
    async with httpx.AsyncClient(timeout=60.0) as client:
        api = Api(client, stack.core.url)
        slug = f"bench-{secrets.token_hex(3)}"
        admin_email = f"admin@{slug}.example.com"
        await api.post(
            "/v1/tenants",
            {
                "slug": slug,
                "name": "Bench HMO",
                "admin_email": admin_email,
                "admin_password": PASSWORD,
            },
            {"x-api-key": PLATFORM_KEY},
        )
        admin = await api.session(slug, admin_email)
        roles = (await client.get(f"{stack.core.url}/v1/roles", headers=admin)).json()
        roles = roles["items"] if isinstance(roles, dict) else roles
        role_id = next(r["id"] for r in roles if r["name"] == "Read-only")
        logins = []
        for n in range(storm):
            email = f"user{n}@{slug}.example.com"
            user = {"email": email, "password": PASSWORD, "role_id": role_id}
            await api.post("/v1/users", user, admin)
            logins.append({"tenant": slug, "email": email, "password": PASSWORD})
        return admin, logins


async def me_load(
    stack: Stack, headers: dict[str, str], name: str, args: argparse.Namespace
) -> Result:
    http = LightHttp(stack.core.url)
    try:
        return await measure(
            name,
            lambda: http.request("GET", "/v1/me", headers),
            clients=args.clients,
            duration=args.duration,
            warmup=4 * args.clients,
            server=stack.core,
        )
    finally:
        http.close()


async def bench(stack: Stack, args: argparse.Namespace) -> list[tuple[Result, Result]]:
    admin, logins = await prepare(stack, args.storm)
    rounds = []
    for _ in range(args.rounds):
        quiet = await me_load(stack, admin, "GET /v1/me  quiet", args)
        print(quiet.line(), flush=True)
        storm = Storm(logins, stack.core.url)
        stop = asyncio.Event()
        storming = asyncio.create_task(storm.run(stop))
        await asyncio.sleep(1.0)  # the storm under way (and the hash threads started)
        stormy = await me_load(stack, admin, "GET /v1/me  login storm", args)
        stop.set()
        await storming
        print(stormy.line(), flush=True)
        print(storm.line(), flush=True)
        print(cost(quiet, stormy), flush=True)
        rounds.append((quiet, stormy))
    return rounds


def cost(quiet: Result, stormy: Result) -> str:
    ratio = p99(stormy) / p99(quiet)
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    return (
        f"  storm cost: p99 x{ratio:.2f} ({verdict} the {TARGET_RATIO:g}x target), "
        f"req/s x{rate(stormy) / rate(quiet):.2f}"
    )


def p99(result: Result) -> float:
    return statistics.quantiles(result.latencies, n=100, method="inclusive")[98]


def rate(result: Result) -> float:
    return len(result.latencies) / result.elapsed


def run(args: argparse.Namespace) -> int:
    if os.environ.get("VETRA_ENV") == "test":
        # The test cost of argon2 is a hundred times cheaper: no storm at all.
        os.environ["VETRA_ENV"] = "development"
    with bench_stack(bff=False) as stack:
        print(
            f"{args.clients} clients on GET /v1/me, {args.storm} logging in, "
            f"{args.duration:g}s per phase, {args.rounds} round(s); cores: {os.cpu_count()}"
        )
        run_async(bench(stack, args))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent GET /v1/me loops")
    parser.add_argument("--storm", type=int, default=4, help="clients logging in continuously")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per phase")
    parser.add_argument("--rounds", type=int, default=1, help="quiet + storm pairs")
    args = parser.parse_args()
    return run_bench(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
