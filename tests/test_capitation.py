"""Capitation runs: day pro-rating from the lifecycle history, lines per primary provider,
one live run per month (also under concurrency), approval limits, payment, what a provider
sees, and isolation.

September 2025 has 30 days; the plan pays 1,000.00 (100000 minor units) a month.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from tests.db import superuser
from tests.factories import (
    ProviderCtx,
    TenantCtx,
    link_provider,
    make_client,
    make_dependant,
    make_plan,
    make_principal,
    make_provider,
    make_staff,
    make_tenant,
)

MONTH = "2025-09"
RATE = 1_000_00


@dataclass
class Capitation:
    core: httpx.AsyncClient
    hmo: TenantCtx
    plan: dict[str, Any]
    client: dict[str, Any]
    first: ProviderCtx
    second: ProviderCtx

    async def member(
        self, provider: ProviderCtx | None, since: str = "2025-01-01", **overrides: Any
    ) -> dict[str, Any]:
        return await make_principal(
            self.core,
            self.hmo,
            self.client,
            overrides.pop("plan", self.plan),
            coverage_start=since,
            primary_provider_id=provider.id if provider else None,
            **overrides,
        )


async def capitation_world(core: httpx.AsyncClient, rate: int = RATE) -> Capitation:
    hmo = await make_tenant(core)
    plan = await make_plan(core, hmo, capitation_rate=rate)
    client = await make_client(core, hmo)
    first, second = await make_provider(core, "Lagoon Hospital"), await make_provider(core, "Garki")
    for provider in (first, second):
        await link_provider(core, hmo, provider)
    return Capitation(core, hmo, plan, client, first, second)


async def set_status(
    core: httpx.AsyncClient, hmo: TenantCtx, member: dict[str, Any], status: str, on: str
) -> None:
    response = await core.post(
        f"/v1/enrollees/{member['id']}/status",
        json={"status": status, "effective_date": on},
        headers=hmo.admin,
    )
    assert response.status_code == 200, response.text


async def run_month(
    core: httpx.AsyncClient, hmo: TenantCtx, month: str = MONTH, expect: int = 201
) -> dict[str, Any]:
    response = await core.post("/v1/capitation-runs", json={"month": month}, headers=hmo.admin)
    assert response.status_code == expect, response.text
    return dict(response.json())


def line_of(run: dict[str, Any], provider: ProviderCtx) -> dict[str, Any]:
    return next(line for line in run["lines"] if line["provider_id"] == provider.id)


async def populated(core: httpx.AsyncClient) -> Capitation:
    """Four capitated enrollees (two per provider) and four that earn nothing."""
    w = await capitation_world(core)
    await w.member(w.first)  # all 30 days: 100000
    await w.member(w.first, since="2025-09-10")  # 10th to 30th, 21 days: 70000
    leaver = await w.member(w.second)
    await set_status(core, w.hmo, leaver, "TERMINATED", "2025-09-21")  # 20 days: 66666.67
    resting = await w.member(w.second)
    await set_status(core, w.hmo, resting, "SUSPENDED", "2025-09-06")
    await set_status(core, w.hmo, resting, "ACTIVE", "2025-09-16")  # 5 + 15 days: 66666.67
    await w.member(None)  # no primary provider
    await w.member(w.first, since="2025-10-05")  # joined after the month
    gone = await w.member(w.first)
    await set_status(core, w.hmo, gone, "TERMINATED", "2025-08-15")  # left before it
    free = await make_plan(core, w.hmo, capitation_rate=0)
    await w.member(w.second, plan=free)  # a plan without capitation
    return w


class TestComputation:
    async def test_pro_rating_lines_and_totals(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        assert run["number"].startswith("CAP-")
        assert run["month"] == "2025-09-01"
        assert run["status"] == "DRAFT"
        assert run["currency"] == "NGN"
        assert len(run["lines"]) == 2
        first, second = line_of(run, w.first), line_of(run, w.second)
        assert (first["member_count"], first["member_days"], first["amount"]) == (
            2,
            30 + 21,
            100000 + 70000,
        )
        assert (second["member_count"], second["member_days"], second["amount"]) == (
            2,
            20 + 20,
            66667 + 66667,
        )
        assert first["provider_name"] == "Lagoon Hospital"
        assert run["total"] == sum(line["amount"] for line in run["lines"]) == 303334
        assert run["member_count"] == 4
        again = (await core.get(f"/v1/capitation-runs/{run['id']}", headers=w.hmo.admin)).json()
        assert again == run

    async def test_amounts_round_half_up(self, core: httpx.AsyncClient) -> None:
        w = await capitation_world(core, rate=1_000_01)
        await w.member(w.first, since="2025-09-16")  # 15 of 30 days: 50000.5
        run = await run_month(core, w.hmo)
        assert line_of(run, w.first)["amount"] == 50001
        assert line_of(run, w.first)["member_days"] == 15

    async def test_a_suspension_after_the_month_does_not_reach_back(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await capitation_world(core)
        member = await w.member(w.first)
        await set_status(core, w.hmo, member, "SUSPENDED", "2025-10-01")
        september = await run_month(core, w.hmo)
        assert line_of(september, w.first)["amount"] == RATE
        october = await core.post(
            "/v1/capitation-runs", json={"month": "2025-10"}, headers=w.hmo.admin
        )
        assert october.status_code == 422  # nobody active: nothing to pay

    async def test_a_rate_change_mid_month_prices_each_day_at_its_rate(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await capitation_world(core)
        await w.member(w.first)
        changed = await core.patch(
            f"/v1/plans/{w.plan['id']}",
            json={"version": w.plan["version"], "capitation_rate": 1_600_00},
            headers=w.hmo.admin,
        )
        assert changed.status_code == 200, changed.text
        async with superuser() as conn:
            await conn.execute(
                text(
                    "update plan_versions set effective_from = '2025-09-21'"
                    " where plan_id = :plan and version_no = 2"
                ),
                {"plan": w.plan["id"]},
            )
        september = await run_month(core, w.hmo)
        # 20 days at 100000 and 10 days at 160000, over 30 days.
        assert line_of(september, w.first)["amount"] == (20 * 100000 + 10 * 160000) // 30 == 120000
        assert line_of(await run_month(core, w.hmo, "2025-10"), w.first)["amount"] == 160000
        assert line_of(await run_month(core, w.hmo, "2025-08"), w.first)["amount"] == 100000

    async def test_dependants_are_capitated_each(self, core: httpx.AsyncClient) -> None:
        w = await capitation_world(core)
        await make_dependant(core, w.hmo, await w.member(w.first))
        # A dependant added today is covered from today: not in a past month.
        assert line_of(await run_month(core, w.hmo), w.first)["member_count"] == 1
        this_month = date.today().replace(day=1).isoformat()[:7]
        current = await run_month(core, w.hmo, this_month)
        assert line_of(current, w.first)["member_count"] == 2


class TestOneRunPerMonth:
    async def test_running_a_month_twice_creates_nothing(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        again = await run_month(core, w.hmo, "2025-09-01", expect=200)
        assert again == run
        listed = (await core.get("/v1/capitation-runs", headers=w.hmo.admin)).json()
        assert [r["id"] for r in listed["items"]] == [run["id"]]
        events = (
            await core.get(
                "/v1/audit-events",
                params={"action": "capitation_run.created"},
                headers=w.hmo.admin,
            )
        ).json()["items"]
        assert len(events) == 1

    async def test_concurrent_runs_of_one_month_make_one(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        responses = await asyncio.gather(
            *(
                core.post("/v1/capitation-runs", json={"month": MONTH}, headers=w.hmo.admin)
                for _ in range(3)
            )
        )
        assert sorted(r.status_code for r in responses) == [200, 200, 201]
        assert len({r.json()["id"] for r in responses}) == 1
        listed = (await core.get("/v1/capitation-runs", headers=w.hmo.admin)).json()
        assert len(listed["items"]) == 1

    async def test_a_cancelled_run_frees_the_month(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        cancelled = await core.post(f"/v1/capitation-runs/{run['id']}/cancel", headers=w.hmo.admin)
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "CANCELLED"
        assert cancelled.json()["cancelled_at"] is not None
        fresh = await run_month(core, w.hmo)
        assert fresh["id"] != run["id"]
        assert fresh["number"] != run["number"]
        assert fresh["total"] == run["total"]
        assert (await run_month(core, w.hmo, expect=200))["id"] == fresh["id"]
        listed = (await core.get("/v1/capitation-runs", headers=w.hmo.admin)).json()["items"]
        assert [r["id"] for r in listed] == [fresh["id"], run["id"]]
        only_live = await core.get(
            "/v1/capitation-runs", params={"status": "DRAFT"}, headers=w.hmo.admin
        )
        assert [r["id"] for r in only_live.json()["items"]] == [fresh["id"]]

    async def test_list_is_newest_month_first_by_cursor(self, core: httpx.AsyncClient) -> None:
        w = await capitation_world(core)
        await w.member(w.first)
        for month in ("2025-07", "2025-09", "2025-08"):
            await run_month(core, w.hmo, month)
        seen, cursor = [], None
        while True:
            params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = (
                await core.get("/v1/capitation-runs", params=params, headers=w.hmo.admin)
            ).json()
            seen += [r["month"] for r in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ["2025-09-01", "2025-08-01", "2025-07-01"]


class TestBadInput:
    async def test_months_that_are_not_months(self, core: httpx.AsyncClient) -> None:
        w = await capitation_world(core)
        await w.member(w.first)
        for month in ("2025-13", "September", "2025-09-15", "25-09", "", 202509):
            response = await core.post(
                "/v1/capitation-runs", json={"month": month}, headers=w.hmo.admin
            )
            assert response.status_code == 422, (month, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        missing = await core.post("/v1/capitation-runs", json={}, headers=w.hmo.admin)
        assert missing.status_code == 422

    async def test_a_month_not_yet_begun(self, core: httpx.AsyncClient) -> None:
        w = await capitation_world(core)
        await w.member(w.first)
        today = date.today()
        next_month = (today.replace(day=28) + timedelta(days=7)).replace(day=1)
        response = await core.post(
            "/v1/capitation-runs", json={"month": next_month.isoformat()}, headers=w.hmo.admin
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "month"
        assert (await run_month(core, w.hmo, today.isoformat()[:7]))["status"] == "DRAFT"

    async def test_bad_payment_details(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        await core.post(f"/v1/capitation-runs/{run['id']}/approve", headers=w.hmo.admin)
        url = f"/v1/capitation-runs/{run['id']}/pay"
        tomorrow = (date.today() + timedelta(days=1)).isoformat()
        for body, field in (
            ({"reference": "  ", "paid_on": "2025-10-02"}, "reference"),
            ({"reference": "TRF-1"}, "paid_on"),
            ({"reference": "TRF-1", "paid_on": tomorrow}, "paid_on"),
            ({"reference": "TRF-1", "paid_on": "0001-01-01"}, "paid_on"),
            ({"reference": "x" * 101, "paid_on": "2025-10-02"}, "reference"),
        ):
            response = await core.post(url, json=body, headers=w.hmo.admin)
            assert response.status_code == 422, (body, response.text)
            assert [e["field"] for e in response.json()["errors"]] == [field], response.text
        detail = (await core.get(f"/v1/capitation-runs/{run['id']}", headers=w.hmo.admin)).json()
        assert detail["status"] == "APPROVED"


class TestTransitions:
    async def test_approve_within_and_above_the_limit(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        _, finance = await make_staff(core, w.hmo, "Finance")
        roles = (await core.get("/v1/roles", headers=w.hmo.admin)).json()["items"]
        low = {
            "role_id": w.hmo.role_id(roles, "Finance"),
            "claim_limit": 0,
            "settlement_limit": run["total"] - 1,
        }
        assert (
            await core.put("/v1/approval-limits", json={"limits": [low]}, headers=w.hmo.admin)
        ).status_code == 200
        above = await core.post(f"/v1/capitation-runs/{run['id']}/approve", headers=finance)
        assert above.status_code == 403
        assert above.json()["type"].endswith("approval-limit")
        assert above.json()["limit"] == run["total"] - 1
        assert str(run["total"] - 1) in above.json()["detail"]
        low["settlement_limit"] = run["total"]
        await core.put("/v1/approval-limits", json={"limits": [low]}, headers=w.hmo.admin)
        within = await core.post(f"/v1/capitation-runs/{run['id']}/approve", headers=finance)
        assert within.status_code == 200, within.text
        assert within.json()["status"] == "APPROVED"
        assert within.json()["approved_by"] is not None
        assert within.json()["version"] == run["version"] + 1

    async def test_concurrent_approvals_one_wins(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        url = f"/v1/capitation-runs/{run['id']}/approve"
        responses = await asyncio.gather(*(core.post(url, headers=w.hmo.admin) for _ in range(2)))
        assert sorted(r.status_code for r in responses) == [200, 409]
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.headers["content-type"] == "application/problem+json"
        events = (
            await core.get(
                "/v1/audit-events",
                params={"action": "capitation_run.approved"},
                headers=w.hmo.admin,
            )
        ).json()["items"]
        assert len(events) == 1

    async def test_pay_marks_paid_and_tells_each_provider(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        _, finance = await make_staff(core, w.hmo, "Finance")
        payment = {"reference": "TRF-2025-09", "paid_on": "2025-10-03"}
        url = f"/v1/capitation-runs/{run['id']}"
        early = await core.post(f"{url}/pay", json=payment, headers=finance)
        assert early.status_code == 409
        assert early.json()["type"].endswith("illegal-transition")
        assert (await core.post(f"{url}/approve", headers=finance)).status_code == 200
        paid = await core.post(f"{url}/pay", json=payment, headers=finance)
        assert paid.status_code == 200, paid.text
        body = paid.json()
        assert body["status"] == "PAID"
        assert body["payment_reference"] == "TRF-2025-09"
        assert body["paid_at"].startswith("2025-10-03")
        assert body["paid_by"] is not None
        for provider in (w.first, w.second):
            notices = (await core.get("/v1/notifications", headers=provider.user)).json()["items"]
            paid_notices = [n for n in notices if n["type"] == "capitation.paid"]
            assert len(paid_notices) == 1
            assert paid_notices[0]["data"]["amount"] == line_of(run, provider)["amount"]
            assert paid_notices[0]["data"]["reference"] == "TRF-2025-09"
        events = (
            await core.get("/v1/audit-events", params={"object_id": run["id"]}, headers=w.hmo.admin)
        ).json()["items"]
        assert {e["action"] for e in events} == {
            "capitation_run.created",
            "capitation_run.approved",
            "capitation_run.paid",
        }

    async def test_illegal_transitions_are_409(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        url = f"/v1/capitation-runs/{run['id']}"
        payment = {"reference": "TRF-1", "paid_on": "2025-10-03"}
        assert (await core.post(f"{url}/approve", headers=w.hmo.admin)).status_code == 200
        assert (await core.post(f"{url}/approve", headers=w.hmo.admin)).status_code == 409
        assert (await core.post(f"{url}/pay", json=payment, headers=w.hmo.admin)).status_code == 200
        for action, body in (("approve", None), ("pay", payment), ("cancel", None)):
            response = await core.post(f"{url}/{action}", json=body, headers=w.hmo.admin)
            assert response.status_code == 409, (action, response.text)
            assert response.json()["current_status"] == "PAID"
        other = await run_month(core, w.hmo, "2025-08")
        assert (
            await core.post(f"/v1/capitation-runs/{other['id']}/cancel", headers=w.hmo.admin)
        ).status_code == 200
        for action, body in (("approve", None), ("pay", payment), ("cancel", None)):
            response = await core.post(
                f"/v1/capitation-runs/{other['id']}/{action}", json=body, headers=w.hmo.admin
            )
            assert response.status_code == 409, (action, response.text)

    async def test_who_may_do_what(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        _, adjudicator = await make_staff(core, w.hmo, "Adjudicator")
        _, readonly = await make_staff(core, w.hmo, "Read-only")
        url = f"/v1/capitation-runs/{run['id']}"
        denied = await core.post("/v1/capitation-runs", json={"month": MONTH}, headers=adjudicator)
        assert denied.status_code == 403
        assert (await core.get(url, headers=adjudicator)).status_code == 403
        assert (await core.get(url, headers=readonly)).status_code == 200
        assert (await core.post(f"{url}/approve", headers=readonly)).status_code == 403
        assert (await core.post(f"{url}/cancel", headers=readonly)).status_code == 403


class TestWhatProvidersSee:
    async def test_a_provider_sees_only_its_own_lines(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        # A second HMO paying the first provider too.
        other = await capitation_world(core)
        await link_provider(core, other.hmo, w.first)
        other.first = w.first
        await other.member(w.first)
        other_run = await run_month(core, other.hmo)

        page = await core.get("/v1/capitation-lines", headers=w.first.user)
        assert page.status_code == 200, page.text
        lines = page.json()["items"]
        assert {line["run_id"] for line in lines} == {run["id"], other_run["id"]}
        assert {line["provider_id"] for line in lines} == {w.first.id}
        mine = next(line for line in lines if line["run_id"] == run["id"])
        assert mine["id"] == line_of(run, w.first)["id"]
        assert mine["amount"] == 170000
        assert (mine["member_count"], mine["member_days"]) == (2, 51)
        assert mine["month"] == "2025-09-01"
        assert mine["run_number"] == run["number"]
        assert mine["run_status"] == "DRAFT"
        assert mine["hmo_name"] == "Acme Health"
        assert mine["currency"] == "NGN"

        theirs = (await core.get("/v1/capitation-lines", headers=w.second.user)).json()["items"]
        assert [line["id"] for line in theirs] == [line_of(run, w.second)["id"]]

        first_page = await core.get(
            "/v1/capitation-lines", params={"limit": 1}, headers=w.first.user
        )
        cursor = first_page.json()["next_cursor"]
        assert cursor is not None
        rest = await core.get(
            "/v1/capitation-lines", params={"limit": 1, "cursor": cursor}, headers=w.first.user
        )
        ids = [first_page.json()["items"][0]["id"], rest.json()["items"][0]["id"]]
        assert sorted(ids) == sorted(line["id"] for line in lines)
        assert rest.json()["next_cursor"] is None

    async def test_runs_themselves_stay_the_hmos(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        url = f"/v1/capitation-runs/{run['id']}"
        for response in (
            await core.get("/v1/capitation-runs", headers=w.first.user),
            await core.get(url, headers=w.first.user),
            await core.post(f"{url}/approve", headers=w.first.user),
            await core.post("/v1/capitation-runs", json={"month": MONTH}, headers=w.first.user),
        ):
            assert response.status_code in (403, 404), response.text

    async def test_hmo_staff_see_their_lines_and_filter_by_run(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        await run_month(core, w.hmo, "2025-08")
        lines = await core.get(
            "/v1/capitation-lines", params={"run_id": run["id"]}, headers=w.hmo.admin
        )
        assert lines.status_code == 200, lines.text
        assert {line["id"] for line in lines.json()["items"]} == {
            line["id"] for line in run["lines"]
        }
        everything = (await core.get("/v1/capitation-lines", headers=w.hmo.admin)).json()
        assert len(everything["items"]) == 4


class TestIsolation:
    async def test_another_hmos_run_is_404(self, core: httpx.AsyncClient) -> None:
        w = await populated(core)
        run = await run_month(core, w.hmo)
        stranger = await make_tenant(core)
        url = f"/v1/capitation-runs/{run['id']}"
        assert (await core.get(url, headers=stranger.admin)).status_code == 404
        for action in ("approve", "cancel"):
            assert (await core.post(f"{url}/{action}", headers=stranger.admin)).status_code == 404
        listed = (await core.get("/v1/capitation-runs", headers=stranger.admin)).json()
        assert listed["items"] == []
        lines = await core.get(
            "/v1/capitation-lines", params={"run_id": run["id"]}, headers=stranger.admin
        )
        assert lines.json()["items"] == []
        # The stranger's own run of the same month is its own.
        mine = await capitation_world(core)
        await mine.member(mine.first)
        assert (await run_month(core, mine.hmo))["id"] != run["id"]
