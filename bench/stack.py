"""What every bench shares: a throwaway stack and the way a bench exits.

`bench_stack()` uses the embedded PostgreSQL under `.data/bench-pg` (or the server of
DATABASE_URL), creates a fresh database migrated with alembic, starts the core (and the
BFF, when asked and present) as uvicorn processes on free loopback ports, and at the
end stops them and drops the database. All traffic stays on 127.0.0.1. A bench whose
data takes minutes to make may `keep` a named database instead: made and migrated on the
first run, reused as it is by the next (`Stack.fresh` says which) and never dropped.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import uvloop

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
from shared.heap import freeze_startup_heap
from shared.settings import DEV_BFF_API_KEY, DEV_PLATFORM_API_KEY

PLATFORM_KEY = os.environ.get("VETRA_PLATFORM_API_KEY") or DEV_PLATFORM_API_KEY
BFF_KEY = os.environ.get("VETRA_BFF_API_KEY") or DEV_BFF_API_KEY
PASSWORD = "bench-password-0123"
T = TypeVar("T")


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
    fresh: bool = True  # made by this run (else a kept database, made by an earlier one)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def admin_sql(server_url: str, sql: str) -> None:
    conn = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def database_exists(server_url: str, name: str) -> bool:
    conn = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        return bool(await conn.fetchval("select 1 from pg_database where datname = $1", name))
    finally:
        await conn.close()


@contextmanager
def bench_stack(
    *, bff: bool, workers: int = 1, log_level: str = "WARNING", keep: str | None = None
) -> Iterator[Stack]:
    database: Database | None = None
    db_url: str | None = None
    services: list[Service] = []
    fresh = True
    try:
        database = open_database(DEFAULT_DATA_DIR / "bench-pg")
        name = keep or f"vetra_bench_{secrets.token_hex(4)}"
        fresh = not (keep and asyncio.run(database_exists(database.url, keep)))
        if fresh:
            asyncio.run(admin_sql(database.url, f'CREATE DATABASE "{name}"'))
        db_url = with_database(database.url, name)
        migrate(db_url)

        env = dict(os.environ, DATABASE_URL=db_url, VETRA_LOG_LEVEL=log_level)
        core = spawn("core API", CORE_APP, free_port(), env, quiet=True, workers=workers)
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
        yield Stack(core, bff_service, db_url, fresh)
    finally:
        ignore_signals()
        stop_services(services)
        if database is not None:
            if db_url is not None and keep is None:
                drop = f'DROP DATABASE IF EXISTS "{urlsplit(db_url).path[1:]}" WITH (FORCE)'
                asyncio.run(admin_sql(database.url, drop))
            database.stop()


def group_cpu_seconds(group: int) -> float:
    """User + system CPU time of every live process in a process group (Linux /proc).

    Services start in their own session, so their group holds uvicorn and its workers:
    CPU time per request is a figure that other load on the machine does not distort."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # fields[0] is the state; [2] the process group
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: int = 0
    elapsed: float = 0.0
    server_cpu: float | None = None  # seconds the measured service spent on the CPU
    client_cpu: float = 0.0  # seconds this load generator spent on the CPU

    def line(self) -> str:
        ok = len(self.latencies)
        if ok < 2:
            return f"{self.name:<28} no successful requests ({self.errors} errors)"
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        per_request = 1000 / (ok + self.errors)
        cpu = f"   client CPU {self.client_cpu * per_request:5.2f} ms/req"
        if self.server_cpu is not None:
            cpu += f"   server CPU {self.server_cpu * per_request:5.2f} ms/req"
        return (
            f"{self.name:<28} {ok:>7} ok {self.errors:>5} err "
            f"{ok / self.elapsed:>8.0f} req/s   p50 {cuts[49] * 1000:6.1f} ms"
            f"   p99 {cuts[98] * 1000:6.1f} ms{cpu}"
        )


class LightHttp:
    """Keep-alive HTTP/1.1 connections to one server, with just enough protocol for JSON
    requests and Content-Length answers.

    httpx spends more CPU per request than the core does, and the load generator shares
    this machine's cores with the server, so a heavy client would measure itself. Each
    concurrent caller takes a connection from the pool for one request at a time."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def request(
        self, method: str, target: str, headers: dict[str, str], json_body: Any = None
    ) -> int:
        """The status code; the body is read and dropped."""
        body = b"" if json_body is None else json.dumps(json_body).encode()
        head = [f"{method} {target} HTTP/1.1", f"host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        if json_body is not None:
            head += ["content-type: application/json", f"content-length: {len(body)}"]
        payload = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        reader, writer = self.idle.pop() if self.idle else await self._connect()
        try:
            writer.write(payload)
            status_line = await reader.readline()
            if not status_line:  # the server closed an idle keep-alive connection
                writer.close()
                reader, writer = await self._connect()
                writer.write(payload)
                status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer))
        return int(status_line.split()[1])

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def measure(
    name: str,
    send: Callable[[], Awaitable[httpx.Response | int]],
    *,
    clients: int,
    duration: float,
    requests: int = 0,
    warmup: int = 20,
    server: Service | None = None,
    rate: float | None = None,
) -> Result:
    """`clients` concurrent loops calling `send` (which answers a response or a status code)
    until `duration` seconds (or `requests` calls in all) have passed; latencies of the 200
    answers, the rest counted as errors. With `server`, also the CPU time that service
    spent meanwhile.

    Without `rate` each loop sends its next request as soon as the last one is answered
    (closed loop: the server's saturation). With `rate` (requests per second in all) each
    loop keeps its own schedule, like desks serving patients as they arrive, and latency
    counts from the scheduled moment, so a slow answer also delays the ones queued
    behind it (no coordinated omission)."""
    result = Result(name)

    async def warm(count: int) -> None:
        for _ in range(count):
            if _status(await send()) != 200:
                raise RuntimeError(f"{name}: the warm-up request failed")

    # As many at once as will be measured, so the server's pools reach their working size
    # (connections, their prepared statements, the first session touch) before timing.
    await asyncio.gather(*(warm(-(-warmup // clients)) for _ in range(clients)))
    # The generator holds the bench's data (100,000 Member IDs and more): without this its
    # own full collections stall every client at once, and the server is blamed for it.
    freeze_startup_heap()
    budget = requests or sys.maxsize
    deadline = time.perf_counter() + duration
    interval = clients / rate if rate else 0.0

    async def worker(offset: float) -> None:
        nonlocal budget
        due = time.perf_counter() + offset
        while budget > 0 and time.perf_counter() < deadline:
            budget -= 1
            if interval:
                await asyncio.sleep(max(due - time.perf_counter(), 0.0))
                start, due = due, due + interval
            else:
                start = time.perf_counter()
            try:
                status = _status(await send())
            except (httpx.HTTPError, OSError, asyncio.IncompleteReadError):
                result.errors += 1
                continue
            if status == 200:
                result.latencies.append(time.perf_counter() - start)
            else:
                result.errors += 1

    cpu_before = group_cpu_seconds(server.process.pid) if server else 0.0
    client_before = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker(interval * i / clients) for i in range(clients)))
    result.elapsed = time.perf_counter() - started
    result.client_cpu = time.process_time() - client_before
    if server:
        result.server_cpu = group_cpu_seconds(server.process.pid) - cpu_before
    return result


def _status(answer: httpx.Response | int) -> int:
    return answer if isinstance(answer, int) else answer.status_code


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on uvloop (what uvicorn serves with): a cheaper load generator."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


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


async def hmo_with_claims(
    api: Api, providers: int, *, coverage_start: str, service_date: str
) -> tuple[dict[str, str], list[str]]:
    """Through the API: an HMO (its admin's session is returned), a plan, a client, a
    member covered from `coverage_start` and, for each of `providers` hospitals linked to
    the HMO, one real claim by that hospital served on `service_date`. The claims' ids are
    the templates a bench copies as the database owner."""
    slug = f"bench-{secrets.token_hex(3)}"
    admin_email = f"admin@{slug}.example.com"
    body = {"slug": slug, "name": "Bench HMO", "admin_email": admin_email}
    await api.post("/v1/tenants", {**body, "admin_password": PASSWORD}, {"x-api-key": PLATFORM_KEY})
    admin = await api.session(slug, admin_email)
    benefits = [{"category": "outpatient", "limit_amount": 50_000_00}]
    plan = await api.post(
        "/v1/plans", {"code": "GOLD", "name": "Gold", "benefits": benefits}, admin
    )
    client = await api.post(
        "/v1/clients", {"code": "ACME", "name": "Acme", "covered_since": "2000-01-01"}, admin
    )
    member = await api.post(
        "/v1/enrollees",
        {
            "client_id": client["id"],
            "plan_id": plan["id"],
            "first_name": "Bench",
            "last_name": "Member",
            "date_of_birth": "1980-01-01",
            "sex": "F",
            "coverage_start": coverage_start,
        },
        admin,
    )
    templates = []
    for n in range(providers):
        # `linked_provider` names each hospital's slug after the prefix it is given.
        provider_id, desk = await linked_provider(api, f"{slug}-{n}" if n else slug, admin)
        claim = await api.post(
            "/v1/claims",
            {
                "member_id": member["member_id"],
                "provider_id": provider_id,
                "service_date": service_date,
                "items": [{"code": "CONS-01", "quantity": 1, "unit_price": 15_000_00}],
            },
            desk,
        )
        templates.append(str(claim["id"]))
    return admin, templates
