"""The BFF application: the browsers' only door to the core API.

Run with `python -m bff.main` (host and port from VETRA_BFF_HOST / VETRA_BFF_PORT) or
`uvicorn bff.main:app`. Behind a load balancer, uvicorn's proxy headers (trusted from
`--forwarded-allow-ips`) give the real browser IP used for throttling and audit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import Response

from bff import events, sessions
from bff.config import Settings, get_settings
from bff.openapi import problem_answers
from bff.proxy import CoreUnavailable, SessionExpired, Upstream, core_path
from bff.security_headers import CorsAllowList, SecurityHeadersMiddleware
from bff.sessions import ACCESS_MARK, SessionToken, public, upstream_of
from bff.throttle import LoginThrottle, SlidingWindow
from bff.web import install_web
from shared.detached import DetachedBodies
from shared.docs import install_docs
from shared.heap import freeze_startup_heap
from shared.http import NO_TELEMETRY, BodySizeLimitMiddleware, RequestContextMiddleware
from shared.logging import configure_logging
from shared.openapi import declare_problems
from shared.problems import install_problem_handlers

RELAY_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
READY_TIMEOUT_SECONDS = 2.0

health = APIRouter(tags=["health"], dependencies=[Depends(public)])


@health.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@health.get("/readyz")
async def readyz(request: Request) -> dict[str, str]:
    """The core answers its own readiness check (and so its database does)."""
    upstream = upstream_of(request)
    answer = await upstream.send(
        httpx.Request("GET", upstream.base_url + "/readyz"), read_timeout=READY_TIMEOUT_SECONDS
    )
    if answer.status_code != 200:
        raise CoreUnavailable("The core API is not ready.")
    return {"status": "ok"}


relay = APIRouter(tags=["relay"])


@relay.post("/api/invites/accept", dependencies=[Depends(public)])
async def accept_invite(request: Request) -> Response:
    """Accepting an invite needs no session: the invitee has no account yet."""
    return await upstream_of(request).relay(request, "/v1/invites/accept", None)


@relay.post("/api/password-setup", dependencies=[Depends(public)])
async def set_up_password(request: Request) -> Response:
    """Setting a first password from an emailed link needs no session either."""
    return await upstream_of(request).relay(request, "/v1/auth/password-setup", None)


@relay.get("/api/branding", dependencies=[Depends(public)])
async def branding(request: Request) -> Response:
    """A tenant's branding (`?tenant=slug`), for its login page: nobody has signed in yet."""
    return await upstream_of(request).relay(request, "/v1/branding", None)


@relay.get("/api/branding/logo", dependencies=[Depends(public)])
async def branding_logo(request: Request) -> Response:
    """A tenant's logo (`?tenant=slug`), with the core's type, ETag and safety headers."""
    return await upstream_of(request).relay(request, "/v1/branding/logo", None)


async def relay_to_core(
    path: str, request: Request, token: Annotated[str, SessionToken]
) -> Response:
    """Relayed to the core's `/v1/{path}` with the user's session."""
    return await upstream_of(request).relay(request, core_path(path), token)


for _method in RELAY_METHODS:
    # One route per method, so each gets its own OpenAPI operation id.
    relay.add_api_route(
        "/api/{path:path}",
        relay_to_core,
        methods=[_method],
        name=f"relay_{_method.lower()}",
    )


def create_app(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """`transport` replaces the network between BFF and core (tests only)."""
    settings = settings or get_settings()
    configure_logging("vetra.bff", settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.upstream = Upstream(settings, transport)
        app.state.events = events.EventRelay(settings)  # streams' own way to the core
        freeze_startup_heap()
        try:
            yield
        finally:
            await app.state.upstream.aclose()

    app = FastAPI(
        title="Vetra BFF",
        version="0.1.0",
        lifespan=lifespan,
        telemetry=NO_TELEMETRY,
        docs_url=None,
        redoc_url=None,
        description="The browsers' API: session cookie, CSRF, throttling, and a relay of "
        "`/api/{path}` to the core's `/v1/{path}`.",
    )
    app.state.settings = settings
    app.state.throttle = LoginThrottle(
        SlidingWindow(
            settings.login_limit_per_account,
            settings.login_window_seconds,
            settings.throttle_max_keys,
        ),
        SlidingWindow(
            settings.login_limit_per_ip, settings.login_window_seconds, settings.throttle_max_keys
        ),
    )
    install_problem_handlers(app)
    app.add_exception_handler(SessionExpired, sessions.on_session_expired)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger=settings.larger_bodies(),
    )
    app.add_middleware(CorsAllowList, origins=settings.cors_origins)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(DetachedBodies)  # outermost: event stream bodies, see its module
    app.include_router(health)
    install_docs(app, dependencies=[Depends(public)])
    app.include_router(sessions.router)
    app.include_router(events.router)
    app.include_router(relay)  # after the BFF's own `/api/...` routes, which it would shadow
    install_web(app, settings.web_dist, dependencies=[Depends(public)])  # the fallback: last
    declare_problems(app, problem_answers, access_mark=ACCESS_MARK)
    return app


app = create_app()


def run() -> None:
    settings = get_settings()
    uvicorn.run("bff.main:app", host=settings.bff_host, port=settings.bff_port)


if __name__ == "__main__":
    run()
