"""The enrollee-coverage report checked against a plain computation over the raw rows:
members of two clients on two plans (one changed today), dependants, back-dated
suspensions, reinstatements and terminations, and benefit use from claims approved on
past service dates, up to the limits."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core_api.eligibility.service import period_of
from core_api.models import BenefitPeriod
from core_api.reports.period import add_months, month_end
from tests.db import superuser
from tests.factories import (
    ProviderCtx,
    TenantCtx,
    link_provider,
    make_client,
    make_dependant,
    make_plan,
    make_principal,
    make_provider,
    make_tenant,
)
from tests.test_reports import all_rows, report

NAME = "enrollee-coverage"
TODAY = datetime.now(UTC).date()
STATUSES = ("ACTIVE", "SUSPENDED", "TERMINATED")
PLAN_A = [
    {"category": "outpatient", "limit_amount": 100_000_00, "period": "POLICY_YEAR"},
    {"category": "drugs", "limit_amount": 20_000_00, "period": "CALENDAR_MONTH"},
    {"category": "optical", "limit_amount": 0, "period": "POLICY_YEAR"},
]
PLAN_B = [
    {"category": "outpatient", "limit_amount": 60_000_00, "period": "POLICY_YEAR"},
    {"category": "lab", "limit_amount": 30_000_00, "period": "POLICY_YEAR"},
]


# --- building the data through the API ----------------------------------------------------


@dataclass
class Covered:
    hmo: TenantCtx
    plans: list[dict[str, Any]]
    clients: list[dict[str, Any]]
    members: list[dict[str, Any]]
    provider: ProviderCtx


async def approve_claim(
    core: httpx.AsyncClient, c: Covered, member: dict[str, Any], day: date, items: list[Any]
) -> None:
    filed = await core.post(
        "/v1/claims",
        json={
            "member_id": member["member_id"],
            "provider_id": c.provider.id,
            "service_date": day.isoformat(),
            "diagnosis_codes": ["J06.9"],
            "items": items,
        },
        headers=c.provider.user,
    )
    assert filed.status_code == 201, filed.text
    claim = filed.json()
    for to in ("RECEIVED", "IN_REVIEW", "APPROVED"):
        moved = await core.post(
            f"/v1/claims/{claim['id']}/transitions",
            json={"to": to, "version": claim["version"]},
            headers=c.hmo.admin,
        )
        assert moved.status_code == 200, moved.text
        claim = moved.json()


async def set_status(
    core: httpx.AsyncClient, c: Covered, member: dict[str, Any], status: str, day: date
) -> None:
    changed = await core.post(
        f"/v1/enrollees/{member['id']}/status",
        json={"status": status, "effective_date": day.isoformat()},
        headers=c.hmo.admin,
    )
    assert changed.status_code == 200, changed.text


def some_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


async def build(core: httpx.AsyncClient, rng: random.Random) -> Covered:
    hmo = await make_tenant(core)
    plans = [
        await make_plan(core, hmo, name=name, benefits=benefits, exclusions=[])
        for name, benefits in (("Gold", PLAN_A), ("Silver", PLAN_B))
    ]
    clients = [await make_client(core, hmo, code) for code in ("ACME", "BETA")]
    provider = await make_provider(core)
    await link_provider(core, hmo, provider)
    c = Covered(hmo, plans, clients, [], provider)
    starts = [TODAY - timedelta(days=rng.randint(20, 700)) for _ in range(7)]
    for n, start in enumerate([*starts, date(2024, 2, 29), TODAY + timedelta(days=10)]):
        c.members.append(
            await make_principal(
                core,
                hmo,
                clients[n % 2],
                plans[n % 3 % 2],
                coverage_start=start.isoformat(),
                first_name=f"P{n}",
            )
        )
    principals = c.members[:8]
    for n in range(3):
        relationship = "SPOUSE" if n == 0 else "CHILD"
        c.members.append(await make_dependant(core, hmo, principals[n], relationship=relationship))
    # Use from claims on past service days, each member's categories, some up to the limit.
    for n in range(14):
        member = rng.choice([m for m in principals if m["coverage_start"] <= str(TODAY)])
        day = some_day(
            rng, max(date.fromisoformat(member["coverage_start"]), TODAY - timedelta(400)), TODAY
        )
        categories = (
            ["outpatient", "drugs"]
            if member["plan_id"] == plans[0]["id"]
            else ["outpatient", "lab"]
        )
        items = [
            {
                "code": f"X{n}{k}",
                "description": "x",
                "quantity": 1,
                "unit_price": rng.choice([5_000_00, 15_000_00, 40_000_00, 90_000_00]),
                "category": category,
            }
            for k, category in enumerate(rng.sample(categories, rng.randint(1, 2)))
        ]
        await approve_claim(core, c, member, day, items)
    drugs = {"code": "D1", "description": "d", "quantity": 3, "unit_price": 5_000_00}
    await approve_claim(core, c, principals[2], TODAY, [drugs | {"category": "drugs"}])
    # Plan B's outpatient limit halves from today (a new plan version).
    plan_b = plans[1]
    changed = await core.patch(
        f"/v1/plans/{plan_b['id']}",
        json={
            "version": plan_b["version"],
            "benefits": [PLAN_B[0] | {"limit_amount": 30_000_00}, PLAN_B[1]],
        },
        headers=hmo.admin,
    )
    assert changed.status_code == 200, changed.text
    # Lifecycle, back-dated: suspensions (one reinstated), a principal terminated.
    for member, moves in (
        (principals[0], ["SUSPENDED"]),
        (principals[3], ["SUSPENDED", "ACTIVE"]),
        (principals[4], ["TERMINATED"]),
        (principals[1], ["TERMINATED"]),
    ):
        day = date.fromisoformat(member["coverage_start"])
        for status in moves:
            day = some_day(rng, day, TODAY)
            await set_status(core, c, member, status, day)
    return c


# --- the raw rows and the plain computation ------------------------------------------------


@dataclass
class Raw:
    members: list[Any]
    changes: dict[str, list[Any]]
    versions: dict[str, list[Any]]  # per plan
    benefits: dict[str, list[Any]]  # per plan version
    usage: dict[str, list[Any]]  # per enrollee


async def read_raw(c: Covered) -> Raw:
    t = {"t": c.hmo.id}
    async with superuser() as db:

        async def rows(sql: str) -> list[Any]:
            return list((await db.execute(text(sql), t)).all())

        changes, versions, benefits, usage = (
            defaultdict(list),
            defaultdict(list),
            defaultdict(list),
            defaultdict(list),
        )
        for row in await rows(
            "select enrollee_id, status, effective_date, created_at"
            " from enrollee_status_changes where tenant_id = :t"
        ):
            changes[str(row.enrollee_id)].append(row)
        for row in await rows(
            "select id, plan_id, version_no, effective_from from plan_versions where tenant_id = :t"
        ):
            versions[str(row.plan_id)].append(row)
        for row in await rows(
            "select plan_version_id, category, limit_amount, period from plan_benefits"
            " where tenant_id = :t"
        ):
            benefits[str(row.plan_version_id)].append(row)
        for row in await rows(
            "select enrollee_id, category, service_date, amount from benefit_usage"
            " where tenant_id = :t"
        ):
            usage[str(row.enrollee_id)].append(row)
        members = await rows(
            "select e.id, e.member_id, e.client_id, e.plan_id, e.relationship,"
            " e.coverage_start, c.name as client, p.name as plan"
            " from enrollees e join clients c on c.id = e.client_id"
            " join plans p on p.id = e.plan_id where e.tenant_id = :t"
        )
    return Raw(members, changes, versions, benefits, usage)


def status_on(raw: Raw, member: Any, day: date) -> str | None:
    valid = [c for c in raw.changes[str(member.id)] if c.effective_date <= day]
    if not valid:
        return None
    return str(max(valid, key=lambda c: (c.effective_date, c.created_at)).status)


def version_on(raw: Raw, plan_id: str, day: date) -> Any:
    versions = sorted(raw.versions[plan_id], key=lambda v: v.version_no)
    begun = [v for v in versions if v.effective_from <= day]
    return begun[-1] if begun else versions[0]


def benefit_use(raw: Raw, member: Any, day: date) -> list[dict[str, Any]]:
    version = version_on(raw, str(member.plan_id), day)
    found = []
    for benefit in raw.benefits[str(version.id)]:
        first, last = period_of(BenefitPeriod(benefit.period), member.coverage_start, day)
        used = sum(
            u.amount
            for u in raw.usage[str(member.id)]
            if u.category == benefit.category and first <= u.service_date <= day
        )
        found.append(
            {"category": benefit.category, "limit": benefit.limit_amount, "used": used, "end": last}
        )
    return found


def at(benefit: dict[str, Any], percent: int) -> bool:
    return bool(benefit["limit"] > 0 and benefit["used"] * 100 >= benefit["limit"] * percent)


@dataclass
class Snapshot:
    statuses: dict[str, str]  # member id -> status on the day
    benefits: list[tuple[Any, dict[str, Any]]]  # (active member, benefit)


def snapshot(raw: Raw, day: date, **filters: str) -> Snapshot:
    members = [
        m
        for m in raw.members
        if all(str(getattr(m, k)) == v for k, v in filters.items() if k != "category")
    ]
    statuses = {str(m.id): s for m in members if (s := status_on(raw, m, day)) is not None}
    benefits = [
        (m, b)
        for m in members
        if statuses.get(str(m.id)) == "ACTIVE"
        for b in benefit_use(raw, m, day)
        if filters.get("category") in (None, b["category"])
    ]
    return Snapshot(statuses, benefits)


def kpis(raw: Raw, first: date, last: date, **filters: str) -> dict[str, int]:
    shot = snapshot(raw, min(last, TODAY), **filters)
    counted = Counter(shot.statuses.values())
    members = [
        m
        for m in raw.members
        if all(str(getattr(m, k)) == v for k, v in filters.items() if k != "category")
    ]
    return {
        "members": counted["ACTIVE"],
        "suspended": counted["SUSPENDED"],
        "terminated": counted["TERMINATED"],
        "joined": sum(first <= m.coverage_start <= last for m in members),
        "near_limit": len({m.id for m, b in shot.benefits if at(b, 80)}),
        "exhausted": len({m.id for m, b in shot.benefits if at(b, 100)}),
    }


def assert_kpis(body: dict[str, Any], raw: Raw, **filters: str) -> None:
    now, before = (
        kpis(raw, date.fromisoformat(p["from"]), date.fromisoformat(p["to"]), **filters)
        for p in (body["period"], body["previous_period"])
    )
    for kpi in body["kpis"]:
        assert (kpi["value"], kpi["previous"]) == (now[kpi["key"]], before[kpi["key"]]), kpi


def assert_charts(body: dict[str, Any], raw: Raw) -> None:
    first, last = (
        date.fromisoformat(body["period"]["from"]),
        date.fromisoformat(body["period"]["to"]),
    )
    for point in body["trend"]["points"]:
        month = date.fromisoformat(point["month"] + "-01")
        day = min(month_end(month), last, TODAY)
        active = Counter(snapshot(raw, day).statuses.values())["ACTIVE"] if day >= month else 0
        assert point["members"] == active, point
        lo, hi = max(first, month), min(last, month_end(month))
        assert point["joined"] == sum(lo <= m.coverage_start <= hi for m in raw.members), point
        left = [
            c
            for changes in raw.changes.values()
            for c in changes
            if c.status == "TERMINATED" and lo <= c.effective_date <= hi
        ]
        assert point["left"] == len(left), point
    shot = snapshot(raw, min(last, TODAY))
    by_id = {str(m.id): m for m in raw.members}
    breakdown = {b["key"]: {i["key"]: i for i in b["items"]} for b in body["breakdown"]}
    for key, attribute in (
        ("client", "client_id"),
        ("plan", "plan_id"),
        ("relationship", "relationship"),
    ):
        want: dict[str, Counter[str]] = defaultdict(Counter)
        for member_id, status in shot.statuses.items():
            want[str(getattr(by_id[member_id], attribute))][status.lower()] += 1
        got = {
            k: Counter(
                {s: n for s, n in i.items() if s in ("active", "suspended", "terminated") and n}
            )
            for k, i in breakdown[key].items()
        }
        assert {k: v for k, v in got.items() if v} == dict(want), key
    statuses = Counter(shot.statuses.values())
    assert {k: i["members"] for k, i in breakdown["status"].items()} == {
        s: statuses[s] for s in STATUSES
    }
    categories = sorted({b["category"] for _, b in shot.benefits})
    assert list(breakdown["benefits"]) == categories
    for category in categories:
        mine = [b for _, b in shot.benefits if b["category"] == category]
        limited = [b for b in mine if b["limit"] > 0]
        item = breakdown["benefits"][category]
        assert item["members"] == len(limited)
        assert item["used"] == sum(b["used"] for b in mine)
        for percent in (50, 80, 100):
            share = sum(at(b, percent) for b in limited) / len(limited) if limited else None
            assert item[f"at_{percent}"] == pytest.approx(share), (category, percent)


def expected_rows(raw: Raw, day: date, **filters: str) -> list[tuple[Any, ...]]:
    shot = snapshot(raw, day, **filters)
    return sorted(
        (
            m.member_id,
            b["category"],
            b["end"].isoformat(),
            b["used"],
            b["limit"],
            max(b["limit"] - b["used"], 0),
        )
        for m, b in shot.benefits
        if b["used"] > 0
    )


def row_tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("member_id", "category", "period_end", "used", "limit", "remaining")
    return tuple(row[k] for k in keys)


# --- the tests -----------------------------------------------------------------------------


async def test_enrollee_coverage_matches_the_raw_rows(core: httpx.AsyncClient) -> None:
    rng = random.Random(5)
    c = await build(core, rng)
    raw = await read_raw(c)
    for first, last in (
        (TODAY.replace(day=1) - timedelta(days=150), TODAY),
        (add_months(TODAY.replace(day=1), -11), TODAY - timedelta(days=45)),
    ):
        params = {"from": first.isoformat(), "to": last.isoformat()}
        answer = await report(core, c.hmo.admin, NAME, **params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert_kpis(body, raw)
        assert_charts(body, raw)
        rows = await all_rows(core, c.hmo.admin, name=NAME, **params)
        assert sorted(row_tuple(r) for r in rows) == expected_rows(raw, min(last, TODAY))
        shares = [r["share"] for r in rows]
        assert shares == sorted(shares, reverse=True)  # the default order: closest first
        for row in rows:
            assert row["share"] == pytest.approx(row["used"] / row["limit"])

    # Today's rows are the eligibility service's balances.
    rows = await all_rows(core, c.hmo.admin, name=NAME)
    for member in {r["member_id"] for r in rows}:
        checked = await core.post(
            "/v1/eligibility",
            json={"member_id": member, "service_date": TODAY.isoformat()},
            headers=c.hmo.admin,
        )
        balances = {b["category"]: b for b in checked.json()["benefits"]}
        for row in (r for r in rows if r["member_id"] == member):
            balance = balances[row["category"]]
            assert (row["used"], row["limit"]) == (balance["used_amount"], balance["limit_amount"])

    # Each filter narrows.
    period = {"from": add_months(TODAY.replace(day=1), -11).isoformat(), "to": TODAY.isoformat()}
    for filters in (
        {"client_id": c.clients[1]["id"]},
        {"plan_id": c.plans[0]["id"]},
        {"category": "outpatient"},
    ):
        answer = await report(core, c.hmo.admin, NAME, **period, **filters)
        assert answer.status_code == 200, answer.text
        assert_kpis(answer.json(), raw, **filters)
        rows = await all_rows(core, c.hmo.admin, name=NAME, **period, **filters)
        assert sorted(row_tuple(r) for r in rows) == expected_rows(raw, TODAY, **filters)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"category": "spa"}, "category"), ({"provider_id": "0" * 32}, "provider_id")],
)
async def test_a_filter_or_value_it_does_not_take_is_a_422(
    core: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    hmo = await make_tenant(core)
    answer = await report(core, hmo.admin, NAME, **params)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def small_world(core: httpx.AsyncClient, members: int) -> Covered:
    hmo = await make_tenant(core)
    plan = await make_plan(core, hmo, benefits=PLAN_A, exclusions=[])
    client = await make_client(core, hmo)
    provider = await make_provider(core)
    await link_provider(core, hmo, provider)
    c = Covered(hmo, [plan], [client], [], provider)
    start = (TODAY - timedelta(days=30)).isoformat()
    for _ in range(members):
        member = await make_principal(core, hmo, client, plan, coverage_start=start)
        c.members.append(member)
        item = {"code": "C1", "description": "c", "quantity": 1, "unit_price": 9_000_00}
        await approve_claim(core, c, member, TODAY, [item])
    return c


async def test_another_tenants_members_are_never_counted_and_csv_equals_the_rows(
    core: httpx.AsyncClient,
) -> None:
    ours, theirs = await small_world(core, 2), await small_world(core, 1)
    for c, count in ((ours, 2), (theirs, 1)):
        body = (await report(core, c.hmo.admin, NAME)).json()
        assert body["kpis"][0]["value"] == count
        assert len(body["rows"]["items"]) == count
    rows = await all_rows(core, ours.hmo.admin, name=NAME, sort="member_id")
    answer = await report(core, ours.hmo.admin, NAME, format="csv", sort="member_id")
    assert answer.status_code == 200, answer.text
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert table == [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]
