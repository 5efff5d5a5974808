"""Plan premiums (on every plan version) and the exposure they earn: coverage and earned
premium per month, client and plan (`core_api/plans/premiums.py`), pro-rated by day.

September 2025 has 30 days; the principal premium of 3,000.00 earns 100.00 a day in it.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core_api.db import tenant_transaction
from core_api.plans.premiums import Exposure, exposure
from tests.db import superuser
from tests.factories import TenantCtx, make_client, make_plan, make_principal, make_tenant
from tests.test_import import Family, post, to_csv

PREMIUM = {"principal": 3_000_00, "spouse": 1_500_00, "child": 900_00}
SEPTEMBER = (date(2025, 9, 1), date(2025, 9, 30))


async def set_status(
    core: httpx.AsyncClient, tenant: TenantCtx, member: dict[str, Any], status: str, on: str
) -> None:
    response = await core.post(
        f"/v1/enrollees/{member['id']}/status",
        json={"status": status, "effective_date": on},
        headers=tenant.admin,
    )
    assert response.status_code == 200, response.text


async def new_version(
    core: httpx.AsyncClient,
    tenant: TenantCtx,
    plan: dict[str, Any],
    premium: dict[str, int],
    on: str,
) -> dict[str, Any]:
    """A new plan version with `premium`, dated `on` (a version begins the day it is made;
    the date is moved as the database owner so a past month can be priced)."""
    response = await core.patch(
        f"/v1/plans/{plan['id']}",
        json={"version": plan["version"], "premium": premium},
        headers=tenant.admin,
    )
    assert response.status_code == 200, response.text
    updated = dict(response.json())
    async with superuser() as conn:
        await conn.execute(
            text(
                "update plan_versions set effective_from = :on"
                " where plan_id = :plan and version_no = :no"
            ),
            {"on": date.fromisoformat(on), "plan": plan["id"], "no": updated["version_no"]},
        )
    return updated


async def exposure_of(
    core_app: Any,
    tenant: TenantCtx,
    first_day: date,
    last_day: date,
    **filters: uuid.UUID,
) -> list[Exposure]:
    async with tenant_transaction(core_app.state.session_factory, uuid.UUID(tenant.id)) as db:
        return await exposure(db, uuid.UUID(tenant.id), first_day, last_day, **filters)


def by_client(rows: Iterable[Exposure]) -> dict[str, tuple[int, int, int]]:
    """Client id → (members, member days, earned premium) of the rows (one month's)."""
    return {str(r.client_id): (r.members, r.member_days, r.earned_premium) for r in rows}


class TestPlanPremium:
    async def test_created_read_and_listed(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant, premium=PREMIUM)
        assert plan["premium"] == PREMIUM
        fetched = (await core.get(f"/v1/plans/{plan['id']}", headers=tenant.admin)).json()
        assert fetched["premium"] == PREMIUM
        listed = (await core.get("/v1/plans", headers=tenant.admin)).json()["items"]
        assert [p["premium"] for p in listed] == [PREMIUM]

    async def test_a_plan_without_one_earns_nothing(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        assert plan["premium"] == {"principal": 0, "spouse": 0, "child": 0}

    async def test_a_change_is_a_new_version_and_the_old_keeps_its_premium(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant, premium=PREMIUM)
        dearer = {**PREMIUM, "principal": 3_500_00}
        response = await core.patch(
            f"/v1/plans/{plan['id']}",
            json={"version": plan["version"], "premium": dearer},
            headers=tenant.admin,
        )
        assert response.status_code == 200, response.text
        assert (response.json()["version_no"], response.json()["premium"]) == (2, dearer)
        assert response.json()["benefits"] == plan["benefits"]
        old = await core.get(f"/v1/plans/{plan['id']}?version_no=1", headers=tenant.admin)
        assert old.json()["premium"] == PREMIUM
        # Another rule change carries the premium into the next version.
        richer = await core.patch(
            f"/v1/plans/{plan['id']}",
            json={"version": response.json()["version"], "capitation_rate": 500_00},
            headers=tenant.admin,
        )
        assert (richer.json()["version_no"], richer.json()["premium"]) == (3, dearer)

    @pytest.mark.parametrize(
        ("premium", "field"),
        [
            ({"principal": 1, "spouse": 1}, "premium.child"),
            ({"principal": -1, "spouse": 1, "child": 1}, "premium.principal"),
            ({"principal": 1, "spouse": 1.5, "child": 1}, "premium.spouse"),
            ({"principal": 1, "spouse": 1, "child": 10**12 + 1}, "premium.child"),
            ({"principal": "a lot", "spouse": 1, "child": 1}, "premium.principal"),
            (1_500_00, "premium"),
            (None, "premium"),
        ],
    )
    async def test_bad_premiums_are_422_naming_the_field(
        self, core: httpx.AsyncClient, premium: object, field: str
    ) -> None:
        tenant = await make_tenant(core)
        created = await core.post(
            "/v1/plans", json={"code": "X1", "name": "X", "premium": premium}, headers=tenant.admin
        )
        assert created.status_code == 422, created.text
        assert field in {e["field"] for e in created.json()["errors"]}
        plan = await make_plan(core, tenant)
        patched = await core.patch(
            f"/v1/plans/{plan['id']}",
            json={"version": plan["version"], "premium": premium},
            headers=tenant.admin,
        )
        assert patched.status_code == 422, patched.text
        assert field in {e["field"] for e in patched.json()["errors"]}


@dataclass
class World:
    """One HMO; each scenario's member has a client of its own, so its row is its own."""

    tenant: TenantCtx
    plan: dict[str, Any]
    clients: dict[str, str]  # scenario → client id


async def september_world(core: httpx.AsyncClient) -> World:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant, premium=PREMIUM)
    clients: dict[str, str] = {}

    async def member(scenario: str, since: str = "2025-01-01") -> dict[str, Any]:
        client = await make_client(core, tenant, scenario.upper())
        clients[scenario] = client["id"]
        return await make_principal(core, tenant, client, plan, coverage_start=since)

    await member("whole")
    await member("joined", since="2025-09-10")  # 10th to 30th: 21 days
    resting = await member("resting")
    await set_status(core, tenant, resting, "SUSPENDED", "2025-09-06")
    await set_status(core, tenant, resting, "ACTIVE", "2025-09-16")  # 5 + 15 days
    leaver = await member("leaver")
    await set_status(core, tenant, leaver, "TERMINATED", "2025-09-21")  # 20 days
    await member("later", since="2025-10-05")  # joined after the month
    gone = await member("gone")
    await set_status(core, tenant, gone, "TERMINATED", "2025-08-15")  # left before it
    family = await make_client(core, tenant, "FAMILY")
    clients["family"] = family["id"]
    rows = Family(family, plan)
    imported = await post(
        core,
        tenant,
        to_csv(
            [
                rows.principal("a", coverage_start="2025-01-01"),
                rows.dependant("a", "SPOUSE", "Amaka"),
                rows.dependant("a", "CHILD", "Obinna"),
                rows.dependant("a", "CHILD", "Ifeoma", coverage_start="2025-09-16"),
            ]
        ),
    )
    assert imported.status_code == 201, imported.text
    return World(tenant, plan, clients)


class TestEarnedPremium:
    async def test_pro_rated_by_day_per_client(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        w = await september_world(core)
        rows = await exposure_of(core_app, w.tenant, *SEPTEMBER)
        assert {r.month for r in rows} == {date(2025, 9, 1)}
        assert {(r.plan_id, r.currency, r.days_in_month) for r in rows} == {
            (uuid.UUID(w.plan["id"]), "NGN", 30)
        }
        day = PREMIUM["principal"] // 30
        assert by_client(rows) == {
            w.clients["whole"]: (1, 30, PREMIUM["principal"]),
            w.clients["joined"]: (1, 21, 21 * day),
            w.clients["resting"]: (1, 20, 20 * day),  # one member, counted once
            w.clients["leaver"]: (1, 20, 20 * day),
            w.clients["family"]: (
                4,
                30 + 30 + 30 + 15,
                PREMIUM["principal"] + PREMIUM["spouse"] + PREMIUM["child"] * 3 // 2,
            ),
        }
        whole = next(r for r in rows if str(r.client_id) == w.clients["whole"])
        assert whole.member_months == Decimal(1)
        joined = next(r for r in rows if str(r.client_id) == w.clients["joined"])
        assert joined.member_months == Decimal("0.700000")

    async def test_months_around_and_a_range_cut_mid_month(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        w = await september_world(core)
        rows = await exposure_of(core_app, w.tenant, date(2025, 8, 20), date(2025, 10, 9))
        by_month: dict[date, dict[str, tuple[int, int, int]]] = defaultdict(dict)
        for row in rows:
            by_month[row.month] |= by_client([row])
        assert sorted(by_month) == [date(2025, 8, 1), date(2025, 9, 1), date(2025, 10, 1)]
        august, october = by_month[date(2025, 8, 1)], by_month[date(2025, 10, 1)]
        # The 20th to the 31st of August: 12 of 31 days; the gone member left on the 15th.
        assert august[w.clients["whole"]] == (1, 12, round(PREMIUM["principal"] * 12 / 31))
        assert w.clients["gone"] not in august
        assert w.clients["joined"] not in august
        # The 1st to the 9th of October (31 days); the later member joined on the 5th.
        assert october[w.clients["resting"]] == (1, 9, round(PREMIUM["principal"] * 9 / 31))
        assert october[w.clients["later"]] == (1, 5, round(PREMIUM["principal"] * 5 / 31))
        assert w.clients["leaver"] not in october

    async def test_a_range_beginning_the_day_members_join_leave_or_come_back(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant, premium=PREMIUM)
        client = await make_client(core, tenant)
        await make_principal(core, tenant, client, plan, coverage_start="2025-09-01")
        leaver = await make_principal(core, tenant, client, plan, coverage_start="2025-01-01")
        await set_status(core, tenant, leaver, "TERMINATED", "2025-09-01")
        back = await make_principal(core, tenant, client, plan, coverage_start="2025-01-01")
        await set_status(core, tenant, back, "SUSPENDED", "2025-08-10")
        await set_status(core, tenant, back, "ACTIVE", "2025-09-01")
        rows = await exposure_of(core_app, tenant, date(2025, 9, 1), date(2025, 10, 31))
        assert [(r.month, r.members, r.member_days) for r in rows] == [
            (date(2025, 9, 1), 2, 60),
            (date(2025, 10, 1), 2, 62),
        ]

    async def test_a_new_version_mid_month_prices_each_side(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant, premium=PREMIUM)
        client = await make_client(core, tenant)
        await make_principal(core, tenant, client, plan, coverage_start="2025-01-01")
        await new_version(core, tenant, plan, {**PREMIUM, "principal": 4_500_00}, "2025-09-21")
        rows = await exposure_of(core_app, tenant, date(2025, 8, 1), date(2025, 10, 31))
        assert [r.earned_premium for r in rows] == [
            3_000_00,  # August keeps the premium it was earned under
            20 * 100_00 + 10 * 150_00,  # 20 days at 3,000.00 and 10 at 4,500.00 a month
            4_500_00,
        ]

    async def test_rounded_half_up_once_per_row(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(
            core, tenant, premium={"principal": 1_000_01, "spouse": 0, "child": 0}
        )
        alone, pair = (
            await make_client(core, tenant, "ALONE"),
            await make_client(core, tenant, "PAIR"),
        )
        await make_principal(core, tenant, alone, plan, coverage_start="2025-09-16")
        for _ in range(2):
            await make_principal(core, tenant, pair, plan, coverage_start="2025-09-16")
        rows = by_client(await exposure_of(core_app, tenant, *SEPTEMBER))
        assert rows[alone["id"]] == (1, 15, 50001)  # 15/30 of 100001 is 50000.5
        assert rows[pair["id"]] == (2, 30, 100001)

    async def test_filters_and_currency(self, core: httpx.AsyncClient, core_app: Any) -> None:
        tenant = await make_tenant(core)
        naira = await make_plan(core, tenant, premium=PREMIUM)
        dollars = await make_plan(core, tenant, premium=PREMIUM, currency="USD")
        first, second = (
            await make_client(core, tenant, "ONE"),
            await make_client(core, tenant, "TWO"),
        )
        for client in (first, second):
            for plan in (naira, dollars):
                await make_principal(core, tenant, client, plan, coverage_start="2025-01-01")
        everything = await exposure_of(core_app, tenant, *SEPTEMBER)
        assert len(everything) == 4
        assert {(str(r.plan_id), r.currency) for r in everything} == {
            (naira["id"], "NGN"),
            (dollars["id"], "USD"),
        }
        one = await exposure_of(core_app, tenant, *SEPTEMBER, client_id=uuid.UUID(first["id"]))
        assert {str(r.client_id) for r in one} == {first["id"]}
        assert len(one) == 2
        both = await exposure_of(
            core_app,
            tenant,
            *SEPTEMBER,
            client_id=uuid.UUID(second["id"]),
            plan_id=uuid.UUID(dollars["id"]),
        )
        assert [(str(r.client_id), str(r.plan_id)) for r in both] == [(second["id"], dollars["id"])]

    async def test_other_tenants_are_never_counted(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        mine, theirs = await make_tenant(core), await make_tenant(core)
        for tenant in (mine, theirs):
            plan = await make_plan(core, tenant, premium=PREMIUM)
            client = await make_client(core, tenant)
            await make_principal(core, tenant, client, plan, coverage_start="2025-01-01")
        rows = await exposure_of(core_app, mine, *SEPTEMBER)
        assert [(r.members, r.earned_premium) for r in rows] == [(1, PREMIUM["principal"])]
        # Asked for another tenant's figures, Row-Level Security leaves nothing to count.
        async with tenant_transaction(core_app.state.session_factory, uuid.UUID(mine.id)) as db:
            assert await exposure(db, uuid.UUID(theirs.id), *SEPTEMBER) == []

    async def test_an_empty_or_backward_range(self, core: httpx.AsyncClient, core_app: Any) -> None:
        tenant = await make_tenant(core)
        assert await exposure_of(core_app, tenant, *SEPTEMBER) == []
        with pytest.raises(ValueError, match="before"):
            await exposure_of(core_app, tenant, date(2025, 9, 2), date(2025, 9, 1))


# --- against a plain day-by-day computation over the raw rows ------------------------------

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


@dataclass(frozen=True)
class Change:
    status: str
    effective_date: date
    recorded: datetime  # created_at: the latest recorded wins a tie


@dataclass(frozen=True)
class Version:
    version_no: int
    effective_from: date
    premium: dict[str, int]


async def raw_rows(
    tenant: TenantCtx,
) -> tuple[dict[str, tuple[str, str, str]], dict[str, list[Change]], dict[str, list[Version]]]:
    """As the database owner: each enrollee's client, plan and relationship, its status
    changes and each plan's versions."""
    async with superuser() as conn:
        members = await conn.execute(
            text("select id, client_id, plan_id, relationship from enrollees where tenant_id = :t"),
            {"t": tenant.id},
        )
        changes = await conn.execute(
            text(
                "select enrollee_id, status, effective_date, created_at"
                " from enrollee_status_changes where tenant_id = :t"
            ),
            {"t": tenant.id},
        )
        versions = await conn.execute(
            text(
                "select plan_id, version_no, effective_from,"
                " premium_principal, premium_spouse, premium_child"
                " from plan_versions where tenant_id = :t"
            ),
            {"t": tenant.id},
        )
    history: dict[str, list[Change]] = defaultdict(list)
    for enrollee, status, on, recorded in changes:
        history[str(enrollee)].append(Change(status, on, recorded))
    plans: dict[str, list[Version]] = defaultdict(list)
    for plan, number, since, principal, spouse, child in versions:
        premium = {"PRINCIPAL": principal, "SPOUSE": spouse, "CHILD": child}
        plans[str(plan)].append(Version(number, since, premium))
    people = {str(m): (str(c), str(p), r) for m, c, p, r in members}
    return people, history, plans


def status_on(changes: list[Change], day: date) -> str | None:
    begun = [c for c in changes if c.effective_date <= day]
    if not begun:
        return None
    return max(begun, key=lambda c: (c.effective_date, c.recorded)).status


def version_on(versions: list[Version], day: date) -> Version:
    begun = [v for v in versions if v.effective_from <= day]
    if not begun:
        return min(versions, key=lambda v: v.version_no)
    return max(begun, key=lambda v: v.version_no)


def by_hand(
    people: dict[str, tuple[str, str, str]],
    history: dict[str, list[Change]],
    plans: dict[str, list[Version]],
    first_day: date,
    last_day: date,
) -> list[tuple[date, str, str, int, int, int]]:
    """Every day of the range, member by member: the rule as the README states it."""
    members: dict[tuple[date, str, str], set[str]] = defaultdict(set)
    days: dict[tuple[date, str, str], int] = defaultdict(int)
    earned: dict[tuple[date, str, str], Fraction] = defaultdict(Fraction)
    day = first_day
    while day <= last_day:
        month = day.replace(day=1)
        month_days = ((month + timedelta(days=32)).replace(day=1) - month).days
        for member, (client, plan, relationship) in people.items():
            if status_on(history[member], day) != "ACTIVE":
                continue
            key = (month, client, plan)
            members[key].add(member)
            days[key] += 1
            premium = version_on(plans[plan], day).premium[relationship]
            earned[key] += Fraction(premium, month_days)
        day += timedelta(days=1)
    return sorted((*key, len(members[key]), days[key], half_up(earned[key])) for key in members)


def half_up(amount: Fraction) -> int:
    return (2 * amount.numerator + amount.denominator) // (2 * amount.denominator)


def as_tuples(rows: list[Exposure]) -> list[tuple[date, str, str, int, int, int]]:
    return sorted(
        (r.month, str(r.client_id), str(r.plan_id), r.members, r.member_days, r.earned_premium)
        for r in rows
    )


def random_day(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randrange((high - low).days + 1))


class TestAgainstADayByDayComputation:
    async def test_random_members_lifecycles_and_versions(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        rng = random.Random(20251207)
        tenant = await make_tenant(core)
        plans = [
            await make_plan(
                core, tenant, premium={"principal": 2_999_99, "spouse": 1_234_57, "child": 777_77}
            ),
            await make_plan(
                core, tenant, premium={"principal": 1_000_00, "spouse": 1_000_00, "child": 1_000_00}
            ),
        ]
        # Three versions of the first plan, the third begun within a month of the second.
        second = await new_version(
            core,
            tenant,
            plans[0],
            {"principal": 3_100_00, "spouse": 1_300_01, "child": 800_00},
            "2025-03-17",
        )
        await new_version(
            core,
            tenant,
            second,
            {"principal": 3_333_33, "spouse": 0, "child": 901_03},
            "2025-04-02",
        )
        clients = [await make_client(core, tenant, code) for code in ("NORTH", "SOUTH")]
        rows = []
        for n in range(12):
            family = Family(rng.choice(clients), rng.choice(plans))
            ref, start = f"f{n}", random_day(rng, date(2024, 11, 1), date(2025, 11, 30))
            rows.append(family.principal(ref, coverage_start=start.isoformat()))
            for i, relationship in enumerate(rng.sample(["SPOUSE", "CHILD", "CHILD", ""], k=2)):
                since = random_day(rng, start, date(2025, 12, 31)).isoformat()
                if relationship:
                    rows.append(
                        Family.dependant(ref, relationship, f"D{n}x{i}", coverage_start=since)
                    )
        imported = await post(core, tenant, to_csv(rows))
        assert imported.status_code == 201, imported.text
        people = (
            await core.get("/v1/enrollees", params={"limit": 200}, headers=tenant.admin)
        ).json()["items"]
        # Lifecycles, dates in any order (backdated changes), principals' taking dependants along.
        moves = {"ACTIVE": ["SUSPENDED", "TERMINATED"], "SUSPENDED": ["ACTIVE", "TERMINATED"]}
        for person in rng.sample(people, k=len(people) * 2 // 3):
            status, start = "ACTIVE", date.fromisoformat(person["coverage_start"])
            for _ in range(rng.randint(1, 3)):
                current = (
                    await core.get(f"/v1/enrollees/{person['id']}", headers=tenant.admin)
                ).json()["status"]
                if current == "TERMINATED":
                    break
                status = rng.choice(moves[current])
                on = random_day(rng, start, date(2026, 1, 15))
                await set_status(core, tenant, person, status, on.isoformat())
        people_, history, versions = await raw_rows(tenant)
        for first_day, last_day in (YEAR, (date(2025, 3, 10), date(2025, 9, 22))):
            expected = by_hand(people_, history, versions, first_day, last_day)
            assert as_tuples(await exposure_of(core_app, tenant, first_day, last_day)) == expected
        client = uuid.UUID(clients[0]["id"])
        only = await exposure_of(core_app, tenant, *YEAR, client_id=client)
        assert as_tuples(only) == [
            row for row in by_hand(people_, history, versions, *YEAR) if row[1] == str(client)
        ]
