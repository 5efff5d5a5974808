"""The authorisation report checked against a plain computation over the raw rows: PAs of
every urgency filed for two clients' members at two providers, auto-approved by two
rules, approved, rejected, appealed (and decided again), cancelled, used by a claim and
reported "Not me", each moved back in time and some decided late."""

from __future__ import annotations

import csv
import io
import random
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core_api.reports.period import add_months
from tests.db import superuser
from tests.factories import (
    PASSWORD,
    ProviderCtx,
    TenantCtx,
    link_provider,
    login,
    make_client,
    make_plan,
    make_principal,
    make_provider,
    make_tenant,
    session_headers,
)
from tests.test_reports import all_rows, end_of, report

NAME = "authorisation"
TODAY = datetime.now(UTC).date()
URGENCIES = ("ROUTINE", "URGENT", "EMERGENCY")
SLA_HOURS = {"ROUTINE": 72, "URGENT": 24, "EMERGENCY": 1}
STATUSES = (
    "SUBMITTED",
    "IN_REVIEW",
    "APPROVED",
    "REJECTED",
    "APPEALED",
    "USED",
    "EXPIRED",
    "CANCELLED",
)
APPROVED = ("APPROVED", "USED", "EXPIRED", "CANCELLED")
RULE_CEILING = 50_000_00
# What the reviewer does with a PA no rule approved.
FATES = ("pending", "approve", "reject", "appeal", "appeal-approve", "appeal-reject", "cancel")


def start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


# --- building the data through the API ----------------------------------------------------


@dataclass
class PaWorld:
    hmo: TenantCtx
    clients: list[dict[str, Any]]
    members: list[dict[str, Any]]  # one per client; the first has a portal login
    member_login: dict[str, str]
    providers: list[ProviderCtx]
    rules: list[dict[str, Any]]  # CONS-01 and XRAY-01, each up to RULE_CEILING


async def pa_world(core: httpx.AsyncClient) -> PaWorld:
    hmo = await make_tenant(core)
    plan = await make_plan(core, hmo)
    clients = [await make_client(core, hmo, code) for code in ("ACME", "BETA")]
    start = (TODAY - timedelta(days=400)).isoformat()
    members = [
        await make_principal(core, hmo, client, plan, coverage_start=start) for client in clients
    ]
    email = f"member@{hmo.slug}.example.com"
    account = await core.post(
        f"/v1/enrollees/{members[0]['id']}/account",
        json={"email": email, "password": PASSWORD},
        headers=hmo.admin,
    )
    assert account.status_code == 201, account.text
    providers = [await make_provider(core, name) for name in ("Lagoon Hospital", "Harbour Clinic")]
    for provider in providers:
        await link_provider(core, hmo, provider)
    rules = []
    for code, description in (("CONS-01", "Consultations"), ("XRAY-01", "X-rays")):
        rule = await core.post(
            "/v1/pa-rules",
            json={
                "plan_id": plan["id"],
                "procedure_code": code,
                "max_amount": RULE_CEILING,
                "max_urgency": "EMERGENCY",
                "description": description,
            },
            headers=hmo.admin,
        )
        assert rule.status_code == 201, rule.text
        rules.append(rule.json())
    member_login = session_headers(await login(core, hmo.slug, email))
    return PaWorld(hmo, clients, members, member_login, providers, rules)


async def post(
    core: httpx.AsyncClient, url: str, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    response = await core.post(url, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def file_pa(
    core: httpx.AsyncClient, w: PaWorld, rng: random.Random, **overrides: Any
) -> dict[str, Any]:
    provider = rng.choice(w.providers)
    if "provider_id" in overrides:
        provider = next(p for p in w.providers if p.id == overrides["provider_id"])
    body = {
        "member_id": rng.choice(w.members)["member_id"],
        "provider_id": provider.id,
        "urgency": rng.choice(URGENCIES),
        "procedure_code": rng.choice(["CONS-01", "XRAY-01", "SURG-09"]),
        "diagnosis_codes": ["J06.9"],
        "estimated_amount": rng.randint(10, 90) * 1000_00,
    } | overrides
    return await post(core, "/v1/authorizations", provider.user, **body)


async def play(
    core: httpx.AsyncClient, w: PaWorld, pa: dict[str, Any], fate: str
) -> dict[str, Any]:
    """Takes a PA no rule approved through `fate`; answers it as the HMO reads it then."""
    url = f"/v1/authorizations/{pa['id']}"
    provider = next(p for p in w.providers if p.id == pa["provider_id"])
    admin = w.hmo.admin
    if fate == "pending":
        return pa
    first = "APPROVE" if fate in ("approve", "cancel") else "REJECT"
    pa = await post(core, f"{url}/decision", admin, decision=first, reason="Reviewed.")
    if fate == "cancel":
        pa = await post(core, f"{url}/cancel", admin, reason="Withdrawn.")
    if fate.startswith("appeal"):
        pa = await post(core, f"{url}/appeals", provider.user, evidence="New lab results.")
    if fate in ("appeal-approve", "appeal-reject"):
        decision = "APPROVE" if fate == "appeal-approve" else "REJECT"
        pa = await post(core, f"{url}/decision", admin, decision=decision, reason="Again.")
    return pa


async def build(
    core: httpx.AsyncClient, rng: random.Random
) -> tuple[PaWorld, dict[str, int | None]]:
    """16 PAs, every fate at least once, then one used by a claim and one left pending and
    not yet due. Answers each PA's delay in hours (None: not to be moved at all)."""
    w = await pa_world(core)
    delays: dict[str, int | None] = {}
    for n in range(16):
        pa = await file_pa(core, w, rng)
        auto = pa["status"] == "APPROVED"
        if not auto:
            pa = await play(core, w, pa, FATES[n % len(FATES)] if n < 14 else rng.choice(FATES))
        delays[pa["id"]] = 0 if auto else rng.randint(0, 100)
        if pa["member_id"] == w.members[0]["member_id"] and n % 4 == 0:
            await post(core, f"/v1/authorizations/{pa['id']}/not-me", w.member_login)
    # One used by a claim citing its code (auto-approved, so issued at filing).
    provider = w.providers[0]
    used = await file_pa(
        core,
        w,
        rng,
        member_id=w.members[0]["member_id"],
        provider_id=provider.id,
        procedure_code="CONS-01",
        estimated_amount=20_000_00,
    )
    claim = {
        "member_id": used["member_id"],
        "provider_id": provider.id,
        "service_date": TODAY.isoformat(),
        "auth_code": used["auth_code"],
        "diagnosis_codes": ["J06.9"],
        "items": [{"code": "CONS-01", "description": "c", "quantity": 1, "unit_price": 15_000_00}],
    }
    await post(core, "/v1/claims", provider.user, **claim)
    delays[used["id"]] = 0
    waiting = await file_pa(core, w, rng, procedure_code="SURG-09", urgency="ROUTINE")
    delays[waiting["id"]] = None
    return w, delays


# Back by :s seconds; what came after :cutoff (the start of the last review) also :d later.
SHIFT_PA = (
    "update authorizations set created_at = created_at - make_interval(secs => :s),"
    " sla_due_at = sla_due_at - make_interval(secs => :s),"
    " breached_at = breached_at - make_interval(secs => :s),"
    " escalated_at = escalated_at - make_interval(secs => :s),"
    " decided_at = decided_at - make_interval(secs => :s)"
    " + case when decided_at > :cutoff then make_interval(secs => :d) else interval '0' end,"
    " used_at = used_at - make_interval(secs => :s)"
    " + case when used_at > :cutoff then make_interval(secs => :d) else interval '0' end,"
    " reported_at = reported_at - make_interval(secs => :s)"
    " + case when reported_at > :cutoff then make_interval(secs => :d) else interval '0' end"
    " where id = :id"
)
SHIFT_PA_EVENTS = (
    "update pa_events set created_at = created_at - make_interval(secs => :s)"
    " + case when created_at > :cutoff then make_interval(secs => :d) else interval '0' end"
    " where authorization_id = :id"
)
SHIFT_RISK_EVENTS = (
    "update risk_events set created_at = created_at - make_interval(secs => :s)"
    " + case when created_at > :cutoff then make_interval(secs => :d) else interval '0' end"
    " where authorization_id = :id"
)


async def spread_over_past(delays: dict[str, int | None], rng: random.Random) -> None:
    """Moves each PA's whole history back by its own offset, then delays what followed
    the start of its last review by its delay: its decision comes that much later against
    the same due time."""
    async with superuser() as db:
        for pa_id, delay in delays.items():
            if delay is None:
                continue
            shift = timedelta(days=rng.randrange(5, 400), hours=rng.randint(0, 23))
            params = {
                "id": pa_id,
                "s": shift.total_seconds(),
                "d": timedelta(hours=delay).total_seconds(),
            }
            params["cutoff"] = await db.scalar(
                text(
                    "select max(created_at) from pa_events where authorization_id = :id"
                    " and action in ('submitted', 'returned_to_review')"
                ),
                {"id": pa_id},
            )
            for sql in (SHIFT_PA, SHIFT_RISK_EVENTS, SHIFT_PA_EVENTS):
                await db.execute(text(sql), params)


# --- the raw rows and the plain computation ------------------------------------------------


async def read_raw(w: PaWorld) -> list[Any]:
    async with superuser() as db:
        found = await db.execute(
            text(
                "select a.id, a.number, a.created_at, a.urgency, a.status, a.provider_id,"
                " e.client_id, a.approved_amount, a.decided_at, a.sla_due_at,"
                " a.matched_rule_id, a.reported_at, coalesce(nullif(r.description, ''),"
                " r.procedure_code) as rule,"
                " (select count(*) from pa_events v where v.authorization_id = a.id"
                "  and v.action = 'appealed') as appeals"
                " from authorizations a join enrollees e on e.id = a.enrollee_id"
                " left join pa_rules r on r.id = a.matched_rule_id where a.tenant_id = :t"
            ),
            {"t": w.hmo.id},
        )
        return list(found.all())


def within_sla(pa: Any, now: datetime) -> bool | None:
    if pa.decided_at is not None:
        return pa.decided_at <= pa.sla_due_at  # type: ignore[no-any-return]
    return False if pa.sla_due_at < now else None


def state(pa: Any) -> str:
    if pa.status in APPROVED:
        return "approved"
    return "rejected" if pa.status == "REJECTED" else "pending"


def decision_days(pa: Any) -> float | None:
    if pa.decided_at is None:
        return None
    return float((pa.decided_at - pa.created_at).total_seconds()) / 86400


def figures(pas: list[Any], now: datetime) -> dict[str, Any]:
    judged = [s for pa in pas if (s := within_sla(pa, now)) is not None]
    days = [d for pa in pas if (d := decision_days(pa)) is not None]
    appealed = [pa for pa in pas if pa.appeals]
    return {
        "pas": len(pas),
        "approved": sum(state(pa) == "approved" for pa in pas),
        "rejected": sum(state(pa) == "rejected" for pa in pas),
        "pending": sum(state(pa) == "pending" for pa in pas),
        "within_sla": sum(judged) / len(judged) if judged else None,
        "auto_approved": sum(pa.matched_rule_id is not None for pa in pas) / len(pas)
        if pas
        else None,
        "decision_days": statistics.median(days) if days else None,
        "approved_amount": sum(pa.approved_amount or 0 for pa in pas if state(pa) == "approved"),
        "appeals": len(appealed),
        "approved_on_appeal": sum(state(pa) == "approved" for pa in appealed),
        "not_me": sum(pa.reported_at is not None for pa in pas),
    }


def filed(raw: list[Any], first: date, last: date, **filters: str) -> list[Any]:
    """The PAs filed in the days `first` … `last` that pass `filters`."""
    columns = {"provider_id": "provider_id", "client_id": "client_id", "rule": "matched_rule_id"}
    return [
        pa
        for pa in raw
        if start_of(first) <= pa.created_at < end_of(last)
        and all(str(getattr(pa, columns.get(key, key))) == value for key, value in filters.items())
    ]


def same(got: Any, want: Any) -> bool:
    if isinstance(want, float):
        return bool(got == pytest.approx(want, abs=1e-4))
    return bool(got == want)


def assert_figures(found: dict[str, Any], want: dict[str, Any], where: object) -> None:
    for key, value in want.items():
        if key in found:
            assert same(found[key], value), (key, found[key], value, where)


def assert_kpis(body: dict[str, Any], raw: list[Any], now: datetime, **filters: str) -> None:
    periods = [body["period"], body["previous_period"]]
    now_pas, before_pas = (
        filed(raw, date.fromisoformat(p["from"]), date.fromisoformat(p["to"]), **filters)
        for p in periods
    )
    want, before = figures(now_pas, now), figures(before_pas, now)
    for kpi in body["kpis"]:
        assert same(kpi["value"], want[kpi["key"]]), kpi
        assert same(kpi["previous"], before[kpi["key"]]), kpi


def assert_charts(body: dict[str, Any], raw: list[Any], now: datetime) -> None:
    first, last = (
        date.fromisoformat(body["period"]["from"]),
        date.fromisoformat(body["period"]["to"]),
    )
    pas = filed(raw, first, last)
    for point in body["trend"]["points"]:
        month = date.fromisoformat(point["month"] + "-01")
        in_month = filed(raw, max(first, month), min(last, add_months(month, 1) - timedelta(1)))
        assert_figures(point, figures(in_month, now), point)
    breakdown = {b["key"]: {i["key"]: i for i in b["items"]} for b in body["breakdown"]}
    for urgency in URGENCIES:
        item = breakdown["urgency"][urgency]
        assert_figures(item, figures([pa for pa in pas if pa.urgency == urgency], now), item)
        assert item["sla_days"] == round(SLA_HOURS[urgency] / 24, 4)
    statuses = Counter(pa.status for pa in pas)
    assert {k: i["pas"] for k, i in breakdown["status"].items()} == {
        s: statuses[s] for s in STATUSES
    }
    rules = Counter((str(pa.matched_rule_id), pa.rule) for pa in pas if pa.matched_rule_id)
    assert [(k, i["label"], i["pas"]) for k, i in breakdown["rule"].items()] == sorted(
        ((key, label, count) for (key, label), count in rules.items()),
        key=lambda r: (-r[2], r[1], r[0]),
    )
    appeals = Counter(state(pa) for pa in pas if pa.appeals)
    assert {k: i["pas"] for k, i in breakdown["appeals"].items()} == {
        s: appeals[s] for s in ("approved", "rejected", "pending")
    }


def expected_rows(raw: list[Any], now: datetime, first: date, last: date) -> list[tuple[Any, ...]]:
    answer = {True: "yes", False: "no", None: None}
    return sorted(
        (
            pa.number,
            pa.urgency,
            pa.status,
            answer[within_sla(pa, now)],
            pa.rule,
            pa.appeals,
            pa.reported_at.date().isoformat() if pa.reported_at else None,
        )
        for pa in filed(raw, first, last)
    )


def row_tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("number", "urgency", "status", "within_sla", "rule", "appeals", "not_me_on")
    return tuple(row[k] for k in keys)


# --- the tests -----------------------------------------------------------------------------


async def test_authorisation_matches_the_raw_rows(core: httpx.AsyncClient) -> None:
    rng = random.Random(11)
    w, delays = await build(core, rng)
    await spread_over_past(delays, rng)
    raw = await read_raw(w)
    now = datetime.now(UTC)
    assert {state(pa) for pa in raw} == {"approved", "rejected", "pending"}
    assert {within_sla(pa, now) for pa in raw} == {True, False, None}
    for first, last in (
        (TODAY.replace(day=1) - timedelta(days=150), TODAY),
        (add_months(TODAY.replace(day=1), -11), TODAY - timedelta(days=60)),
    ):
        params = {"from": first.isoformat(), "to": last.isoformat()}
        answer = await report(core, w.hmo.admin, NAME, **params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert_kpis(body, raw, now)
        assert_charts(body, raw, now)
        rows = await all_rows(core, w.hmo.admin, name=NAME, **params)
        assert sorted(row_tuple(r) for r in rows) == expected_rows(raw, now, first, last)
        by_number = {pa.number: pa for pa in raw}
        for row in rows:
            want = decision_days(by_number[row["number"]])
            assert same(row["decision_days"], want), row
        filed_on = [r["filed_on"] for r in rows]
        assert filed_on == sorted(filed_on, reverse=True)  # the default order: newest first

    # Each filter narrows to its PAs.
    period = {"from": add_months(TODAY.replace(day=1), -11).isoformat(), "to": TODAY.isoformat()}
    for filters in (
        {"urgency": "EMERGENCY"},
        {"status": "REJECTED"},
        {"provider_id": w.providers[1].id},
        {"client_id": w.clients[1]["id"]},
        {"rule": w.rules[0]["id"]},
    ):
        answer = await report(core, w.hmo.admin, NAME, **period, **filters)
        assert answer.status_code == 200, answer.text
        assert_kpis(answer.json(), raw, now, **filters)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"urgency": "SOON"}, "urgency"),
        ({"status": "PAID"}, "status"),
        ({"rule": "R1"}, "rule"),
        ({"plan_id": "0" * 32}, "plan_id"),
    ],
)
async def test_a_filter_or_value_it_does_not_take_is_a_422(
    core: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    hmo = await make_tenant(core)
    answer = await report(core, hmo.admin, NAME, **params)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_another_tenants_pas_are_never_counted_and_csv_equals_the_rows(
    core: httpx.AsyncClient,
) -> None:
    rng = random.Random(4)
    ours, theirs = await pa_world(core), await pa_world(core)
    for _ in range(3):
        await file_pa(core, ours, rng)
    await file_pa(core, theirs, rng)
    for w, count in ((ours, 3), (theirs, 1)):
        body = (await report(core, w.hmo.admin, NAME)).json()
        assert body["kpis"][0]["value"] == count
        assert len(body["rows"]["items"]) == count
    rows = await all_rows(core, ours.hmo.admin, name=NAME, sort="number")
    answer = await report(core, ours.hmo.admin, NAME, format="csv", sort="number")
    assert answer.status_code == 200, answer.text
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert table == [{k: "" if v is None else str(v) for k, v in r.items()} for r in rows]
