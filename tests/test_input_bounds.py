"""Every input reaching SQL is bounded at its root (kit/fields.py): integers to their
column, text without NUL, months and days to 1900 to 2999, amounts to 10^12 a line and 10^13
a claim, dates of birth to 1900 to today. Out of range is a 4xx problem by field, never a 500."""

from __future__ import annotations

import typing
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from core_api.kit.fields import MAX_AMOUNT, MAX_TOTAL, Input
from core_api.main import create_app
from tests.claims_world import claim_body, item, new_claim, world
from tests.factories import (
    PLATFORM,
    make_client,
    make_client_user,
    make_plan,
    make_principal,
    make_tenant,
)
from tests.routes import api_routes
from tests.test_problems import assert_problem

INT32_BEYOND = 2**31
INT64_BEYOND = 2**63


def fields(problem: dict[str, Any]) -> list[str]:
    return [e["field"] for e in problem["errors"]]


def request_bodies() -> set[type[BaseModel]]:
    """Every model a route reads from a body, with the models nested in them."""
    found: set[type[BaseModel]] = set()

    def walk(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.add(annotation)
                for field in annotation.model_fields.values():
                    walk(field.annotation)
            return
        for argument in typing.get_args(annotation):
            walk(argument)

    def visit(dependant: Any) -> None:
        for param in dependant.body_params:
            walk(param.field_info.annotation)
        for sub in dependant.dependencies:
            visit(sub)

    for route in api_routes(create_app()):
        if route.dependant is not None:
            visit(route.dependant)
    return found


def test_every_request_body_refuses_nul() -> None:
    bodies = request_bodies()
    assert len(bodies) > 40
    assert sorted(m.__name__ for m in bodies if not issubclass(m, Input)) == []


class TestVersionsAndCounters:
    @pytest.mark.parametrize("version", [INT64_BEYOND, 2**70, -1, 0])
    async def test_a_version_out_of_range_is_422(
        self, core: httpx.AsyncClient, version: int
    ) -> None:
        w = await world(core)
        claim = await new_claim(core, w)
        moved = await core.post(
            f"/v1/claims/{claim['id']}/transitions",
            json={"to": "IN_REVIEW", "version": version},
            headers=w.hmo.admin,
        )
        assert fields(assert_problem(moved, 422)) == ["version"]
        patched = await core.patch(
            f"/v1/plans/{w.plan['id']}", json={"version": version}, headers=w.hmo.admin
        )
        assert fields(assert_problem(patched, 422)) == ["version"]
        resolved = await core.post(
            f"/v1/disputes/{uuid.uuid4()}/resolve",
            json={"outcome": "ACCEPTED", "adjustment": 100, "version": version},
            headers=w.hmo.admin,
        )
        assert fields(assert_problem(resolved, 422)) == ["version"]

    async def test_a_plan_version_no_beyond_int32_is_422(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        url = f"/v1/plans/{plan['id']}"
        for bad in (INT32_BEYOND, 0):
            response = await core.get(url, params={"version_no": bad}, headers=tenant.admin)
            assert fields(assert_problem(response, 422)) == ["version_no"]
        far = await core.get(url, params={"version_no": INT32_BEYOND - 1}, headers=tenant.admin)
        assert_problem(far, 404)

    @pytest.mark.parametrize(
        ("params", "headers", "field"),
        [
            ({"after": INT64_BEYOND}, {}, "after"),
            ({"after": -1}, {}, "after"),
            ({}, {"last-event-id": str(INT64_BEYOND)}, "last-event-id"),
            ({}, {"last-event-id": "abc"}, "last-event-id"),
            ({}, {"last-event-id": "-5"}, "last-event-id"),
        ],
        ids=["after-beyond-int64", "after-negative", "id-beyond-int64", "id-text", "id-negative"],
    )
    async def test_a_bad_event_id_is_refused_before_the_stream_starts(
        self, core: httpx.AsyncClient, params: dict[str, Any], headers: dict[str, str], field: str
    ) -> None:
        tenant = await make_tenant(core)
        response = await core.get(
            "/v1/notifications/stream", params=params, headers={**tenant.admin, **headers}
        )
        assert fields(assert_problem(response, 422)) == [field]


class TestNul:
    async def test_nul_in_a_risk_event_note_is_422_by_field(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.post(
            f"/v1/risk-events/{uuid.uuid4()}/clear",
            json={"note": "false\x00 positive"},
            headers=tenant.admin,
        )
        assert fields(assert_problem(response, 422)) == ["note"]

    async def test_nul_in_a_change_request_is_422_by_field(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        client = await make_client(core, tenant)
        principal = await make_principal(core, tenant, client, plan)
        _, user = await make_client_user(core, tenant, client)
        edit = {
            "kind": "EDIT_ENROLLEE",
            "enrollee_id": principal["id"],
            "payload": {"first_name": "Ada\x00"},
        }
        response = await core.post("/v1/change-requests", json=edit, headers=user)
        assert fields(assert_problem(response, 422)) == ["EDIT_ENROLLEE.payload.first_name"]
        removal = {
            "kind": "DELETE_DEPENDANT",
            "enrollee_id": principal["id"],
            "payload": {"reason": "moved\x00away"},
        }
        response = await core.post("/v1/change-requests", json=removal, headers=user)
        assert fields(assert_problem(response, 422)) == ["DELETE_DEPENDANT.payload.reason"]
        declined = await core.post(
            f"/v1/change-requests/{uuid.uuid4()}/decline",
            json={"reason": "no\x00"},
            headers=tenant.admin,
        )
        assert fields(assert_problem(declined, 422)) == ["reason"]

    async def test_nul_in_a_free_form_json_value_is_422(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        settings = (await core.get("/v1/settings", headers=tenant.admin)).json()
        response = await core.patch(
            "/v1/settings",
            json={"version": settings["version"], "risk_thresholds": {"k\x00": 1}},
            headers=tenant.admin,
        )
        assert fields(assert_problem(response, 422)) == ["risk_thresholds"]

    @pytest.mark.parametrize("format", ["json", "csv"])
    async def test_nul_in_a_query_parameter_is_422_naming_it(
        self, core: httpx.AsyncClient, format: str
    ) -> None:
        """The CSV export used to fail in the database after its answer had started."""
        tenant = await make_tenant(core)
        response = await core.get(
            "/v1/audit-events",
            params={"format": format, "object_id": "a\x00b"},
            headers=tenant.admin,
        )
        assert fields(assert_problem(response, 422)) == ["object_id"]

    async def test_nul_in_the_path_is_422(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.get("/v1/enrollees/DEMO%00-1/card", headers=tenant.admin)
        assert fields(assert_problem(response, 422)) == ["path"]

    async def test_an_escaped_percent_zero_zero_is_plain_text(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        response = await core.get(
            "/v1/audit-events", params={"object_id": "%00"}, headers=tenant.admin
        )
        assert response.status_code == 200, response.text


class TestMonthsAndDays:
    @pytest.mark.parametrize("month", ["0000-01", "1899-12", "3000-01", "2024-13", "2024-00", "x"])
    async def test_a_month_out_of_range_is_422(self, core: httpx.AsyncClient, month: str) -> None:
        tenant = await make_tenant(core)
        for path, name in (
            ("/v1/piles", "month"),
            ("/v1/billing/invoices", "month"),
            ("/v1/billing/invoices", "from"),
            ("/v1/billing/invoices", "to"),
            ("/v1/billing/fees", "month"),
        ):
            response = await core.get(path, params={name: month}, headers=tenant.admin)
            assert fields(assert_problem(response, 422)) == [name], path
        run = await core.post("/v1/capitation-runs", json={"month": month}, headers=tenant.admin)
        assert fields(assert_problem(run, 422)) == ["month"]

    async def test_a_good_month_filters(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        for month in ("2024-03", "2024-03-01"):
            piles = await core.get("/v1/piles", params={"month": month}, headers=tenant.admin)
            assert piles.status_code == 200, piles.text

    @pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
    async def test_a_day_filter_out_of_range_is_422(
        self, core: httpx.AsyncClient, day: str
    ) -> None:
        tenant = await make_tenant(core)
        for path in ("/v1/claims", "/v1/authorizations", "/v1/risk-events", "/v1/billing/fees"):
            for name in ("from", "to"):
                response = await core.get(path, params={name: day}, headers=tenant.admin)
                assert fields(assert_problem(response, 422)) == [name], path
        run = {"period_from": "2024-01-01", "period_to": day}
        response = await core.post("/v1/settlement-runs", json=run, headers=tenant.admin)
        assert fields(assert_problem(response, 422)) == ["period_to"]


class TestMoney:
    async def test_amounts_above_the_line_bound_are_422(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        too_much = MAX_AMOUNT + 1
        cases = [
            ([item("X", too_much)], "items.0.unit_price"),
            ([item("X", 10**9, 1001)], "items.0.unit_price"),  # quantity * price above 10^12
            ([item("X", 100, 10_001)], "items.0.quantity"),
            ([item("X", 10**12, 1)] * 11, "items"),  # the claim's total above 10^13
        ]
        for items, field in cases:
            response = await core.post(
                "/v1/claims", json=claim_body(w, items=items), headers=w.provider.user
            )
            assert fields(assert_problem(response, 422)) == [field]
        limit = {"version": w.plan["version"], "capitation_rate": too_much}
        patched = await core.patch(f"/v1/plans/{w.plan['id']}", json=limit, headers=w.hmo.admin)
        assert fields(assert_problem(patched, 422)) == ["capitation_rate"]
        benefit = {"category": "outpatient", "limit_amount": too_much}
        created = await make_plan_response(core, w.hmo.admin, benefits=[benefit])
        assert fields(assert_problem(created, 422)) == ["benefits.0.limit_amount"]

    async def test_the_largest_claim_is_taken(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        items = [item(f"X{n}", 10**12) for n in range(10)]  # 10^13 exactly
        response = await core.post(
            "/v1/claims", json=claim_body(w, items=items), headers=w.provider.user
        )
        assert response.status_code == 201, response.text
        assert response.json()["total_billed"] == 10**13

    def test_the_spec_states_every_amount_bound(self) -> None:
        schemas = create_app().openapi()["components"]["schemas"]
        bounded = {
            ("ItemCreate", "unit_price"),
            ("LineDecision", "approved_amount"),
            ("AuthorizationCreate", "estimated_amount"),
            ("Decision", "approved_amount"),
            ("RuleCreate", "max_amount"),
            ("Benefit", "limit_amount"),
            ("PlanCreate", "capitation_rate"),
            ("DisputeCreate", "amount_claimed"),
            ("Resolution", "adjustment"),
            ("TierIn", "fee_amount"),
        }
        for model, name in bounded:
            prop = schemas[model]["properties"][name]
            options = prop.get("anyOf", [prop])
            assert any(o.get("maximum") == MAX_AMOUNT for o in options), (model, name)
            assert "10^12" in prop.get("description", ""), (model, name)
        assert "10^13" in schemas["ClaimCreate"]["properties"]["items"]["description"]

    def test_a_payment_is_bounded_as_a_total(self) -> None:
        """A payment proof's form amount is a total (a remittance sums many claims): the one
        shared bound of totals, 10^13, said in the spec."""
        spec = create_app().openapi()
        post = spec["paths"]["/v1/remittances/{remittance_id}/payment-proofs"]["post"]
        ref = post["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
        prop = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]["amount"]
        options = prop.get("anyOf", [prop])
        assert any(o.get("maximum") == MAX_TOTAL == 10**13 for o in options), prop
        assert "10^13" in str(prop)


async def make_plan_response(
    core: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> httpx.Response:
    body = {"code": f"P{uuid.uuid4().hex[:6].upper()}", "name": "Plan", **overrides}
    return await core.post("/v1/plans", json=body, headers=headers)


class TestDatesOfBirth:
    @pytest.mark.parametrize(
        "born", ["1899-12-31", "0001-01-01", (date.today() + timedelta(days=1)).isoformat()]
    )
    async def test_a_birth_date_out_of_range_is_422(
        self, core: httpx.AsyncClient, born: str
    ) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        client = await make_client(core, tenant)
        person = {
            "client_id": client["id"],
            "plan_id": plan["id"],
            "first_name": "Ada",
            "last_name": "Obi",
            "date_of_birth": born,
            "sex": "F",
        }
        created = await core.post("/v1/enrollees", json=person, headers=tenant.admin)
        assert fields(assert_problem(created, 422)) == ["date_of_birth"]
        principal = await make_principal(core, tenant, client, plan)
        child = {"first_name": "Ije", "last_name": "Obi", "date_of_birth": born, "sex": "F"}
        added = await core.post(
            f"/v1/enrollees/{principal['id']}/dependants",
            json={**child, "relationship": "CHILD"},
            headers=tenant.admin,
        )
        assert fields(assert_problem(added, 422)) == ["date_of_birth"]
        patched = await core.patch(
            f"/v1/enrollees/{principal['id']}",
            json={"version": principal["version"], "date_of_birth": born},
            headers=tenant.admin,
        )
        assert fields(assert_problem(patched, 422)) == ["date_of_birth"]
        csv = (
            "relationship,first_name,last_name,date_of_birth,sex,client_code,plan_code\n"
            f"PRINCIPAL,Ada,Obi,{born},F,{client['code']},{plan['code']}\n"
        )
        imported = await core.post(
            "/v1/enrollees/import",
            content=csv.encode(),
            headers={**tenant.admin, "content-type": "text/csv"},
        )
        problem = assert_problem(imported, 422)
        assert [(e["row"], e["field"]) for e in problem["errors"]] == [(1, "date_of_birth")]


class TestPartialUpdates:
    """`null` empties only a field that may be empty; elsewhere it is a 422 on that field
    (a null plan reached the database as a NULL primary key: a 500)."""

    @pytest.mark.parametrize("field", ["plan_id", "first_name", "date_of_birth", "sex"])
    async def test_null_on_a_field_that_cannot_be_empty_is_422(
        self, core: httpx.AsyncClient, field: str
    ) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        principal = await make_principal(core, tenant, await make_client(core, tenant), plan)
        patched = await core.patch(
            f"/v1/enrollees/{principal['id']}",
            json={"version": principal["version"], field: None},
            headers=tenant.admin,
        )
        assert fields(assert_problem(patched, 422)) == [field]
        renamed = await core.patch(
            f"/v1/plans/{plan['id']}", json={"version": 1, "name": None}, headers=tenant.admin
        )
        assert fields(assert_problem(renamed, 422)) == ["name"]

    async def test_null_empties_a_field_that_may_be_empty(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        client = await make_client(core, tenant)
        principal = await make_principal(core, tenant, client, plan, phone="+234 800 000 0000")
        patched = await core.patch(
            f"/v1/enrollees/{principal['id']}",
            json={"version": principal["version"], "phone": None},
            headers=tenant.admin,
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["phone"] is None


class TestErrorShape:
    async def test_malformed_json_names_the_body(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.post(
            "/v1/clients",
            content=b'{"code": "AC", "name": ',
            headers={**tenant.admin, "content-type": "application/json"},
        )
        problem = assert_problem(response, 400)
        assert str(problem["type"]).endswith("/malformed-json")
        assert fields(problem) == ["body"]

    @pytest.mark.parametrize(
        ("content", "content_type"),
        [(b'{"code": "AC", "name": "Acme"}', "text/plain"), (b"code=AC&name=Acme", None)],
        ids=["text-plain", "form"],
    )
    async def test_a_body_not_sent_as_json_is_415(
        self, core: httpx.AsyncClient, content: bytes, content_type: str | None
    ) -> None:
        tenant = await make_tenant(core)
        kind = content_type or "application/x-www-form-urlencoded"
        response = await core.post(
            "/v1/clients", content=content, headers={**tenant.admin, "content-type": kind}
        )
        problem = assert_problem(response, 415)
        assert str(problem["type"]).endswith("/unsupported-media-type")

    async def test_query_errors_name_the_parameter(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.get("/v1/users", params={"limit": "abc"}, headers=tenant.admin)
        assert fields(assert_problem(response, 422)) == ["limit"]

    async def test_cross_field_errors_name_their_field(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        run = {"period_from": "2024-02-01", "period_to": "2024-01-01"}
        response = await core.post("/v1/settlement-runs", json=run, headers=tenant.admin)
        assert fields(assert_problem(response, 422)) == ["period_to"]
        resolve = await core.post(
            f"/v1/disputes/{uuid.uuid4()}/resolve",
            json={"outcome": "REJECTED"},
            headers=tenant.admin,
        )
        assert fields(assert_problem(resolve, 422)) == ["note"]
        w = await world(core)
        line = {"reason": "short paid", "amount_claimed": 100}
        raised = await core.post("/v1/disputes", json=line, headers=w.provider.user)
        assert fields(assert_problem(raised, 422)) == ["remittance_line_id"]
        tiers = {"tiers": [{"name": "a", "min_monthly_claims": 5, "fee_amount": 100}]}
        response = await core.put("/v1/billing/tiers", json=tiers, headers=PLATFORM)
        assert fields(assert_problem(response, 422)) == ["tiers"]
