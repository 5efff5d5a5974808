"""Clients, principals, dependants, Member IDs, lifecycle, the card and search."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

import httpx
import pytest

from tests.factories import TenantCtx, make_client, make_plan, make_principal, make_tenant

MEMBER_ID = re.compile(r"^[A-Z0-9]+-[A-Z0-9]+-\d{5}-(P|S|C\d+)$")


async def family_setup(core: httpx.AsyncClient) -> tuple[TenantCtx, dict, dict, dict]:  # type: ignore[type-arg]
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant, max_dependants=3, max_children=2)
    client = await make_client(core, tenant)
    principal = await make_principal(core, tenant, client, plan)
    return tenant, plan, client, principal


async def add_dependant(
    core: httpx.AsyncClient, tenant: TenantCtx, principal_id: str, relationship: str
) -> httpx.Response:
    return await core.post(
        f"/v1/enrollees/{principal_id}/dependants",
        headers=tenant.admin,
        json={
            "relationship": relationship,
            "first_name": "Ada",
            "last_name": "Okafor",
            "date_of_birth": "2015-06-01",
            "sex": "F",
        },
    )


class TestMemberIds:
    async def test_principal_member_id_format(self, core: httpx.AsyncClient) -> None:
        tenant, _, client, principal = await family_setup(core)
        assert principal["member_id"] == f"{tenant.code}-{client['code']}-00001-P"
        assert MEMBER_ID.match(principal["member_id"])

    async def test_twenty_concurrent_enrolments_get_distinct_gapless_ids(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        plan, client = await make_plan(core, tenant), await make_client(core, tenant)
        created = await asyncio.gather(
            *(make_principal(core, tenant, client, plan, first_name=f"P{i}") for i in range(20))
        )
        numbers = sorted(int(e["member_id"].split("-")[2]) for e in created)
        assert numbers == list(range(1, 21))

    async def test_sequences_are_per_client(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        acme, globex = (
            await make_client(core, tenant, "ACME"),
            await make_client(core, tenant, "GLOBEX"),
        )
        first = await make_principal(core, tenant, acme, plan)
        second = await make_principal(core, tenant, globex, plan)
        assert first["member_id"].endswith("ACME-00001-P")
        assert second["member_id"].endswith("GLOBEX-00001-P")

    async def test_failed_enrolment_leaves_no_gap(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        plan, client = await make_plan(core, tenant), await make_client(core, tenant)
        await make_principal(core, tenant, client, plan)
        bad = await core.post(
            "/v1/enrollees",
            headers=tenant.admin,
            json={
                "client_id": client["id"],
                "plan_id": plan["id"],
                "first_name": "A",
                "last_name": "B",
                "date_of_birth": (date.today() + timedelta(days=3)).isoformat(),
                "sex": "M",
            },
        )
        assert bad.status_code == 422
        again = await make_principal(core, tenant, client, plan)
        assert again["member_id"].endswith("-00002-P")


class TestDependants:
    async def test_spouse_and_children_share_the_number(self, core: httpx.AsyncClient) -> None:
        tenant, plan, _, principal = await family_setup(core)
        spouse = (await add_dependant(core, tenant, principal["id"], "SPOUSE")).json()
        child = (await add_dependant(core, tenant, principal["id"], "CHILD")).json()
        base = principal["member_id"][:-2]
        assert spouse["member_id"] == f"{base}-S"
        assert child["member_id"] == f"{base}-C1"
        assert child["plan_id"] == plan["id"]
        assert child["principal_id"] == principal["id"]

    async def test_limits_from_the_plan(self, core: httpx.AsyncClient) -> None:
        tenant, _, _, principal = await family_setup(core)
        assert (await add_dependant(core, tenant, principal["id"], "SPOUSE")).status_code == 201
        assert (await add_dependant(core, tenant, principal["id"], "SPOUSE")).status_code == 409
        for _ in range(2):
            assert (await add_dependant(core, tenant, principal["id"], "CHILD")).status_code == 201
        third = await add_dependant(core, tenant, principal["id"], "CHILD")
        assert third.status_code == 409
        assert third.json()["type"].endswith("dependant-limit")

    async def test_child_numbers_are_not_reused(self, core: httpx.AsyncClient) -> None:
        tenant, _, _, principal = await family_setup(core)
        first = (await add_dependant(core, tenant, principal["id"], "CHILD")).json()
        await core.post(
            f"/v1/enrollees/{first['id']}/status",
            json={"status": "TERMINATED"},
            headers=tenant.admin,
        )
        second = (await add_dependant(core, tenant, principal["id"], "CHILD")).json()
        assert second["member_id"].endswith("-C2")

    async def test_no_dependant_under_a_dependant(self, core: httpx.AsyncClient) -> None:
        tenant, _, _, principal = await family_setup(core)
        child = (await add_dependant(core, tenant, principal["id"], "CHILD")).json()
        assert (await add_dependant(core, tenant, child["id"], "CHILD")).status_code == 422

    async def test_concurrent_children_get_distinct_numbers(self, core: httpx.AsyncClient) -> None:
        tenant, _, _, principal = await family_setup(core)
        responses = await asyncio.gather(
            *(add_dependant(core, tenant, principal["id"], "CHILD") for _ in range(2))
        )
        ids = sorted(r.json()["member_id"][-2:] for r in responses)
        assert ids == ["C1", "C2"]


class TestLifecycle:
    async def test_suspend_and_reactivate(self, core: httpx.AsyncClient) -> None:
        tenant, _, _, principal = await family_setup(core)
        url = f"/v1/enrollees/{principal['id']}/status"
        suspended = await core.post(
            url, json={"status": "SUSPENDED", "reason": "unpaid"}, headers=tenant.admin
        )
        assert suspended.json()["status"] == "SUSPENDED"
        active = await core.post(url, json={"status": "ACTIVE"}, headers=tenant.admin)
        assert active.json()["status"] == "ACTIVE"

    async def test_history_lists_each_status_oldest_first(self, core: httpx.AsyncClient) -> None:
        tenant, _, _, principal = await family_setup(core)
        url = f"/v1/enrollees/{principal['id']}/status"
        await core.post(url, json={"status": "SUSPENDED", "reason": "unpaid"}, headers=tenant.admin)
        history = await core.get(
            f"/v1/enrollees/{principal['member_id']}/history", headers=tenant.admin
        )
        assert history.status_code == 200, history.text
        steps = history.json()["items"]
        assert [step["status"] for step in steps] == ["ACTIVE", "SUSPENDED"]
        assert steps[-1]["reason"] == "unpaid"
        missing = await core.get("/v1/enrollees/NO-SUCH-00001-P/history", headers=tenant.admin)
        assert missing.status_code == 404

    async def test_termination_is_final_and_covers_dependants(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant, _, _, principal = await family_setup(core)
        child = (await add_dependant(core, tenant, principal["id"], "CHILD")).json()
        url = f"/v1/enrollees/{principal['id']}/status"
        today = date.today().isoformat()
        done = await core.post(
            url, json={"status": "TERMINATED", "effective_date": today}, headers=tenant.admin
        )
        assert (done.json()["status"], done.json()["coverage_end"]) == ("TERMINATED", today)
        child_now = (await core.get(f"/v1/enrollees/{child['id']}", headers=tenant.admin)).json()
        assert child_now["status"] == "TERMINATED"
        again = await core.post(url, json={"status": "ACTIVE"}, headers=tenant.admin)
        assert again.status_code == 409

    @pytest.mark.parametrize("days", [1, -4000])
    async def test_effective_date_bounds(self, core: httpx.AsyncClient, days: int) -> None:
        tenant, _, _, principal = await family_setup(core)
        when = (date.today() + timedelta(days=days)).isoformat()
        response = await core.post(
            f"/v1/enrollees/{principal['id']}/status",
            json={"status": "SUSPENDED", "effective_date": when},
            headers=tenant.admin,
        )
        assert response.status_code == 422


class TestReading:
    async def test_card(self, core: httpx.AsyncClient) -> None:
        tenant, plan, client, principal = await family_setup(core)
        card = await core.get(f"/v1/enrollees/{principal['member_id']}/card", headers=tenant.admin)
        assert card.status_code == 200
        body = card.json()
        assert body["member_id"] == principal["member_id"]
        assert (body["plan"], body["client"], body["status"]) == (
            plan["name"],
            client["name"],
            "ACTIVE",
        )
        assert body["name"] == "Ngozi Okafor"
        assert body["hmo_email"] == tenant.admin_email

    async def test_get_by_member_id_lists_dependants(self, core: httpx.AsyncClient) -> None:
        tenant, _, _, principal = await family_setup(core)
        await add_dependant(core, tenant, principal["id"], "SPOUSE")
        detail = (
            await core.get(f"/v1/enrollees/{principal['member_id'].lower()}", headers=tenant.admin)
        ).json()
        assert detail["id"] == principal["id"]
        assert [d["member_id"][-1] for d in detail["dependants"]] == ["S"]

    async def test_search_and_paginate(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        plan, client = await make_plan(core, tenant), await make_client(core, tenant)
        for name in ("Adebayo", "Adeyemi", "Bello", "Chukwu"):
            await make_principal(core, tenant, client, plan, last_name=name)
        found = (await core.get("/v1/enrollees?q=ade", headers=tenant.admin)).json()
        assert sorted(e["last_name"] for e in found["items"]) == ["Adebayo", "Adeyemi"]
        first = (await core.get("/v1/enrollees?limit=3", headers=tenant.admin)).json()
        rest = (
            await core.get(
                f"/v1/enrollees?limit=3&cursor={first['next_cursor']}", headers=tenant.admin
            )
        ).json()
        assert len(first["items"]) + len(rest["items"]) == 4
        assert rest["next_cursor"] is None

    async def test_update_with_version(self, core: httpx.AsyncClient) -> None:
        tenant, _, _, principal = await family_setup(core)
        url = f"/v1/enrollees/{principal['id']}"
        ok = await core.patch(
            url, json={"version": 1, "phone": "+234 803 000 0000"}, headers=tenant.admin
        )
        assert ok.status_code == 200
        stale = await core.patch(
            url, json={"version": 1, "phone": "+234 803 000 0001"}, headers=tenant.admin
        )
        assert stale.status_code == 409

    @pytest.mark.parametrize(
        "override",
        [
            {"sex": "X"},
            {"date_of_birth": "1990-13-40"},
            {"first_name": ""},
            {"client_id": "00000000-0000-0000-0000-000000000000"},
            {"plan_id": "00000000-0000-0000-0000-000000000000"},
            {"primary_provider_id": "00000000-0000-0000-0000-000000000000"},
            {"email": "nope"},
        ],
    )
    async def test_bad_enrolment_is_422(self, core: httpx.AsyncClient, override: dict) -> None:  # type: ignore[type-arg]
        tenant = await make_tenant(core)
        plan, client = await make_plan(core, tenant), await make_client(core, tenant)
        body = {
            "client_id": client["id"],
            "plan_id": plan["id"],
            "first_name": "A",
            "last_name": "B",
            "date_of_birth": "1990-01-01",
            "sex": "M",
            **override,
        }
        response = await core.post("/v1/enrollees", json=body, headers=tenant.admin)
        assert response.status_code == 422, response.text


class TestClientCoveredSince:
    """No enrollee is covered before their client's scheme with the HMO began."""

    async def test_a_client_is_covered_from_today_unless_told(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        made = await core.post(
            "/v1/clients", json={"code": "NEWCO", "name": "NewCo"}, headers=tenant.admin
        )
        assert made.status_code == 201, made.text
        assert made.json()["covered_since"] == date.today().isoformat()
        older = await make_client(core, tenant, "OLDCO", covered_since="2019-07-01")
        read = await core.get(f"/v1/clients/{older['id']}", headers=tenant.admin)
        assert read.json()["covered_since"] == "2019-07-01"
        listed = (await core.get("/v1/clients", headers=tenant.admin)).json()["items"]
        assert {c["code"]: c["covered_since"] for c in listed} == {
            "NEWCO": date.today().isoformat(),
            "OLDCO": "2019-07-01",
        }

    @pytest.mark.parametrize("day", ["1899-12-31", "3000-01-01", "2024-02-30", "soon"])
    async def test_covered_since_is_a_bounded_day(self, core: httpx.AsyncClient, day: str) -> None:
        tenant = await make_tenant(core)
        response = await core.post(
            "/v1/clients",
            json={"code": "NEWCO", "name": "NewCo", "covered_since": day},
            headers=tenant.admin,
        )
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == ["covered_since"]

    async def test_principal_coverage_before_the_client_is_refused(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        client = await make_client(core, tenant, covered_since="2025-03-01")
        body = {
            "client_id": client["id"],
            "plan_id": plan["id"],
            "first_name": "Ngozi",
            "last_name": "Okafor",
            "date_of_birth": "1985-04-12",
            "sex": "F",
            "coverage_start": "2025-02-28",
        }
        refused = await core.post("/v1/enrollees", json=body, headers=tenant.admin)
        assert refused.status_code == 422, refused.text
        (error,) = refused.json()["errors"]
        assert error["field"] == "coverage_start"
        assert "2025-03-01" in error["message"]
        assert "ACME" in error["message"]
        on_the_day = await make_principal(core, tenant, client, plan, coverage_start="2025-03-01")
        assert on_the_day["coverage_start"] == "2025-03-01"
        # The refusal used no member number.
        assert on_the_day["member_id"].endswith("-00001-P")

    async def test_a_client_starting_later_covers_its_enrollees_from_then(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        later = (date.today() + timedelta(days=20)).isoformat()
        client = await make_client(core, tenant, covered_since=later)
        principal = await make_principal(core, tenant, client, plan)
        assert principal["coverage_start"] == later
        child = await add_dependant(core, tenant, principal["id"], "CHILD")
        assert child.status_code == 201, child.text
        assert child.json()["coverage_start"] == later
        today = await core.post(
            "/v1/enrollees",
            json={
                "client_id": client["id"],
                "plan_id": plan["id"],
                "first_name": "Tunde",
                "last_name": "Bello",
                "date_of_birth": "1980-01-01",
                "sex": "M",
                "coverage_start": date.today().isoformat(),
            },
            headers=tenant.admin,
        )
        assert today.status_code == 422, today.text
        assert today.json()["errors"][0]["field"] == "coverage_start"

    async def test_a_dependant_starts_no_earlier_than_today(self, core: httpx.AsyncClient) -> None:
        tenant, _, _, principal = await family_setup(core)
        child = await add_dependant(core, tenant, principal["id"], "CHILD")
        assert child.json()["coverage_start"] == date.today().isoformat()
