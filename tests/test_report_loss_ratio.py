"""The loss-ratio report against a plain computation over the raw rows: members joining,
leaving and changing premium over the months, claims in every state on their service
days, capitation runs paid and not."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.claims_world import PATHS, World, move, settle, world
from tests.db import superuser
from tests.report_members import (
    BENEFITS,
    TODAY,
    Book,
    claim_on,
    covered_days,
    days_in,
    exposure,
    half_up,
    month_of,
    next_month,
    populate,
    premium,
    read_book,
)
from tests.report_pages import all_rows

INCURRED = ("APPROVED", "SETTLED")
TOP_CLIENTS = 20


async def loss_ratio(core: httpx.AsyncClient, w: World, **params: Any) -> dict[str, Any]:
    answer = await core.get("/v1/reports/loss-ratio", params=params, headers=w.hmo.admin)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


# --- the oracle ---------------------------------------------------------------------------


@dataclass
class RawClaim:
    status: str
    approved: int
    service_date: date
    enrollee_id: str
    currency: str


@dataclass
class RawRun:
    month: date
    status: str
    total: int
    currency: str


async def read_money(tenant_id: str) -> tuple[list[RawClaim], list[RawRun]]:
    async with superuser() as db:
        claims = (
            await db.execute(
                text(
                    "select status, total_approved, service_date, enrollee_id, currency"
                    " from claims where tenant_id = :t"
                ),
                {"t": tenant_id},
            )
        ).all()
        runs = (
            await db.execute(
                text(
                    "select month, status, total, currency from capitation_runs"
                    " where tenant_id = :t"
                ),
                {"t": tenant_id},
            )
        ).all()
    return (
        [RawClaim(s, a, d, str(e), c) for s, a, d, e, c in claims],
        [RawRun(*run) for run in runs],
    )


@dataclass
class Cell:
    members: int = 0
    member_days: int = 0
    earned: int = 0
    incurred: int = 0
    capitation: Fraction = field(default_factory=Fraction)


Key = tuple[date, str | None, str | None]  # month, client, plan


def expected_cells(
    book: Book,
    claims: list[RawClaim],
    runs: list[RawRun],
    first: date,
    last: date,
    client: str | None = None,
    plan: str | None = None,
) -> dict[Key, Cell]:
    cover = exposure(book, first, last)
    cells: dict[Key, Cell] = defaultdict(Cell)
    month_days: dict[date, int] = defaultdict(int)
    for (month, client_id, plan_id), covered in cover.items():
        cell = cells[(month, client_id, plan_id)]
        cell.members, cell.earned = len(covered.members), covered.earned
        cell.member_days = covered.member_days
        month_days[month] += covered.member_days
    for claim in claims:
        if claim.status in INCURRED and first <= claim.service_date <= last:
            member = book.members[claim.enrollee_id]
            key = (month_of(claim.service_date), member.client_id, member.plan_id)
            cells[key].incurred += claim.approved
    paid: dict[date, Fraction] = defaultdict(Fraction)
    for run in runs:
        if run.status == "PAID" and month_of(first) <= run.month <= last:
            inside = min(next_month(run.month) - timedelta(days=1), last) - max(run.month, first)
            paid[run.month] += Fraction(run.total * (inside.days + 1), days_in(run.month))
    for (month, _, _), cell in cells.items():
        if month_days[month]:
            cell.capitation = paid[month] * cell.member_days / month_days[month]
    for month, amount in paid.items():
        if not month_days[month]:
            cells[(month, None, None)].capitation += amount
    return {
        key: cell
        for key, cell in cells.items()
        if (client is None or key[1] == client) and (plan is None or key[2] == plan)
    }


def figures(cells: list[Cell]) -> dict[str, Any]:
    earned = sum(c.earned for c in cells)
    incurred = sum(c.incurred for c in cells)
    capitation = sum((c.capitation for c in cells), Fraction())
    return {
        "earned_premium": earned,
        "incurred_claims": incurred,
        "capitation": half_up(capitation),
        "loss_ratio": float((incurred + capitation) / earned) if earned else None,
    }


def grouped(cells: dict[Key, Cell], index: int) -> dict[Any, dict[str, Any]]:
    groups: dict[Any, list[Cell]] = defaultdict(list)
    for key, cell in cells.items():
        groups[key[index]].append(cell)
    return {key: figures(group) for key, group in groups.items()}


def assert_figures(got: dict[str, Any], want: dict[str, Any], where: object) -> None:
    for key, value in want.items():
        if key == "loss_ratio" and value is not None:
            assert got[key] == pytest.approx(value, rel=1e-9), (where, key, got)
        else:
            assert got[key] == value, (where, key, got)


async def check_against_oracle(
    core: httpx.AsyncClient,
    w: World,
    book: Book,
    money: tuple[list[RawClaim], list[RawRun]],
    **params: str,
) -> dict[str, Any]:
    body = await loss_ratio(core, w, **params)
    client, plan = params.get("client_id"), params.get("plan_id")

    def cells_of(period: dict[str, str]) -> dict[Key, Cell]:
        first, last = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
        return expected_cells(book, *money, first, last, client, plan)

    cells = cells_of(body["period"])
    now, before = (
        figures(list(cells.values())),
        figures(list(cells_of(body["previous_period"]).values())),
    )
    for kpi in body["kpis"]:
        key = kpi["key"]
        assert_figures({key: kpi["value"]}, {key: now[key]}, "kpi")
        assert_figures({key: kpi["previous"]}, {key: before[key]}, "previous")
    by_month = grouped(cells, 0)
    for point in body["trend"]["points"]:
        month = date.fromisoformat(point["month"] + "-01")
        assert_figures(point, by_month.get(month, figures([])), point["month"])
    breakdown = {b["key"]: b["items"] for b in body["breakdown"]}
    by_client = grouped(cells, 1)
    assert {i["key"] for i in breakdown["client"]} == set(by_client)
    for found in breakdown["client"]:
        assert_figures(found, by_client[found["key"]], found["label"])
        assert found["label"] == book.names.get(found["key"] or "")
    by_plan = grouped(cells, 2)
    assert {i["key"] for i in breakdown["plan"]} == set(by_plan)
    for found in breakdown["plan"]:
        assert_figures(found, by_plan[found["key"]], found["label"])
    rows = await all_rows(core, w.hmo.admin, "loss-ratio", **params)
    per_client_month: dict[tuple[date, str | None], list[Cell]] = defaultdict(list)
    for (month, client_id, _), cell in cells.items():
        per_client_month[(month, client_id)].append(cell)
    for key, group in list(per_client_month.items()):  # rows with money only
        if not sum(c.earned + c.incurred + c.capitation for c in group):
            del per_client_month[key]
    assert len(rows) == len(per_client_month)
    for row in rows:
        client_id = next((k for k, name in book.names.items() if name == row["client"]), None)
        group = per_client_month[(date.fromisoformat(row["month"] + "-01"), client_id)]
        assert row["members"] == sum(c.members for c in group), row
        assert_figures(row, figures(group), row)
    assert [r["month"] for r in rows] == sorted((r["month"] for r in rows), reverse=True)
    return body


# --- the tests ---------------------------------------------------------------------------


async def paid_capitation(core: httpx.AsyncClient, w: World, month: date, *, pay: bool) -> None:
    """The month's capitation run, approved, and paid when `pay`."""
    created = await core.post(
        "/v1/capitation-runs", json={"month": month.strftime("%Y-%m")}, headers=w.hmo.admin
    )
    assert created.status_code == 201, created.text
    run = created.json()["id"]
    approved = await core.post(f"/v1/capitation-runs/{run}/approve", headers=w.hmo.admin)
    assert approved.status_code == 200, approved.text
    if pay:
        paid = await core.post(
            f"/v1/capitation-runs/{run}/pay",
            json={"reference": f"CAP-{month:%Y%m}", "paid_on": TODAY.isoformat()},
            headers=w.hmo.admin,
        )
        assert paid.status_code == 200, paid.text


async def test_loss_ratio_matches_the_raw_rows(core: httpx.AsyncClient) -> None:
    rng = random.Random(20261207)
    w = await world(core, benefits=BENEFITS, premium=premium(rng), capitation_rate=1_500_00)
    scheme = await populate(core, w, rng, members=7)
    book = await read_book(w.hmo.id)
    candidates = [m for m in book.members.values() if covered_days(book, m.id)]
    for _ in range(12):
        member = rng.choice(candidates)
        day = rng.choice(covered_days(book, member.id))
        claim = await claim_on(core, w, member.member_id, day, rng)
        status = rng.choice(["APPROVED", "APPROVED", "SETTLED", "REJECTED", "IN_REVIEW"])
        for step in PATHS[status]:
            claim = await move(core, w, claim["id"], step)
        if status == "SETTLED":
            await settle(core, w, claim)
    this_month = month_of(TODAY)
    for back, pay in ((1, True), (2, True), (5, True), (3, False)):
        await paid_capitation(core, w, month_of(this_month - timedelta(days=28 * back)), pay=pay)
    money = await read_money(w.hmo.id)
    body = await check_against_oracle(core, w, book, money)
    assert [k["key"] for k in body["kpis"]] == [
        "earned_premium",
        "incurred_claims",
        "capitation",
        "loss_ratio",
    ]
    assert body["kpis"][0]["value"] > 0
    six_months_ago = month_of(this_month - timedelta(days=170))
    last_month = month_of(this_month - timedelta(days=1))
    window = {"from": f"{six_months_ago:%Y-%m}", "to": f"{last_month:%Y-%m}"}
    await check_against_oracle(core, w, book, money, client_id=scheme.clients[1]["id"], **window)
    # From the 10th of a month with a paid run: its capitation counts by the days inside.
    mid_month = month_of(this_month - timedelta(days=28 * 2)) + timedelta(days=9)
    await check_against_oracle(
        core, w, book, money, plan_id=scheme.plans[1]["id"], **{"from": mid_month.isoformat()}
    )


async def test_a_member_joining_and_suspended_mid_month_earns_by_the_day(
    core: httpx.AsyncClient,
) -> None:
    joined_in = month_of(month_of(TODAY) - timedelta(days=40))  # two months back
    suspended_in = next_month(joined_in)
    d1, d2 = days_in(joined_in), days_in(suspended_in)
    # 1,000.00 a day in the month joined, whatever its length.
    w = await world(
        core,
        coverage_start=joined_in + timedelta(days=10),
        benefits=BENEFITS,
        premium={"principal": d1 * 1000_00, "spouse": 0, "child": 0},
    )
    claim = await claim_on(
        core, w, w.member["member_id"], joined_in + timedelta(days=15), random.Random(3)
    )
    for step in PATHS["APPROVED"]:
        claim = await move(core, w, claim["id"], step)
    suspended = await core.post(
        f"/v1/enrollees/{w.member['id']}/status",
        json={
            "status": "SUSPENDED",
            "effective_date": (suspended_in + timedelta(days=20)).isoformat(),
        },
        headers=w.hmo.admin,
    )
    assert suspended.status_code == 200, suspended.text
    body = await loss_ratio(
        core, w, **{"from": f"{joined_in:%Y-%m}", "to": f"{suspended_in:%Y-%m}"}
    )
    kpis = {k["key"]: k["value"] for k in body["kpis"]}
    first = (d1 - 10) * 1000_00  # joined on the 11th: days 11 … d1
    second = half_up(Fraction(d1 * 1000_00 * 20, d2))  # suspended on the 21st: days 1 … 20
    assert [p["earned_premium"] for p in body["trend"]["points"]] == [first, second]
    assert kpis["earned_premium"] == first + second
    assert kpis["incurred_claims"] == claim["total_approved"] > 0
    assert kpis["loss_ratio"] == pytest.approx(claim["total_approved"] / (first + second))
    assert [r["members"] for r in body["rows"]["items"]] == [1, 1]


async def test_capitation_nobody_was_covered_for_counts_under_no_client(
    core: httpx.AsyncClient,
) -> None:
    last_month = month_of(month_of(TODAY) - timedelta(days=1))
    w = await world(core, benefits=BENEFITS, capitation_rate=3_000_00)
    given = await core.patch(
        f"/v1/enrollees/{w.member['id']}",
        json={"version": w.member["version"], "primary_provider_id": w.provider.id},
        headers=w.hmo.admin,
    )
    assert given.status_code == 200, given.text
    await paid_capitation(core, w, last_month, pay=True)
    # Terminated since before that month: the run stands, nobody was covered.
    ended = await core.post(
        f"/v1/enrollees/{w.member['id']}/status",
        json={"status": "TERMINATED", "effective_date": str(last_month - timedelta(days=3))},
        headers=w.hmo.admin,
    )
    assert ended.status_code == 200, ended.text
    body = await loss_ratio(core, w, **{"from": f"{last_month:%Y-%m}", "to": f"{last_month:%Y-%m}"})
    kpis = {k["key"]: k["value"] for k in body["kpis"]}
    assert kpis == {
        "earned_premium": 0,
        "incurred_claims": 0,
        "capitation": 3_000_00,
        "loss_ratio": None,
    }
    clients = next(b for b in body["breakdown"] if b["key"] == "client")["items"]
    assert [(c["key"], c["capitation"]) for c in clients] == [(None, 3_000_00)]
    assert [(r["client"], r["capitation"]) for r in body["rows"]["items"]] == [(None, 3_000_00)]
    filtered = await loss_ratio(
        core, w, client_id=w.client["id"], **{"from": f"{last_month:%Y-%m}"}
    )
    assert {k["key"]: k["value"] for k in filtered["kpis"]}["capitation"] == 0


async def test_filters_and_tenant_isolation(core: httpx.AsyncClient) -> None:
    rng = random.Random(5)
    ours = await world(core, benefits=BENEFITS, premium=premium(rng))
    theirs = await world(core, benefits=BENEFITS, premium=premium(rng))
    claim = await claim_on(core, theirs, theirs.member["member_id"], TODAY, rng)
    for step in PATHS["APPROVED"]:
        claim = await move(core, theirs, claim["id"], step)
    for w, incurred in ((ours, 0), (theirs, claim["total_approved"])):
        body = await loss_ratio(core, w)
        period = body["period"]
        first, last = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
        cells = expected_cells(await read_book(w.hmo.id), [], [], first, last)
        kpis = {k["key"]: k["value"] for k in body["kpis"]}
        assert kpis["earned_premium"] == figures(list(cells.values()))["earned_premium"] > 0
        assert kpis["incurred_claims"] == incurred
    for params, field_ in (
        ({"provider_id": ours.provider.id}, "provider_id"),
        ({"category": "drugs"}, "category"),
        ({"status": "APPROVED"}, "status"),
    ):
        answer = await core.get("/v1/reports/loss-ratio", params=params, headers=ours.hmo.admin)
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == [field_]


async def test_csv_is_every_row_of_the_json(core: httpx.AsyncClient) -> None:
    rng = random.Random(9)
    w = await world(core, benefits=BENEFITS, premium=premium(rng))
    await populate(core, w, rng, members=3)
    rows = await all_rows(core, w.hmo.admin, "loss-ratio", sort="client")
    answer = await core.get(
        "/v1/reports/loss-ratio", params={"format": "csv", "sort": "client"}, headers=w.hmo.admin
    )
    assert answer.status_code == 200, answer.text
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert table == [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]
