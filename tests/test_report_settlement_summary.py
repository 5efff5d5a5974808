"""The settlement-summary report checked against a plain computation over the raw rows:
claims approved, runs in every status (paid, partly paid, cancelled and re-run, draft) and
disputes open, accepted and rejected, each group of them moved back in time together."""

from __future__ import annotations

import csv
import io
import random
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core_api.reports.period import add_months, month_end
from tests.claims_world import World, item, world
from tests.db import superuser
from tests.factories import ProviderCtx, link_provider, make_provider
from tests.report_summaries import assert_summaries_rebuild_the_same, hours
from tests.test_reports import all_rows, end_of, report

NAME = "settlement-summary"
TODAY = datetime.now(UTC).date()
# No benefit limit gets in the way of approving claims in full.
BENEFITS = [{"category": "outpatient", "limit_amount": 10**11, "period": "POLICY_YEAR"}]
STATUSES = ("DRAFT", "APPROVED", "PAID", "CANCELLED")


def start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


# --- building the data through the API ----------------------------------------------------


@dataclass
class Built:
    w: World
    providers: list[ProviderCtx]
    # Per group of service days: its claims and its runs (moved back in time together).
    claims: list[list[str]] = field(default_factory=lambda: [[], [], []])
    runs: list[list[str]] = field(default_factory=lambda: [[], [], []])


async def advance(
    core: httpx.AsyncClient, w: World, claim: dict[str, Any], *steps: str
) -> dict[str, Any]:
    for to in steps:
        moved = await core.post(
            f"/v1/claims/{claim['id']}/transitions",
            json={"to": to, "version": claim["version"]},
            headers=w.hmo.admin,
        )
        assert moved.status_code == 200, moved.text
        claim = moved.json()
    return claim


async def file_claim(
    core: httpx.AsyncClient, b: Built, rng: random.Random, group: int, fate: str
) -> None:
    provider = rng.choice(b.providers)
    body = {
        "member_id": b.w.member["member_id"],
        "provider_id": provider.id,
        "service_date": (TODAY - timedelta(days=30 - 10 * group + rng.randint(0, 5))).isoformat(),
        "diagnosis_codes": ["J06.9"],
        "items": [item(f"S{rng.randint(0, 10**6)}", rng.randint(1, 200) * 1000_00)],
    }
    filed = await core.post("/v1/claims", json=body, headers=provider.user)
    assert filed.status_code == 201, filed.text
    steps = {"APPROVED": ("RECEIVED", "IN_REVIEW", "APPROVED"), "REJECTED": ("REJECTED",)}
    await advance(core, b.w, filed.json(), *steps.get(fate, ("RECEIVED",)))
    b.claims[group].append(filed.json()["id"])


def days_of(group: int) -> dict[str, str]:
    """The service days of a group: the run period that takes its claims."""
    last = TODAY - timedelta(days=30 - 10 * group)
    return {"period_from": (last - timedelta(days=5)).isoformat(), "period_to": last.isoformat()}


async def new_run(core: httpx.AsyncClient, b: Built, group: int) -> dict[str, Any]:
    run = await core.post("/v1/settlement-runs", json=days_of(group), headers=b.w.hmo.admin)
    assert run.status_code == 201, run.text
    b.runs[group].append(run.json()["id"])
    return dict(run.json())


async def run_action(core: httpx.AsyncClient, b: Built, run: dict[str, Any], action: str) -> None:
    done = await core.post(f"/v1/settlement-runs/{run['id']}/{action}", headers=b.w.hmo.admin)
    assert done.status_code == 200, done.text


async def pay(core: httpx.AsyncClient, b: Built, remittance: dict[str, Any], amount: int) -> None:
    paid = await core.post(
        f"/v1/remittances/{remittance['id']}/payment-proofs",
        data={"reference": "TRF-1", "amount": str(amount), "paid_on": TODAY.isoformat()},
        files={"file": ("proof.pdf", b"%PDF-1.4 transfer", "application/pdf")},
        headers=b.w.hmo.admin,
    )
    assert paid.status_code == 201, paid.text


async def dispute(
    core: httpx.AsyncClient, b: Built, remittance: dict[str, Any], outcome: str | None
) -> None:
    provider = next(p for p in b.providers if p.id == remittance["provider_id"])
    line = remittance["lines"][0]
    raised = await core.post(
        "/v1/disputes",
        json={
            "remittance_line_id": line["id"],
            "reason": "Underpaid.",
            "amount_claimed": line["billed"] // 4,
        },
        headers=provider.user,
    )
    assert raised.status_code == 201, raised.text
    if outcome is None:
        return
    body = {"outcome": outcome} | (
        {"adjustment": line["billed"] // 8} if outcome == "ACCEPTED" else {"note": "No."}
    )
    resolved = await core.post(
        f"/v1/disputes/{raised.json()['id']}/resolve", json=body, headers=b.w.hmo.admin
    )
    assert resolved.status_code == 200, resolved.text


async def build(core: httpx.AsyncClient, rng: random.Random) -> Built:
    """Three groups of claims by service days. Group 0's run is paid in full, group 1's
    approved with one remittance paid and one partly, group 2's cancelled then run again
    (a draft). Disputes: accepted and open on group 0, rejected on group 1. Two claims are
    approved after the runs (owed, in no run)."""
    w = await world(core, benefits=BENEFITS)
    other = await make_provider(core, name="Harbour Clinic")
    await link_provider(core, w.hmo, other)
    b = Built(w, [w.provider, other])
    for n in range(15):
        fate = "APPROVED" if n < 6 else rng.choice(["APPROVED"] * 4 + ["REJECTED", "RECEIVED"])
        await file_claim(core, b, rng, n % 3, fate)
    paid_run, approved_run, cancelled_run = [await new_run(core, b, g) for g in range(3)]
    await run_action(core, b, paid_run, "approve")
    for remittance in paid_run["remittances"]:
        await pay(core, b, remittance, remittance["total"])
    await run_action(core, b, approved_run, "approve")
    first, *rest = approved_run["remittances"]
    await pay(core, b, first, first["total"])
    for remittance in rest:
        await pay(core, b, remittance, remittance["total"] // 3)
    await run_action(core, b, cancelled_run, "cancel")
    await new_run(core, b, 2)
    await dispute(core, b, paid_run["remittances"][0], "ACCEPTED")
    await dispute(core, b, paid_run["remittances"][-1], None)
    await dispute(core, b, approved_run["remittances"][0], "REJECTED")
    for group in (0, 2):
        await file_claim(core, b, rng, group, "APPROVED")
    return b


async def spread_over_past(b: Built, rng: random.Random) -> None:
    """Moves each group back by its own offset: its claims (each approved a few more days
    before its run), their history, its runs, remittances, lines, payments and disputes."""
    async with superuser() as db:

        async def shift(sql: str, **params: Any) -> None:
            await db.execute(text(sql), params)

        for group in range(3):
            s = timedelta(days=rng.randint(0, 150), hours=rng.randint(0, 23)).total_seconds()
            for claim_id in b.claims[group]:
                e = timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 23)).total_seconds()
                await shift(
                    "update claims set created_at = created_at - make_interval(secs => :se),"
                    " received_at = received_at - make_interval(secs => :se),"
                    " decided_at = decided_at - make_interval(secs => :se),"
                    " settled_at = settled_at - make_interval(secs => :s) where id = :id",
                    s=s,
                    se=s + e,
                    id=claim_id,
                )
                await shift(
                    "update claim_events set created_at = created_at - make_interval(secs =>"
                    " case when to_status = 'SETTLED' then cast(:s as float8)"
                    " else cast(:se as float8) end)"
                    " where claim_id = :id",
                    s=s,
                    se=s + e,
                    id=claim_id,
                )
            found = await db.execute(
                text("select id from remittances where run_id = any(cast(:runs as uuid[]))"),
                {"runs": b.runs[group]},
            )
            moved = {"s": s, "runs": b.runs[group], "remittances": list(found.scalars())}
            for sql in (
                "update settlement_runs set created_at = created_at - make_interval(secs => :s),"
                " approved_at = approved_at - make_interval(secs => :s),"
                " paid_at = paid_at - make_interval(secs => :s),"
                " cancelled_at = cancelled_at - make_interval(secs => :s)"
                " where id = any(cast(:runs as uuid[]))",
                "update remittances set created_at = created_at - make_interval(secs => :s),"
                " paid_at = paid_at - make_interval(secs => :s)"
                " where id = any(cast(:remittances as uuid[]))",
                "update remittance_lines set created_at = created_at - make_interval(secs => :s)"
                " where remittance_id = any(cast(:remittances as uuid[]))",
                "update payment_proofs set created_at = created_at - make_interval(secs => :s)"
                " where remittance_id = any(cast(:remittances as uuid[]))",
                "update disputes set created_at = created_at - make_interval(secs => :s),"
                " resolved_at = resolved_at - make_interval(secs => :s)"
                " where remittance_id = any(cast(:remittances as uuid[]))",
            ):
                await shift(sql, **moved)


# --- the raw rows and the plain computation ------------------------------------------------


@dataclass
class Raw:
    claims: list[Any]
    remittances: list[Any]
    proofs: list[Any]
    disputes: list[Any]


async def read_raw(b: Built) -> Raw:
    t = {"t": b.w.hmo.id}
    async with superuser() as db:

        async def rows(sql: str) -> list[Any]:
            return list((await db.execute(text(sql), t)).all())

        return Raw(
            claims=await rows(
                "select provider_id, status, total_approved, decided_at, settled_at"
                " from claims where tenant_id = :t"
            ),
            remittances=await rows(
                "select r.id, r.run_id, r.provider_id, r.total, r.paid_at, s.number,"
                " s.created_at, s.approved_at, s.paid_at as run_paid_at, s.cancelled_at,"
                " p.name as provider,"
                " (select count(*) from remittance_lines l where l.remittance_id = r.id"
                "  and l.claim_id is not null) as claims"
                " from remittances r join settlement_runs s on s.id = r.run_id"
                " join providers p on p.id = r.provider_id where r.tenant_id = :t"
            ),
            proofs=await rows(
                "select remittance_id, amount, created_at from payment_proofs where tenant_id = :t"
            ),
            disputes=await rows(
                "select remittance_id, provider_id, amount_claimed, adjustment, status,"
                " created_at, resolved_at from disputes where tenant_id = :t"
            ),
        )


def status_at(r: Any, moment: datetime, paid_at: datetime | None) -> str:
    if r.cancelled_at is not None and r.cancelled_at < moment:
        return "CANCELLED"
    if paid_at is not None and paid_at < moment:
        return "PAID"
    if r.approved_at is not None and r.approved_at < moment:
        return "APPROVED"
    return "DRAFT"


def within(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def expected(
    raw: Raw, first: date, last: date, provider_id: str | None = None, status: str | None = None
) -> dict[str, Any]:
    start, end, at = start_of(first), end_of(last), end_of(min(last, TODAY))
    claims = [
        c
        for c in raw.claims
        if c.status in ("APPROVED", "SETTLED") and provider_id in (None, str(c.provider_id))
    ]

    def owed(moment: datetime) -> int:
        return sum(
            c.total_approved
            for c in claims
            if c.decided_at < moment and (c.settled_at is None or c.settled_at >= moment)
        )

    settled = [c for c in claims if within(c.settled_at, start, end)]
    remittances = [
        r
        for r in raw.remittances
        if within(r.created_at, start, end) and provider_id in (None, str(r.provider_id))
    ]
    run_status = {r.run_id: status_at(r, at, r.run_paid_at) for r in remittances}
    kept = [r for r in remittances if status in (None, status_at(r, at, r.paid_at))]
    disputes = [d for d in raw.disputes if provider_id in (None, str(d.provider_id))]
    raised = [d for d in disputes if within(d.created_at, start, end)]
    still_open = [
        d for d in disputes if d.created_at < at and (d.resolved_at is None or d.resolved_at >= at)
    ]
    resolved = [d for d in disputes if within(d.resolved_at, start, end)]
    days = [hours(c.settled_at - c.decided_at) / 24 for c in settled]
    return {
        "runs": len({run for run, s in run_status.items() if status in (None, s)}),
        "remittances": len(kept),
        "remitted": sum(r.total for r in kept),
        "approved": sum(c.total_approved for c in claims if within(c.decided_at, start, end)),
        "paid": sum(c.total_approved for c in settled),
        "outstanding": owed(at),
        "days_to_settle": statistics.median(days) if days else None,
        "disputes_raised": len(raised),
        "disputed": sum(d.amount_claimed for d in raised),
        "disputes_open": len(still_open),
        "open_disputed": sum(d.amount_claimed for d in still_open),
        "disputes_resolved": len(resolved),
        "adjustments": sum(d.adjustment or 0 for d in resolved),
        # not KPIs: what the breakdowns and rows are checked against
        "_kept": kept,
        "_run_status": run_status,
        "_open": still_open,
        "_resolved": resolved,
        "_owed": owed,
        "_claims": claims,
        "_at": at,
    }


def assert_kpis(body: dict[str, Any], now: dict[str, Any], before: dict[str, Any]) -> None:
    for kpi in body["kpis"]:
        key = kpi["key"]
        if key == "days_to_settle":
            for got, want in ((kpi["value"], now[key]), (kpi["previous"], before[key])):
                assert (got is None) == (want is None), kpi
                assert want is None or got == pytest.approx(want, abs=0.006), kpi
        else:
            assert (kpi["value"], kpi["previous"]) == (now[key], before[key]), kpi


def expected_rows(raw: Raw, want: dict[str, Any]) -> list[tuple[Any, ...]]:
    at = want["_at"]

    def day(moment: datetime | None) -> str | None:
        return moment.date().isoformat() if moment is not None and moment < at else None

    rows = []
    for r in want["_kept"]:
        state = status_at(r, at, r.paid_at)
        paid = sum(p.amount for p in raw.proofs if p.remittance_id == r.id and p.created_at < at)
        disputes = [d for d in raw.disputes if d.remittance_id == r.id and d.created_at < at]
        rows.append(
            (
                r.number,
                r.provider,
                state,
                r.created_at.date().isoformat(),
                day(r.approved_at),
                day(r.paid_at),
                r.claims,
                r.total,
                paid,
                0 if state == "CANCELLED" else r.total - paid,
                len(disputes),
            )
        )
    return sorted(rows)


ROW_KEYS = (
    "run",
    "provider",
    "status",
    "created_on",
    "approved_on",
    "paid_on",
    "claims",
    "total",
    "paid",
    "outstanding",
    "disputes",
)


def assert_charts(body: dict[str, Any], raw: Raw, want: dict[str, Any], first: date) -> None:
    start, end = start_of(first), end_of(date.fromisoformat(body["period"]["to"]))
    as_of = min(date.fromisoformat(body["period"]["to"]), TODAY)
    for point in body["trend"]["points"]:
        month = date.fromisoformat(point["month"] + "-01")
        if month > as_of:
            continue
        lo, hi = max(start, start_of(month)), min(end, start_of(add_months(month, 1)))
        claims = want["_claims"]
        assert point["approved"] == sum(
            c.total_approved for c in claims if within(c.decided_at, lo, hi)
        ), point
        assert point["paid"] == sum(
            c.total_approved for c in claims if within(c.settled_at, lo, hi)
        ), point
        assert point["outstanding"] == want["_owed"](min(end_of(month_end(month)), want["_at"]))
        assert point["remitted"] == sum(
            r.total for r in want["_kept"] if within(r.created_at, lo, hi)
        )
        assert point["disputes_raised"] == sum(
            within(d.created_at, lo, hi) for d in raw.disputes
        ), point
    breakdown = {b["key"]: {i["key"]: i for i in b["items"]} for b in body["breakdown"]}
    at = want["_at"]
    by_status = Counter(status_at(r, at, r.paid_at) for r in want["_kept"])
    assert {k: i["remittances"] for k, i in breakdown["remittances"].items()} == {
        s: by_status[s] for s in STATUSES
    }
    remitted = {
        s: sum(r.total for r in want["_kept"] if status_at(r, at, r.paid_at) == s) for s in STATUSES
    }
    assert {k: i["remitted"] for k, i in breakdown["remittances"].items()} == remitted
    runs = Counter(want["_run_status"].values())
    assert {k: i["runs"] for k, i in breakdown["runs"].items()} == {s: runs[s] for s in STATUSES}
    disputes = {
        "OPEN": want["_open"],
        "RESOLVED_ACCEPTED": [d for d in want["_resolved"] if d.status == "RESOLVED_ACCEPTED"],
        "RESOLVED_REJECTED": [d for d in want["_resolved"] if d.status == "RESOLVED_REJECTED"],
    }
    for key, found in disputes.items():
        item_ = breakdown["disputes"][key]
        assert item_["disputes"] == len(found)
        assert item_["disputed"] == sum(d.amount_claimed for d in found)
        assert item_["adjustments"] == sum(d.adjustment or 0 for d in found)
    owed = Counter[str]()
    for c in want["_claims"]:
        if c.decided_at < at and (c.settled_at is None or c.settled_at >= at):
            owed[str(c.provider_id)] += c.total_approved
    providers = breakdown["providers"]
    assert {k: i["outstanding"] for k, i in providers.items() if i["outstanding"]} == dict(owed)
    ranked = [i["outstanding"] for i in providers.values()]
    assert ranked == sorted(ranked, reverse=True)


# --- the tests -----------------------------------------------------------------------------


async def test_settlement_summary_matches_the_raw_rows(core: httpx.AsyncClient) -> None:
    rng = random.Random(7)
    b = await build(core, rng)
    await spread_over_past(b, rng)
    await assert_summaries_rebuild_the_same(b.w.hmo.id)
    raw = await read_raw(b)
    for first, last in (
        (TODAY.replace(day=1) - timedelta(days=120), TODAY),
        (add_months(TODAY.replace(day=1), -11), TODAY - timedelta(days=40)),
    ):
        params = {"from": first.isoformat(), "to": last.isoformat()}
        answer = await report(core, b.w.hmo.admin, NAME, **params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        previous = body["previous_period"]
        want = expected(raw, first, last)
        before = expected(
            raw, date.fromisoformat(previous["from"]), date.fromisoformat(previous["to"])
        )
        assert_kpis(body, want, before)
        assert_charts(body, raw, want, first)
        rows = await all_rows(core, b.w.hmo.admin, name=NAME, **params)
        assert sorted(tuple(r[k] for k in ROW_KEYS) for r in rows) == expected_rows(raw, want)
        owed = [r["outstanding"] for r in rows]
        assert owed == sorted(owed, reverse=True)  # the default order: most owed first

    # Each filter narrows: one provider's figures, the runs and remittances in one status.
    first, last = add_months(TODAY.replace(day=1), -11), TODAY
    period = {"from": first.isoformat(), "to": last.isoformat()}
    for filters in ({"provider_id": b.providers[1].id}, {"status": "PAID"}, {"status": "DRAFT"}):
        body = (await report(core, b.w.hmo.admin, NAME, **period, **filters)).json()
        assert body["filters"] == filters
        want = expected(raw, first, last, **filters)
        previous = body["previous_period"]
        before = expected(
            raw, date.fromisoformat(previous["from"]), date.fromisoformat(previous["to"]), **filters
        )
        assert_kpis(body, want, before)
        rows = await all_rows(core, b.w.hmo.admin, name=NAME, **period, **filters)
        assert sorted(tuple(r[k] for k in ROW_KEYS) for r in rows) == expected_rows(raw, want)


@pytest.mark.parametrize(
    ("params", "field"), [({"status": "SETTLED"}, "status"), ({"client_id": "0" * 32}, "client_id")]
)
async def test_a_filter_it_does_not_take_is_a_422(
    core: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    w = await world(core)
    answer = await report(core, w.hmo.admin, NAME, **params)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def paid_world(core: httpx.AsyncClient, rng: random.Random) -> Built:
    """Two approved claims, one run paid in full."""
    w = await world(core, benefits=BENEFITS)
    b = Built(w, [w.provider])
    for _ in range(2):
        await file_claim(core, b, rng, 1, "APPROVED")
    run = await new_run(core, b, 1)
    await run_action(core, b, run, "approve")
    for remittance in run["remittances"]:
        await pay(core, b, remittance, remittance["total"])
    return b


async def test_another_tenants_settlements_are_never_counted(core: httpx.AsyncClient) -> None:
    rng = random.Random(3)
    ours, theirs = await paid_world(core, rng), await paid_world(core, rng)
    for b in (ours, theirs):
        raw = await read_raw(b)
        body = (await report(core, b.w.hmo.admin, NAME)).json()
        kpis = {k["key"]: k["value"] for k in body["kpis"]}
        assert kpis["paid"] == sum(c.total_approved for c in raw.claims) > 0
        assert kpis["remittances"] == len(raw.remittances) == len(body["rows"]["items"])


async def test_csv_equals_the_json_rows(core: httpx.AsyncClient) -> None:
    b = await paid_world(core, random.Random(5))
    rows = await all_rows(core, b.w.hmo.admin, name=NAME, sort="run")
    answer = await report(core, b.w.hmo.admin, NAME, format="csv", sort="run")
    assert answer.status_code == 200, answer.text
    table = csv.reader(io.StringIO(answer.text))
    assert next(table) == list(ROW_KEYS)
    assert list(table) == [["" if r[k] is None else str(r[k]) for k in ROW_KEYS] for r in rows]
