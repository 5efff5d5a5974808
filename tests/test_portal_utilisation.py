"""The client portal's utilisation: aggregated only, small cells suppressed, totals that are
sums of what is shown, and nothing a client user can reach that tells about one person."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core_api.access.permissions import CLIENT_PERMISSIONS
from core_api.models import EnrolleeStatus
from core_api.plans.schemas import BENEFIT_CATEGORIES
from core_api.portal.utilisation import THRESHOLD, _margin
from core_api.reports.period import add_months, month_end
from tests.claims_world import World, item, new_claim, transition, world
from tests.db import superuser
from tests.factories import make_client, make_client_user, make_dependant, make_principal
from tests.test_route_access import access_marks

URL = "/v1/portal/utilisation"
THIS_MONTH = date.today().replace(day=1)


def month_back(count: int) -> date:
    return add_months(THIS_MONTH, -count)


def key(month: date) -> str:
    return month.strftime("%Y-%m")


@dataclass
class Portal:
    w: World
    members: list[dict[str, Any]]
    client_user: dict[str, str]  # session headers


async def portal(core: httpx.AsyncClient, members: int = 6) -> Portal:
    """An HMO with a client of `members` principals (the world's member first), a linked
    provider and the client's portal login."""
    w = await world(core)
    since = w.member["coverage_start"]
    others = [
        await make_principal(
            core, w.hmo, w.client, w.plan, first_name=f"M{n}", coverage_start=since
        )
        for n in range(members - 1)
    ]
    _, headers = await make_client_user(core, w.hmo, w.client)
    return Portal(w, [w.member, *others], headers)


async def incurred(
    core: httpx.AsyncClient, w: World, member: dict[str, Any], day: date, *lines: dict[str, Any]
) -> dict[str, Any]:
    """An APPROVED claim of `member`'s, served on `day`."""
    claim = await new_claim(
        core, w, member_id=member["member_id"], service_date=day, items=list(lines)
    )
    return await approve(core, w, claim)


async def approve(core: httpx.AsyncClient, w: World, claim: dict[str, Any]) -> dict[str, Any]:
    version = claim["version"]
    for to in ("RECEIVED", "IN_REVIEW", "APPROVED"):
        moved = await transition(core, w, claim["id"], to, version=version)
        assert moved.status_code == 200, moved.text
        version = moved.json()["version"]
    return dict(moved.json())


def consult(price: int = 15_000_00) -> dict[str, Any]:
    return item("CONS-01", price)


def drugs(price: int = 2_000_00) -> dict[str, Any]:
    return item("DRUG-AMOX", price, category="drugs")


async def utilisation(
    core: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> dict[str, Any]:
    answer = await core.get(URL, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


# --- the oracle: the rule computed in Python over the raw lines ------------------------------


async def raw_lines(client_id: str) -> list[tuple[date, str, str, str, int]]:
    """(service month, category, enrollee, claim, approved amount) of every incurred line."""
    async with superuser() as db:
        rows = await db.execute(
            text(
                "select date_trunc('month', c.service_date)::date, i.category,"
                " c.enrollee_id::text, c.id::text, i.approved_amount"
                " from claims c join claim_items i on i.claim_id = c.id"
                " join enrollees e on e.id = c.enrollee_id"
                " where e.client_id = cast(:client as uuid)"
                " and c.status in ('APPROVED', 'SETTLED') and i.approved_amount > 0"
            ),
            {"client": client_id},
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def expected(lines: list[tuple[date, str, str, str, int]], months: list[date]) -> dict[str, Any]:
    cells: dict[tuple[date, str], list[tuple[str, str, int]]] = defaultdict(list)
    for month, category, enrollee, claim, amount in lines:
        cells[month, category].append((enrollee, claim, amount))
    shown = {
        cell: found for cell, found in cells.items() if len({e for e, _, _ in found}) >= THRESHOLD
    }

    def cell(month: date, category: str) -> dict[str, Any]:
        found = shown.get((month, category))
        if found is None:
            return {"category": category, "suppressed": True} | dict.fromkeys(
                ("members", "claims", "amount")
            )
        return {
            "category": category,
            "suppressed": False,
            "members": len({e for e, _, _ in found}),
            "claims": len({c for _, c, _ in found}),
            "amount": sum(a for _, _, a in found),
        }

    rows = []
    for month in months:
        in_month = [x for (m, _), found in shown.items() if m == month for x in found]
        rows.append(
            {
                "month": key(month),
                "members_served": len({e for e, _, _ in in_month}),
                "claims": len({c for _, c, _ in in_month}),
                "amount": sum(a for _, _, a in in_month),
                "suppressed_cells": sum((month, c) not in shown for c in BENEFIT_CATEGORIES),
                "categories": [cell(month, c) for c in BENEFIT_CATEGORIES],
            }
        )
    categories = [
        {
            "category": c,
            "claims": sum(len({x for _, x, _ in shown[m, c]}) for m in months if (m, c) in shown),
            "amount": sum(a for m in months if (m, c) in shown for _, _, a in shown[m, c]),
            "suppressed_cells": sum((m, c) not in shown for m in months),
        }
        for c in BENEFIT_CATEGORIES
    ]
    totals = {
        name: sum(row[name] for row in rows) for name in ("claims", "amount", "suppressed_cells")
    }
    return {"months": rows, "categories": categories, "totals": totals}


# --- figures -----------------------------------------------------------------------------------


async def test_figures_match_the_raw_lines_and_small_cells_are_suppressed(
    core: httpx.AsyncClient,
) -> None:
    p = await portal(core, members=6)
    crowded, busy, quiet = month_back(3), month_back(2), month_back(1)
    for n, member in enumerate(p.members):
        # six consultations (shown), three with drugs (suppressed)
        extra = [drugs(1_000_00 + n)] if n < 3 else []
        await incurred(core, p.w, member, crowded.replace(day=10), consult(15_000_00 + n), *extra)
    for member in p.members[:5]:  # five with both: both shown
        await incurred(core, p.w, member, busy.replace(day=12), consult(), drugs())
    await incurred(core, p.w, p.members[5], quiet.replace(day=5), consult(), drugs())
    answer = await utilisation(core, p.client_user, **{"from": key(crowded), "to": key(quiet)})

    oracle = expected(await raw_lines(p.w.client["id"]), [crowded, busy, quiet])
    assert {name: answer[name] for name in oracle} == oracle
    assert answer["period"] == {"from": crowded.isoformat(), "to": month_end(quiet).isoformat()}
    crowded_row, busy_row, quiet_row = answer["months"]
    by_category = {c["category"]: c for c in crowded_row["categories"]}
    assert by_category["outpatient"]["members"] == 6
    assert by_category["drugs"] == {
        "category": "drugs",
        "suppressed": True,
        "members": None,
        "claims": None,
        "amount": None,
    }
    # the month counts only what it shows: its drugs are nowhere in it
    assert crowded_row["amount"] == by_category["outpatient"]["amount"]
    assert (busy_row["members_served"], busy_row["claims"]) == (5, 5)
    assert quiet_row | {"categories": []} == {
        "month": key(quiet),
        "members_served": 0,
        "claims": 0,
        "amount": 0,
        "suppressed_cells": len(BENEFIT_CATEGORIES),
        "categories": [],
    }
    assert all(c["suppressed"] for c in quiet_row["categories"])
    assert answer["roster"]["members"] == {"suppressed": False, "members": 6}


async def test_the_roster_and_another_clients_claims(core: httpx.AsyncClient) -> None:
    p = await portal(core, members=6)
    await make_dependant(core, p.w.hmo, p.members[0])
    suspended = await core.post(
        f"/v1/enrollees/{p.members[1]['id']}/status",
        json={"status": "SUSPENDED", "version": p.members[1]["version"]},
        headers=p.w.hmo.admin,
    )
    assert suspended.status_code == 200, suspended.text
    # five members of another client, all with claims: never counted here
    other = await make_client(core, p.w.hmo, "GLOBEX")
    for _ in range(5):
        member = await make_principal(
            core, p.w.hmo, other, p.w.plan, coverage_start=p.w.member["coverage_start"]
        )
        await incurred(core, p.w, member, month_back(1).replace(day=3), consult())
    answer = await utilisation(core, p.client_user)
    assert answer["totals"] == {
        "claims": 0,
        "amount": 0,
        "suppressed_cells": 12 * len(BENEFIT_CATEGORIES),
    }
    roster = answer["roster"]
    assert roster["members"] == {"suppressed": False, "members": 7}
    assert roster["by_status"] == [
        {"status": "ACTIVE", "suppressed": False, "members": 6},
        {"status": "SUSPENDED", "suppressed": True, "members": None},
        {"status": "TERMINATED", "suppressed": True, "members": None},
    ]
    assert [r["members"] for r in roster["by_relationship"]] == [6, None, None]
    assert (answer["client_id"], answer["currency"]) == (p.w.client["id"], "NGN")
    months = [row["month"] for row in answer["months"]]
    assert months == [key(month_back(n)) for n in range(11, -1, -1)]  # the last twelve


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        # a lone hidden group would be the total less the others: the smallest other goes
        ({"ACTIVE": 9, "SUSPENDED": 6, "TERMINATED": 0}, [9, None, None]),
        ({"ACTIVE": 5, "SUSPENDED": 7, "TERMINATED": 4}, [None, 7, None]),
        ({"ACTIVE": 9, "SUSPENDED": 2, "TERMINATED": 1}, [9, None, None]),
        ({"ACTIVE": 3, "SUSPENDED": 1, "TERMINATED": 0}, [None, None, None]),
        ({"ACTIVE": 9, "SUSPENDED": 5, "TERMINATED": 6}, [9, 5, 6]),
    ],
)
def test_a_lone_hidden_group_takes_the_smallest_other_with_it(
    counts: dict[str, int], shown: list[int | None]
) -> None:
    margin = _margin(Counter({EnrolleeStatus(k): v for k, v in counts.items()}), EnrolleeStatus)
    assert list(margin.values()) == shown
    assert sum(v is None for v in margin.values()) != 1  # never one alone beside the total


# --- nothing per person, from any answer ------------------------------------------------------


def numbers(value: Any) -> Iterator[int]:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from numbers(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from numbers(inner)


def without_clock(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "as_of"}


def ranges(months: list[date]) -> Iterator[dict[str, str]]:
    """Every from/to the client can ask over `months`, and the default."""
    yield {}
    for i, first in enumerate(months):
        for last in months[i:]:
            yield {"from": key(first), "to": key(last)}


async def test_a_client_user_learns_nothing_of_one_members_claim(core: httpx.AsyncClient) -> None:
    """Six members: five had a consultation last month (a cell shown), the sixth a
    maternity and a drugs line that month, alone in both. Every answer the client user can
    reach (every period over the months around it, either currency) is the same whether
    the sixth member's claim was approved or not, so no answer and no difference between
    answers tells anything about it; and none of the client's other answers (its enrollees,
    change requests, notifications ...) holds a trace of it."""
    p = await portal(core, members=6)
    served = month_back(1).replace(day=9)
    *others, watched = p.members
    for member in others:
        await incurred(core, p.w, member, served, consult())
    lines = [item("MAT-77", 12_345_67, category="maternity"), drugs(3_210_98)]
    claim = await new_claim(
        core,
        p.w,
        member_id=watched["member_id"],
        service_date=served,
        diagnosis_codes=["O80"],
        items=lines,
    )
    around = [month_back(n) for n in (3, 2, 1, 0)]
    asks = [r | currency for r in ranges(around) for currency in ({}, {"currency": "USD"})]

    async def every_answer() -> list[dict[str, Any]]:
        return [without_clock(await utilisation(core, p.client_user, **ask)) for ask in asks]

    before = await every_answer()
    approved = await approve(core, p.w, claim)
    after = await every_answer()
    assert after == before
    assert before[0]["months"][-2]["members_served"] == 5  # the month is shown, without them

    amounts = {approved["total_approved"], *(i["approved_amount"] for i in approved["items"])}
    assert all(a > 10_000 for a in amounts)
    traces = [claim["number"], "MAT-77", "DRUG-AMOX", "O80"]
    for answer in after + await client_reachable_answers(core, p):
        assert amounts.isdisjoint(numbers(answer))
        assert not any(trace in json.dumps(answer) for trace in traces)


async def client_reachable_answers(core: httpx.AsyncClient, p: Portal) -> list[Any]:
    """Every GET a client user may call (by the route table), ids filled with its own."""
    ids = {
        "{key}": p.members[0]["id"],
        "{member_id}": p.members[0]["member_id"],
        "{enrollee_id}": p.members[0]["id"],
    }
    answers = []
    for route, marks in access_marks().items():
        methods, path = route.split(" ", 1)
        if "GET" not in methods.split("|") or path.endswith("/stream"):
            continue
        if not _client_may_call(marks):
            continue
        for placeholder, value in ids.items():
            path = path.replace(placeholder, value)
        if "{" in path:
            continue
        answer = await core.get(path, headers=p.client_user)
        assert answer.status_code < 500, (path, answer.text)
        if answer.headers.get("content-type", "").startswith("application/json"):
            answers.append(answer.json())
    assert len(answers) >= 5
    return answers


def _client_may_call(marks: list[str]) -> bool:
    named = {
        name
        for mark in marks
        if mark.startswith("permission:")
        for name in mark.removeprefix("permission:").split("|")
    }
    return "authenticated" in marks or bool(named & CLIENT_PERMISSIONS)


# --- who may ask -----------------------------------------------------------------------------

CLINICAL = (
    "/v1/claims",
    "/v1/authorizations",
    "/v1/eligibility",
    "/v1/reports",
    "/v1/dashboard",
    "/v1/check-ins",
    "/v1/risk-events",
    "/v1/piles",
    "/v1/pa-rules",
    "/v1/me/coverage",
    "/v1/me/visits",
    "/v1/me/claims",
    "/v1/me/authorizations",
)


def test_no_clinical_route_takes_a_permission_a_client_user_holds() -> None:
    clinical = {
        route: marks
        for route, marks in access_marks().items()
        if route.split(" ", 1)[1].startswith(CLINICAL)
    }
    assert len(clinical) >= 20
    reachable = [route for route, marks in clinical.items() if _client_may_call(marks)]
    assert reachable == []


async def test_a_client_user_is_refused_clinical_endpoints(core: httpx.AsyncClient) -> None:
    p = await portal(core, members=1)
    claim = await new_claim(core, p.w)
    member = p.w.member["member_id"]
    calls = [
        ("GET", "/v1/claims", None),
        ("GET", f"/v1/claims/{claim['id']}", None),
        ("GET", "/v1/authorizations", None),
        ("POST", "/v1/eligibility", {"member_id": member, "service_date": str(date.today())}),
        ("GET", "/v1/reports/utilisation", None),
        ("GET", "/v1/reports/claims-aging", None),
        ("GET", "/v1/check-ins", None),
        ("GET", "/v1/risk-events", None),
    ]
    for method, path, body in calls:
        answer = await core.request(method, path, json=body, headers=p.client_user)
        assert answer.status_code == 403, (path, answer.text)


async def test_staff_and_bad_input(core: httpx.AsyncClient) -> None:
    p = await portal(core, members=1)
    assert (await core.get(URL, headers=p.w.hmo.admin)).status_code == 403
    for params, field in [
        ({"from": "2026-05", "to": "2026-04"}, "to"),
        ({"from": key(add_months(THIS_MONTH, 1))}, "from"),  # after this month, `to`'s default
        ({"from": "2026-13"}, "from"),
        ({"to": "May"}, "to"),
        ({"from": "2020-01", "to": "2025-12"}, "from"),  # more than 60 months
        ({"currency": "ngn"}, "currency"),
    ]:
        answer = await core.get(URL, params=params, headers=p.client_user)
        assert answer.status_code == 422, (params, answer.text)
        assert [e["field"] for e in answer.json()["errors"]] == [field]
