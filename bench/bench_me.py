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
import secrets
import sys

import httpx

from bench.stack import (
    BFF_KEY,
    PLATFORM_KEY,
    LightHttp,
    Result,
    Stack,
    bench_stack,
    measure,
    run_async,
    run_bench,
)
from scripts.run import Service

PASSWORD = "bench-password-0123"
EMAIL = "bench.admin@example.com"


async def load(
    name: str, server: Service, path: str, headers: dict[str, str], args: argparse.Namespace
) -> Result:
    http = LightHttp(server.url)
    try:
        return await measure(
            name,
            lambda: http.request("GET", path, headers),
            clients=args.clients,
            duration=args.duration,
            requests=args.requests,
            warmup=4 * args.clients,
            server=server,
        )
    finally:
        http.close()


async def bench(stack: Stack, args: argparse.Namespace) -> list[Result]:
    core, bff = stack.core, stack.bff
    slug = f"bench-{secrets.token_hex(3)}"
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    login = {"tenant": slug, "email": EMAIL, "password": PASSWORD}
    results = []
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        created = await client.post(
            f"{core.url}/v1/tenants",
            headers={"x-api-key": PLATFORM_KEY},
            json={
                "slug": slug,
                "name": "Bench HMO",
                "admin_email": EMAIL,
                "admin_password": PASSWORD,
            },
        )
        created.raise_for_status()

        session = await client.post(
            f"{core.url}/v1/auth/sessions", headers={"x-api-key": BFF_KEY}, json=login
        )
        session.raise_for_status()
        core_headers = {"x-api-key": BFF_KEY, "x-session-token": session.json()["token"]}
        results.append(await load("core  GET /v1/me", core, "/v1/me", core_headers, args))

        if bff is not None:
            signed_in = await client.post(f"{bff.url}/api/auth/login", json=login)
            signed_in.raise_for_status()
            # Sent by hand: the cookie may be marked Secure, which a jar keeps off plain http.
            cookie = "; ".join(f"{k}={v}" for k, v in signed_in.cookies.items())
            client.cookies.clear()
            results.append(
                await load("BFF   GET /api/me (cookie)", bff, "/api/me", {"cookie": cookie}, args)
            )
    return results


def run(args: argparse.Namespace) -> int:
    with bench_stack(bff=True) as stack:
        print(f"{args.clients} concurrent clients, {args.duration:g}s per target")
        for result in run_async(bench(stack, args)):
            print(result.line(), flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per target")
    parser.add_argument("--requests", type=int, default=0, help="stop a target after N (0: no cap)")
    args = parser.parse_args()
    return run_bench(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
