"""Reports: the shape every report shares (period, filters, sorting, paging, CSV, access),
and claims aging checked against a plain computation over the raw rows."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core_api.reports.service import REPORTS
from tests.claims_world import PATHS, World, item, move, new_claim, world
from tests.db import superuser
from tests.factories import make_staff, make_tenant
from tests.report_history import move_back
from tests.report_pages import all_rows

TODAY = datetime.now(UTC).date()
OPEN = ("IN_REVIEW", "QUERIED", "RECEIVED", "RESUBMITTED")
SLA_DAYS = 14  # the default claim SLA


async def report(
    core: httpx.AsyncClient,
    headers: dict[str, str],
    name: str = "claims-aging",
    **params: Any,
) -> httpx.Response:
    return await core.get(f"/v1/reports/{name}", params=params, headers=headers)


def month_key(day: date) -> str:
    return day.strftime("%Y-%m")


# --- claims aging against an oracle ----------------------------------------------------


@dataclass
class RawClaim:
    number: str
    received: datetime | None
    decided: datetime | None
    billed: int
    history: list[tuple[datetime, str]]

    def open_at(self, moment: datetime) -> bool:
        return (
            self.received is not None
            and self.received < moment
            and (self.decided is None or self.decided >= moment)
        )

    def status_at(self, moment: datetime) -> str:
        return [status for at, status in sorted(self.history) if at < moment][-1]

    def age_on(self, day: date) -> int:
        assert self.received is not None
        return (day - self.received.astimezone(UTC).date()).days


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


async def spread_over_past(tenant_id: str, rng: random.Random) -> list[RawClaim]:
    """Moves each claim's whole history (its times and its events) back by a random number
    of days, then reads every claim back as the oracle sees it."""
    async with superuser() as db:
        ids = (
            await db.execute(text("select id from claims where tenant_id = :t"), {"t": tenant_id})
        ).scalars()
        shifts = {
            str(claim_id): (
                timedelta(days=rng.randint(0, 150), hours=rng.randint(0, 23)),
                timedelta(),
            )
            for claim_id in ids
        }
    await move_back(shifts)
    async with superuser() as db:
        rows = (
            await db.execute(
                text(
                    "select c.id, c.number, c.received_at, c.decided_at, c.total_billed,"
                    " e.created_at, e.to_status"
                    " from claims c join claim_events e on e.claim_id = c.id"
                    " where c.tenant_id = :t"
                ),
                {"t": tenant_id},
            )
        ).all()
    claims: dict[str, RawClaim] = {}
    for claim_id, number, received, decided, billed, at, status in rows:
        raw = claims.setdefault(claim_id, RawClaim(number, received, decided, billed, []))
        raw.history.append((at, status))
    return list(claims.values())


def bucket_of(age: int) -> str:
    for label, last in (("0-7", 7), ("8-15", 15), ("16-30", 30), ("31-60", 60)):
        if age <= last:
            return f"{label} days"
    return "> 60 days"


def expected_snapshot(claims: list[RawClaim], day: date) -> dict[str, Any]:
    moment = end_of(day)
    open_now = [c for c in claims if c.open_at(moment)]
    ages = [c.age_on(day) for c in open_now]
    return {
        "kpis": {
            "claims": len(open_now),
            "billed": sum(c.billed for c in open_now),
            "past_sla": sum(age > SLA_DAYS for age in ages),
            "oldest_days": max(ages) if ages else None,
        },
        "age": Counter(bucket_of(c.age_on(day)) for c in open_now),
        "status": Counter(c.status_at(moment) for c in open_now),
        "rows": sorted((c.number, c.age_on(day), c.status_at(moment)) for c in open_now),
    }


async def test_claims_aging_matches_the_raw_rows(core: httpx.AsyncClient) -> None:
    rng = random.Random(12)
    w = await world(core)
    for n in range(14):
        claim = await new_claim(core, w, items=[item(f"P{n}", rng.randint(1, 90) * 1000_00)])
        for step in PATHS[rng.choice([*OPEN, "APPROVED", "REJECTED", "SUBMITTED"])]:
            await move(core, w, claim["id"], step)
    claims = await spread_over_past(w.hmo.id, rng)
    for first, last in (
        (TODAY.replace(day=1) - timedelta(days=120), TODAY),
        (None, TODAY - timedelta(days=40)),
    ):
        params = {"to": last.isoformat()} | ({"from": first.isoformat()} if first else {})
        answer = await report(core, w.hmo.admin, **params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        want = expected_snapshot(claims, last)
        before = expected_snapshot(claims, date.fromisoformat(body["previous_period"]["to"]))
        for kpi in body["kpis"]:
            assert kpi["value"] == want["kpis"][kpi["key"]], kpi
            assert kpi["previous"] == before["kpis"][kpi["key"]], kpi
        breakdown = {b["key"]: {i["key"]: i for i in b["items"]} for b in body["breakdown"]}
        for key in ("age", "status"):
            counted = {k: i["claims"] for k, i in breakdown[key].items() if i["claims"]}
            assert counted == want[key]
        oldest = sorted(want["rows"], key=lambda r: -r[1])[:10]
        assert [i["age_days"] for i in breakdown["oldest"].values()] == [r[1] for r in oldest]
        for point in body["trend"]["points"]:
            month = date.fromisoformat(point["month"] + "-01")
            month_last = min((month + timedelta(days=32)).replace(day=1) - timedelta(days=1), last)
            snapshot = expected_snapshot(claims, month_last)
            assert point["claims"] == snapshot["kpis"]["claims"], point
            assert point["past_sla"] == snapshot["kpis"]["past_sla"], point
        rows = await all_rows(core, w.hmo.admin, "claims-aging", **params)
        assert sorted((r["number"], r["age_days"], r["status"]) for r in rows) == want["rows"]
        ages = [r["age_days"] for r in rows]
        assert ages == sorted(ages, reverse=True)  # the default order: oldest first


# --- what every report shares ----------------------------------------------------------


async def aging_world(core: httpx.AsyncClient, claims: int = 5) -> World:
    w = await world(core)
    for n in range(claims):
        claim = await new_claim(core, w, items=[item(f"C{n}", (n + 1) * 1000_00)])
        await move(core, w, claim["id"], "RECEIVED")
    return w


async def test_rows_sort_by_any_column_and_page_without_gaps(core: httpx.AsyncClient) -> None:
    w = await aging_world(core)
    numbers = None
    for sort in ("billed", "-billed", "number", "-received_on", "status", "-age_days"):
        rows = await all_rows(core, w.hmo.admin, "claims-aging", sort=sort)
        values = [r[sort.removeprefix("-")] for r in rows]
        assert values == sorted(values, reverse=sort.startswith("-")), sort
        assert numbers is None or sorted(r["number"] for r in rows) == numbers
        numbers = sorted(r["number"] for r in rows)
    assert numbers is not None
    assert len(numbers) == 5


async def test_csv_streams_every_row_as_the_json_has_them(core: httpx.AsyncClient) -> None:
    w = await aging_world(core)
    rows = await all_rows(core, w.hmo.admin, "claims-aging", sort="billed")
    answer = await report(core, w.hmo.admin, format="csv", sort="billed", limit=1)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert [dict(r) for r in table] == [{k: str(v) for k, v in r.items()} for r in rows]


async def test_another_tenants_claims_are_never_counted(core: httpx.AsyncClient) -> None:
    ours = await aging_world(core, claims=2)
    theirs = await aging_world(core, claims=3)
    for w, count in ((ours, 2), (theirs, 3)):
        body = (await report(core, w.hmo.admin)).json()
        assert body["kpis"][0]["value"] == count
        assert len(body["rows"]["items"]) == count


async def test_reports_need_reports_read_and_csv_needs_reports_export(
    core: httpx.AsyncClient,
) -> None:
    w = await world(core)
    _, adjudicator = await make_staff(core, w.hmo, "Adjudicator")
    _, relations = await make_staff(core, w.hmo, "Provider Relations")
    refused = await report(core, adjudicator)
    assert refused.status_code == 403
    assert refused.json()["permission"] == "reports:read"
    assert (await report(core, relations)).status_code == 200
    no_export = await report(core, relations, format="csv")
    assert no_export.status_code == 403
    assert no_export.json()["permission"] == "reports:export"
    assert (await report(core, w.provider.user)).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13"}, "from"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-05", "to": "2026-04"}, "to"),
        ({"from": "2000-01", "to": "2026-01"}, "from"),
        ({"rule": "R1"}, "rule"),
        ({"status": "APPROVED"}, "status"),
        ({"sort": "diagnosis"}, "sort"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
        ({"currency": "naira"}, "currency"),
        ({"client_id": "42"}, "client_id"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    core: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    w = await world(core)
    answer = await report(core, w.hmo.admin, **params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_a_report_not_in_the_catalog_is_refused(core: httpx.AsyncClient) -> None:
    w = await world(core)
    answer = await report(core, w.hmo.admin, name="salaries")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "name"


async def test_the_period_and_the_one_before(core: httpx.AsyncClient) -> None:
    w = await world(core)
    body = (await report(core, w.hmo.admin, **{"from": "2025-04", "to": "2025-06"})).json()
    assert body["period"] == {"from": "2025-04-01", "to": "2025-06-30"}
    assert body["previous_period"] == {"from": "2025-01-01", "to": "2025-03-31"}
    assert [p["month"] for p in body["trend"]["points"]] == ["2025-04", "2025-05", "2025-06"]
    body = (await report(core, w.hmo.admin, **{"from": "2025-04-10", "to": "2025-04-19"})).json()
    assert body["previous_period"] == {"from": "2025-03-31", "to": "2025-04-09"}


ALL_REPORTS = sorted(REPORTS)


@pytest.mark.parametrize("name", ALL_REPORTS)
async def test_every_report_answers_an_empty_tenant_and_guards_its_csv(
    core: httpx.AsyncClient, name: str
) -> None:
    """No data is no division by zero; each report needs reports:read, its CSV
    reports:export, and a filter it does not take is refused."""
    w = await world(core)
    body = await report(core, w.hmo.admin, name)
    assert body.status_code == 200, body.text
    assert body.json()["rows"]["items"] == []
    header = await report(core, w.hmo.admin, name, format="csv")
    assert header.status_code == 200, header.text
    columns = [c["key"] for c in body.json()["rows"]["columns"]]
    assert header.text.splitlines() == [",".join(columns)]
    _, adjudicator = await make_staff(core, w.hmo, "Adjudicator")
    _, relations = await make_staff(core, w.hmo, "Provider Relations")
    assert (await report(core, adjudicator, name)).status_code == 403
    assert (await report(core, relations, name, format="csv")).status_code == 403
    assert (await report(core, w.provider.user, name)).status_code == 403


async def test_the_catalog_names_each_reports_filters_and_their_values(
    core: httpx.AsyncClient,
) -> None:
    tenant = await make_tenant(core)
    answer = await core.get("/v1/reports", headers=tenant.admin)
    assert answer.status_code == 200, answer.text
    entries = {entry["name"]: entry for entry in answer.json()["items"]}
    assert set(entries) == set(REPORTS)
    for name, entry in entries.items():
        report = REPORTS[name]
        assert {f["name"] for f in entry["filters"]} == set(report.accepts)
        for given in entry["filters"]:
            assert given["values"] == (
                list(report.values[given["name"]]) if given["name"] in report.values else None
            )
    aging = {f["name"]: f["values"] for f in entries["claims-aging"]["filters"]}
    assert "RECEIVED" in aging["status"]


async def test_the_reason_codes_are_served_whole(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    answer = await core.get("/v1/claims/reason-codes", headers=tenant.admin)
    assert answer.status_code == 200, answer.text
    codes = {item["code"]: item["description"] for item in answer.json()["items"]}
    assert codes["45"].startswith("Charge exceeds fee schedule")
    assert answer.json()["next_cursor"] is None
