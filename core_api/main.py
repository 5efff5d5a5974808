"""The core API application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from core_api import health
from core_api.access.router import router as access_router
from core_api.approvals.router import router as approvals_router
from core_api.audit.router import router as audit_router
from core_api.auth.router import router as auth_router
from core_api.authorizations.router import member_router as member_authorizations_router
from core_api.authorizations.router import router as authorizations_router
from core_api.authorizations.router import rules_router as pa_rules_router
from core_api.authorizations.sla import sla_job_running
from core_api.billing.router import router as billing_router
from core_api.capitation.router import lines_router as capitation_lines_router
from core_api.capitation.router import router as capitation_runs_router
from core_api.claims.router import member_router as member_claims_router
from core_api.claims.router import router as claims_router
from core_api.config import Settings, get_settings
from core_api.database_errors import install_database_error_handlers
from core_api.db import DriverPool, create_engine, plain_url, session_factory
from core_api.deps import ACCESS_MARK, public
from core_api.disputes.router import router as disputes_router
from core_api.eligibility.router import router as eligibility_router
from core_api.finance.cadence import cadence_job_running
from core_api.finance.router import remittances_router
from core_api.finance.router import router as settlement_runs_router
from core_api.members.router import checkins_router, member_router
from core_api.membership.router import router as membership_router
from core_api.network.router import router as network_router
from core_api.notifications.hub import NotificationHub
from core_api.notifications.mailer import mailer_running
from core_api.notifications.router import router as notifications_router
from core_api.openapi import problem_answers
from core_api.piles.router import router as piles_router
from core_api.plans.router import router as plans_router
from core_api.portal.router import router as portal_router
from core_api.reports.router import dashboard_router, reports_router
from core_api.risk.router import router as risk_router
from core_api.search.router import router as search_router
from core_api.settings_api.router import branding_router
from core_api.settings_api.router import router as settings_router
from core_api.tenants.router import router as tenants_router
from shared.detached import DetachedBodies
from shared.docs import install_docs
from shared.embedded_pg import DEFAULT_DATA_DIR, embedded_url, start_embedded
from shared.heap import freeze_startup_heap
from shared.http import (
    NO_TELEMETRY,
    BodySizeLimitMiddleware,
    RefuseNulMiddleware,
    RequestContextMiddleware,
)
from shared.logging import configure_logging
from shared.openapi import declare_problems
from shared.problems import install_problem_handlers

API_PREFIX = "/v1"


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return embedded_url(start_embedded(DEFAULT_DATA_DIR / "pg"))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("vetra.core", settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url(settings)
        app.state.engine = create_engine(url, pool_size=settings.db_pool_size)
        app.state.session_factory = session_factory(app.state.engine)
        app.state.driver_pool = await DriverPool.open(url, size=settings.db_pool_size)
        app.state.notification_hub = NotificationHub(
            plain_url(url), app.state.driver_pool, settings
        )
        await app.state.notification_hub.start()
        freeze_startup_heap()
        try:
            async with (
                mailer_running(app.state.session_factory, settings),
                sla_job_running(app.state.session_factory, settings),
                cadence_job_running(app.state.session_factory, settings),
            ):
                yield
        finally:
            await app.state.notification_hub.stop()
            await app.state.driver_pool.close()
            await app.state.engine.dispose()

    app = FastAPI(
        title="Vetra core API",
        version="0.1.0",
        lifespan=lifespan,
        telemetry=NO_TELEMETRY,
        docs_url=None,  # shared/docs.py serves it without a CDN
        redoc_url=None,
        description="Owns every table and every rule. Every request carries `x-api-key`.",
    )
    install_problem_handlers(app)
    install_database_error_handlers(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger=settings.larger_bodies(),
    )
    app.add_middleware(RefuseNulMiddleware)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(DetachedBodies)  # outermost: event stream bodies, see its module

    # Straight onto the app (each level of nesting is another matching pass), and in
    # order of traffic: requests are matched router by router, so the hot paths go first.
    for router in (
        eligibility_router,
        claims_router,
        tenants_router,
        auth_router,
        access_router,
        audit_router,
        notifications_router,
        plans_router,
        membership_router,
        network_router,
        portal_router,
        approvals_router,
        authorizations_router,
        pa_rules_router,
        member_claims_router,
        member_authorizations_router,
        piles_router,
        risk_router,
        settings_router,
        billing_router,
        settlement_runs_router,
        remittances_router,
        capitation_runs_router,
        capitation_lines_router,
        disputes_router,
        checkins_router,
        member_router,
        reports_router,
        dashboard_router,
        branding_router,
        search_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(health.router)
    install_docs(app, dependencies=[Depends(public)])
    declare_problems(app, problem_answers, access_mark=ACCESS_MARK)
    return app


app = create_app()
