"""The provider-performance report against a plain computation over the raw rows: random
claims from three providers, for members of two clients on two plans, moved through
random paths (queries, approvals, rejections, a settlement), spread over two years and
decided after random waits; every KPI of both periods, every trend point, every
breakdown item and every row, unfiltered and under each filter it takes."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.claims_world import World, item, move, new_claim, settle, world
from tests.db import superuser
from tests.factories import (
    ProviderCtx,
    link_provider,
    make_client,
    make_plan,
    make_principal,
    make_provider,
    make_tenant,
)
from tests.report_history import move_back
from tests.report_pages import all_rows
from tests.report_summaries import assert_summaries_rebuild_the_same, hours

NAME = "provider-performance"
APPROVED = ("APPROVED", "SETTLED")
REVIEW = ["RECEIVED", "IN_REVIEW"]
LOOP = [*REVIEW, "QUERIED", "RESUBMITTED", "IN_REVIEW"]
ROUTES = (
    [],
    ["RECEIVED"],
    REVIEW,
    [*REVIEW, "QUERIED"],
    [*REVIEW, "APPROVED"],
    [*REVIEW, "APPROVED"],
    [*REVIEW, "REJECTED"],
    ["REJECTED"],
    [*LOOP, "APPROVED"],
    [*LOOP, "REJECTED"],
)
CODES = ("CONS-01", "LAB-FBC", "XRAY-CHEST", "PHYSIO-01")


@dataclass
class RawClaim:
    provider_id: str
    provider: str
    client_id: str
    plan_id: str
    created: datetime
    decided: datetime | None
    status: str
    billed: int
    approved: int
    queried: bool
    flags: int

    @property
    def submitted_on(self) -> date:
        return self.created.astimezone(UTC).date()


async def raw_claims(tenant_id: str) -> list[RawClaim]:
    """Every claim of the tenant as stored, with whether its history has a QUERIED move and
    how many flags it has (one row per claim, nothing summed)."""
    async with superuser() as db:
        rows = await db.execute(
            text(
                "select c.provider_id, p.name, e.client_id, v.plan_id, c.created_at,"
                " c.decided_at, c.status, c.total_billed, c.total_approved,"
                " exists(select 1 from claim_events q where q.claim_id = c.id"
                "        and q.to_status = 'QUERIED'),"
                " (select count(*) from risk_events r where r.claim_id = c.id)"
                " from claims c join providers p on p.id = c.provider_id"
                " join enrollees e on e.id = c.enrollee_id"
                " join plan_versions v on v.id = c.plan_version_id"
                " where c.tenant_id = :t"
            ),
            {"t": tenant_id},
        )
        return [RawClaim(*(str(v) if i < 4 else v for i, v in enumerate(r))) for r in rows]


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def whole(amount: int, count: int) -> int | None:
    if not count:
        return None
    return int((Decimal(amount) / count).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def figures(claims: list[RawClaim]) -> dict[str, Any]:
    decided = [c for c in claims if c.decided is not None]
    approved = [c for c in claims if c.status in APPROVED]
    waits = [hours(c.decided - c.created) / 24 for c in decided if c.decided]
    flags = sum(c.flags for c in claims)
    n = len(claims)
    total_approved = sum(c.approved for c in approved)
    return {
        "claims": n,
        "billed": sum(c.billed for c in claims),
        "approved": total_approved,
        "approval_rate": len(approved) / len(decided) if decided else None,
        "median_turnaround_days": percentile(waits, 0.5),
        "p90_turnaround_days": percentile(waits, 0.9),
        "query_rate": sum(c.queried for c in claims) / n if n else None,
        "risk_events": flags,
        "risk_per_100_claims": 100 * flags / n if n else None,
        "avg_approved": whole(total_approved, len(approved)),
    }


def same(actual: Any, expected: Any, what: object) -> None:
    if isinstance(expected, float):  # days come to two decimals
        assert actual == pytest.approx(expected, abs=0.0051), what
    else:
        assert actual == expected, what


def assert_figures(actual: dict[str, Any], expected: dict[str, Any], what: object) -> None:
    for key, value in expected.items():
        same(actual[key], value, (what, key))


@dataclass
class Oracle:
    claims: list[RawClaim]
    provider_id: str | None = None
    client_id: str | None = None
    plan_id: str | None = None

    def within(self, first: date, last: date, *, any_provider: bool = False) -> list[RawClaim]:
        return [
            c
            for c in self.claims
            if first <= c.submitted_on <= last
            and (any_provider or self.provider_id in (None, c.provider_id))
            and self.client_id in (None, c.client_id)
            and self.plan_id in (None, c.plan_id)
        ]

    def check(self, body: dict[str, Any]) -> None:
        period = [date.fromisoformat(d) for d in body["period"].values()]
        before = [date.fromisoformat(d) for d in body["previous_period"].values()]
        now, then = self.within(*period), self.within(*before)
        want, want_before = figures(now), figures(then)
        want["providers"] = len({c.provider_id for c in now})
        want_before["providers"] = len({c.provider_id for c in then})
        for kpi in body["kpis"]:
            same(kpi["value"], want[kpi["key"]], kpi)
            same(kpi["previous"], want_before[kpi["key"]], kpi)
        for point in body["trend"]["points"]:
            month = [c for c in now if c.submitted_on.strftime("%Y-%m") == point["month"]]
            expected = figures(month)
            for key in ("claims", "approval_rate", "median_turnaround_days"):
                same(point[key], expected[key], (point, key))
        by_provider = {
            p: figures([c for c in now if c.provider_id == p]) for p in {c.provider_id for c in now}
        }
        breakdown = {b["key"]: b["items"] for b in body["breakdown"]}
        names = {c.provider_id: c.provider for c in now}
        by_billed = sorted(by_provider, key=lambda p: (-by_provider[p]["billed"], names[p]))
        assert [i["key"] for i in breakdown["billed"]] == by_billed
        for entry in breakdown["billed"] + breakdown["risk_events"]:
            expected = by_provider[entry["key"]]
            assert_figures(entry, {k: expected[k] for k in entry.keys() & expected.keys()}, entry)
        flagged = {p for p, f in by_provider.items() if f["risk_events"]}
        assert {i["key"] for i in breakdown["risk_events"]} == flagged
        self.check_rows(body["rows"]["items"], by_provider, period)

    def check_rows(
        self, rows: list[dict[str, Any]], by_provider: dict[str, dict[str, Any]], period: list[date]
    ) -> None:
        network = figures(self.within(*period, any_provider=True))["avg_approved"]
        names = {c.provider_id: c.provider for c in self.claims}
        assert sorted(r["provider"] for r in rows) == sorted(names[p] for p in by_provider)
        for row in rows:
            provider = next(p for p in by_provider if names[p] == row["provider"])
            expected = by_provider[provider]
            assert_figures(row, expected, row)
            assert row["network_avg_approved"] == network
            if expected["avg_approved"] is None or not network:
                assert row["cost_index"] is None
            else:
                assert row["cost_index"] == pytest.approx(expected["avg_approved"] / network)


@dataclass
class Network:
    w: World
    providers: list[ProviderCtx]
    clients: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    members: list[dict[str, Any]]


async def network(core: httpx.AsyncClient) -> Network:
    """Three providers; four members: each pair of (client, plan) among two of each."""
    w = await world(core)
    providers = [w.provider]
    for name in ("Harbour Clinic", "Ridge Labs"):
        provider = await make_provider(core, name=name)
        await link_provider(core, w.hmo, provider)
        providers.append(provider)
    clients = [w.client, await make_client(core, w.hmo, code="BETA")]
    plans = [w.plan, await make_plan(core, w.hmo, name="Silver")]
    start = (date.today() - timedelta(days=400)).isoformat()
    members = [w.member] + [
        await make_principal(core, w.hmo, client, plan, coverage_start=start)
        for client, plan in ((clients[1], plans[0]), (clients[0], plans[1]), (clients[1], plans[1]))
    ]
    return Network(w, providers, clients, plans, members)


async def random_claims(core: httpx.AsyncClient, net: Network, rng: random.Random) -> None:
    """Claims through random paths, a settlement, then spread over the last two years."""
    w = net.w
    claims = []
    for _ in range(28):
        provider = rng.choice(net.providers)
        member = rng.choice(net.members)
        lines = [item(code, rng.randint(1, 40) * 500_00) for code in rng.sample(CODES, 2)]
        claim = await new_claim(
            core,
            w,
            headers=provider.user,
            member_id=member["member_id"],
            provider_id=provider.id,
            items=lines,
        )
        for to in rng.choice(ROUTES):
            by = provider.user if to == "RESUBMITTED" else w.hmo.admin
            claim = await move(core, w, claim["id"], to, by, version=claim["version"])
        claims.append(claim)
    await settle(core, w, next(c for c in claims if c["status"] == "APPROVED"))
    waits = {}
    for claim in claims:
        back = timedelta(days=rng.randint(0, 740), hours=rng.randint(0, 23))
        wait = timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 23))
        waits[claim["id"]] = (back, min(wait, back))
    await move_back(waits)


async def test_every_figure_matches_the_raw_rows_under_each_filter(
    core: httpx.AsyncClient,
) -> None:
    net = await network(core)
    w = net.w
    await random_claims(core, net, random.Random(7))
    # Another HMO's claims at the same provider: never counted (the oracle reads ours only).
    theirs = await make_tenant(core)
    their_world = World(
        theirs,
        await make_plan(core, theirs),
        await make_client(core, theirs),
        {},
        w.provider,
    )
    their_world.member = await make_principal(
        core, theirs, their_world.client, their_world.plan, coverage_start="2025-01-01"
    )
    await link_provider(core, theirs, w.provider)
    await new_claim(core, their_world)
    claims = await raw_claims(w.hmo.id)
    await assert_summaries_rebuild_the_same(w.hmo.id)
    filters: list[dict[str, str]] = [
        {},
        {"provider_id": net.providers[1].id},
        {"client_id": net.clients[1]["id"]},
        {"plan_id": net.plans[1]["id"]},
    ]
    # Days that cut months (read from the claims for those months) under no filter and
    # under client and plan at once (no summary has both: every day from the claims).
    days = {"from": (date.today() - timedelta(days=200)).isoformat()}
    days["to"] = (date.today() - timedelta(days=20)).isoformat()
    both = {"client_id": net.clients[1]["id"], "plan_id": net.plans[1]["id"]}
    for given, period in [*((f, {}) for f in filters), ({}, days), (both, {}), (both, days)]:
        answer = await core.get(
            f"/v1/reports/{NAME}", params={**given, **period, "limit": 200}, headers=w.hmo.admin
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["filters"] == given
        Oracle(claims, **given).check(answer.json())
    answer = await core.get(f"/v1/reports/{NAME}", headers=theirs.admin)
    assert [k["value"] for k in answer.json()["kpis"] if k["key"] == "claims"] == [1]

    rows = await all_rows(core, w.hmo.admin, NAME, sort="-median_turnaround_days")
    days = [r["median_turnaround_days"] for r in rows]
    assert days == sorted(days, key=lambda d: -1 if d is None else d, reverse=True)
    exported = await core.get(
        f"/v1/reports/{NAME}",
        params={"format": "csv", "sort": "-median_turnaround_days"},
        headers=w.hmo.admin,
    )
    assert exported.status_code == 200, exported.text
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert table == [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]


@pytest.mark.parametrize("param", ["status", "rule", "category", "urgency"])
async def test_a_filter_it_does_not_take_is_a_422(core: httpx.AsyncClient, param: str) -> None:
    w = await world(core)
    answer = await core.get(f"/v1/reports/{NAME}", params={param: "X"}, headers=w.hmo.admin)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [param]
