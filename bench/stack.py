"""What every bench shares: a throwaway stack and the way a bench exits.

`bench_stack()` uses the embedded PostgreSQL under `.data/bench-pg` (or the server of
DATABASE_URL), creates a fresh database migrated with alembic, starts the core (and the
BFF, when asked and present) as uvicorn processes on free loopback ports, and at the
end stops them and drops the database. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
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

PLATFORM_KEY = os.environ.get("VETRA_PLATFORM_API_KEY") or DEV_PLATFORM_API_KEY
BFF_KEY = os.environ.get("VETRA_BFF_API_KEY") or DEV_BFF_API_KEY
PASSWORD = "bench-password-0123"


class Api:
    """Calls the core over HTTP, failing loudly on any non-2xx answer."""

    def __init__(self, client: httpx.AsyncClient, base: str) -> None:
        self.client, self.base = client, base

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        response = await self.client.post(f"{self.base}{path}", json=body, headers=headers)
        response.raise_for_status()
        return response.json()

    async def session(self, tenant: str, email: str) -> dict[str, str]:
        login = {"tenant": tenant, "email": email, "password": PASSWORD}
        token = (await self.post("/v1/auth/sessions", login, {"x-api-key": BFF_KEY}))["token"]
        return {"x-api-key": BFF_KEY, "x-session-token": token}


async def linked_provider(api: Api, slug: str, admin: dict[str, str]) -> tuple[str, dict[str, str]]:
    """A hospital ACTIVE in the HMO's network: its id and its desk user's session."""
    provider_slug = f"{slug}-lagoon"
    provider = await api.post(
        "/v1/providers",
        {
            "slug": provider_slug,
            "name": "Lagoon Hospital",
            "type": "HOSPITAL",
            "state": "Lagos",
            "admin_email": f"desk@{provider_slug}.example.com",
            "admin_password": PASSWORD,
        },
        {"x-api-key": PLATFORM_KEY},
    )
    desk = await api.session(provider_slug, f"desk@{provider_slug}.example.com")
    provider_id = str(provider["provider"]["id"])
    link = await api.post("/v1/network/links", {"provider_id": provider_id}, admin)
    await api.post(f"/v1/network/links/{link['id']}/accept", {}, desk)
    return provider_id, desk


@dataclass(frozen=True, slots=True)
class Stack:
    core: Service
    bff: Service | None
    database_url: str  # the owner's URL of the bench database


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def admin_sql(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def bench_stack(*, bff: bool) -> Iterator[Stack]:
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
        bff_service = None
        if bff and bff_available():
            env["VETRA_CORE_URL"] = core.url
            bff_service = spawn("BFF", BFF_APP, free_port(), env, quiet=True)
            services.append(bff_service)
            wait_ready(bff_service)
        elif bff:
            print("bff/main.py does not exist yet: measuring the core API only")
        yield Stack(core, bff_service, db_url)
    finally:
        ignore_signals()
        stop_services(services)
        if database is not None:
            if db_url is not None:
                drop = f'DROP DATABASE IF EXISTS "{urlsplit(db_url).path[1:]}" WITH (FORCE)'
                asyncio.run(admin_sql(database.url, drop))
            database.stop()


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


async def measure(
    name: str,
    send: Callable[[], Awaitable[httpx.Response]],
    *,
    clients: int,
    duration: float,
    requests: int = 0,
    warmup: int = 20,
) -> Result:
    """`clients` concurrent loops calling `send` until `duration` seconds (or `requests`
    calls in all) have passed; latencies of the 200 answers, the rest counted as errors."""
    result = Result(name)
    for _ in range(warmup):  # connections, caches, the first session touch
        (await send()).raise_for_status()
    budget = requests or sys.maxsize
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal budget
        while budget > 0 and time.perf_counter() < deadline:
            budget -= 1
            start = time.perf_counter()
            try:
                response = await send()
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


def run_bench(bench: Callable[[], int]) -> int:
    """Runs a bench with Ctrl-C stopping it cleanly; the exit code for `sys.exit`."""
    handle_signals()
    try:
        return bench()
    except Shutdown:
        print("interrupted.")
        return 130
    except (StartupError, httpx.HTTPError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
