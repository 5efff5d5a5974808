"""GET /v1/dashboard against a plain computation over the raw rows: claims received over
two months, settlement runs this month and before, claims queued, open and past the SLA,
flags open, cleared and confirmed, PAs pending per urgency; the year's loss ratio as the
loss-ratio report's oracle computes it."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.claims_world import PATHS, World, move, new_claim, settle, world
from tests.db import superuser
from tests.factories import make_staff
from tests.report_members import BENEFITS, month_of, next_month, premium, read_book
from tests.test_report_loss_ratio import expected_cells, figures, read_money

OPEN = ("RECEIVED", "IN_REVIEW", "RESUBMITTED")
OPENING = ("SUBMITTED", "RECEIVED", "IN_REVIEW", "QUERIED", "RESUBMITTED")
SLA_DAYS = 14
SLA_HOURS = {"ROUTINE": 72, "URGENT": 24, "EMERGENCY": 1}


async def dashboard(core: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await core.get("/v1/dashboard", headers=headers)


async def rows(sql: str, tenant_id: str) -> list[Any]:
    async with superuser() as db:
        return list((await db.execute(text(sql), {"t": tenant_id})).all())


SHIFTS = {
    "received": "update claims set received_at = received_at - make_interval(secs => :s)"
    " where id = cast(:id as uuid)",
    "due": "update authorizations set sla_due_at = sla_due_at - make_interval(secs => :s)"
    " where id = cast(:id as uuid)",
}


async def shift(what: str, row_id: str, back: timedelta) -> None:
    """Moves a claim's receipt or a PA's due time `back` into the past."""
    async with superuser() as db:
        await db.execute(text(SHIFTS[what]), {"s": back.total_seconds(), "id": row_id})


async def expected(w: World, now: datetime) -> dict[str, Any]:
    """The dashboard as the raw rows give it."""
    today = now.date()
    this_month = month_of(today)
    last_month = month_of(this_month - timedelta(days=1))
    claims = await rows(
        "select status, received_at, decided_at from claims where tenant_id = :t", w.hmo.id
    )
    received: dict[date, int] = defaultdict(int)
    for _, received_at, _ in claims:
        if received_at is not None:
            received[month_of(received_at.astimezone(UTC).date())] += 1
    still_open = [
        (today - at.astimezone(UTC).date()).days
        for _, at, decided in claims
        if at is not None and decided is None
    ]
    runs = await rows(
        "select status, total, created_at from settlement_runs where tenant_id = :t", w.hmo.id
    )
    this_months_runs = [
        (status, total)
        for status, total, at in runs
        if status != "CANCELLED" and month_of(at.astimezone(UTC).date()) == this_month
    ]
    flags = await rows(
        "select e.cleared_at, c.status, coalesce(p.suspicious and p.hold_cleared_at is null,"
        " false) from risk_events e left join claims c on c.id = e.claim_id"
        " left join authorizations p on p.id = e.authorization_id"
        " or (p.tenant_id = c.tenant_id and p.auth_code = c.auth_code)"
        " where e.tenant_id = :t",
        w.hmo.id,
    )
    pas = await rows(
        "select urgency, sla_due_at from authorizations where tenant_id = :t"
        " and status in ('SUBMITTED', 'IN_REVIEW', 'APPEALED')",
        w.hmo.id,
    )
    first = today.replace(month=1, day=1)
    book, money = await read_book(w.hmo.id), await read_money(w.hmo.id)
    loss = figures(list(expected_cells(book, *money, first, today).values()))
    return {
        "claims_received": {
            "this_month": received[this_month],
            "last_month": received[last_month],
        },
        "settlement": {
            "runs": len(this_months_runs),
            "amount": sum(total for _, total in this_months_runs),
            "paid": sum(total for status, total in this_months_runs if status == "PAID"),
        },
        "loss_ratio": {"from": first.isoformat(), "to": today.isoformat(), **loss},
        "fraud_flags": {
            "open": sum(
                cleared is None and status != "REJECTED" and not reported
                for cleared, status, reported in flags
            )
        },
        "claims_queue": {
            "depth": sum(status in OPEN for status, _, _ in claims),
            "open": len(still_open),
            "past_sla": sum(age > SLA_DAYS for age in still_open),
        },
        "authorizations": [
            {
                "urgency": urgency,
                "sla_hours": SLA_HOURS[urgency],
                "pending": sum(u == urgency for u, _ in pas),
                "past_sla": sum(u == urgency and due <= now for u, due in pas),
                "next_due_at": min(
                    (due for u, due in pas if u == urgency and due > now), default=None
                ),
            }
            for urgency in SLA_HOURS
        ],
    }


async def file_pa(core: httpx.AsyncClient, w: World, urgency: str) -> dict[str, Any]:
    response = await core.post(
        "/v1/authorizations",
        json={
            "member_id": w.member["member_id"],
            "urgency": urgency,
            "procedure_code": "CONS-01",
            "diagnosis_codes": ["J06.9"],
            "estimated_amount": 15_000_00,
        },
        headers=w.provider.user,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_dashboard_matches_the_raw_rows(core: httpx.AsyncClient) -> None:
    rng = random.Random(77)
    w = await world(core, benefits=BENEFITS, premium=premium(rng))
    today = datetime.now(UTC).date()
    days_this_month = (today - month_of(today)).days
    approved = []
    for n in range(9):
        # Claims of the same day filed twice: the second is flagged as duplicate billing.
        claim = await new_claim(core, w, service_date=today - timedelta(days=n % 3))
        status = ["APPROVED", "APPROVED", "REJECTED"][n - 6] if n >= 6 else rng.choice(OPENING)
        for step in PATHS[status]:
            claim = await move(core, w, claim["id"], step)
        if claim["received_at"] is not None:
            # Received earlier this month, last month or long ago (past the SLA).
            back = [0, days_this_month, days_this_month + 20, 45][n % 4]
            await shift("received", claim["id"], timedelta(days=back))
        if status == "APPROVED":
            approved.append(claim)
    await settle(core, w, approved[-1])  # a run of this month, paid
    run = await core.post(
        "/v1/settlement-runs",
        json={"provider_id": w.provider.id, "period_from": str(today), "period_to": str(today)},
        headers=w.hmo.admin,
    )
    assert run.status_code == 201, run.text
    cancelled = await core.post(
        f"/v1/settlement-runs/{run.json()['id']}/cancel", headers=w.hmo.admin
    )
    assert cancelled.status_code == 200, cancelled.text
    flags = (await core.get("/v1/risk-events", headers=w.hmo.admin)).json()["items"]
    assert len(flags) > 2
    cleared = await core.post(
        f"/v1/risk-events/{flags[0]['id']}/clear",
        json={"note": "Same visit, billed twice by mistake"},
        headers=w.hmo.admin,
    )
    assert cleared.status_code == 200, cleared.text
    for urgency, back in (("ROUTINE", 0), ("ROUTINE", 80), ("URGENT", 0), ("ROUTINE", 10)):
        pa = await file_pa(core, w, urgency)
        await shift("due", pa["id"], timedelta(hours=back))
    answer = await dashboard(core, w.hmo.admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    now = datetime.fromisoformat(body["as_of"])
    want = await expected(w, now)
    for pending in want["authorizations"]:
        due = pending["next_due_at"]
        pending["next_due_at"] = due.isoformat().replace("+00:00", "Z") if due else None
    loss = body.pop("loss_ratio")
    for key, value in want.pop("loss_ratio").items():
        assert loss[key] == (pytest.approx(value) if isinstance(value, float) else value), key
    assert {k: body[k] for k in want} == want
    assert body["currency"] == "NGN"
    assert body["claims_queue"]["past_sla"] > 0
    assert body["fraud_flags"]["open"] > 0
    assert body["settlement"]["runs"] == 1


async def test_the_year_loss_ratio_is_the_reports(core: httpx.AsyncClient) -> None:
    rng = random.Random(3)
    w = await world(core, benefits=BENEFITS, premium=premium(rng))
    claim = await new_claim(core, w)
    for step in PATHS["APPROVED"]:
        await move(core, w, claim["id"], step)
    body = (await dashboard(core, w.hmo.admin)).json()["loss_ratio"]
    report = await core.get(
        "/v1/reports/loss-ratio", params={"from": body["from"]}, headers=w.hmo.admin
    )
    kpis = {k["key"]: k["value"] for k in report.json()["kpis"]}
    assert {k: body[k] for k in kpis} == kpis
    assert kpis["incurred_claims"] > 0
    assert next_month(month_of(date.fromisoformat(body["to"]))) > date.fromisoformat(body["to"])


async def test_dashboard_needs_reports_read_and_counts_one_tenant(
    core: httpx.AsyncClient,
) -> None:
    ours = await world(core)
    theirs = await world(core)
    await move(core, theirs, (await new_claim(core, theirs))["id"], "RECEIVED")
    _, adjudicator = await make_staff(core, ours.hmo, "Adjudicator")
    refused = await dashboard(core, adjudicator)
    assert refused.status_code == 403
    assert refused.json()["permission"] == "reports:read"
    assert (await dashboard(core, ours.provider.user)).status_code == 403
    for w, received in ((ours, 0), (theirs, 1)):
        body = (await dashboard(core, w.hmo.admin)).json()
        assert body["claims_received"]["this_month"] == received
        assert body["claims_queue"]["depth"] == received
