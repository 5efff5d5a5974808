"""Client change requests: raised in the client portal, decided by the HMO."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.db import superuser
from tests.factories import (
    PASSWORD,
    TenantCtx,
    login,
    make_client,
    make_client_user,
    make_plan,
    make_principal,
    make_staff,
    make_tenant,
    session_headers,
)

CHILD = {
    "relationship": "CHILD",
    "first_name": "Chidi",
    "last_name": "Okafor",
    "date_of_birth": "2018-02-03",
    "sex": "M",
}


@dataclass
class Portal:
    tenant: TenantCtx
    client: dict[str, Any]
    principal: dict[str, Any]
    user: dict[str, str]  # the client user's session headers

    async def raise_(self, core: httpx.AsyncClient, kind: str, **body: Any) -> httpx.Response:
        return await core.post(
            "/v1/change-requests",
            json={"kind": kind, "enrollee_id": self.principal["id"], **body},
            headers=self.user,
        )

    async def add_child(self, core: httpx.AsyncClient) -> dict[str, Any]:
        response = await self.raise_(core, "ADD_DEPENDANT", payload=CHILD)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def decide(
        self, core: httpx.AsyncClient, request_id: str, action: str, **body: Any
    ) -> httpx.Response:
        return await core.post(
            f"/v1/change-requests/{request_id}/{action}",
            json=body or None,
            headers=self.tenant.admin,
        )


async def portal(core: httpx.AsyncClient, **plan_rules: Any) -> Portal:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant, **plan_rules)
    client = await make_client(core, tenant)
    principal = await make_principal(core, tenant, client, plan)
    _, user = await make_client_user(core, tenant, client)
    return Portal(tenant, client, principal, user)


async def enrollee(core: httpx.AsyncClient, p: Portal, enrollee_id: str) -> dict[str, Any]:
    response = await core.get(f"/v1/enrollees/{enrollee_id}", headers=p.tenant.admin)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def notification_types(core: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    items = (await core.get("/v1/notifications", headers=headers)).json()["items"]
    return [n["type"] for n in items]


class TestRaising:
    async def test_add_dependant_becomes_pending_and_tells_the_hmo(
        self, core: httpx.AsyncClient
    ) -> None:
        p = await portal(core)
        request = await p.add_child(core)
        assert request["status"] == "PENDING"
        assert request["client_id"] == p.client["id"]
        assert request["payload"]["first_name"] == "Chidi"
        assert "change_request.created" in await notification_types(core, p.tenant.admin)
        async with superuser() as conn:
            subjects = (
                await conn.execute(
                    text(
                        "select subject from email_outbox where tenant_id = :t and to_address = :a"
                    ),
                    {"t": p.tenant.id, "a": p.tenant.admin_email},
                )
            ).scalars()
            assert any("add a dependant" in s for s in subjects)

    async def test_nothing_changes_until_approved(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        await p.add_child(core)
        assert (await enrollee(core, p, p.principal["id"]))["dependants"] == []

    @pytest.mark.parametrize(
        ("kind", "payload", "field"),
        [
            ("ADD_DEPENDANT", {**CHILD, "relationship": "PRINCIPAL"}, "relationship"),
            ("ADD_DEPENDANT", {**CHILD, "date_of_birth": "yesterday"}, "date_of_birth"),
            ("EDIT_ENROLLEE", {"plan_id": "0192f1c4-0000-7000-8000-000000000000"}, "plan_id"),
            ("EDIT_ENROLLEE", {"status": "TERMINATED"}, "status"),
            ("EDIT_ENROLLEE", {}, "payload"),
            ("EDIT_ENROLLEE", {"email": "not-an-email"}, "email"),
        ],
    )
    async def test_payload_is_validated_when_raised(
        self, core: httpx.AsyncClient, kind: str, payload: dict[str, Any], field: str
    ) -> None:
        p = await portal(core)
        response = await p.raise_(core, kind, payload=payload)
        assert response.status_code == 422, response.text
        assert any(field in e["field"] for e in response.json()["errors"]), response.text

    async def test_a_second_spouse_is_refused_when_raised(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        spouse = CHILD | {
            "relationship": "SPOUSE",
            "first_name": "Ada",
            "date_of_birth": "1990-05-06",
        }
        first = await p.raise_(core, "ADD_DEPENDANT", payload=spouse)
        assert first.status_code == 201, first.text
        assert (await p.decide(core, first.json()["id"], "approve")).status_code == 200
        second = await p.raise_(core, "ADD_DEPENDANT", payload=spouse | {"first_name": "Bisi"})
        assert second.status_code == 409, second.text
        assert second.json()["type"].endswith("/dependant-limit")
        listed = await core.get("/v1/change-requests", headers=p.tenant.admin)
        assert [r["id"] for r in listed.json()["items"]] == [first.json()["id"]]

    async def test_the_dependant_limit_is_checked_when_raised(
        self, core: httpx.AsyncClient
    ) -> None:
        p = await portal(core, max_dependants=1, max_children=1)
        request = await p.add_child(core)
        assert (await p.decide(core, request["id"], "approve")).status_code == 200
        over = await p.raise_(core, "ADD_DEPENDANT", payload=CHILD | {"first_name": "Ebuka"})
        assert over.status_code == 409, over.text
        assert over.json()["type"].endswith("/dependant-limit")

    async def test_an_unknown_primary_provider_is_refused_when_raised(
        self, core: httpx.AsyncClient
    ) -> None:
        p = await portal(core)
        response = await p.raise_(
            core,
            "EDIT_ENROLLEE",
            payload={"primary_provider_id": "00000000-0000-7000-8000-000000000000"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "primary_provider_id"

    async def test_targets_are_checked(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        principal_delete = await p.raise_(core, "DELETE_DEPENDANT")
        assert principal_delete.status_code == 422
        request = await p.add_child(core)
        await p.decide(core, request["id"], "approve")
        child = (await enrollee(core, p, p.principal["id"]))["dependants"][0]
        under_child = await core.post(
            "/v1/change-requests",
            json={"kind": "ADD_DEPENDANT", "enrollee_id": child["id"], "payload": CHILD},
            headers=p.user,
        )
        assert under_child.status_code == 422

    async def test_another_clients_enrollee_is_404(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        globex = await make_client(core, p.tenant, "GLOBEX")
        plan_id = p.principal["plan_id"]
        stranger = await make_principal(core, p.tenant, globex, {"id": plan_id})
        response = await core.post(
            "/v1/change-requests",
            json={"kind": "EDIT_ENROLLEE", "enrollee_id": stranger["id"], "payload": {"sex": "M"}},
            headers=p.user,
        )
        assert response.status_code == 404

    async def test_only_client_users_raise_requests(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        response = await core.post(
            "/v1/change-requests",
            json={"kind": "EDIT_ENROLLEE", "enrollee_id": p.principal["id"], "payload": {}},
            headers=p.tenant.admin,
        )
        assert response.status_code == 403


class TestReading:
    async def test_clients_see_only_their_own_and_staff_see_all(
        self, core: httpx.AsyncClient
    ) -> None:
        p = await portal(core)
        mine = await p.add_child(core)
        globex = await make_client(core, p.tenant, "GLOBEX")
        stranger = await make_principal(core, p.tenant, globex, {"id": p.principal["plan_id"]})
        _, globex_user = await make_client_user(core, p.tenant, globex)
        theirs = await core.post(
            "/v1/change-requests",
            json={"kind": "EDIT_ENROLLEE", "enrollee_id": stranger["id"], "payload": {"sex": "M"}},
            headers=globex_user,
        )
        assert theirs.status_code == 201

        listed = (await core.get("/v1/change-requests", headers=p.user)).json()["items"]
        assert [r["id"] for r in listed] == [mine["id"]]
        other = await core.get(f"/v1/change-requests/{theirs.json()['id']}", headers=p.user)
        assert other.status_code == 404
        everything = (await core.get("/v1/change-requests", headers=p.tenant.admin)).json()
        assert {r["id"] for r in everything["items"]} == {mine["id"], theirs.json()["id"]}

    async def test_filter_by_status_and_keyset_pages(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        created = [await p.add_child(core) for _ in range(3)]
        await p.decide(core, created[0]["id"], "decline", reason="duplicate")
        pending = await core.get("/v1/change-requests?status=PENDING", headers=p.user)
        assert {r["id"] for r in pending.json()["items"]} == {c["id"] for c in created[1:]}

        seen, cursor = [], None
        while True:
            query = "/v1/change-requests?limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = (await core.get(query, headers=p.user)).json()
            seen += [r["id"] for r in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [c["id"] for c in reversed(created)]

    async def test_enrollee_users_cannot_read_requests(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        created = await core.post(
            f"/v1/enrollees/{p.principal['id']}/account",
            json={"email": "ngozi@example.com", "password": PASSWORD},
            headers=p.tenant.admin,
        )
        assert created.status_code == 201, created.text
        headers = session_headers(await login(core, p.tenant.slug, "ngozi@example.com"))
        assert (await core.get("/v1/change-requests", headers=headers)).status_code == 403


class TestApproving:
    async def test_add_dependant_is_applied_and_the_client_told(
        self, core: httpx.AsyncClient
    ) -> None:
        p = await portal(core)
        request = await p.add_child(core)
        response = await p.decide(core, request["id"], "approve")
        assert response.status_code == 200, response.text
        decided = response.json()
        assert decided["status"] == "APPROVED"
        assert decided["decided_at"] is not None
        dependants = (await enrollee(core, p, p.principal["id"]))["dependants"]
        assert [d["id"] for d in dependants] == [decided["result_enrollee_id"]]
        assert dependants[0]["member_id"].endswith("-C1")
        assert "change_request.approved" in await notification_types(core, p.user)

    async def test_edit_changes_only_the_requested_details(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        response = await p.raise_(
            core, "EDIT_ENROLLEE", payload={"phone": "+234 800 000 0000", "last_name": "Eze"}
        )
        await p.decide(core, response.json()["id"], "approve")
        updated = await enrollee(core, p, p.principal["id"])
        assert (updated["phone"], updated["last_name"]) == ("+234 800 000 0000", "Eze")
        assert updated["first_name"] == p.principal["first_name"]

    async def test_delete_dependant_terminates_and_keeps_the_member_id(
        self, core: httpx.AsyncClient
    ) -> None:
        p = await portal(core)
        added = await p.decide(core, (await p.add_child(core))["id"], "approve")
        child_id = added.json()["result_enrollee_id"]
        removal = await core.post(
            "/v1/change-requests",
            json={"kind": "DELETE_DEPENDANT", "enrollee_id": child_id, "payload": {"reason": "x"}},
            headers=p.user,
        )
        assert removal.status_code == 201, removal.text
        assert (await p.decide(core, removal.json()["id"], "approve")).status_code == 200
        child = await enrollee(core, p, child_id)
        assert child["status"] == "TERMINATED"
        assert child["coverage_end"] is not None
        again = await p.add_child(core)
        readded = await p.decide(core, again["id"], "approve")
        assert (await enrollee(core, p, readded.json()["result_enrollee_id"]))[
            "member_id"
        ].endswith("-C2")

    async def test_concurrent_double_approve_applies_once(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        request = await p.add_child(core)
        answers = await asyncio.gather(
            *(p.decide(core, request["id"], "approve") for _ in range(2))
        )
        assert sorted(a.status_code for a in answers) == [200, 409]
        assert len((await enrollee(core, p, p.principal["id"]))["dependants"]) == 1

    async def test_approve_after_decline_is_409(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        request = await p.add_child(core)
        declined = await p.decide(core, request["id"], "decline", reason="Not an employee")
        assert declined.status_code == 200
        assert declined.json()["decision_reason"] == "Not an employee"
        late = await p.decide(core, request["id"], "approve")
        assert late.status_code == 409
        assert late.json()["type"].endswith("/change-request-decided")
        assert (await enrollee(core, p, p.principal["id"]))["dependants"] == []
        assert "change_request.declined" in await notification_types(core, p.user)

    async def test_a_refused_change_leaves_the_request_pending(
        self, core: httpx.AsyncClient
    ) -> None:
        p = await portal(core, max_dependants=1, max_children=1)
        first, second = await p.add_child(core), await p.add_child(core)
        assert (await p.decide(core, first["id"], "approve")).status_code == 200
        refused = await p.decide(core, second["id"], "approve")
        assert refused.status_code == 409
        assert refused.json()["type"].endswith("/dependant-limit")
        still = await core.get(f"/v1/change-requests/{second['id']}", headers=p.tenant.admin)
        assert still.json()["status"] == "PENDING"
        assert still.json()["decided_by"] is None

    async def test_deciding_needs_the_permission(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        request = await p.add_child(core)
        _, finance = await make_staff(core, p.tenant, "Finance")
        refused = await core.post(f"/v1/change-requests/{request['id']}/approve", headers=finance)
        assert refused.status_code == 403
        by_client = await core.post(f"/v1/change-requests/{request['id']}/approve", headers=p.user)
        assert by_client.status_code == 403

    async def test_decisions_are_audited(self, core: httpx.AsyncClient) -> None:
        p = await portal(core)
        await p.decide(core, (await p.add_child(core))["id"], "approve")
        events = (await core.get("/v1/audit-events", headers=p.tenant.admin)).json()["items"]
        actions = {e["action"] for e in events}
        assert {"change_request.created", "change_request.approved", "enrollee.created"} <= actions
