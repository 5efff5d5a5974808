"""Members over time for the loss-ratio, utilisation and dashboard tests.

`populate` builds them through the API (plans with premiums and a capitation rate,
clients, principals joining on random days, dependants, suspensions, reactivations and
terminations, a premium change part-way); `read_book` reads the raw rows back as the
database owner; `exposure` is the oracle of coverage and earned premium, day by day in
plain Python, independent of the SQL it checks."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import httpx
from sqlalchemy import text

from tests.claims_world import World, item
from tests.db import superuser
from tests.factories import make_client, make_dependant, make_plan, make_principal

TODAY = date.today()
BENEFITS = [
    {"category": category, "limit_amount": 900_000_000_00, "period": "POLICY_YEAR"}
    for category in ("outpatient", "drugs", "lab")
]


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def days_in(month: date) -> int:
    return (next_month(month) - month).days


def half_up(value: Fraction) -> int:
    return int(Decimal(value.numerator / Decimal(value.denominator)).quantize(0, ROUND_HALF_UP))


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# --- raw rows ------------------------------------------------------------------------------


@dataclass
class RawMember:
    id: str
    member_id: str
    client_id: str
    plan_id: str
    relationship: str
    changes: list[tuple[date, Any, str]] = field(default_factory=list)  # (effective, at, status)

    def covered_on(self, day: date) -> bool:
        begun = [c for c in self.changes if c[0] <= day]
        return bool(begun) and max(begun, key=lambda c: (c[0], c[1]))[2] == "ACTIVE"


@dataclass
class RawVersion:
    version_no: int
    effective_from: date
    premiums: dict[str, int]


@dataclass
class Book:
    """Everything the oracles read, as stored."""

    members: dict[str, RawMember]
    versions: dict[str, list[RawVersion]]  # by plan id
    plan_currency: dict[str, str]
    names: dict[str, str]  # client and plan names by id

    def premium_on(self, member: RawMember, day: date) -> int:
        versions = self.versions[member.plan_id]
        begun = [v for v in versions if v.effective_from <= day] or [
            min(versions, key=lambda v: v.version_no)
        ]
        return max(begun, key=lambda v: v.version_no).premiums[member.relationship]


async def read_book(tenant_id: str) -> Book:
    async with superuser() as db:

        async def rows(sql: str) -> list[Any]:
            return list((await db.execute(text(sql), {"t": tenant_id})).all())

        members = {
            str(r.id): RawMember(
                str(r.id), r.member_id, str(r.client_id), str(r.plan_id), r.relationship
            )
            for r in await rows(
                "select id, member_id, client_id, plan_id, relationship from enrollees"
                " where tenant_id = :t"
            )
        }
        for r in await rows(
            "select enrollee_id, effective_date, created_at, status from enrollee_status_changes"
            " where tenant_id = :t"
        ):
            members[str(r.enrollee_id)].changes.append((r.effective_date, r.created_at, r.status))
        versions: dict[str, list[RawVersion]] = defaultdict(list)
        for r in await rows(
            "select plan_id, version_no, effective_from, premium_principal, premium_spouse,"
            " premium_child from plan_versions where tenant_id = :t"
        ):
            premiums = {
                "PRINCIPAL": r.premium_principal,
                "SPOUSE": r.premium_spouse,
                "CHILD": r.premium_child,
            }
            versions[str(r.plan_id)].append(RawVersion(r.version_no, r.effective_from, premiums))
        plans = await rows("select id, currency, name from plans where tenant_id = :t")
        clients = await rows("select id, name from clients where tenant_id = :t")
    return Book(
        members=members,
        versions=dict(versions),
        plan_currency={str(p.id): p.currency for p in plans},
        names={str(r.id): r.name for r in [*plans, *clients]},
    )


# --- the oracle ----------------------------------------------------------------------------


@dataclass
class Cover:
    """One month, client and plan of coverage."""

    members: set[str] = field(default_factory=set)
    member_days: int = 0
    premium: Fraction = field(default_factory=Fraction)  # exact, before rounding

    @property
    def earned(self) -> int:
        return half_up(self.premium)


def exposure(
    book: Book, first: date, last: date, currency: str = "NGN"
) -> dict[tuple[date, str, str], Cover]:
    """Coverage and earned premium per (month, client, plan) over days `first` … `last`:
    each covered day earns its premium ÷ the days of its month; a cell's sum is rounded
    half up once."""
    cells: dict[tuple[date, str, str], Cover] = defaultdict(Cover)
    for member in book.members.values():
        if book.plan_currency[member.plan_id] != currency:
            continue
        by_month: dict[date, list[date]] = defaultdict(list)
        for day in days(first, last):
            if member.covered_on(day):
                by_month[month_of(day)].append(day)
        for month, covered in by_month.items():
            cell = cells[(month, member.client_id, member.plan_id)]
            cell.members.add(member.id)
            cell.member_days += len(covered)
            cell.premium += sum(
                (Fraction(book.premium_on(member, d), days_in(month)) for d in covered),
                Fraction(),
            )
    return dict(cells)


def covered_days(book: Book, member_id: str) -> list[date]:
    """The days of the last 13 months the member is covered on."""
    member = book.members[member_id]
    return [d for d in days(TODAY - timedelta(days=400), TODAY) if member.covered_on(d)]


# --- building members through the API -------------------------------------------------


@dataclass
class Scheme:
    """The clients, plans and members `populate` made (the world's own included)."""

    clients: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    principals: list[dict[str, Any]] = field(default_factory=list)


def premium(rng: random.Random) -> dict[str, int]:
    return {
        "principal": rng.randint(20, 90) * 1000_00,
        "spouse": rng.randint(10, 60) * 1000_00,
        "child": rng.randint(5, 40) * 1000_00,
    }


async def populate(core: httpx.AsyncClient, w: World, rng: random.Random, members: int) -> Scheme:
    """A second client and plan beside the world's, and `members` principals joining on
    random days of the last 13 months (some with a spouse or a child, some suspended,
    reactivated or terminated later), each with the world's provider as primary provider;
    then one plan's premium changes from a day some months ago."""
    other_plan = await make_plan(
        core, w.hmo, name="Silver", benefits=BENEFITS, premium=premium(rng), capitation_rate=900_00
    )
    scheme = Scheme(
        clients=[w.client, await make_client(core, w.hmo, code="BETA")],
        plans=[w.plan, other_plan],
    )
    dependants: list[str] = []
    for n in range(members):
        start = TODAY - timedelta(days=rng.randint(0, 400))
        principal = await make_principal(
            core,
            w.hmo,
            rng.choice(scheme.clients),
            rng.choice(scheme.plans),
            coverage_start=start.isoformat(),
            primary_provider_id=w.provider.id,
            first_name=f"Member{n}",
        )
        scheme.principals.append(principal)
        if rng.random() < 0.4:
            relationship = rng.choice(["SPOUSE", "CHILD"])
            dependant = await make_dependant(core, w.hmo, principal, relationship=relationship)
            dependants.append(dependant["id"])
    await _backdate(dependants, rng)
    for principal in scheme.principals:
        await _lifecycle(core, w, principal, rng)
    await _premium_change(core, w, other_plan, rng)
    return scheme


async def _backdate(dependant_ids: list[str], rng: random.Random) -> None:
    """Dependants are added from today; move each one's start (and the ACTIVE change that
    began it) to a random day since its principal's start."""
    async with superuser() as db:
        for dependant_id in dependant_ids:
            await db.execute(
                text(
                    "update enrollees d set coverage_start = greatest(p.coverage_start,"
                    " current_date - cast(:back as integer)) from enrollees p"
                    " where d.id = cast(:id as uuid) and p.id = d.principal_id"
                ),
                {"id": dependant_id, "back": rng.randint(0, 400)},
            )
            await db.execute(
                text(
                    "update enrollee_status_changes c set effective_date = d.coverage_start"
                    " from enrollees d where d.id = c.enrollee_id and c.enrollee_id ="
                    " cast(:id as uuid)"
                ),
                {"id": dependant_id},
            )


async def _lifecycle(
    core: httpx.AsyncClient, w: World, principal: dict[str, Any], rng: random.Random
) -> None:
    """Perhaps suspended (and perhaps back) or terminated on random later days; a
    principal's change reaches its dependants."""
    start = date.fromisoformat(principal["coverage_start"])
    span = (TODAY - start).days
    if span < 4 or rng.random() < 0.5:
        return
    moves = rng.choice([["SUSPENDED"], ["SUSPENDED", "ACTIVE"], ["TERMINATED"]])
    day = start
    for status in moves:
        day = day + timedelta(days=rng.randint(1, max(1, (TODAY - day).days // 2)))
        if day > TODAY:
            return
        changed = await core.post(
            f"/v1/enrollees/{principal['id']}/status",
            json={"status": status, "effective_date": day.isoformat()},
            headers=w.hmo.admin,
        )
        assert changed.status_code == 200, changed.text


async def _premium_change(
    core: httpx.AsyncClient, w: World, plan: dict[str, Any], rng: random.Random
) -> None:
    """A new premium for `plan`, in force from a day 2 to 6 months ago."""
    changed = await core.patch(
        f"/v1/plans/{plan['id']}",
        json={"version": plan["version"], "premium": premium(rng)},
        headers=w.hmo.admin,
    )
    assert changed.status_code == 200, changed.text
    async with superuser() as db:
        await db.execute(
            text(
                "update plan_versions set effective_from = current_date - cast(:back as integer)"
                " where plan_id = cast(:plan as uuid) and version_no = 2"
            ),
            {"plan": plan["id"], "back": rng.randint(60, 180)},
        )


# --- claims on covered days -------------------------------------------------------------


async def claim_on(
    core: httpx.AsyncClient,
    w: World,
    member_id: str,
    day: date,
    rng: random.Random,
    categories: tuple[str, ...] = ("outpatient",),
) -> dict[str, Any]:
    """A claim by the world's provider for the member served on `day`, a line per
    category."""
    response = await core.post(
        "/v1/claims",
        json={
            "member_id": member_id,
            "service_date": day.isoformat(),
            "diagnosis_codes": ["J06.9"],
            "items": [
                item(f"C-{category}", rng.randint(1, 40) * 1000_00, category=category)
                for category in categories
            ],
        },
        headers=w.provider.user,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())
