"""The fraud-anomaly report against a plain computation over the raw rows: random claims
from two providers for members of two clients (the claim rules flag duplicates, rapid
fire and excluded codes), some flags cleared, some claims rejected, and pre-authorizations
reported "Not me" (one with its claim, one without a claim, one whose hold is cleared),
spread over two years; every KPI of both periods, every trend point, every breakdown item
and every row, unfiltered and under each filter it takes."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.claims_world import World, item, move, new_claim, world
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
from tests.test_authorizations import enrollee_login

NAME = "fraud-anomaly"
CODES = ("CONS-01", "LAB-FBC", "XRAY-CHEST", "COS-001")  # COS-001: excluded by the plan
PA_CLAIM_TOTAL = 15_000_00


@dataclass
class RawEvent:
    rule: str
    weight: int
    raised: datetime
    cleared: datetime | None
    subject: str
    provider_id: str
    provider: str
    client_id: str
    member_id: str
    claim_id: str | None
    billed: int | None
    outcome: str
    codes: dict[str, int | None] = field(default_factory=dict)  # code: its lines' billed

    @property
    def raised_on(self) -> date:
        return self.raised.astimezone(UTC).date()


async def raw_events(tenant_id: str) -> list[RawEvent]:
    """Every risk event of the tenant with the claim or PA it is on, read as stored."""
    async with superuser() as db:

        async def rows(sql: str) -> list[Any]:
            return list(await db.execute(text(sql), {"t": tenant_id}))

        claims = {
            r.id: r
            for r in await rows(
                "select c.id, c.number, c.provider_id, e.client_id, c.member_id, c.status,"
                " c.total_billed, c.auth_code from claims c"
                " join enrollees e on e.id = c.enrollee_id where c.tenant_id = :t"
            )
        }
        pas = {
            r.id: r
            for r in await rows(
                "select a.id, a.number, a.provider_id, e.client_id, a.member_id,"
                " a.procedure_code, a.used_by_claim_id, a.suspicious, a.hold_cleared_at,"
                " a.auth_code from authorizations a"
                " join enrollees e on e.id = a.enrollee_id where a.tenant_id = :t"
            )
        }
        lines: dict[Any, dict[str, int]] = {}
        for claim_id, code, billed in await rows(
            "select claim_id, code, billed_amount from claim_items where tenant_id = :t"
        ):
            codes = lines.setdefault(claim_id, {})
            codes[code] = codes.get(code, 0) + billed
        names = {r.id: r.name for r in await rows("select id, name from providers")}
        flags = await rows(
            "select rule, weight, created_at, cleared_at, claim_id, authorization_id"
            " from risk_events where tenant_id = :t"
        )
    pa_by_code = {pa.auth_code: pa for pa in pas.values() if pa.auth_code}
    events = []
    for rule, weight, raised, cleared, claim_id, pa_id in flags:
        if claim_id is not None:
            owner = claims[claim_id]
            claim, pa = owner, pa_by_code.get(owner.auth_code)
            codes: dict[str, int | None] = dict(lines[claim_id])
        else:
            owner = pa = pas[pa_id]
            claim = claims.get(pa.used_by_claim_id)
            codes = {pa.procedure_code: lines[claim.id][pa.procedure_code] if claim else None}
        reported = pa is not None and pa.suspicious and pa.hold_cleared_at is None
        if cleared is not None:
            outcome = "cleared"
        elif reported or (claim is not None and claim.status == "REJECTED"):
            outcome = "confirmed"
        else:
            outcome = "open"
        events.append(
            RawEvent(
                rule=rule,
                weight=weight,
                raised=raised,
                cleared=cleared,
                subject=owner.number,
                provider_id=str(owner.provider_id),
                provider=names[owner.provider_id],
                client_id=str(owner.client_id),
                member_id=owner.member_id,
                claim_id=str(claim.id) if claim else None,
                billed=claim.total_billed if claim else None,
                outcome=outcome,
                codes=codes,
            )
        )
    return events


def totals(events: list[RawEvent]) -> dict[str, Any]:
    """Events, outcomes, and each flagged claim's amount once."""
    outcomes = Counter(e.outcome for e in events)
    amounts = {e.claim_id: e.billed or 0 for e in events if e.claim_id}
    resolved = outcomes["confirmed"] + outcomes["cleared"]
    return {
        "events": len(events),
        "flagged_claims": len(amounts),
        "amount_flagged": sum(amounts.values()),
        "confirmed": outcomes["confirmed"],
        "cleared": outcomes["cleared"],
        "open": outcomes["open"],
        "confirmed_rate": outcomes["confirmed"] / resolved if resolved else None,
    }


def code_totals(events: list[RawEvent], code: str) -> dict[str, Any]:
    """Per procedure code: the amount is the flagged claims' lines of that code."""
    tagged = [e for e in events if code in e.codes]
    found = totals(tagged)
    amounts = {e.claim_id: e.codes[code] or 0 for e in tagged if e.claim_id}
    return found | {"amount_flagged": sum(amounts.values())}


def grouped(events: list[RawEvent], key: str) -> dict[str, dict[str, Any]]:
    values = {str(getattr(e, key)) for e in events}
    return {v: totals([e for e in events if str(getattr(e, key)) == v]) for v in values}


def assert_items(items: list[dict[str, Any]], expected: dict[str, dict[str, Any]]) -> None:
    """Every item as expected, most events first (then most amount)."""
    assert {i["key"] for i in items} == set(expected)
    for entry in items:
        for key in ("events", "amount_flagged", "confirmed", "cleared"):
            assert entry[key] == expected[entry["key"]][key], (entry, key)
    ranks = [(-i["events"], -i["amount_flagged"]) for i in items]
    assert ranks == sorted(ranks)


@dataclass
class Oracle:
    events: list[RawEvent]
    rule: str | None = None
    provider_id: str | None = None
    client_id: str | None = None

    def within(self, first: date, last: date) -> list[RawEvent]:
        return [
            e
            for e in self.events
            if first <= e.raised_on <= last
            and self.rule in (None, e.rule)
            and self.provider_id in (None, e.provider_id)
            and self.client_id in (None, e.client_id)
        ]

    def check(self, body: dict[str, Any]) -> None:
        period = [date.fromisoformat(d) for d in body["period"].values()]
        before = [date.fromisoformat(d) for d in body["previous_period"].values()]
        now = self.within(*period)
        want, want_before = totals(now), totals(self.within(*before))
        for kpi in body["kpis"]:
            assert kpi["value"] == pytest.approx(want[kpi["key"]]), kpi
            assert kpi["previous"] == pytest.approx(want_before[kpi["key"]]), kpi
        for point in body["trend"]["points"]:
            month = totals([e for e in now if e.raised_on.strftime("%Y-%m") == point["month"]])
            assert point == {"month": point["month"]} | {k: month[k] for k in point if k in month}
            assert set(point) == {"month", "events", "amount_flagged", "confirmed", "cleared"}
        breakdown = {b["key"]: b["items"] for b in body["breakdown"]}
        assert_items(breakdown["rule"], grouped(now, "rule"))
        assert_items(breakdown["provider"], grouped(now, "provider_id"))
        assert_items(breakdown["member"], grouped(now, "member_id"))
        codes = {code for e in now for code in e.codes}
        assert_items(breakdown["procedure"], {c: code_totals(now, c) for c in codes})
        outcomes = grouped(now, "outcome")
        for entry in breakdown["outcome"]:
            expected = outcomes.get(entry["key"], {"events": 0, "amount_flagged": 0})
            assert (entry["events"], entry["amount_flagged"]) == (
                expected["events"],
                expected["amount_flagged"],
            )
        self.check_rows(body["rows"]["items"], now)

    def check_rows(self, rows: list[dict[str, Any]], now: list[RawEvent]) -> None:
        def row_of(e: RawEvent) -> dict[str, Any]:
            return {
                "raised_on": e.raised_on.isoformat(),
                "rule": e.rule,
                "weight": e.weight,
                "subject": e.subject,
                "provider": e.provider,
                "member_id": e.member_id,
                "billed": e.billed,
                "outcome": e.outcome,
                "cleared_on": e.cleared.astimezone(UTC).date().isoformat() if e.cleared else None,
            }

        def order(r: dict[str, Any]) -> str:
            return repr(sorted(r.items()))

        assert sorted(rows, key=order) == sorted((row_of(e) for e in now), key=order)
        days = [r["raised_on"] for r in rows]
        assert days == sorted(days, reverse=True)


@dataclass
class FraudWorld:
    w: World
    providers: list[ProviderCtx]
    clients: list[dict[str, Any]]
    members: list[dict[str, Any]]
    logins: list[dict[str, str]]  # the first two members' portal sessions


async def fraud_world(core: httpx.AsyncClient) -> FraudWorld:
    """Two providers; three members, two of them with a portal login (for "Not me")."""
    w = await world(core)
    other = await make_provider(core, name="Harbour Clinic")
    await link_provider(core, w.hmo, other)
    beta = await make_client(core, w.hmo, code="BETA")
    start = (date.today() - timedelta(days=400)).isoformat()
    members = [
        w.member,
        await make_principal(core, w.hmo, beta, w.plan, coverage_start=start, first_name="Tunde"),
        await make_principal(core, w.hmo, w.client, w.plan, coverage_start=start),
    ]
    logins = [
        await enrollee_login(core, w.hmo, member, f"member{n}@{w.hmo.slug}.example.com")
        for n, member in enumerate(members[:2])
    ]
    return FraudWorld(w, [w.provider, other], [w.client, beta], members, logins)


async def file_claim(
    core: httpx.AsyncClient,
    c: FraudWorld,
    provider: ProviderCtx,
    member: dict[str, Any],
    lines: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    return await new_claim(
        core,
        c.w,
        headers=provider.user,
        member_id=member["member_id"],
        provider_id=provider.id,
        items=lines,
        **extra,
    )


async def reported_pa(
    core: httpx.AsyncClient,
    c: FraudWorld,
    provider: ProviderCtx,
    member: dict[str, Any],
    *,
    claimed: bool,
    hold_cleared: bool = False,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A PA the member reports "Not me": approved and used by a claim when `claimed`."""
    w = c.w
    filed = await core.post(
        "/v1/authorizations",
        json={
            "member_id": member["member_id"],
            "provider_id": provider.id,
            "urgency": "EMERGENCY",
            "procedure_code": "CONS-01",
            "estimated_amount": PA_CLAIM_TOTAL,
        },
        headers=provider.user,
    )
    assert filed.status_code == 201, filed.text
    pa = filed.json()
    claim = None
    if claimed:
        decided = await core.post(
            f"/v1/authorizations/{pa['id']}/decision",
            json={"decision": "APPROVE"},
            headers=w.hmo.admin,
        )
        assert decided.status_code == 200, decided.text
        lines = [item("CONS-01", PA_CLAIM_TOTAL)]
        claim = await file_claim(
            core, c, provider, member, lines, auth_code=decided.json()["auth_code"]
        )
    login = c.logins[c.members.index(member)]
    reported = await core.post(f"/v1/authorizations/{pa['id']}/not-me", headers=login)
    assert reported.status_code == 200, reported.text
    if hold_cleared:
        cleared = await core.post(
            f"/v1/authorizations/{pa['id']}/clear",
            json={"reason": "Confirmed by phone"},
            headers=w.hmo.admin,
        )
        assert cleared.status_code == 200, cleared.text
    return pa, claim


async def random_history(core: httpx.AsyncClient, c: FraudWorld, rng: random.Random) -> None:
    w = c.w
    claims = []
    for _ in range(22):
        provider, member = rng.choice(c.providers), rng.choice(c.members)
        codes = rng.sample(CODES[:3], 2) + (["COS-001"] if rng.random() < 0.15 else [])
        lines = [item(code, rng.choice((5, 10, 20)) * 1000_00) for code in codes]
        claim = await file_claim(core, c, provider, member, lines)
        if rng.random() < 0.3:
            claim = await move(core, w, claim["id"], "REJECTED", version=claim["version"])
        claims.append(claim)
    async with superuser() as db:
        flag_ids = list(
            await db.scalars(
                text("select id from risk_events where tenant_id = :t order by id"),
                {"t": w.hmo.id},
            )
        )
    for flag_id in rng.sample(flag_ids, len(flag_ids) // 4):
        cleared = await core.post(
            f"/v1/risk-events/{flag_id}/clear",
            json={"note": "A false positive"},
            headers=w.hmo.admin,
        )
        assert cleared.status_code == 200, cleared.text
    reported = [
        await reported_pa(core, c, c.providers[0], c.members[0], claimed=True),
        await reported_pa(core, c, c.providers[1], c.members[1], claimed=False),
        await reported_pa(core, c, c.providers[1], c.members[0], claimed=True, hold_cleared=True),
    ]

    def some_past(days: int) -> timedelta:
        return timedelta(days=rng.randint(0, days), hours=rng.randint(0, 23))

    shifts = {claim["id"]: (some_past(740), timedelta()) for claim in claims}
    pa_shifts = {}
    for pa, claim in reported:  # within the default period: the reports are its figures
        pa_shifts[pa["id"]] = some_past(300)
        if claim is not None:
            shifts[claim["id"]] = (pa_shifts[pa["id"]], timedelta())
    await move_back(shifts, pa_shifts)


async def test_every_figure_matches_the_raw_rows_under_each_filter(
    core: httpx.AsyncClient,
) -> None:
    c = await fraud_world(core)
    w = c.w
    await random_history(core, c, random.Random(5))
    # Another HMO's flagged claims at the same provider: never counted.
    theirs = await make_tenant(core)
    their_world = World(
        theirs, await make_plan(core, theirs), await make_client(core, theirs), {}, w.provider
    )
    their_world.member = await make_principal(
        core, theirs, their_world.client, their_world.plan, coverage_start="2025-01-01"
    )
    await link_provider(core, theirs, w.provider)
    for _ in range(2):
        await new_claim(core, their_world)
    events = await raw_events(w.hmo.id)
    assert {"ghost_patient", "duplicate_billing", "rapid_fire"} <= {e.rule for e in events}
    for given in (
        {},
        {"rule": "rapid_fire"},
        {"provider_id": c.providers[1].id},
        {"client_id": c.clients[1]["id"]},
    ):
        answer = await core.get(
            f"/v1/reports/{NAME}", params={**given, "limit": 200}, headers=w.hmo.admin
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["filters"] == given
        Oracle(events, **given).check(answer.json())
        if not given:  # the period holds every kind of event and outcome
            by_rule, by_outcome = answer.json()["breakdown"][:2]
            assert "ghost_patient" in {i["key"] for i in by_rule["items"]}
            assert all(i["events"] for i in by_outcome["items"]), by_outcome
    answer = await core.get(f"/v1/reports/{NAME}", headers=theirs.admin)
    assert [k["value"] for k in answer.json()["kpis"] if k["key"] == "events"] == [1]

    rows = await all_rows(core, w.hmo.admin, NAME, sort="billed")
    exported = await core.get(
        f"/v1/reports/{NAME}", params={"format": "csv", "sort": "billed"}, headers=w.hmo.admin
    )
    assert exported.status_code == 200, exported.text
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert table == [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]


@pytest.mark.parametrize("param", ["plan_id", "status", "category", "urgency"])
async def test_a_filter_it_does_not_take_is_a_422(core: httpx.AsyncClient, param: str) -> None:
    w = await world(core)
    value = w.plan["id"] if param == "plan_id" else "X"
    answer = await core.get(f"/v1/reports/{NAME}", params={param: value}, headers=w.hmo.admin)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [param]
