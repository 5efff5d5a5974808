"""Demo data for local runs: one HMO tenant with a login per seeded role, and a year of
its history.

Everything goes through the services, exactly as the API would do it, so the rows,
audit entries and Row-Level Security are the real thing. Seeding is idempotent: when a
tenant with slug `demo` exists nothing is written and the logins are only reported.

The tenant is set up as of two weeks before its history begins (`shared.clock` shifted
there): staff, providers and their network links, plans with premiums, clients, the named
roster, the portal logins, the auto-approval rules and the branding, one function per area
taking a `DemoContext`. Then `core_api.seed_history` replays a year of membership changes,
care, check-ins, claims, PAs, settlement and capitation up to now, and today's change
request is raised.

    python -m core_api.seed      # seeds the database of DATABASE_URL and prints the logins
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.access import service as access
from core_api.access.permissions import (
    CLIENT_PERMISSIONS,
    ENROLLEE_PERMISSIONS,
    PLATFORM_PERMISSIONS,
    PROVIDER_USER_PERMISSIONS,
    SEEDED_ROLES,
)
from core_api.access.schemas import ApiKeyCreate
from core_api.auth import service as auth
from core_api.auth.actor import Actor, ActorKind
from core_api.authorizations import rules as pa_rules
from core_api.authorizations.schemas import RuleCreate
from core_api.config import get_settings
from core_api.db import create_engine, session_factory, set_tenant
from core_api.membership import clients, enrollees, importer
from core_api.membership.schemas import ClientCreate, DependantCreate, PrincipalCreate
from core_api.models import (
    ApiKeyScope,
    ChangeRequestKind,
    Client,
    Enrollee,
    EnrolleeStatus,
    Plan,
    Provider,
    ProviderType,
    Relationship,
    Role,
    Sex,
    User,
    UserKind,
)
from core_api.models.authorization import PaRule, Urgency
from core_api.models.base import utcnow
from core_api.network import service as network
from core_api.network.schemas import ProviderCreate
from core_api.plans import service as plans
from core_api.plans.schemas import Benefit, Exclusion, PlanCreate, Premium
from core_api.portal import accounts as portal
from core_api.portal import change_requests
from core_api.portal.schemas import AccountCreate, AddDependantRequest
from core_api.seed_history import replay
from core_api.seed_people import Employer
from core_api.seed_world import DEMO_SCALE, Cardholder, Cast, Desk, Scale, Staff, history_start
from core_api.settings_api import branding
from core_api.settings_api import service as settings_service
from core_api.settings_api.schemas import SettingsPatch
from core_api.tenants import service as tenants
from core_api.tenants.schemas import TenantCreate
from shared import clock

DEMO_SLUG = "demo"
DEMO_NAME = "Demo HMO"
DEMO_CODE = "DEMO"
DEMO_PASSWORD = "vetra-demo-2026"  # noqa: S105 -- a public demo login, printed at start
DEMO_EMAIL_DOMAIN = "demo.example.com"

# (role, email local part); the first is the tenant's first admin.
DEMO_STAFF: tuple[tuple[str, str], ...] = (
    ("Admin", "admin"),
    ("Claims Manager", "claims.manager"),
    ("Adjudicator", "adjudicator"),
    ("Finance", "finance"),
    ("Provider Relations", "provider.relations"),
    ("Read-only", "readonly"),
)
# The people behind the demo logins, as the portal's header shows them.
DEMO_STAFF_NAMES: dict[str, tuple[str, str]] = {
    "admin": ("Ngozi", "Adeyemi"),
    "claims.manager": ("Chinedu", "Okafor"),
    "adjudicator": ("Aisha", "Bello"),
    "finance": ("Tunde", "Balogun"),
    "provider.relations": ("Funmi", "Oladipo"),
    "readonly": ("Emeka", "Nwosu"),
}
INTEGRATION_KEY_PERMISSIONS = ("eligibility:check", "enrollees:read", "plans:read", "claims:read")
# (slug, name, type, state, address, services): each logs in as `desk@<slug>.example.com`.
DEMO_PROVIDERS: tuple[tuple[str, str, ProviderType, str, str, tuple[str, ...]], ...] = (
    (
        "lagoon",
        "Lagoon Hospital",
        ProviderType.HOSPITAL,
        "Lagos",
        "17 Bourdillon Road, Ikoyi",
        ("outpatient", "inpatient", "maternity", "surgery", "emergency"),
    ),
    (
        "medplus",
        "MedPlus Pharmacy",
        ProviderType.PHARMACY,
        "Lagos",
        "Adeola Odeku Street, Victoria Island",
        ("drugs",),
    ),
    ("synlab", "Synlab", ProviderType.LAB, "Abuja", "Wuse 2, Abuja", ("lab",)),
    (
        "garki",
        "Garki Hospital",
        ProviderType.HOSPITAL,
        "Abuja",
        "Tafawa Balewa Way, Garki",
        ("outpatient", "inpatient", "specialist"),
    ),
    (
        "reddington",
        "Reddington Hospital",
        ProviderType.HOSPITAL,
        "Lagos",
        "12 Idowu Martins Street, Victoria Island",
        ("outpatient", "inpatient", "maternity", "specialist", "dental", "physiotherapy"),
    ),
    (
        "healthplus",
        "HealthPlus Pharmacy",
        ProviderType.PHARMACY,
        "Abuja",
        "Aminu Kano Crescent, Wuse 2",
        ("drugs",),
    ),
    (
        "clinalancet",
        "Clina-Lancet Laboratories",
        ProviderType.LAB,
        "Lagos",
        "3 Babatunde Jose Street, Victoria Island",
        ("lab", "imaging"),
    ),
)
# What each provider charges against the tariff (the catalog's prices); 1.0 when absent.
DEMO_PRICE_LEVELS = {"reddington": 1.3, "lagoon": 1.15}

# Premiums are per member per month, by relationship; with the care the history replays
# they make a loss ratio of about 60 to 85 % a month.
NOT_COVERED = [
    Exclusion(code="COS-01", description="Cosmetic surgery"),
    Exclusion(code="IVF-01", description="Assisted conception"),
]
DEMO_PLANS = (
    PlanCreate(
        code="GOLD",
        name="Gold",
        max_dependants=5,
        max_children=4,
        capitation_rate=2_500_00,
        benefits=[
            Benefit(category="outpatient", limit_amount=500_000_00, limit_visits=24),
            Benefit(category="inpatient", limit_amount=3_000_000_00),
            Benefit(category="maternity", limit_amount=1_000_000_00, waiting_period_days=90),
            Benefit(category="drugs", limit_amount=200_000_00),
            Benefit(category="lab", limit_amount=150_000_00),
            Benefit(category="dental", limit_amount=60_000_00, limit_visits=2),
            Benefit(category="physiotherapy", limit_amount=150_000_00),
        ],
        exclusions=NOT_COVERED,
        premium=Premium(principal=10_000_00, spouse=9_000_00, child=6_000_00),
    ),
    PlanCreate(
        code="SILVER",
        name="Silver",
        max_dependants=4,
        max_children=3,
        capitation_rate=1_500_00,
        benefits=[
            Benefit(category="outpatient", limit_amount=200_000_00, limit_visits=12),
            Benefit(category="inpatient", limit_amount=1_000_000_00),
            Benefit(category="drugs", limit_amount=80_000_00),
            Benefit(category="lab", limit_amount=60_000_00),
        ],
        exclusions=NOT_COVERED,
        premium=Premium(principal=6_500_00, spouse=6_000_00, child=3_500_00),
    ),
    PlanCreate(
        code="BRONZE",
        name="Bronze",
        max_dependants=4,
        max_children=3,
        capitation_rate=1_000_00,
        benefits=[
            Benefit(category="outpatient", limit_amount=100_000_00, limit_visits=8),
            Benefit(category="inpatient", limit_amount=500_000_00),
            Benefit(category="drugs", limit_amount=40_000_00, copay_percent=10),
            Benefit(category="lab", limit_amount=30_000_00),
        ],
        exclusions=NOT_COVERED,
        premium=Premium(principal=4_000_00, spouse=3_500_00, child=2_500_00),
    ),
)
# The named roster's clients; Nigerian Breweries (`DEMO_NEWCOMER`) joins four months into
# the history.
DEMO_CLIENTS = (
    ClientCreate(code="DANGOTE", name="Dangote Cement"),
    ClientCreate(code="MTNNG", name="MTN Nigeria"),
    ClientCreate(code="ACCESS", name="Access Bank"),
)
# How each client's generated staff spread over the plans.
DEMO_EMPLOYERS = (
    Employer("DANGOTE", "dangote.example.com", (("GOLD", 70), ("SILVER", 30))),
    Employer("MTNNG", "mtn.example.com", (("SILVER", 75), ("GOLD", 25))),
    Employer("ACCESS", "accessbank.example.com", (("GOLD", 60), ("SILVER", 40))),
)
DEMO_NEWCOMER = (
    ClientCreate(code="NBPLC", name="Nigerian Breweries"),
    Employer("NBPLC", "nbplc.example.com", (("BRONZE", 70), ("SILVER", 30))),
)
# Each client's enrollees are capitated to one primary provider, in whose state they live.
DEMO_PRIMARY_PROVIDERS = {
    "DANGOTE": "lagoon",
    "MTNNG": "garki",
    "ACCESS": "lagoon",
    "NBPLC": "reddington",
}
# The named roster, imported through the bulk importer as an HMO would (see the README).
DEMO_ROSTER = """\
ref,principal_ref,relationship,client_code,plan_code,first_name,last_name,date_of_birth,sex,email
d1,,PRINCIPAL,DANGOTE,GOLD,Chukwuemeka,Obi,1979-03-12,M,chukwuemeka.obi@dangote.example.com
,d1,SPOUSE,,,Adaeze,Obi,1982-07-25,F,
,d1,CHILD,,,Chidera,Obi,2010-02-14,F,
,d1,CHILD,,,Kamsiyochukwu,Obi,2014-09-03,M,
d2,,PRINCIPAL,DANGOTE,GOLD,Funmilayo,Adebayo,1986-11-30,F,funmilayo.adebayo@dangote.example.com
,d2,SPOUSE,,,Olumide,Adebayo,1984-05-19,M,
,d2,CHILD,,,Toluwani,Adebayo,2016-01-22,F,
d3,,PRINCIPAL,DANGOTE,GOLD,Musa,Abdullahi,1975-08-08,M,musa.abdullahi@dangote.example.com
,d3,SPOUSE,,,Hauwa,Abdullahi,1980-12-01,F,
,d3,CHILD,,,Aisha,Abdullahi,2008-04-17,F,
,d3,CHILD,,,Sani,Abdullahi,2011-06-29,M,
,d3,CHILD,,,Zainab,Abdullahi,2015-10-05,F,
d4,,PRINCIPAL,DANGOTE,GOLD,Ngozi,Eze,1990-01-15,F,ngozi.eze@dangote.example.com
d5,,PRINCIPAL,DANGOTE,GOLD,Babatunde,Ogunleye,1988-06-21,M,babatunde.ogunleye@dangote.example.com
,d5,SPOUSE,,,Yetunde,Ogunleye,1991-03-08,F,
d6,,PRINCIPAL,DANGOTE,GOLD,Ifeanyi,Nwosu,1983-09-14,M,ifeanyi.nwosu@dangote.example.com
d7,,PRINCIPAL,DANGOTE,GOLD,Halima,Garba,1992-02-27,F,halima.garba@dangote.example.com
m1,,PRINCIPAL,MTNNG,SILVER,Oluwaseun,Akinola,1987-04-02,M,oluwaseun.akinola@mtn.example.com
,m1,SPOUSE,,,Bisola,Akinola,1989-08-16,F,
,m1,CHILD,,,Temiloluwa,Akinola,2018-12-11,F,
m2,,PRINCIPAL,MTNNG,SILVER,Amaka,Okonkwo,1993-05-09,F,amaka.okonkwo@mtn.example.com
m3,,PRINCIPAL,MTNNG,SILVER,Ibrahim,Lawal,1981-10-23,M,ibrahim.lawal@mtn.example.com
,m3,SPOUSE,,,Fatima,Lawal,1985-01-30,F,
,m3,CHILD,,,Umar,Lawal,2012-07-07,M,
m4,,PRINCIPAL,MTNNG,SILVER,Kelechi,Onyeka,1990-03-18,M,kelechi.onyeka@mtn.example.com
m5,,PRINCIPAL,MTNNG,SILVER,Folake,Balogun,1984-12-04,F,folake.balogun@mtn.example.com
,m5,CHILD,,,Damilola,Balogun,2013-03-21,M,
m6,,PRINCIPAL,MTNNG,SILVER,Emeka,Chukwu,1978-07-11,M,emeka.chukwu@mtn.example.com
m7,,PRINCIPAL,MTNNG,SILVER,Tunde,Bakare,1976-02-09,M,tunde.bakare@mtn.example.com
,m7,SPOUSE,,,Omolara,Bakare,1979-10-14,F,
a1,,PRINCIPAL,ACCESS,GOLD,Adebola,Williams,1985-02-19,M,adebola.williams@accessbank.example.com
,a1,SPOUSE,,,Kemi,Williams,1987-11-02,F,
,a1,CHILD,,,Tobiloba,Williams,2015-05-30,M,
a2,,PRINCIPAL,ACCESS,GOLD,Chiamaka,Okeke,1994-09-25,F,chiamaka.okeke@accessbank.example.com
a3,,PRINCIPAL,ACCESS,GOLD,Yusuf,Danjuma,1982-04-13,M,yusuf.danjuma@accessbank.example.com
,a3,SPOUSE,,,Maryam,Danjuma,1986-06-06,F,
a4,,PRINCIPAL,ACCESS,GOLD,Nneka,Ekwueme,1989-08-31,F,nneka.ekwueme@accessbank.example.com
a5,,PRINCIPAL,ACCESS,GOLD,Segun,Adeyemi,1980-01-07,M,segun.adeyemi@accessbank.example.com
a6,,PRINCIPAL,ACCESS,GOLD,Oluchi,Nnamdi,1991-11-19,F,oluchi.nnamdi@accessbank.example.com
,a6,CHILD,,,Chisom,Nnamdi,2020-08-08,F,
"""


@dataclass(frozen=True, slots=True)
class Login:
    tenant: str
    email: str
    role: str


@dataclass
class DemoResult:
    created: bool
    password: str
    logins: list[Login] = field(default_factory=list)
    integration_key: str | None = None  # only when created now: the key is shown once

    def table(self) -> str:
        rows = [("tenant", "email", "role")]
        rows += [(login.tenant, login.email, login.role) for login in self.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.append(f"password for every demo login: {self.password}")
        if self.integration_key:
            lines.append(f"integration API key (shown once, x-api-key): {self.integration_key}")
        return "\n".join(lines)


@dataclass
class DemoContext:
    """What one area's seeding hands to the next."""

    db: AsyncSession
    actor: Actor
    tenant_id: uuid.UUID
    password: str
    roles: dict[str, uuid.UUID]
    result: DemoResult
    # The day the demo's history begins: its clients' schemes and roster are covered from it.
    history_start: date = field(default_factory=lambda: history_start(utcnow().date()))


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_EMAIL_DOMAIN}"


def provider_email(slug: str) -> str:
    return f"desk@{slug}.example.com"


def demo_logins() -> list[Login]:
    staff = [Login(DEMO_SLUG, demo_email(local), role) for role, local in DEMO_STAFF]
    desks = [
        Login(slug, provider_email(slug), f"Provider ({name})") for slug, name, *_ in DEMO_PROVIDERS
    ]
    return staff + desks


def seed_actor(tenant_id: uuid.UUID | None = None) -> Actor:
    return Actor(ActorKind.PLATFORM, "demo-seed", PLATFORM_PERMISSIONS, tenant_id=tenant_id)


def provider_desk(provider: Provider) -> Actor:
    """The provider's front desk, acting as its integration would."""
    return Actor(
        ActorKind.INTEGRATION,
        provider_email(provider.slug),
        PROVIDER_USER_PERMISSIONS,
        tenant_id=provider.org_tenant_id,
        key_scope=ApiKeyScope.PROVIDER_INTEGRATION,
    )


async def seed_tenant(
    db: AsyncSession, password: str, result: DemoResult, start: date
) -> DemoContext:
    """The tenant, its seeded roles and its first admin (`create_tenant` sets `app.tenant_id`);
    its history begins on `start`."""
    actor = seed_actor()
    admin_local = DEMO_STAFF[0][1]
    tenant, admin = await tenants.create_tenant(
        db,
        actor,
        TenantCreate(
            slug=DEMO_SLUG,
            name=DEMO_NAME,
            code=DEMO_CODE,
            admin_email=demo_email(admin_local),
            admin_password=password,
        ),
    )
    admin.first_name, admin.last_name = DEMO_STAFF_NAMES[admin_local]
    roles = {role.name: role.id for role in await db.scalars(select(Role))}
    return DemoContext(db, seed_actor(tenant.id), tenant.id, password, roles, result, start)


async def seed_staff(ctx: DemoContext) -> None:
    """One staff user per seeded role besides Admin (created with the tenant)."""
    for role, local in DEMO_STAFF[1:]:
        await access.add_user(
            ctx.db,
            ctx.actor,
            ctx.tenant_id,
            email=demo_email(local),
            password=ctx.password,
            role_id=ctx.roles[role],
            first_name=DEMO_STAFF_NAMES[local][0],
            last_name=DEMO_STAFF_NAMES[local][1],
        )


async def seed_integration_key(ctx: DemoContext) -> None:
    """A tenant integration key for trying the partner API (read and eligibility only)."""
    key_actor = Actor(
        ActorKind.PLATFORM,
        "demo-seed",
        frozenset(INTEGRATION_KEY_PERMISSIONS),
        tenant_id=ctx.tenant_id,
    )
    _api_key, key = await auth.create_api_key(
        ctx.db,
        key_actor,
        ApiKeyCreate(
            name="Demo partner",
            scope=ApiKeyScope.TENANT_INTEGRATION,
            permissions=list(INTEGRATION_KEY_PERMISSIONS),
        ),
    )
    ctx.result.integration_key = key


async def seed_providers(ctx: DemoContext) -> None:
    """The demo providers, each ACTIVE in the demo HMO's network; existing ones are kept."""
    try:
        for slug, name, type_, state, address, services in DEMO_PROVIDERS:
            provider = await ctx.db.scalar(select(Provider).where(Provider.slug == slug))
            if provider is None:
                provider, _user = await network.create_provider(
                    ctx.db,
                    seed_actor(),
                    ProviderCreate(
                        slug=slug,
                        name=name,
                        type=type_,
                        state=state,
                        address=address,
                        services=list(services),
                        admin_email=provider_email(slug),
                        admin_password=ctx.password,
                    ),
                )
            await set_tenant(ctx.db, ctx.tenant_id)
            await _demo_link(ctx, provider)
    finally:
        await set_tenant(ctx.db, ctx.tenant_id)


async def _demo_link(ctx: DemoContext, provider: Provider) -> None:
    if await network.in_network(ctx.db, ctx.tenant_id, provider.id):
        return
    link = await network.request_link(ctx.db, ctx.actor, provider.id)
    desk = seed_actor(provider.org_tenant_id)
    await set_tenant(ctx.db, provider.org_tenant_id)
    await network.move_link(ctx.db, desk, link.id, "accept", None)


async def seed_enrollees(ctx: DemoContext) -> None:
    """Plans and clients (each created when its code is missing), then the demo roster
    through the bulk importer, once: skipped when the tenant has enrollees."""
    for plan in DEMO_PLANS:
        if await ctx.db.scalar(select(Plan.id).where(Plan.code == plan.code)) is None:
            await plans.create_plan(ctx.db, ctx.actor, plan)
    start = ctx.history_start
    for client in DEMO_CLIENTS:
        if await ctx.db.scalar(select(Client.id).where(Client.code == client.code)) is None:
            # The clients' schemes began with the demo roster's coverage.
            since = client.model_copy(update={"covered_since": start})
            await clients.create_client(ctx.db, ctx.actor, since)
    if await ctx.db.scalar(select(Enrollee.id).limit(1)) is None:
        roster = covered_from(DEMO_ROSTER, start)
        await importer.import_enrollees(
            ctx.db, ctx.actor, roster.encode(), importer.ImportMode.ALL_OR_NOTHING
        )


def covered_from(roster: str, start: date) -> str:
    """The roster with a `coverage_start` column."""
    header, *rows = roster.splitlines()
    return "\n".join([f"{header},coverage_start", *(f"{row},{start}" for row in rows)]) + "\n"


async def seed_portal(ctx: DemoContext) -> None:
    """A client portal login and an enrollee account.

    Uses the first client and principal already seeded, else creates "Dangote Cement"
    with one principal. Skipped when the tenant already has a client login.
    """
    if await ctx.db.scalar(select(User.id).where(User.kind == UserKind.CLIENT).limit(1)):
        return
    client = await ctx.db.scalar(select(Client).order_by(Client.created_at).limit(1))
    client = client or await clients.create_client(
        ctx.db, ctx.actor, ClientCreate(code="DANGOTE", name="Dangote Cement")
    )
    principal = await _demo_principal(ctx, client)
    settings = get_settings()
    client_email = demo_email(f"client.{client.code.lower()}")
    login = await portal.issue_client_credentials(
        ctx.db, ctx.actor, settings, client.id, client_email
    )
    await portal.set_password(login.user, ctx.password)
    enrollee_email = demo_email("enrollee")
    await portal.create_enrollee_account(
        ctx.db,
        ctx.actor,
        settings,
        principal.id,
        AccountCreate(email=enrollee_email, password=ctx.password),
    )
    ctx.result.logins += [
        Login(DEMO_SLUG, client_email, f"Client portal ({client.name})"),
        Login(DEMO_SLUG, enrollee_email, f"Enrollee ({principal.member_id})"),
    ]


async def seed_change_request(ctx: DemoContext) -> None:
    """One pending change request from the client portal user: add a child to their
    first principal's cover (Dangote Cement's, for the demo roster)."""
    client_user = await ctx.db.scalar(select(User).where(User.kind == UserKind.CLIENT).limit(1))
    if client_user is None or client_user.client_id is None:
        return
    principal = await ctx.db.scalar(
        select(Enrollee)
        .where(
            Enrollee.client_id == client_user.client_id,
            Enrollee.relationship == Relationship.PRINCIPAL,
            Enrollee.status != EnrolleeStatus.TERMINATED,
        )
        .order_by(Enrollee.member_id)
        .limit(1)
    )
    if principal is None:
        return
    client_actor = Actor(
        ActorKind.USER,
        client_user.email,
        CLIENT_PERMISSIONS,
        tenant_id=ctx.tenant_id,
        user_id=client_user.id,
        user_kind=UserKind.CLIENT,
        client_id=client_user.client_id,
    )
    await change_requests.create_request(
        ctx.db,
        client_actor,
        AddDependantRequest(
            kind=ChangeRequestKind.ADD_DEPENDANT,
            enrollee_id=principal.id,
            payload=DependantCreate(
                relationship=Relationship.CHILD,
                first_name="Amaka",
                last_name=principal.last_name,
                date_of_birth=date(2019, 5, 14),
                sex=Sex.F,
            ),
        ),
    )


# Auto-approval rules: specialist consultations on the Gold and Silver plans.
DEMO_PA_RULES = (("GOLD", "CONS-02", 80_000_00), ("SILVER", "CONS-02", 60_000_00))


async def seed_pa_rules(ctx: DemoContext) -> None:
    """The Claims Manager's auto-approval rules (`DEMO_PA_RULES`), once."""
    manager = await _staff_member(ctx, "Claims Manager")
    if manager is None or await ctx.db.scalar(select(PaRule.id).limit(1)) is not None:
        return
    for plan_code, procedure, ceiling in DEMO_PA_RULES:
        plan_id = await ctx.db.scalar(select(Plan.id).where(Plan.code == plan_code))
        if plan_id is None:
            continue
        await pa_rules.create_rule(
            ctx.db,
            manager,
            RuleCreate(
                plan_id=plan_id,
                procedure_code=procedure,
                max_amount=ceiling,
                max_urgency=Urgency.ROUTINE,
                description=f"Specialist consultations up to {ceiling // 100:,} are pre-approved.",
            ),
        )


async def _staff_member(ctx: DemoContext, role: str) -> Actor | None:
    """The demo staff user holding `role`, as an actor."""
    local = dict(DEMO_STAFF)[role]
    user_id = await ctx.db.scalar(select(User.id).where(User.email == demo_email(local)))
    if user_id is None:
        return None
    return Actor(
        ActorKind.USER,
        demo_email(local),
        SEEDED_ROLES[role],
        tenant_id=ctx.tenant_id,
        user_id=user_id,
        user_kind=UserKind.STAFF,
    )


# What the login page and the portals show of the demo HMO.
DEMO_DISPLAY_NAME = "Demo HMO Nigeria"
DEMO_COLOUR = "#0F766E"
DEMO_SUPPORT_EMAIL = "support@demo.example.com"
DEMO_SUPPORT_PHONE = "+234 1 700 3636"


def demo_logo(name: str, colour: str) -> bytes:
    """A small SVG logo: a white cross on a rounded square of the brand's colour, and the
    name beside it."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="48" viewBox="0 0 200 48">'
        f'<rect x="2" y="2" width="44" height="44" rx="10" fill="{colour}"/>'
        '<path d="M19 11h10v8h8v10h-8v8H19v-8h-8V19h8z" fill="#FFFFFF"/>'
        '<text x="56" y="31" font-family="Helvetica, Arial, sans-serif" font-size="17" '
        f'font-weight="700" fill="{colour}">{name}</text></svg>'
    ).encode()


async def seed_branding(ctx: DemoContext) -> None:
    """The Admin sets the demo HMO's branding and uploads its logo."""
    admin = await _staff_member(ctx, "Admin")
    if admin is None:
        return
    current = await settings_service.get(ctx.db, admin)
    branded = SettingsPatch(
        version=current.version,
        display_name=DEMO_DISPLAY_NAME,
        primary_colour=DEMO_COLOUR,
        support_email=DEMO_SUPPORT_EMAIL,
        support_phone=DEMO_SUPPORT_PHONE,
    )
    await settings_service.patch(ctx.db, admin, branded)
    logo = demo_logo(DEMO_DISPLAY_NAME, DEMO_COLOUR)
    await branding.put_logo(ctx.db, admin, logo, get_settings().upload_limit("tenant-logo"))


# The staff the history needs, in the order `Staff` takes them.
HISTORY_ROLES = ("Admin", "Adjudicator", "Claims Manager", "Finance")


async def seed_history(ctx: DemoContext, scale: Scale, until: datetime) -> None:
    """A year of the demo HMO's life up to `until`, replayed through the services
    (`core_api.seed_history`)."""
    staff = [await _staff_member(ctx, role) for role in HISTORY_ROLES]
    cardholder = await ctx.db.scalar(select(User).where(User.email == demo_email("enrollee")))
    slugs = [slug for slug, *_ in DEMO_PROVIDERS]
    found = {
        p.slug: p for p in await ctx.db.scalars(select(Provider).where(Provider.slug.in_(slugs)))
    }
    providers = {slug: found[slug] for slug in slugs if slug in found}  # in a replayable order
    if None in staff or cardholder is None or cardholder.enrollee_id is None:
        return
    if len(providers) < len(DEMO_PROVIDERS):
        return
    principal = await ctx.db.get(Enrollee, cardholder.enrollee_id)
    assert principal is not None
    admin, adjudicator, manager, finance = (actor for actor in staff if actor is not None)
    cast = Cast(
        tenant_id=ctx.tenant_id,
        staff=Staff(admin, adjudicator, manager, finance),
        desks={
            slug: Desk(
                p.id,
                p.slug,
                p.name,
                p.type,
                p.state,
                provider_desk(p),
                DEMO_PRICE_LEVELS.get(slug, 1.0),
            )
            for slug, p in providers.items()
        },
        cardholder=Cardholder(
            Actor(
                ActorKind.USER,
                cardholder.email,
                ENROLLEE_PERMISSIONS,
                tenant_id=ctx.tenant_id,
                user_id=cardholder.id,
                user_kind=UserKind.ENROLLEE,
                enrollee_id=principal.id,
            ),
            principal.member_id,
        ),
        primary_provider=DEMO_PRIMARY_PROVIDERS,
        employers=DEMO_EMPLOYERS,
        newcomer=DEMO_NEWCOMER,
    )
    await replay(ctx.db, cast, scale, ctx.history_start, until)


async def _demo_principal(ctx: DemoContext, client: Client) -> Enrollee:
    principal = await ctx.db.scalar(
        select(Enrollee)
        .where(
            Enrollee.client_id == client.id,
            Enrollee.relationship == Relationship.PRINCIPAL,
            Enrollee.status != EnrolleeStatus.TERMINATED,
        )
        .order_by(Enrollee.member_id)
        .limit(1)
    )
    if principal is not None:
        return principal
    plan = await ctx.db.scalar(select(Plan).where(Plan.is_active).order_by(Plan.created_at))
    plan_id = plan.id if plan else (await _demo_plan(ctx)).id
    return await enrollees.create_principal(
        ctx.db,
        ctx.actor,
        PrincipalCreate(
            client_id=client.id,
            plan_id=plan_id,
            first_name="Ngozi",
            last_name="Okafor",
            date_of_birth=date(1985, 4, 12),
            sex=Sex.F,
        ),
    )


async def _demo_plan(ctx: DemoContext) -> Plan:
    view = await plans.create_plan(
        ctx.db,
        ctx.actor,
        PlanCreate(
            code="STANDARD",
            name="Standard",
            benefits=[
                Benefit(category="outpatient", limit_amount=50_000_00),
                Benefit(category="drugs", limit_amount=20_000_00),
                Benefit(category="lab", limit_amount=20_000_00),
            ],
        ),
    )
    return view.plan


async def seed_demo(
    url: str, *, password: str = DEMO_PASSWORD, scale: Scale = DEMO_SCALE
) -> DemoResult:
    """Seeds the demo tenant into the database at `url` (the owner's URL), once: set up
    two weeks before its history begins (the clock shifted there), then a year of history
    up to now, then today's pending change request."""
    result = DemoResult(created=False, password=password, logins=demo_logins())
    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as db, db.begin():
            await set_tenant(db, None)
            if await tenants.get_by_slug(db, DEMO_SLUG) is not None:
                return result
            now = clock.now()
            start = history_start(now.date())
            onboarding = datetime.combine(start - timedelta(days=14), time(9), UTC)
            with clock.shifted_to(onboarding):
                ctx = await seed_tenant(db, password, result, start)
                await seed_staff(ctx)
                await seed_integration_key(ctx)
                await seed_providers(ctx)
                await seed_enrollees(ctx)
                await seed_portal(ctx)
                await seed_pa_rules(ctx)
                await seed_branding(ctx)
            await seed_history(ctx, scale, now - timedelta(minutes=1))
            await seed_change_request(ctx)
            result.created = True
    finally:
        await engine.dispose()
    return result


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("DATABASE_URL is not set (make run seeds the embedded server itself)")
    result = asyncio.run(seed_demo(url))
    print("seeded the demo tenant" if result.created else "the demo tenant already exists")
    print(result.table())


if __name__ == "__main__":
    main()
