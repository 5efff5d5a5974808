"""Plans: benefits, exclusions, versioning, and deletion only when unused."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import STANDARD_BENEFITS, make_client, make_plan, make_principal, make_tenant


async def test_create_and_read_a_plan(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant)
    assert plan["version_no"] == 1
    assert plan["currency"] == "NGN"
    outpatient = next(b for b in plan["benefits"] if b["category"] == "outpatient")
    assert (outpatient["limit_amount"], outpatient["copay_percent"]) == (5_000_000, 10)
    assert plan["exclusions"][0]["code"] == "COS-001"
    fetched = (await core.get(f"/v1/plans/{plan['id']}", headers=tenant.admin)).json()
    assert fetched == plan


async def test_rule_change_creates_a_version_and_keeps_the_old(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant)
    richer = [{**b, "limit_amount": b["limit_amount"] * 2} for b in STANDARD_BENEFITS]
    response = await core.patch(
        f"/v1/plans/{plan['id']}",
        json={"version": plan["version"], "benefits": richer},
        headers=tenant.admin,
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["version_no"] == 2
    assert updated["exclusions"] == plan["exclusions"]
    old = (await core.get(f"/v1/plans/{plan['id']}?version_no=1", headers=tenant.admin)).json()
    assert old["benefits"] == plan["benefits"]


async def test_rename_does_not_version(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant)
    updated = (
        await core.patch(
            f"/v1/plans/{plan['id']}",
            json={"version": plan["version"], "name": "Gold Plus"},
            headers=tenant.admin,
        )
    ).json()
    assert (updated["name"], updated["version_no"]) == ("Gold Plus", 1)


async def test_stale_plan_edit_is_409(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant)
    url = f"/v1/plans/{plan['id']}"
    assert (
        await core.patch(url, json={"version": 1, "name": "A"}, headers=tenant.admin)
    ).status_code == 200
    assert (
        await core.patch(url, json={"version": 1, "name": "B"}, headers=tenant.admin)
    ).status_code == 409


@pytest.mark.parametrize(
    "benefit",
    [
        {"category": "teleportation", "limit_amount": 1},
        {"category": "dental", "limit_amount": -1},
        {"category": "dental", "limit_amount": 1.5},
        {"category": "dental", "limit_amount": 100, "copay_percent": 101},
        {"category": "dental", "limit_amount": 100, "period": "FORTNIGHT"},
    ],
)
async def test_bad_benefit_is_422(core: httpx.AsyncClient, benefit: dict[str, object]) -> None:
    tenant = await make_tenant(core)
    response = await core.post(
        "/v1/plans", json={"code": "X1", "name": "X", "benefits": [benefit]}, headers=tenant.admin
    )
    assert response.status_code == 422


async def test_duplicate_category_is_422(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    dental = {"category": "dental", "limit_amount": 100}
    response = await core.post(
        "/v1/plans",
        json={"code": "X1", "name": "X", "benefits": [dental, dental]},
        headers=tenant.admin,
    )
    assert response.status_code == 422


async def test_duplicate_code_is_409(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant)
    response = await core.post(
        "/v1/plans", json={"code": plan["code"], "name": "X"}, headers=tenant.admin
    )
    assert response.status_code == 409


async def test_unused_plan_can_be_deleted(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant)
    assert (await core.delete(f"/v1/plans/{plan['id']}", headers=tenant.admin)).status_code == 204
    assert (await core.get(f"/v1/plans/{plan['id']}", headers=tenant.admin)).status_code == 404


async def test_plan_in_use_cannot_be_deleted(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant)
    await make_principal(core, tenant, await make_client(core, tenant), plan)
    response = await core.delete(f"/v1/plans/{plan['id']}", headers=tenant.admin)
    assert response.status_code == 409
    assert response.json()["type"].endswith("plan-in-use")


async def test_inactive_plan_takes_no_new_enrollees(core: httpx.AsyncClient) -> None:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant)
    await core.patch(
        f"/v1/plans/{plan['id']}", json={"version": 1, "is_active": False}, headers=tenant.admin
    )
    client = await make_client(core, tenant)
    response = await core.post(
        "/v1/enrollees",
        headers=tenant.admin,
        json={
            "client_id": client["id"],
            "plan_id": plan["id"],
            "first_name": "A",
            "last_name": "B",
            "date_of_birth": "1990-01-01",
            "sex": "M",
        },
    )
    assert response.status_code == 422
