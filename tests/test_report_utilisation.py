"""The utilisation report against a plain computation over the raw rows: claims with lines
in several benefit categories at a hospital and a pharmacy, in every state, and visits
at the desk (eligible or not, with or without a category) spread over the months."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.claims_world import PATHS, World, move, world
from tests.db import superuser
from tests.factories import ProviderCtx, link_provider, make_provider
from tests.report_members import (
    BENEFITS,
    Book,
    claim_on,
    covered_days,
    days,
    days_in,
    half_up,
    month_of,
    populate,
    premium,
    read_book,
)
from tests.report_pages import all_rows

INCURRED = ("APPROVED", "SETTLED")
CATEGORIES = ("outpatient", "drugs", "lab")


async def utilisation(core: httpx.AsyncClient, w: World, **params: Any) -> dict[str, Any]:
    answer = await core.get("/v1/reports/utilisation", params=params, headers=w.hmo.admin)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


# --- the oracle ---------------------------------------------------------------------------


@dataclass
class Event:
    """A claim line or a visit, as the report counts them."""

    month: date
    day: date
    enrollee_id: str
    claim_id: str | None
    category: str
    provider_id: str
    provider_type: str
    cost: int
    visit: int


async def read_events(tenant_id: str) -> list[Event]:
    async with superuser() as db:
        lines = (
            await db.execute(
                text(
                    "select c.service_date, c.enrollee_id, c.id, i.category, c.provider_id,"
                    " p.type, c.status, coalesce(i.approved_amount, 0) from claims c"
                    " join claim_items i on i.claim_id = c.id"
                    " join providers p on p.id = c.provider_id"
                    " where c.tenant_id = :t and c.status <> 'REJECTED'"
                ),
                {"t": tenant_id},
            )
        ).all()
        visits = (
            await db.execute(
                text(
                    "select v.visit_date, v.enrollee_id, v.benefit_category, v.provider_id,"
                    " p.type from check_ins v join providers p on p.id = v.provider_id"
                    " where v.tenant_id = :t and v.eligible"
                ),
                {"t": tenant_id},
            )
        ).all()
    return [
        Event(
            month_of(day),
            day,
            str(e),
            str(c),
            category,
            str(p),
            kind,
            amount if status in INCURRED else 0,
            0,
        )
        for day, e, c, category, p, kind, status, amount in lines
    ] + [
        Event(month_of(day), day, str(e), None, category or "unspecified", str(p), kind, 0, 1)
        for day, e, category, p, kind in visits
    ]


def member_months(
    book: Book, first: date, last: date, client: str | None, plan: str | None
) -> dict[date, Fraction]:
    by_month: dict[date, Fraction] = defaultdict(Fraction)
    for member in book.members.values():
        if (client and member.client_id != client) or (plan and member.plan_id != plan):
            continue
        for day in days(first, last):
            if member.covered_on(day):
                by_month[month_of(day)] += Fraction(1, days_in(month_of(day)))
    return by_month


def two_places(exact: Fraction) -> float:
    decimal = Decimal(exact.numerator) / Decimal(exact.denominator)
    return float(decimal.quantize(Decimal("0.01"), ROUND_HALF_UP))


def rate(count: int, months: Fraction) -> float | None:
    return two_places(count * 1000 / months) if months else None


def figures(events: list[Event], months: Fraction) -> dict[str, Any]:
    claims = len({e.claim_id for e in events if e.claim_id})
    visits = sum(e.visit for e in events)
    cost = sum(e.cost for e in events)
    return {
        "members_served": len({e.enrollee_id for e in events}),
        "claims": claims,
        "claims_per_1000": rate(claims, months),
        "visits": visits,
        "visits_per_1000": rate(visits, months),
        "cost": cost,
        "cost_pmpm": half_up(Fraction(cost) / months) if months else None,
    }


def assert_same(got: dict[str, Any], want: dict[str, Any], where: object) -> None:
    for key, value in want.items():
        assert got[key] == (pytest.approx(value) if isinstance(value, float) else value), (
            where,
            key,
            got,
        )


async def check_against_oracle(
    core: httpx.AsyncClient, w: World, book: Book, events: list[Event], **params: str
) -> dict[str, Any]:
    body = await utilisation(core, w, **params)
    client, plan = params.get("client_id"), params.get("plan_id")

    def chosen(first: date, last: date) -> list[Event]:
        return [
            e
            for e in events
            if first <= e.day <= last
            and (client is None or book.members[e.enrollee_id].client_id == client)
            and (plan is None or book.members[e.enrollee_id].plan_id == plan)
            and params.get("provider_id", e.provider_id) == e.provider_id
            and params.get("category", e.category) == e.category
        ]

    def expected(period: dict[str, str]) -> tuple[list[Event], dict[date, Fraction]]:
        first, last = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
        return chosen(first, last), member_months(book, first, last, client, plan)

    for kpi, (period_events, months) in (
        ("value", expected(body["period"])),
        ("previous", expected(body["previous_period"])),
    ):
        total_months = sum(months.values(), Fraction())
        want = figures(period_events, total_months)
        want["member_months"] = two_places(total_months) if total_months else None
        got = {k["key"]: k[kpi] for k in body["kpis"]}
        assert_same(got, {key: want[key] for key in got}, kpi)
    period_events, months = expected(body["period"])
    total_months = sum(months.values(), Fraction())
    for point in body["trend"]["points"]:
        month = date.fromisoformat(point["month"] + "-01")
        in_month = [e for e in period_events if e.month == month]
        want = figures(in_month, months.get(month, Fraction()))
        assert_same(point, {s["key"]: want[s["key"]] for s in body["trend"]["series"]}, month)
    breakdown = {b["key"]: {i["key"]: i for i in b["items"]} for b in body["breakdown"]}
    for key, attribute in (("category", "category"), ("provider_type", "provider_type")):
        groups: dict[str, list[Event]] = defaultdict(list)
        for e in period_events:
            groups[getattr(e, attribute)].append(e)
        for group, group_events in groups.items():
            assert_same(breakdown[key][group], figures(group_events, total_months), group)
        assert {k for k, i in breakdown[key].items() if i["members_served"]} == set(groups)
    cells: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for e in period_events:
        cells[(e.month.strftime("%Y-%m"), e.category)].append(e)
    rows = await all_rows(core, w.hmo.admin, "utilisation", **params)
    assert sorted((r["month"], r["category"]) for r in rows) == sorted(cells)
    for row in rows:
        month = date.fromisoformat(row["month"] + "-01")
        want = figures(cells[(row["month"], row["category"])], months.get(month, Fraction()))
        assert_same(row, want, row)
    return body


# --- the tests ---------------------------------------------------------------------------


async def check_in(
    core: httpx.AsyncClient, w: World, provider: ProviderCtx, member_id: str, category: str | None
) -> str:
    body = {"member_id": member_id} | ({"benefit_category": category} if category else {})
    recorded = await core.post("/v1/check-ins", json=body, headers=provider.user)
    assert recorded.status_code == 201, recorded.text
    return str(recorded.json()["id"])


async def test_utilisation_matches_the_raw_rows(core: httpx.AsyncClient) -> None:
    rng = random.Random(4242)
    w = await world(core, benefits=BENEFITS, premium=premium(rng))
    pharmacy = await make_provider(core, name="Corner Pharmacy", type_="PHARMACY")
    await link_provider(core, w.hmo, pharmacy)
    scheme = await populate(core, w, rng, members=5)
    book = await read_book(w.hmo.id)
    members = [m for m in book.members.values() if covered_days(book, m.id)]
    for _ in range(10):
        member = rng.choice(members)
        categories = tuple(rng.sample(CATEGORIES, rng.randint(1, 2)))
        day = rng.choice(covered_days(book, member.id))
        claim = await claim_on(core, w, member.member_id, day, rng, categories)
        for step in PATHS[rng.choice(["APPROVED", "APPROVED", "REJECTED", "IN_REVIEW"])]:
            claim = await move(core, w, claim["id"], step)
    visits: dict[str, date] = {}
    for _ in range(8):
        member = rng.choice(list(book.members.values()))
        provider = rng.choice([w.provider, pharmacy])
        category = rng.choice([*CATEGORIES, None])
        visit = await check_in(core, w, provider, member.member_id, category)
        visits[visit] = rng.choice(covered_days(book, member.id) or [date.today()])
    async with superuser() as db:
        for visit, day in visits.items():
            await db.execute(
                text("update check_ins set visit_date = :d where id = cast(:id as uuid)"),
                {"d": day, "id": visit},
            )
    events = await read_events(w.hmo.id)
    assert {e.visit for e in events} == {0, 1}
    await check_against_oracle(core, w, book, events)
    await check_against_oracle(core, w, book, events, category="drugs")
    await check_against_oracle(core, w, book, events, provider_id=pharmacy.id)
    await check_against_oracle(
        core, w, book, events, client_id=scheme.clients[1]["id"], plan_id=scheme.plans[0]["id"]
    )
    # Days of months in part around whole ones: the summaries' months and the claims' days.
    in_part = {
        "from": str(date.today() - timedelta(days=300)),
        "to": str(date.today() - timedelta(days=40)),
    }
    await check_against_oracle(core, w, book, events, **in_part)
    await check_against_oracle(core, w, book, events, category="drugs", **in_part)
    await check_against_oracle(core, w, book, events, provider_id=pharmacy.id, **in_part)


async def test_bad_filters_are_422s_and_other_tenants_never_count(core: httpx.AsyncClient) -> None:
    rng = random.Random(8)
    ours = await world(core, benefits=BENEFITS, premium=premium(rng))
    theirs = await world(core, benefits=BENEFITS, premium=premium(rng))
    await check_in(core, theirs, theirs.provider, theirs.member["member_id"], "lab")
    for w, visits in ((ours, 0), (theirs, 1)):
        kpis = {k["key"]: k["value"] for k in (await utilisation(core, w))["kpis"]}
        assert kpis["members_served"] == visits
        assert kpis["visits_per_1000"] is not None
    for params, field_ in (
        ({"category": "teeth"}, "category"),
        ({"status": "APPROVED"}, "status"),
        ({"urgency": "URGENT"}, "urgency"),
        ({"rule": "R1"}, "rule"),
    ):
        answer = await core.get("/v1/reports/utilisation", params=params, headers=ours.hmo.admin)
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == [field_]


async def test_csv_is_every_row_of_the_json(core: httpx.AsyncClient) -> None:
    rng = random.Random(2)
    w = await world(core, benefits=BENEFITS, premium=premium(rng))
    for category in CATEGORIES:
        await check_in(core, w, w.provider, w.member["member_id"], category)
    rows = await all_rows(core, w.hmo.admin, "utilisation", sort="-visits_per_1000")
    assert len(rows) == 3
    answer = await core.get(
        "/v1/reports/utilisation",
        params={"format": "csv", "sort": "-visits_per_1000"},
        headers=w.hmo.admin,
    )
    assert answer.status_code == 200, answer.text
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert table == [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]
