"""Latency of every report (`GET /v1/reports/{name}`, default 12 months) and of
`GET /v1/dashboard` with 1,000,000 claims and 100,000 enrollees in one HMO (targets:
p50 < 300 ms a report, < 100 ms the dashboard).

    python -m bench.bench_reports [--claims 1000000] [--enrollees 100000] [--requests 20]
    python -m bench.bench_reports --keep vetra_bench_reports   # load once, reuse after

Starts its own stack (see `bench/stack.py`). Through the API it creates the HMO, three
plans with premiums and benefits, `--clients` clients, `--providers` linked providers, PA
rules, and a small real history (a family per plan, claims in several states, a paid
settlement run with a dispute, PAs of each urgency decided and appealed, a check-in and a
capitation run). Then, as the database owner (only a bench may: the API's rules are not
what is measured), it multiplies that with `INSERT … SELECT generate_series` into the
scale of the issue, every row consistent with the rules that would have written it:
- enrollees: principals with spouses and children over the clients and plans, covered
  from up to three years back, some suspended or terminated in the last year (with their
  status history);
- claims served over the last ~13 months by a member then covered, 2 or 3 lines each over a
  few benefit categories; each claim's history (submitted, received, in review, some
  queried and resubmitted, approved or rejected, settled) is one timeline, and its status
  and times are where that timeline stands now (some never decided); flagged claims
  (~5 %) carry risk events, some cleared; approved lines write the benefit usage ledger;
- monthly settlement runs taking every claim approved before them, a remittance per
  provider paid some days later (the claims SETTLED then; the current month's runs still
  unpaid), payment proofs, and disputes on some paid lines;
- PAs of each urgency and status (auto-approved by the rules, decided in or out of their
  SLA, appealed, used, expired, cancelled, reported "Not me"), with their history;
- paid capitation runs a month for a year and check-ins for a third of the visits.
Ids are UUIDv7 of each row's time written in that order, the tables' secondary indexes
are built after the load, and foreign keys are not re-checked (the rows are consistent by
construction). With `--keep NAME` the loaded database is kept and the next run with the
same name measures it again without loading (a schema change needs a fresh name, or
dropping it).

Then it asks each report registered in `core_api.reports.service.REPORTS` (whatever is
registered when it runs) `--requests` times one after the other (fewer when `--seconds`
run out), with the default period and once more with one filter the report takes, and
the dashboard, and prints p50 and p99 of each beside its target, with the CPU time a
request cost the core and the embedded PostgreSQL (a figure the other load on a shared
machine distorts less than latency).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx

from bench.bench_queue import copy_score
from bench.bench_streams import cpu_seconds, postmaster_pid
from bench.stack import (
    PASSWORD,
    PLATFORM_KEY,
    Api,
    LightHttp,
    Stack,
    bench_stack,
    measure,
    run_async,
    run_bench,
)
from core_api.authorizations.sla import DEFAULT_SLA_HOURS
from core_api.reports.service import REPORTS

REPORT_TARGET_MS = 300.0
DASHBOARD_TARGET_MS = 100.0
TODAY = date.today()
SLUG_PREFIX = "bench-reports-"
# (code, benefit category, lowest and highest unit price in whole naira, weight in 100).
LINE_KINDS = (
    ("CONS-01", "outpatient", 8_000, 20_000, 20),
    ("CONS-02", "outpatient", 15_000, 40_000, 8),
    ("DRUG-AMOX", "drugs", 1_500, 6_000, 14),
    ("DRUG-ART", "drugs", 2_500, 9_000, 8),
    ("DRUG-PCM", "drugs", 300, 1_500, 12),
    ("LAB-FBC", "lab", 3_000, 9_000, 10),
    ("LAB-MP", "lab", 1_500, 4_000, 10),
    ("WARD-DAY", "inpatient", 25_000, 80_000, 5),
    ("SURG-APP", "inpatient", 150_000, 450_000, 2),
    ("DENT-SCL", "dental", 10_000, 25_000, 5),
    ("ANC-01", "maternity", 8_000, 20_000, 4),
    ("DELIV-NVD", "maternity", 120_000, 300_000, 2),
)
# A line's kind by a draw of 0-99: each kind's index as many times as its weight.
KIND_SLOTS = tuple(n for n, kind in enumerate(LINE_KINDS) for _ in range(kind[-1]))
BENEFITS = [
    {"category": "outpatient", "limit_amount": 400_000_00, "limit_visits": 24},
    {"category": "drugs", "limit_amount": 150_000_00},
    {"category": "lab", "limit_amount": 100_000_00},
    {"category": "inpatient", "limit_amount": 2_000_000_00},
    {"category": "dental", "limit_amount": 60_000_00},
    {"category": "maternity", "limit_amount": 800_000_00},
]
# (code, name, premium per member per month for principal, spouse, child; capitation).
PLANS = (
    ("BRONZE", "Bronze", (9_000_00, 7_500_00, 4_500_00), 1_500_00),
    ("SILVER", "Silver", (15_000_00, 12_000_00, 7_000_00), 2_500_00),
    ("GOLD", "Gold", (28_000_00, 22_000_00, 12_000_00), 4_000_00),
)
PROVIDER_TYPES = ("HOSPITAL",) * 6 + ("PHARMACY", "PHARMACY", "LAB", "LAB")
STATES = ("Lagos", "Abuja FCT", "Rivers", "Kano", "Oyo", "Enugu")
PA_PROCEDURES = ("CONS-02", "LAB-FBC", "WARD-DAY", "SURG-APP", "DELIV-NVD", "DENT-SCL")
RISK_RULES = ("duplicate_billing", "near_duplicate", "upcoding", "rapid_fire", "overlapping_stay")
# Filters a bench variant may give any report, in order of preference: the first one a
# report accepts is used (a status, urgency or rule takes values of the report's own).
FILTER_ORDER = ("client_id", "provider_id", "plan_id", "category", "urgency")


@dataclass
class Hmo:
    tenant_id: str
    slug: str
    admin: dict[str, str]
    plans: list[str]
    clients: list[str]
    providers: list[str]


# --- through the API ------------------------------------------------------------------------


async def setup(api: Api, args: argparse.Namespace) -> Hmo:
    """The HMO and everything the load multiplies, through the API."""
    slug = f"{SLUG_PREFIX}{int(time.time()) % 10**6}"
    email = f"admin@{slug}.example.com"
    tenant = await api.post(
        "/v1/tenants",
        {
            "slug": slug,
            "name": "Bench Reports HMO",
            "admin_email": email,
            "admin_password": PASSWORD,
        },
        {"x-api-key": PLATFORM_KEY},
    )
    admin = await api.session(slug, email)
    plans = [
        await api.post(
            "/v1/plans",
            {
                "code": code,
                "name": name,
                "benefits": BENEFITS,
                "capitation_rate": capitation,
                "premium": dict(zip(("principal", "spouse", "child"), premium, strict=True)),
            },
            admin,
        )
        for code, name, premium, capitation in PLANS
    ]
    clients = [
        await api.post(
            "/v1/clients",
            {"code": f"C{n:02d}", "name": f"Client {n:02d} Ltd", "covered_since": "2000-01-01"},
            admin,
        )
        for n in range(1, args.clients + 1)
    ]
    providers: list[tuple[str, dict[str, str]]] = []
    for first in range(0, args.providers, 8):  # a few at once: each hashes two passwords
        batch = range(first, min(first + 8, args.providers))
        providers += await asyncio.gather(*(_provider(api, slug, n, admin) for n in batch))
    for plan in plans:
        for code, max_amount in (("CONS-02", 60_000_00), ("LAB-FBC", 20_000_00)):
            body = {
                "plan_id": plan["id"],
                "procedure_code": code,
                "max_amount": max_amount,
                "max_urgency": "URGENT",
                "description": f"{code} on {plan['name']}",
            }
            await api.post("/v1/pa-rules", body, admin)
    hmo = Hmo(
        tenant_id=tenant["tenant"]["id"],
        slug=slug,
        admin=admin,
        plans=[p["id"] for p in plans],
        clients=[c["id"] for c in clients],
        providers=[p for p, _ in providers],
    )
    await real_history(api, hmo, plans, clients, providers)
    return hmo


async def _provider(
    api: Api, slug: str, n: int, admin: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """A provider linked to the HMO: its id and its desk user's session."""
    provider_slug = f"{slug}-p{n:02d}"
    email = f"desk@{provider_slug}.example.com"
    provider = await api.post(
        "/v1/providers",
        {
            "slug": provider_slug,
            "name": f"{STATES[n % len(STATES)]} {PROVIDER_TYPES[n % 10].title()} {n:02d}",
            "type": PROVIDER_TYPES[n % 10],
            "state": STATES[n % len(STATES)],
            "admin_email": email,
            "admin_password": PASSWORD,
        },
        {"x-api-key": PLATFORM_KEY},
    )
    desk = await api.session(provider_slug, email)
    provider_id = str(provider["provider"]["id"])
    link = await api.post("/v1/network/links", {"provider_id": provider_id}, admin)
    await api.post(f"/v1/network/links/{link['id']}/accept", {}, desk)
    return provider_id, desk


async def real_history(
    api: Api,
    hmo: Hmo,
    plans: list[dict[str, Any]],
    clients: list[dict[str, Any]],
    providers: list[tuple[str, dict[str, str]]],
) -> None:
    """A little of everything the reports read, made by the services' own rules: a family
    per plan, claims approved, rejected and queried, a paid run with a dispute, PAs of
    each urgency decided and appealed, a check-in, this month's capitation run."""
    admin = hmo.admin
    members = []
    for plan, client in zip(plans, clients, strict=False):
        principal = await api.post(
            "/v1/enrollees",
            {
                "client_id": client["id"],
                "plan_id": plan["id"],
                "first_name": "Real",
                "last_name": plan["code"].title(),
                "date_of_birth": "1982-03-04",
                "sex": "F",
                "coverage_start": (TODAY - timedelta(days=400)).isoformat(),
                "primary_provider_id": providers[0][0],
            },
            admin,
        )
        for relationship, born in (("SPOUSE", "1980-01-02"), ("CHILD", "2016-05-06")):
            await api.post(
                f"/v1/enrollees/{principal['id']}/dependants",
                {
                    "relationship": relationship,
                    "first_name": relationship.title(),
                    "last_name": plan["code"].title(),
                    "date_of_birth": born,
                    "sex": "M",
                },
                admin,
            )
        members.append(principal["member_id"])
    claims = []
    for n, (provider_id, desk) in enumerate(providers[:8]):
        claim = await api.post(
            "/v1/claims",
            {
                "member_id": members[n % len(members)],
                "provider_id": provider_id,
                "service_date": TODAY.isoformat(),
                "diagnosis_codes": ["J06.9"],
                "items": [
                    {
                        "code": "CONS-01",
                        "description": "GP",
                        "quantity": 1,
                        "unit_price": 15_000_00,
                    },
                    {
                        "code": "DRUG-AMOX",
                        "description": "Amoxicillin",
                        "quantity": 2,
                        "unit_price": 2_500_00,
                        "category": "drugs",
                    },
                ],
            },
            desk,
        )
        path = (["RECEIVED", "IN_REVIEW"], ["APPROVED"], ["REJECTED"], ["QUERIED"])[n % 4]
        if n % 4 == 2:
            path = ["RECEIVED", "IN_REVIEW", "REJECTED"]
        elif n % 4 != 0:
            path = ["RECEIVED", "IN_REVIEW", *path]
        for to in path:
            claim = await api.post(
                f"/v1/claims/{claim['id']}/transitions",
                {"to": to, "version": claim["version"], "reason": "bench"},
                admin,
            )
        claims.append((claim, desk))
    run = await api.post(
        "/v1/settlement-runs",
        {"period_from": TODAY.isoformat(), "period_to": TODAY.isoformat()},
        admin,
    )
    await api.post(f"/v1/settlement-runs/{run['id']}/approve", {}, admin)
    for remittance in run["remittances"]:
        response = await api.client.post(
            f"{api.base}/v1/remittances/{remittance['id']}/payment-proofs",
            data={
                "reference": "TRF-BENCH",
                "amount": str(remittance["total"]),
                "paid_on": str(TODAY),
            },
            files={"file": ("proof.pdf", b"%PDF-1.4 transfer", "application/pdf")},
            headers=admin,
        )
        response.raise_for_status()
    remittance = run["remittances"][0]
    desk = next(d for c, d in claims if c["provider_id"] == remittance["provider_id"])
    dispute = await api.post(
        "/v1/disputes",
        {
            "remittance_line_id": remittance["lines"][0]["id"],
            "reason": "Short paid",
            "amount_claimed": 1_000_00,
        },
        desk,
    )
    resolution = {"outcome": "REJECTED", "note": "Paid as agreed"}
    await api.post(f"/v1/disputes/{dispute['id']}/resolve", resolution, admin)
    provider_id, desk = providers[0]
    for urgency in ("ROUTINE", "URGENT", "EMERGENCY"):
        pa = await api.post(
            "/v1/authorizations",
            {
                "member_id": members[0],
                "provider_id": provider_id,
                "urgency": urgency,
                "procedure_code": "WARD-DAY",
                "diagnosis_codes": ["O80"],
                "estimated_amount": 90_000_00,
            },
            desk,
        )
        if urgency != "ROUTINE":
            decision = {"decision": "REJECT", "reason": "Not covered"}
            await api.post(f"/v1/authorizations/{pa['id']}/decision", decision, admin)
        if urgency == "URGENT":
            await api.post(f"/v1/authorizations/{pa['id']}/appeals", {"evidence": "Notes"}, desk)
            decision = {"decision": "APPROVE"}
            await api.post(f"/v1/authorizations/{pa['id']}/decision", decision, admin)
    await api.post(
        "/v1/check-ins", {"member_id": members[0], "benefit_category": "outpatient"}, desk
    )
    await api.post("/v1/capitation-runs", {"month": TODAY.strftime("%Y-%m")}, admin)


async def existing_hmo(api: Api, database_url: str) -> Hmo:
    """The HMO a kept database holds (made by an earlier run)."""
    conn = await asyncpg.connect(database_url)
    try:
        loaded = await conn.fetchval("select to_regclass('bench_loaded') is not null")
        tenant = loaded and await conn.fetchrow(
            "select t.id, t.slug from bench_loaded b join tenants t on t.id = b.tenant_id"
        )
        if not tenant:
            raise SystemExit("the kept database holds no finished load: drop it and run again")

        async def ids(sql: str) -> list[str]:
            return [str(row[0]) for row in await conn.fetch(sql, tenant["id"])]

        plans = await ids("select id from plans where tenant_id = $1 order by code")
        clients = await ids("select id from clients where tenant_id = $1 order by code")
        providers = await ids(
            "select provider_id from network_links where tenant_id = $1 order by created_at"
        )
    finally:
        await conn.close()
    slug = tenant["slug"]
    admin = await api.session(slug, f"admin@{slug}.example.com")
    return Hmo(str(tenant["id"]), slug, admin, plans, clients, providers)


# --- as the database owner ------------------------------------------------------------------

BULK_TABLES = (
    "enrollees",
    "enrollee_status_changes",
    "claims",
    "claim_items",
    "claim_events",
    "risk_events",
    "benefit_usage",
    "check_ins",
    "remittance_lines",
    "authorizations",
    "pa_events",
)
# The indexes of those tables that no constraint owns (so none a foreign key relies on).
SECONDARY_INDEXES = """
select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
from pg_index i join pg_class t on t.oid = i.indrelid
where t.relname = any($1::text[]) and t.relnamespace = 'public'::regnamespace
    and not exists (select from pg_constraint c where c.conindid = i.indexrelid)
"""
WRITES = re.compile(r"^\s*(?:insert into|create (?:unlogged |temp )?table|update) (\w+)", re.M)

# Deterministic draws, so the claims and their lines agree on each line's amounts.
FUNCTIONS = """
create function pg_temp.draw(x bigint) returns float8 immutable language sql
    as $$ select (hashint8(x) & 2147483647)::float8 / 2147483648 $$;
create function pg_temp.utc(d date, hours float8) returns timestamptz immutable language sql
    as $$ select (d::timestamp + hours * interval '1 hour') at time zone 'UTC' $$;
-- a UUIDv7 of a moment whose random bits are `n` (so ids made in `n` order ascend)
create function pg_temp.uuid7(moment timestamptz, n bigint) returns uuid stable language sql
    as $$ select encode(
        int8send(((date_part('epoch', moment) * 1000)::bigint << 16) | 28672 | (n >> 60))
            || int8send((n & 1152921504606846975) | -9223372036854775808),
        'hex')::uuid $$;
"""

DIMENSIONS = """
create temp table b_client as
    select row_number() over (order by code) - 1 as n, id, code, member_seq
    from clients where tenant_id = $1;
create temp table b_plan as
    select row_number() over (order by p.code) - 1 as n, p.id, v.id as version_id,
        v.capitation_rate
    from plans p join plan_versions v on v.plan_id = p.id and v.version_no = 1
    where p.tenant_id = $1;
create temp table b_provider as
    select row_number() over (order by l.created_at) as n, p.id, p.org_tenant_id, p.type
    from network_links l join providers p on p.id = l.provider_id
    where l.tenant_id = $1 and l.status = 'ACTIVE';
create temp table b_hospital as
    select row_number() over (order by n) - 1 as n, id from b_provider where type = 'HOSPITAL';
create temp table b_kind (n int, code text, category text, lo int, hi int);
create temp table b_rule as
    select r.id, r.plan_id, r.procedure_code from pa_rules r where r.tenant_id = $1;
"""

# Principals (a third of the enrollees), then each one's spouse (every second one) and
# children (0-3): slot 0 is the principal, 1 the spouse, 2.. the children.
ENROLLEES = """
create temp table b_family as
select g, gen_random_uuid() as principal_id, c.id as client_id, c.code as client_code,
    c.member_seq + (g - 1) / (select count(*) from b_client) + 1 as member_no,
    pl.id as plan_id, pl.version_id,
    current_date - (30 + floor(x.r_start * 1100))::int as coverage_start,
    x.r_fate, x.r_end,
    (select id from b_hospital h where h.n = g % (select count(*) from b_hospital)) as hospital
from (
    select g, random() as r_start, random() as r_fate, random() as r_end
    from generate_series(1, $2::bigint) g
) x
join b_client c on c.n = x.g % (select count(*) from b_client)
join b_plan pl on pl.n = (x.g * 7 / 3) % (select count(*) from b_plan);

create temp table b_member as
select row_number() over () as n, m.*,
    case when m.status <> 'ACTIVE' then m.status_from end as covered_until
from (
    select
        case when s.slot = 0 then f.principal_id else gen_random_uuid() end as id,
        f.principal_id, s.slot, f.client_id, f.plan_id, f.version_id, f.member_no,
        $3 || '-' || f.client_code || '-' || lpad(f.member_no::text, 5, '0') || '-'
            || case s.slot when 0 then 'P' when 1 then 'S' else 'C' || (s.slot - 1) end
            as member_id,
        f.coverage_start, f.hospital, f.g,
        case when f.r_fate < 0.04 then 'TERMINATED' when f.r_fate < 0.06 then 'SUSPENDED'
            else 'ACTIVE' end as status,
        f.first_end + floor(f.r_end * (current_date - f.first_end))::int as status_from
    from (
        select *, greatest(coverage_start + 1, current_date - 300) as first_end from b_family
    ) f
    join generate_series(0, 4) s(slot)
        on s.slot = 0 or (s.slot = 1 and f.g % 2 = 0) or (s.slot >= 2 and s.slot - 1 <= f.g % 4)
) m;

insert into enrollees (
    id, tenant_id, created_at, member_id, client_id, plan_id, principal_id, relationship,
    member_no, child_no, first_name, last_name, date_of_birth, sex, status, coverage_start,
    primary_provider_id, version
)
select id, $1, coverage_start::timestamp at time zone 'UTC', member_id, client_id, plan_id,
    case when slot > 0 then principal_id end,
    case slot when 0 then 'PRINCIPAL' when 1 then 'SPOUSE' else 'CHILD' end,
    member_no, case when slot >= 2 then slot - 1 end,
    'First' || n, 'Family' || g,
    case when slot >= 2 then date '2008-01-01' + (n % 5000)::int
        else date '1960-01-01' + (n % 14000)::int end,
    case when (n + slot) % 2 = 0 then 'F' else 'M' end,
    status, coverage_start, hospital, 1
from b_member;

insert into enrollee_status_changes (
    id, tenant_id, created_at, enrollee_id, status, effective_date, reason
)
select gen_random_uuid(), $1, pg_temp.utc(coverage_start, 0), id, 'ACTIVE', coverage_start, ''
from b_member
union all
select gen_random_uuid(), $1, pg_temp.utc(status_from, 0), id, status, status_from, 'bench'
from b_member where status <> 'ACTIVE';

update clients c set member_seq = f.top
from (select client_id, max(member_no) as top from b_family group by client_id) f
where c.id = f.client_id;

create index on b_member (n);
analyze b_member;
"""

# One row per claim: who, where, and its whole timeline; the status is where the
# timeline stands now. `d` is the wait from receipt to the decision. Numbered (`seq`)
# and stored in the order they were submitted, so each table below is written in the
# order of its time-ordered ids (appending to its indexes rather than splitting pages).
CLAIMS_STAGED = """
create unlogged table b_claim as
with picked as (
    select g, random() as r_member, random() as r_provider, random() as r_day,
        random() as r_hour, random() as r_wait, random() as r_fate, random() as r_query,
        random() as r_stuck, random() as r_risk
    from generate_series(1, $1::bigint) g
), timed as (
    select p.*, m.id as enrollee_id, m.member_id, m.version_id, pr.id as provider_id,
        pr.org_tenant_id, pr.n as provider_n,
        span.first_day + floor(p.r_day * (span.last_day - span.first_day + 1))::int
            as service_date
    from picked p
    join b_member m on m.n = 1 + floor(p.r_member * (select count(*) from b_member))::int
    join b_provider pr
        on pr.n = 1 + floor(power(p.r_provider, 1.6) * (select count(*) from b_provider))::int
    cross join lateral (
        select greatest(m.coverage_start, current_date - 400) as first_day,
            least(coalesce(m.covered_until - 1, current_date), current_date) as last_day
    ) span
), waits as (
    select t.*, s.created,
        s.created + (5 + t.r_hour * 90) * interval '1 minute' as received,
        (0.05 + power(t.r_wait, 2) * 30) * interval '1 day' as d,
        t.r_query < 0.10 as queried, t.r_stuck < 0.015 as stuck, t.r_fate < 0.13 as rejected
    from timed t
    cross join lateral (
        select least(pg_temp.utc(t.service_date, 8 + t.r_hour * 60), now() - interval '1 minute')
            as created
    ) s
), timeline as materialized (
    select w.*,
        w.received + w.d * 0.1 as review_at,
        case when w.queried then w.received + w.d * 0.3 end as queried_at,
        case when w.queried then w.received + w.d * 0.6 end as resubmitted_at,
        case when w.queried then w.received + w.d * 0.7 end as rereview_at,
        case when not w.stuck then w.received + w.d end as decision_at,
        case when not (w.stuck or w.rejected) then
            (date_trunc('month', (w.received + w.d) at time zone 'UTC') + interval '1 month'
                + (2 + w.provider_n % 10) * interval '1 day' + interval '14 hours')
                at time zone 'UTC'
        end as settle_at,
        case when w.r_risk < 0.05 then 1 + (w.r_risk < 0.01)::int else 0 end as flags
    from waits w
)
select t.*, row_number() over (order by t.created) as seq,
    pg_temp.uuid7(t.created, row_number() over (order by t.created)) as id,
    case
        when t.settle_at <= now() then 'SETTLED'
        when t.decision_at <= now() then case when t.rejected then 'REJECTED' else 'APPROVED' end
        when t.rereview_at <= now() then 'IN_REVIEW'
        when t.resubmitted_at <= now() then 'RESUBMITTED'
        when t.queried_at <= now() then 'QUERIED'
        when t.review_at <= now() then 'IN_REVIEW'
        when t.received <= now() then 'RECEIVED'
        else 'SUBMITTED'
    end as status,
    -- the version: one, and one more for each move made by now
    num_nonnulls(
        nullif(t.created <= now(), false), nullif(t.received <= now(), false),
        nullif(t.review_at <= now(), false), nullif(t.queried_at <= now(), false),
        nullif(t.resubmitted_at <= now(), false), nullif(t.rereview_at <= now(), false),
        nullif(t.decision_at <= now(), false), nullif(t.settle_at <= now(), false)
    ) as version
from timeline t
order by t.created;

create unlogged table b_line as
select c.seq, k.k, c.id as claim_id, c.created, c.status, c.enrollee_id, c.service_date,
    c.decision_at, b.code, b.category, q.quantity, q.price as unit_price,
    q.quantity * q.price as billed,
    (q.quantity * q.price * (70 + floor(pg_temp.draw(c.seq * 64 + k.k * 8 + 3) * 31)) / 100)
        ::bigint as approved
from b_claim c
cross join lateral generate_series(1, 2 + (c.seq % 2)::int) k(k)
join b_kind b on b.n = (array{slots})[1 + floor(pg_temp.draw(c.seq * 64 + k.k * 8) * 100)::int]
cross join lateral (
    select case when b.category = 'drugs'
            then 1 + floor(pg_temp.draw(c.seq * 64 + k.k * 8 + 1) * 3)::int else 1 end
            as quantity,
        (b.lo + floor(pg_temp.draw(c.seq * 64 + k.k * 8 + 2) * (b.hi - b.lo))::bigint) * 100
            as price
) q;

create unlogged table b_total as
select seq, sum(billed) as billed, sum(approved) as approved, min(category) as category
from b_line group by seq;
create index on b_total (seq);
analyze b_claim;
analyze b_line;
analyze b_total;
"""

CLAIMS = """
insert into claims (
    id, tenant_id, created_at, number, enrollee_id, member_id, provider_id,
    provider_tenant_id, plan_version_id, service_date, billing_month, diagnosis_codes,
    status, currency, total_billed, total_approved, copay_amount, risk_score, queue_score,
    on_hold, decided_by_sampling, version, received_at, decided_at, settled_at
)
select r.id, $1, r.created_at, 'CLM-B' || lpad(r.seq::text, 7, '0'), r.enrollee_id,
    r.member_id, r.provider_id, r.org_tenant_id, r.version_id, r.service_date,
    date_trunc('month', r.service_date)::date,
    array[(array['J06.9', 'B54', 'A09', 'I10', 'E11.9', 'O80'])[1 + r.seq % 6]],
    r.status, 'NGN', r.total_billed, r.total_approved, 0, r.risk_score, {score},
    false, false, r.version, r.received_at, r.decided_at, r.settled_at
from (
    select c.*, c.created as created_at, t.billed as total_billed, false as on_hold,
        case when c.status in ('APPROVED', 'SETTLED') then t.approved else 0 end as total_approved,
        c.flags * 25 as risk_score,
        case when c.received <= now() then c.received end as received_at,
        case when c.decision_at <= now() then c.decision_at end as decided_at,
        case when c.settle_at <= now() then c.settle_at end as settled_at
    from b_claim c join b_total t using (seq)
) r
order by r.seq
"""

CLAIM_ROWS = """
insert into claim_items (
    id, tenant_id, created_at, claim_id, line_no, code, description, category, quantity,
    unit_price, billed_amount, approved_quantity, approved_amount, reason_code, flags
)
select pg_temp.uuid7(l.created, l.seq * 4 + l.k), $1, l.created, l.claim_id, l.k, l.code,
    l.code, l.category, l.quantity, l.unit_price, l.billed,
    case when l.status in ('APPROVED', 'SETTLED') then l.quantity
        when l.status = 'REJECTED' then 0 end,
    case when l.status in ('APPROVED', 'SETTLED') then l.approved
        when l.status = 'REJECTED' then 0 end,
    case when l.status = 'REJECTED' then 'CO-50' end,
    '{{}}'
from b_line l;

-- every step of each claim's timeline that has happened by now
insert into claim_events (
    id, tenant_id, created_at, claim_id, from_status, to_status, actor_label, details
)
select pg_temp.uuid7(c.created, c.seq * 8 + e.step), $1, e.moment, c.id, e.from_status,
    e.to_status, case when e.step in (1, 5) then 'provider desk' else 'bench adjudicator' end,
    '{{}}'
from b_claim c
cross join lateral (values
    (1, null, 'SUBMITTED', c.created),
    (2, 'SUBMITTED', 'RECEIVED', c.received),
    (3, 'RECEIVED', 'IN_REVIEW', c.review_at),
    (4, 'IN_REVIEW', 'QUERIED', c.queried_at),
    (5, 'QUERIED', 'RESUBMITTED', c.resubmitted_at),
    (6, 'RESUBMITTED', 'IN_REVIEW', c.rereview_at),
    (7, 'IN_REVIEW', case when c.rejected then 'REJECTED' else 'APPROVED' end, c.decision_at),
    (8, 'APPROVED', 'SETTLED', c.settle_at)
) e(step, from_status, to_status, moment)
where e.moment <= now();

insert into risk_events (id, tenant_id, created_at, claim_id, rule, weight, evidence, cleared_at)
select pg_temp.uuid7(c.created, c.seq * 2 + n), $1, c.created, c.id,
    (array{rules})[1 + (c.seq + n) % {rule_count}], 25, '{{"bench": true}}',
    case when c.r_risk < 0.015 and c.created + interval '3 days' <= now()
        then c.created + interval '3 days' end
from b_claim c cross join lateral generate_series(1, c.flags) n
where c.flags > 0;

-- the ledger: each approved line, and a visit per claim and category paid
insert into benefit_usage (
    id, tenant_id, created_at, enrollee_id, category, service_date, amount, visits,
    source_type, source_id
)
select pg_temp.uuid7(u.decision_at, u.seq * 8 + u.n), $1, u.decision_at, u.enrollee_id,
    u.category, u.service_date, u.amount, u.visits, u.source_type, u.source_id
from (
    select l.seq, l.k as n, l.decision_at, l.enrollee_id, l.category, l.service_date,
        l.approved as amount, 0 as visits, 'claim_item' as source_type,
        pg_temp.uuid7(l.created, l.seq * 4 + l.k) as source_id
    from b_line l where l.status in ('APPROVED', 'SETTLED')
    union all
    select l.seq, 4 + min(l.k), l.decision_at, l.enrollee_id, l.category, l.service_date,
        0, 1, 'claim', l.claim_id
    from b_line l where l.status in ('APPROVED', 'SETTLED')
    group by l.seq, l.claim_id, l.decision_at, l.enrollee_id, l.category, l.service_date
) u
order by u.seq, u.n;

insert into check_ins (
    id, tenant_id, created_at, enrollee_id, member_id, provider_id, provider_tenant_id,
    visit_date, benefit_category, eligible, reasons
)
select pg_temp.uuid7(c.created, c.seq), $1, least(pg_temp.utc(c.service_date, 8), now()),
    c.enrollee_id, c.member_id, c.provider_id, c.org_tenant_id, c.service_date,
    case when c.seq % 10 <> 0 then t.category end,
    c.seq % 50 <> 0,
    case when c.seq % 50 <> 0 then '[]'::jsonb
        else '[{{"code": "limit_reached", "message": "bench"}}]'::jsonb end
from b_claim c join b_total t using (seq)
where c.seq % 3 = 0
order by c.seq;
"""

# A run at each month's start takes every claim approved before it; its remittances are
# paid on the provider's day (the claims' `settle_at`).
SETTLEMENT = """
create temp table b_run as
select row_number() over (order by month) as n, gen_random_uuid() as id, month,
    pg_temp.utc(month, 10) as created_at, pg_temp.utc(month + 1, 9) as approved_at
from (
    select distinct date_trunc('month', settle_at at time zone 'UTC')::date as month
    from b_claim where settle_at is not null
) m
where pg_temp.utc(month, 10) <= now();

create temp table b_remittance as
select gen_random_uuid() as id, r.id as run_id, r.month, c.provider_id, c.org_tenant_id,
    min(c.settle_at) as paid_at, sum(t.approved) as total, count(*) as claims
from b_claim c
join b_total t using (seq)
join b_run r on r.month = date_trunc('month', c.settle_at at time zone 'UTC')::date
group by r.id, r.month, c.provider_id, c.org_tenant_id;

insert into settlement_runs (
    id, tenant_id, created_at, number, period_from, period_to, status, currency, total,
    approved_at, paid_at, version
)
select r.id, $1, r.created_at, 'SR-B' || r.n, r.month - interval '13 months', r.month - 1,
    case when max(m.paid_at) <= now() then 'PAID'
        when r.approved_at <= now() then 'APPROVED' else 'DRAFT' end,
    'NGN', sum(m.total),
    case when r.approved_at <= now() then r.approved_at end,
    case when max(m.paid_at) <= now() then max(m.paid_at) end, 2
from b_run r join b_remittance m on m.run_id = r.id
group by r.id, r.n, r.month, r.created_at, r.approved_at;

insert into remittances (
    id, tenant_id, created_at, run_id, provider_id, provider_tenant_id, total, paid_amount,
    status, paid_at, version
)
select m.id, $1, r.created_at, m.run_id, m.provider_id, m.org_tenant_id, m.total,
    case when m.paid_at <= now() then m.total else 0 end,
    case when m.paid_at <= now() then 'PAID' else 'PENDING' end,
    case when m.paid_at <= now() then m.paid_at end, 1
from b_remittance m join b_run r on r.id = m.run_id;

insert into remittance_lines (
    id, tenant_id, created_at, remittance_id, claim_id, provider_tenant_id, billed,
    approved, amount, active
)
select pg_temp.uuid7(r.created_at, c.seq), $1, r.created_at, m.id, c.id, c.org_tenant_id,
    t.billed, t.approved, t.approved, true
from b_claim c
join b_total t using (seq)
join b_run r on r.month = date_trunc('month', c.settle_at at time zone 'UTC')::date
join b_remittance m on m.run_id = r.id and m.provider_id = c.provider_id
order by r.created_at, c.seq;

insert into payment_proofs (
    id, tenant_id, created_at, remittance_id, provider_tenant_id, reference, amount, paid_on
)
select gen_random_uuid(), $1, paid_at, id, org_tenant_id, 'TRF-' || left(id::text, 8), total,
    (paid_at at time zone 'UTC')::date
from b_remittance where paid_at <= now();

insert into disputes (
    id, tenant_id, created_at, number, remittance_id, remittance_line_id, provider_id,
    provider_tenant_id, reason, amount_claimed, status, adjustment, resolved_at, version
)
select gen_random_uuid(), $1, d.raised, 'DSP-B' || d.n, d.remittance_id, d.line_id,
    d.provider_id, d.provider_tenant_id, 'Short paid', d.claimed,
    case when d.resolved > now() then case when d.n % 2 = 0 then 'OPEN' else 'UNDER_REVIEW' end
        when d.n % 5 < 2 then 'RESOLVED_ACCEPTED' else 'RESOLVED_REJECTED' end,
    case when d.resolved <= now() and d.n % 5 < 2 then d.claimed / 2 end,
    case when d.resolved <= now() then d.resolved end, 1
from (
    select row_number() over (order by l.id) as n, l.id as line_id, l.remittance_id,
        m.provider_id, l.provider_tenant_id, greatest(l.billed - l.approved, 1000) as claimed,
        m.paid_at + interval '4 days' as raised, m.paid_at + interval '30 days' as resolved
    from remittance_lines l join b_remittance m on m.id = l.remittance_id
    where m.paid_at + interval '4 days' <= now() and pg_temp.draw(l.billed + l.approved) < 0.001
) d;
"""

# A paid run a month for the months before this one, a line per primary provider.
CAPITATION = """
with months as (
    select m::date as month, row_number() over (order by m) as n
    from generate_series(
        date_trunc('month', current_date) - interval '13 months',
        date_trunc('month', current_date) - interval '1 month', interval '1 month'
    ) m
), lines as (
    select mo.month, mo.n, e.primary_provider_id as provider_id, count(*) as members,
        sum(least(coalesce(b.covered_until, mo.month + 31), (mo.month + interval '1 month')::date)
            - greatest(e.coverage_start, mo.month)) as member_days,
        sum(pl.capitation_rate) as amount
    from months mo
    join enrollees e
        on e.tenant_id = $1 and e.coverage_start < (mo.month + interval '1 month')::date
    join b_member b on b.id = e.id
    join b_plan pl on pl.id = e.plan_id
    where e.primary_provider_id is not null
        and (b.covered_until is null or b.covered_until > mo.month)
    group by mo.month, mo.n, e.primary_provider_id
), runs as (
    insert into capitation_runs (
        id, tenant_id, created_at, number, month, status, currency, total, member_count,
        approved_at, paid_at, payment_reference, version
    )
    select gen_random_uuid(), $1, pg_temp.utc(month, 30 * 24), 'CAP-B' || n, month, 'PAID',
        'NGN', sum(amount), sum(members), pg_temp.utc(month, 31 * 24),
        pg_temp.utc(month, 33 * 24), 'CAP-' || n, 3
    from lines group by month, n
    returning id, month
)
insert into capitation_lines (
    id, tenant_id, created_at, run_id, provider_id, provider_tenant_id, member_count,
    member_days, amount
)
select gen_random_uuid(), $1, pg_temp.utc(l.month, 30 * 24), r.id, l.provider_id,
    p.org_tenant_id, l.members, l.member_days, l.amount
from lines l join runs r on r.month = l.month join providers p on p.id = l.provider_id;
"""

# PAs: who, when, how urgent, and how each was decided (by a rule at once, by a reviewer
# in or out of its SLA, appealed, then used, expired or cancelled); "Not me" on a few.
PAS = """
create unlogged table b_pa as
with picked as (
    select g, random() as r_member, random() as r_provider, random() as r_day,
        random() as r_urgency, random() as r_wait, random() as r_fate, random() as r_after,
        random() as r_appeal, random() as r_report
    from generate_series(1, $2::bigint) g
), timed as (
    select p.*, m.id as enrollee_id, m.member_id, m.plan_id, pr.id as provider_id,
        pr.org_tenant_id,
        case when p.r_urgency < 0.7 then 'ROUTINE' when p.r_urgency < 0.92 then 'URGENT'
            else 'EMERGENCY' end as urgency,
        (array{procedures})[1 + p.g % {procedure_count}] as procedure_code,
        least(
            pg_temp.utc(current_date - 400 + floor(p.r_day * 401)::int, 6 + p.r_wait * 14),
            now() - interval '1 minute'
        ) as created
    from picked p
    join b_member m on m.n = 1 + floor(p.r_member * (select count(*) from b_member))::int
    join b_provider pr
        on pr.n = 1 + floor(power(p.r_provider, 1.6) * (select count(*) from b_provider))::int
), ruled as (
    select t.*, r.id as rule_id, {sla} * interval '1 hour' as sla,
        case when r.id is not null then 500000 + floor(t.r_wait * 10)::bigint * 100000
            else 1000000 + floor(t.r_fate * 40)::bigint * 500000 end as estimated
    from timed t
    left join b_rule r on r.plan_id = t.plan_id and r.procedure_code = t.procedure_code
        and t.urgency <> 'EMERGENCY' and t.r_fate < 0.8
), decided as (
    select r.*,
        case when r.rule_id is not null then r.created
            else r.created + r.sla * (0.1 + power(r.r_wait, 2) * 1.6) end as decision_at,
        r.rule_id is null and r.r_fate > 0.72 as rejected,
        r.rule_id is null and r.r_fate > 0.72 and r.r_appeal < 0.25 as appealed,
        r.r_report < 0.003 and r.created + interval '2 days' <= now() as reported
    from ruled r
), appealed as (
    select d.*,
        case when d.appealed then d.decision_at + interval '1 day' end as appeal_at,
        case when d.appealed then d.decision_at + interval '1 day' + d.sla * 0.5
            else d.decision_at end as final_at,
        not d.rejected or (d.appealed and d.r_appeal < 0.12) as approved
    from decided d
), finished as (
    select a.*, a.final_at + interval '1 day' * (2 + a.r_after * 40) as after_at
    from appealed a
)
select f.*, pg_temp.uuid7(f.created, f.g) as id,
    case
        when f.final_at <= now() and not f.approved then 'REJECTED'
        when f.final_at <= now() and f.after_at <= now() then
            case when f.r_after < 0.5 then 'USED' when f.r_after < 0.62 then 'EXPIRED'
                when f.r_after < 0.66 then 'CANCELLED' else 'APPROVED' end
        when f.final_at <= now() then 'APPROVED'
        when f.appeal_at <= now() then 'APPEALED'
        when f.decision_at <= now() then 'REJECTED'
        when f.r_wait < 0.5 then 'SUBMITTED'
        else 'IN_REVIEW'
    end as status
from finished f
order by f.created;

insert into authorizations (
    id, tenant_id, created_at, number, enrollee_id, member_id, plan_id, provider_id,
    provider_tenant_id, urgency, procedure_code, diagnosis_codes, currency,
    estimated_amount, approved_amount, status, sla_due_at, decided_at, decision_reason,
    auth_code, valid_from, valid_to, used_at, matched_rule_id, suspicious, reported_at,
    hold_cleared_at, version
)
select id, $1, created, 'PA-B' || g, enrollee_id, member_id, plan_id, provider_id,
    org_tenant_id, urgency, procedure_code, array['O80'], 'NGN', estimated,
    case when approved and final_at <= now() then estimated end,
    status, case when appeal_at <= now() then appeal_at else created end + sla,
    case when final_at <= now() then final_at
        when appeal_at <= now() then null
        when decision_at <= now() then decision_at end,
    case when status = 'REJECTED' then 'Not covered' end,
    case when approved and final_at <= now() then 'AC-B' || g end,
    case when approved and final_at <= now() then (final_at at time zone 'UTC')::date end,
    case when approved and final_at <= now() then (final_at at time zone 'UTC')::date + 30 end,
    case when status = 'USED' then after_at end,
    rule_id, reported, case when reported then created + interval '2 days' end,
    case when reported and r_report < 0.0012 and created + interval '5 days' <= now()
        then created + interval '5 days' end,
    1 + (decision_at <= now() and rule_id is null)::int + coalesce(appeal_at <= now(), false)::int
        + coalesce(appealed and final_at <= now(), false)::int
        + (status in ('USED', 'EXPIRED', 'CANCELLED'))::int
from b_pa;

insert into pa_events (
    id, tenant_id, created_at, authorization_id, action, from_status, to_status,
    actor_label, details
)
select pg_temp.uuid7(p.created, p.g * 8 + e.step), $1, e.moment, p.id, e.action,
    e.from_status, e.to_status, 'bench', '{{}}'
from b_pa p
cross join lateral (values
    (1, 'submitted', null,
        case when p.rule_id is not null then 'APPROVED' else 'SUBMITTED' end, p.created),
    (2, case when p.rejected then 'rejected' else 'approved' end, 'IN_REVIEW',
        case when p.rejected then 'REJECTED' else 'APPROVED' end,
        case when p.rule_id is null then p.decision_at end),
    (3, 'appealed', 'REJECTED', 'APPEALED', p.appeal_at),
    (4, case when p.approved then 'approved' else 'rejected' end, 'APPEALED',
        case when p.approved then 'APPROVED' else 'REJECTED' end,
        case when p.appealed then p.final_at end),
    (5, lower(p.status), 'APPROVED', p.status,
        case when p.status in ('USED', 'EXPIRED', 'CANCELLED') then p.after_at end),
    (6, 'reported_not_me', p.status, p.status,
        case when p.reported then p.created + interval '2 days' end)
) e(step, action, from_status, to_status, moment)
where e.moment <= now();

insert into risk_events (
    id, tenant_id, created_at, authorization_id, rule, weight, evidence, cleared_at
)
select pg_temp.uuid7(created, g), $1, created + interval '2 days', id, 'ghost_patient', 60,
    '{{"bench": true}}',
    case when r_report < 0.0012 and created + interval '5 days' <= now()
        then created + interval '5 days' end
from b_pa where reported;
"""


async def load(database_url: str, hmo: Hmo, args: argparse.Namespace) -> None:
    """The bulk of the data, as the owner, step by step with the time each took."""
    conn = await asyncpg.connect(database_url)
    try:
        tenant_code = await conn.fetchval("select code from tenants where id = $1", hmo.tenant_id)
        # Generated rows are consistent by construction: skip the foreign-key triggers
        # (a superuser may; anyone else just loads more slowly).
        if await conn.fetchval("select rolsuper from pg_roles where rolname = current_user"):
            await conn.execute("set session_replication_role = replica")
        await conn.execute(
            "set work_mem = '256MB'; set maintenance_work_mem = '512MB';"
            " set synchronous_commit = off; select setseed(0.2026)"
        )
        await conn.execute(FUNCTIONS)
        await conn.execute(DIMENSIONS.replace("$1", f"'{hmo.tenant_id}'::uuid"))
        await conn.executemany(
            "insert into b_kind values ($1, $2, $3, $4, $5)",
            [
                (n, code, category, lo, hi)
                for n, (code, category, lo, hi, _) in enumerate(LINE_KINDS)
            ],
        )
        tenant = f"'{hmo.tenant_id}'::uuid"
        sla = " ".join(
            f"when '{urgency.value}' then {hours}" for urgency, hours in DEFAULT_SLA_HOURS.items()
        )
        steps = (
            (
                f"{args.enrollees:,} enrollees",
                ENROLLEES.replace("$1", tenant)
                .replace("$2", str(-(-args.enrollees // 3)))
                .replace("$3", f"'{tenant_code}'"),
            ),
            (
                "claims staged",
                CLAIMS_STAGED.replace("$1", str(args.claims)).format(slots=_array(KIND_SLOTS)),
            ),
            (f"{args.claims:,} claims", CLAIMS.replace("$1", tenant).format(score=_score())),
            (
                "lines, events, flags, usage, check-ins",
                CLAIM_ROWS.replace("$1", tenant).format(
                    rules=_array(RISK_RULES), rule_count=len(RISK_RULES)
                ),
            ),
            ("settlement runs, remittances, disputes", SETTLEMENT.replace("$1", tenant)),
            ("capitation runs", CAPITATION.replace("$1", tenant)),
            (
                f"{args.pas:,} PAs",
                PAS.replace("$1", tenant)
                .replace("$2", str(args.pas))
                .format(
                    procedures=_array(PA_PROCEDURES),
                    procedure_count=len(PA_PROCEDURES),
                    sla=f"case t.urgency {sla} end",
                ),
            ),
        )
        # Indexes are built faster once over the loaded rows than kept up row by row.
        indexes = await conn.fetch(SECONDARY_INDEXES, list(BULK_TABLES))
        for index in indexes:
            await conn.execute(f"drop index {index['name']}")
        for label, sql in steps:
            started = time.perf_counter()
            timings = []
            async with conn.transaction():
                for statement in filter(str.strip, sql.split(";\n")):
                    began = time.perf_counter()
                    await conn.execute(statement)
                    if what := WRITES.search(statement):
                        timings.append(f"{what[1]} {time.perf_counter() - began:.1f}s")
            took = time.perf_counter() - started
            print(f"  {label}: {took:.1f}s ({', '.join(timings)})", flush=True)
        started = time.perf_counter()
        for index in indexes:
            await conn.execute(index["definition"])
        print(f"  {len(indexes)} indexes: {time.perf_counter() - started:.1f}s", flush=True)
        started = time.perf_counter()
        # The rows above bypassed the report summaries' triggers (replica role): computed now.
        async with conn.transaction():
            await conn.execute("select set_config('app.tenant_id', $1, true)", hmo.tenant_id)
            await conn.execute("select claims_summaries_rebuild($1)", hmo.tenant_id)
            await conn.execute("select report_summaries_rebuild($1)", hmo.tenant_id)
            await conn.execute("select utilisation_summaries_rebuild($1)", hmo.tenant_id)
        print(f"  summaries: {time.perf_counter() - started:.1f}s", flush=True)
        await conn.execute("drop table b_claim, b_line, b_total, b_pa")
        await conn.execute("create table if not exists bench_loaded (tenant_id uuid)")
        await conn.execute("insert into bench_loaded values ($1)", hmo.tenant_id)
        started = time.perf_counter()
        # Measure reads, not the load's aftermath: vacuum sets the hint bits and the
        # visibility map (index-only scans), the checkpoint flushes what the load dirtied.
        await conn.execute("vacuum (analyze)")
        await conn.execute("checkpoint")
        print(f"  vacuum, analyze, checkpoint: {time.perf_counter() - started:.1f}s", flush=True)
    finally:
        await conn.close()


def _score() -> str:
    """The queue score of a staged claim (`r` in `CLAIMS`), as the core computes it."""
    return copy_score()


def _array(values: tuple[str, ...] | tuple[int, ...]) -> str:
    return "[" + ", ".join(repr(v) for v in values) + "]"


# --- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    target_ms: float


def targets(hmo: Hmo, only: set[str] | None = None) -> list[Target]:
    """Every registered report, unfiltered and with the first filter it takes, and the
    dashboard (only those named in `only`, when given)."""
    values = {
        "client_id": hmo.clients[0],
        "provider_id": hmo.providers[0],
        "plan_id": hmo.plans[0],
        "category": "outpatient",
        "urgency": "URGENT",
    }
    found = []
    for name, report in REPORTS.items():
        if only is not None and name not in only:
            continue
        found.append(Target(name, f"/v1/reports/{name}", REPORT_TARGET_MS))
        given = next((f for f in FILTER_ORDER if f in report.accepts), None)
        if given is not None:
            query = urlencode({given: values[given]})
            found.append(
                Target(f"{name} ?{given}", f"/v1/reports/{name}?{query}", REPORT_TARGET_MS)
            )
    if only is None or "dashboard" in only:
        found.append(Target("dashboard", "/v1/dashboard", DASHBOARD_TARGET_MS))
    return found


@dataclass
class Measured:
    target: Target
    latencies: list[float]  # seconds, of the 200 answers
    errors: int
    core_ms: float  # CPU time a request: the core's, and PostgreSQL's (NaN: not ours)
    database_ms: float

    def line(self) -> str:
        name, goal, count = self.target.name, self.target.target_ms, len(self.latencies)
        if not count:
            return f"| {name} | 0 ({self.errors} errors) | | | | | {goal:.0f} ms | |"
        ms = sorted(s * 1000 for s in self.latencies)
        p50 = statistics.median(ms)
        p99 = statistics.quantiles(ms, n=100, method="inclusive")[98] if count > 1 else ms[0]
        verdict = "ok" if p50 < goal else "SLOW"
        return (
            f"| {name} | {count} | {p50:.0f} ms | {p99:.0f} ms | {self.core_ms:.1f} ms "
            f"| {self.database_ms:.1f} ms | {goal:.0f} ms | {verdict} |"
        )


HEADER = (
    "| target | requests | p50 | p99 | core CPU a request | PostgreSQL CPU a request"
    " | p50 target | |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
)


async def bench(stack: Stack, args: argparse.Namespace) -> list[Measured]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0)) as client:
        api = Api(client, stack.core.url)
        if stack.fresh:
            started = time.perf_counter()
            hmo = await setup(api, args)
            print(f"through the API: {time.perf_counter() - started:.1f}s", flush=True)
            await load(stack.database_url, hmo, args)
            print(f"loaded in {time.perf_counter() - started:.1f}s in all", flush=True)
        else:
            hmo = await existing_hmo(api, stack.database_url)
            print(f"reusing the data of {hmo.slug}", flush=True)
        http = LightHttp(stack.core.url)
        results = []
        print(HEADER, flush=True)
        for target in targets(hmo, args.only):
            for _ in range(2):  # warm up: connections, caches, prepared statements
                answer = await client.get(f"{stack.core.url}{target.path}", headers=hmo.admin)
                if answer.status_code != 200:
                    print(f"{target.name}: {answer.status_code} {answer.text[:300]}", flush=True)
            result = await _measure(target, http, hmo.admin, stack, args)
            results.append(result)
            print(result.line(), flush=True)
        http.close()
        return results


async def _measure(
    target: Target, http: LightHttp, headers: dict[str, str], stack: Stack, args: argparse.Namespace
) -> Measured:
    """`--requests` requests one after the other (fewer if `--seconds` run out first), with
    the CPU time the core and the embedded PostgreSQL (all its processes) spent meanwhile."""
    postmaster = postmaster_pid()
    before = cpu_seconds(postmaster, children=True) if postmaster else math.nan
    result = await measure(
        target.name,
        lambda: http.request("GET", target.path, headers),
        clients=1,
        duration=args.seconds,
        requests=args.requests,
        warmup=0,
        server=stack.core,
    )
    spent = cpu_seconds(postmaster, children=True) - before if postmaster else math.nan
    answered = max(len(result.latencies) + result.errors, 1)
    return Measured(
        target,
        result.latencies,
        result.errors,
        core_ms=1000 * (result.server_cpu or 0.0) / answered,
        database_ms=1000 * spent / answered,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--enrollees", type=int, default=100_000)
    parser.add_argument("--pas", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--providers", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="requests per target")
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="at most this long per target (then fewer)"
    )
    parser.add_argument("--workers", type=int, default=1, help="core API processes")
    parser.add_argument("--keep", metavar="NAME", help="keep the loaded database; reuse it if kept")
    parser.add_argument(
        "--only",
        type=lambda names: set(names.split(",")),
        metavar="NAME,NAME",
        help="measure only these reports (and `dashboard`)",
    )
    args = parser.parse_args()

    def run() -> int:
        with bench_stack(bff=False, workers=args.workers, keep=args.keep) as stack:
            results = run_async(bench(stack, args))
        print(
            f"\n{len(REPORTS)} reports registered; {args.requests} requests each one at a time"
            f" (fewer when {args.seconds:g} s ran out first)"
        )
        print(HEADER)
        for result in results:
            print(result.line())
        return 0

    return run_bench(run)


if __name__ == "__main__":
    sys.exit(main())
