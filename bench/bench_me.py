"""Throughput and latency of the cheapest authenticated call, through each service.

    python -m bench.bench_me [--clients 32] [--duration 10] [--requests 0]

- `GET /api/me` on the BFF with the cookie session (BFF → core → PostgreSQL);
- `GET /v1/me` on the core with the BFF key and `x-session-token`.

It starts everything itself: the embedded PostgreSQL under `.data/bench-pg` (or the server
of DATABASE_URL), a fresh database migrated with alembic, the core and the BFF as uvicorn
processes on free loopback ports, and a bench tenant created with the platform key. Each
target then gets `--clients` concurrent clients for `--duration` seconds (or until
`--requests` requests, when given). Everything it started is stopped, and the database
dropped, at the end. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from scripts.db import migrate
from scripts.run import (
    BFF_APP,
    CORE_APP,
    Database,
    Service,
    Shutdown,
    StartupError,
    bff_available,
    free_port,
    handle_signals,
    ignore_signals,
    open_database,
    spawn,
    stop_services,
    wait_ready,
)
from shared.embedded_pg import DEFAULT_DATA_DIR
from shared.settings import DEV_BFF_API_KEY, DEV_PLATFORM_API_KEY

PASSWORD = "bench-password-0123"
EMAIL = "bench.admin@example.com"


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    elapsed: float = 0.0

    def line(self) -> str:
        ok = len(self.latencies)
        if ok < 2:
            return f"{self.name:<28} no successful requests ({self.errors} errors)"
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return (
            f"{self.name:<28} {ok:>7} ok {self.errors:>5} err "
            f"{ok / self.elapsed:>8.0f} req/s   p50 {cuts[49] * 1000:6.1f} ms"
            f"   p99 {cuts[98] * 1000:6.1f} ms"
        )


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def admin_sql(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def load(
    name: str,
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    *,
    clients: int,
    duration: float,
    requests: int,
) -> Result:
    result = Result(name)
    for _ in range(20):  # warm-up: connections, caches, the first session touch
        (await client.get(url, headers=headers)).raise_for_status()
    budget = requests or sys.maxsize
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal budget
        while budget > 0 and time.perf_counter() < deadline:
            budget -= 1
            start = time.perf_counter()
            try:
                response = await client.get(url, headers=headers)
            except httpx.HTTPError:
                result.errors += 1
                continue
            if response.status_code == 200:
                result.latencies.append(time.perf_counter() - start)
            else:
                result.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    result.elapsed = time.perf_counter() - started
    return result


async def bench(core: Service, bff: Service | None, args: argparse.Namespace) -> list[Result]:
    platform_key = os.environ.get("VETRA_PLATFORM_API_KEY") or DEV_PLATFORM_API_KEY
    bff_key = os.environ.get("VETRA_BFF_API_KEY") or DEV_BFF_API_KEY
    slug = f"bench-{secrets.token_hex(3)}"
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    login = {"tenant": slug, "email": EMAIL, "password": PASSWORD}
    results = []
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        created = await client.post(
            f"{core.url}/v1/tenants",
            headers={"x-api-key": platform_key},
            json={
                "slug": slug,
                "name": "Bench HMO",
                "admin_email": EMAIL,
                "admin_password": PASSWORD,
            },
        )
        created.raise_for_status()

        session = await client.post(
            f"{core.url}/v1/auth/sessions", headers={"x-api-key": bff_key}, json=login
        )
        session.raise_for_status()
        core_headers = {"x-api-key": bff_key, "x-session-token": session.json()["token"]}
        results.append(
            await load(
                "core  GET /v1/me",
                client,
                f"{core.url}/v1/me",
                core_headers,
                clients=args.clients,
                duration=args.duration,
                requests=args.requests,
            )
        )

        if bff is not None:
            signed_in = await client.post(f"{bff.url}/api/auth/login", json=login)
            signed_in.raise_for_status()
            # Sent by hand: the cookie may be marked Secure, which a jar keeps off plain http.
            cookie = "; ".join(f"{k}={v}" for k, v in signed_in.cookies.items())
            client.cookies.clear()
            results.append(
                await load(
                    "BFF   GET /api/me (cookie)",
                    client,
                    f"{bff.url}/api/me",
                    {"cookie": cookie},
                    clients=args.clients,
                    duration=args.duration,
                    requests=args.requests,
                )
            )
    return results


def run(args: argparse.Namespace) -> int:
    database: Database | None = None
    db_url: str | None = None
    services: list[Service] = []
    try:
        database = open_database(DEFAULT_DATA_DIR / "bench-pg")
        name = f"vetra_bench_{secrets.token_hex(4)}"
        asyncio.run(admin_sql(database.url, f'CREATE DATABASE "{name}"'))
        db_url = with_database(database.url, name)
        migrate(db_url)

        env = dict(os.environ, DATABASE_URL=db_url, VETRA_LOG_LEVEL="WARNING")
        core = spawn("core API", CORE_APP, free_port(), env, quiet=True)
        services.append(core)
        wait_ready(core)
        bff = None
        if bff_available():
            env["VETRA_CORE_URL"] = core.url
            bff = spawn("BFF", BFF_APP, free_port(), env, quiet=True)
            services.append(bff)
            wait_ready(bff)
        else:
            print("bff/main.py does not exist yet: measuring the core API only")

        print(f"{args.clients} concurrent clients, {args.duration:g}s per target")
        for result in asyncio.run(bench(core, bff, args)):
            print(result.line(), flush=True)
        return 0
    finally:
        ignore_signals()
        stop_services(services)
        if database is not None:
            if db_url is not None:
                drop = f'DROP DATABASE IF EXISTS "{urlsplit(db_url).path[1:]}" WITH (FORCE)'
                asyncio.run(admin_sql(database.url, drop))
            database.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per target")
    parser.add_argument("--requests", type=int, default=0, help="stop a target after N (0: no cap)")
    args = parser.parse_args()
    handle_signals()
    try:
        return run(args)
    except Shutdown:
        print("interrupted.")
        return 130
    except (StartupError, httpx.HTTPError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
