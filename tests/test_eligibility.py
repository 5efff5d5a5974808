"""Eligibility checks, and a provider acting for the HMOs it is linked to (and no others)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from core_api.deps import ACCESS_MARK
from core_api.eligibility.service import period_of
from core_api.main import create_app
from core_api.models import BenefitPeriod
from tests.db import superuser
from tests.factories import (
    ProviderCtx,
    TenantCtx,
    link_provider,
    make_client,
    make_plan,
    make_principal,
    make_provider,
    make_tenant,
)
from tests.routes import api_routes, dependency_calls

TODAY = date.today()


@dataclass
class World:
    hmo: TenantCtx
    plan: dict[str, Any]
    member: dict[str, Any]
    provider: ProviderCtx


async def world(core: httpx.AsyncClient, coverage_start: date | None = None) -> World:
    """An HMO with a member (covered since `coverage_start`) and a linked provider."""
    hmo = await make_tenant(core)
    plan = await make_plan(
        core,
        hmo,
        exclusions=[
            {"code": "COS-001", "description": "Cosmetic surgery"},
            {"code": "Z41.1", "description": "Cosmetic", "kind": "DIAGNOSIS"},
        ],
    )
    client = await make_client(core, hmo)
    start = coverage_start or TODAY - timedelta(days=400)
    member = await make_principal(core, hmo, client, plan, coverage_start=start.isoformat())
    provider = await make_provider(core)
    await link_provider(core, hmo, provider)
    return World(hmo, plan, member, provider)


async def check(
    core: httpx.AsyncClient, headers: dict[str, str], member_id: str, **fields: Any
) -> httpx.Response:
    body = {"member_id": member_id, "service_date": TODAY.isoformat(), **fields}
    for key, value in body.items():
        if isinstance(value, date):
            body[key] = value.isoformat()
    return await core.post("/v1/eligibility", json=body, headers=headers)


async def verdict(
    core: httpx.AsyncClient, headers: dict[str, str], member_id: str, **fields: Any
) -> dict[str, Any]:
    response = await check(core, headers, member_id, **fields)
    assert response.status_code == 200, response.text
    return dict(response.json())


def codes(answer: dict[str, Any]) -> list[str]:
    return [reason["code"] for reason in answer["reasons"]]


def benefit(answer: dict[str, Any], category: str) -> dict[str, Any]:
    return next(b for b in answer["benefits"] if b["category"] == category)


async def record_usage(
    w: World, category: str, service_date: date, amount: int, visits: int = 1
) -> None:
    """Writes the usage ledger directly: claims (which will write it on approval) do not exist
    yet, so the tests stand in for an approved claim item."""
    async with superuser() as conn:
        await conn.execute(
            text(
                "insert into benefit_usage (id, tenant_id, enrollee_id, category, service_date,"
                " amount, visits, source_type, created_at) values (gen_random_uuid(), :t, :e,"
                " :c, :d, :a, :v, 'test', now())"
            ),
            {
                "t": w.hmo.id,
                "e": w.member["id"],
                "c": category,
                "d": service_date,
                "a": amount,
                "v": visits,
            },
        )


async def set_status(
    core: httpx.AsyncClient, w: World, status: str, effective: date = TODAY
) -> None:
    response = await core.post(
        f"/v1/enrollees/{w.member['id']}/status",
        json={"status": status, "effective_date": effective.isoformat()},
        headers=w.hmo.admin,
    )
    assert response.status_code == 200, response.text


class TestActiveMember:
    async def test_staff_sees_plan_member_and_full_balances(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        answer = await verdict(core, w.hmo.admin, w.member["member_id"])
        assert answer["eligible"] is True
        assert answer["reasons"] == []
        assert answer["plan"]["id"] == w.plan["id"]
        assert answer["plan"]["version_no"] == 1
        assert answer["member"]["member_id"] == w.member["member_id"]
        assert answer["member"]["status"] == "ACTIVE"
        assert {b["category"] for b in answer["benefits"]} == {
            "outpatient",
            "inpatient",
            "maternity",
            "drugs",
        }
        outpatient = benefit(answer, "outpatient")
        assert outpatient["limit_amount"] == outpatient["remaining_amount"] == 50_000_00
        assert outpatient["used_amount"] == 0
        assert outpatient["remaining_visits"] == 12

    async def test_linked_provider_user_and_key(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        answer = await verdict(core, w.provider.user, w.member["member_id"].lower())
        assert answer["eligible"] is True
        assert answer["provider_id"] == w.provider.id
        key = await core.post(
            "/v1/api-keys",
            json={"name": "HIS", "scope": "provider_integration"},
            headers=w.provider.user,
        )
        key_headers = {"x-api-key": key.json()["key"]}
        by_key = await verdict(core, key_headers, w.member["member_id"])
        assert by_key["eligible"] is True
        assert by_key["provider_id"] == w.provider.id

    async def test_hmo_integration_key(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        key = await core.post(
            "/v1/api-keys",
            json={"name": "p", "scope": "tenant_integration", "permissions": ["eligibility:check"]},
            headers=w.hmo.admin,
        )
        answer = await verdict(core, {"x-api-key": key.json()["key"]}, w.member["member_id"])
        assert answer["eligible"] is True

    async def test_unknown_member_is_404(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        response = await check(core, w.hmo.admin, f"{w.hmo.code}-ACME-99999-P")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        from_provider = await check(core, w.provider.user, f"{w.hmo.code}-ACME-99999-P")
        assert from_provider.status_code == 404

    async def test_another_hmos_member_is_404_for_staff(self, core: httpx.AsyncClient) -> None:
        w, other = await world(core), await make_tenant(core)
        assert (await check(core, other.admin, w.member["member_id"])).status_code == 404


class TestMemberStatus:
    async def test_suspended_then_reactivated(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        await set_status(core, w, "SUSPENDED", TODAY - timedelta(days=10))
        suspended = await verdict(core, w.hmo.admin, w.member["member_id"])
        assert suspended["eligible"] is False
        assert codes(suspended) == ["MEMBER_SUSPENDED"]
        assert suspended["member"]["status"] == "SUSPENDED"
        before = await verdict(
            core, w.hmo.admin, w.member["member_id"], service_date=TODAY - timedelta(days=11)
        )
        assert before["eligible"] is True
        await set_status(core, w, "ACTIVE")
        assert (await verdict(core, w.hmo.admin, w.member["member_id"]))["eligible"] is True

    async def test_terminated(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        await set_status(core, w, "TERMINATED")
        answer = await verdict(core, w.provider.user, w.member["member_id"])
        assert codes(answer) == ["MEMBER_TERMINATED"]
        assert answer["member"]["coverage_end"] == TODAY.isoformat()

    async def test_not_yet_covered(self, core: httpx.AsyncClient) -> None:
        w = await world(core, coverage_start=TODAY + timedelta(days=5))
        answer = await verdict(core, w.hmo.admin, w.member["member_id"])
        assert codes(answer) == ["NOT_YET_COVERED"]
        assert answer["member"]["status"] is None
        later = await verdict(
            core, w.hmo.admin, w.member["member_id"], service_date=TODAY + timedelta(days=5)
        )
        assert later["eligible"] is True


class TestNetwork:
    async def test_unlinked_provider_calling_is_403(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        stranger = await make_provider(core)
        response = await check(core, stranger.user, w.member["member_id"])
        assert response.status_code == 403
        assert response.json()["type"].endswith("not-in-network")
        assert response.headers["content-type"] == "application/problem+json"

    async def test_requested_or_ended_links_do_not_count(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        pending = await make_provider(core)
        await core.post("/v1/network/links", json={"provider_id": pending.id}, headers=w.hmo.admin)
        assert (await check(core, pending.user, w.member["member_id"])).status_code == 403
        links = (await core.get("/v1/network/links", headers=w.provider.user)).json()["items"]
        await core.post(f"/v1/network/links/{links[0]['id']}/end", headers=w.hmo.admin)
        assert (await check(core, w.provider.user, w.member["member_id"])).status_code == 403

    async def test_staff_naming_an_unlinked_provider_gets_a_reason(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        stranger = await make_provider(core)
        answer = await verdict(core, w.hmo.admin, w.member["member_id"], provider_id=stranger.id)
        assert answer["eligible"] is False
        assert codes(answer) == ["PROVIDER_NOT_IN_NETWORK"]
        linked = await verdict(core, w.hmo.admin, w.member["member_id"], provider_id=w.provider.id)
        assert linked["eligible"] is True

    async def test_provider_linked_only_to_hmo_a_cannot_reach_hmo_b(
        self, core: httpx.AsyncClient
    ) -> None:
        a = await world(core)
        b = await world(core)
        for fields in ({}, {"tenant": b.hmo.code}, {"tenant": b.hmo.slug}):
            response = await check(core, a.provider.user, b.member["member_id"], **fields)
            assert response.status_code == 403, response.text
            assert response.json()["type"].endswith("not-in-network")
        # Naming HMO A while giving B's member finds nothing in A.
        named_a = await check(core, a.provider.user, b.member["member_id"], tenant=a.hmo.slug)
        assert named_a.status_code == 404

    async def test_provider_checks_for_itself_only(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        other = await make_provider(core)
        await link_provider(core, w.hmo, other)
        response = await check(core, w.provider.user, w.member["member_id"], provider_id=other.id)
        assert response.status_code == 422  # as for claims and PAs: see test_provider_scope
        assert response.json()["errors"][0]["field"] == "provider_id"


class TestServiceRules:
    async def test_waiting_period(self, core: httpx.AsyncClient) -> None:
        w = await world(core, coverage_start=TODAY - timedelta(days=30))
        answer = await verdict(
            core, w.hmo.admin, w.member["member_id"], benefit_category="Maternity"
        )
        assert codes(answer) == ["WAITING_PERIOD"]
        assert benefit(answer, "maternity")["waiting_until"] == (
            (TODAY + timedelta(days=240)).isoformat()
        )
        outpatient = await verdict(
            core, w.hmo.admin, w.member["member_id"], benefit_category="outpatient"
        )
        assert outpatient["eligible"] is True
        after = await verdict(
            core,
            w.hmo.admin,
            w.member["member_id"],
            benefit_category="maternity",
            service_date=TODAY + timedelta(days=240),
        )
        assert after["eligible"] is True

    async def test_excluded_procedure_and_diagnosis(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        procedure = await verdict(
            core, w.provider.user, w.member["member_id"], procedure_code="cos-001"
        )
        assert codes(procedure) == ["EXCLUDED_SERVICE"]
        diagnosis = await verdict(
            core, w.hmo.admin, w.member["member_id"], diagnosis_codes=["J06.9", "z41.1"]
        )
        assert codes(diagnosis) == ["EXCLUDED_SERVICE"]
        both = await verdict(
            core,
            w.hmo.admin,
            w.member["member_id"],
            procedure_code="COS-001",
            diagnosis_codes=["Z41.1", "Z41.1"],
        )
        assert [r["message"] for r in both["reasons"]] == [  # in the plan's order, once each
            "Diagnosis Z41.1 is excluded by the plan: Cosmetic.",
            "Procedure COS-001 is excluded by the plan: Cosmetic surgery.",
        ]
        fine = await verdict(
            core,
            w.hmo.admin,
            w.member["member_id"],
            procedure_code="99213",
            diagnosis_codes=["J06.9"],
        )
        assert fine["eligible"] is True

    async def test_unknown_benefit(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        answer = await verdict(core, w.hmo.admin, w.member["member_id"], benefit_category="dental")
        assert codes(answer) == ["UNKNOWN_BENEFIT"]

    async def test_exhausted_amount_and_visits(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        await record_usage(w, "drugs", TODAY, 3_000_00)
        await record_usage(w, "drugs", TODAY, 2_000_00)
        drugs = await verdict(core, w.hmo.admin, w.member["member_id"], benefit_category="drugs")
        assert codes(drugs) == ["BENEFIT_EXHAUSTED"]
        assert benefit(drugs, "drugs")["used_amount"] == 5_000_00
        assert benefit(drugs, "drugs")["remaining_amount"] == 0

        await record_usage(w, "outpatient", TODAY, 100_00, visits=12)
        outpatient = await verdict(
            core, w.provider.user, w.member["member_id"], benefit_category="outpatient"
        )
        assert codes(outpatient) == ["BENEFIT_EXHAUSTED"]
        assert benefit(outpatient, "outpatient")["remaining_visits"] == 0
        assert benefit(outpatient, "outpatient")["remaining_amount"] == 49_900_00
        # Without a category, balances are reported but nothing is judged exhausted.
        assert (await verdict(core, w.hmo.admin, w.member["member_id"]))["eligible"] is True

    async def test_every_reason_is_reported_at_once(self, core: httpx.AsyncClient) -> None:
        w = await world(core, coverage_start=TODAY - timedelta(days=30))
        await set_status(core, w, "SUSPENDED")
        answer = await verdict(
            core,
            w.hmo.admin,
            w.member["member_id"],
            benefit_category="maternity",
            procedure_code="COS-001",
        )
        assert codes(answer) == ["MEMBER_SUSPENDED", "EXCLUDED_SERVICE", "WAITING_PERIOD"]


class TestPeriods:
    async def test_policy_year_and_calendar_month(self, core: httpx.AsyncClient) -> None:
        w = await world(core, coverage_start=date(2024, 3, 15))
        on = date(2025, 2, 10)
        await record_usage(w, "outpatient", date(2024, 3, 15), 1_000_00)  # first day of the year
        await record_usage(w, "outpatient", date(2025, 3, 14), 2_000_00)  # its last day
        await record_usage(w, "outpatient", date(2025, 3, 15), 4_000_00)  # the next year
        await record_usage(w, "drugs", date(2025, 2, 1), 100_00)
        await record_usage(w, "drugs", date(2025, 2, 28), 200_00)
        await record_usage(w, "drugs", date(2025, 1, 31), 400_00)  # the month before
        answer = await verdict(core, w.hmo.admin, w.member["member_id"], service_date=on)
        outpatient, drugs = benefit(answer, "outpatient"), benefit(answer, "drugs")
        assert (outpatient["period_start"], outpatient["period_end"]) == (
            "2024-03-15",
            "2025-03-14",
        )
        assert outpatient["used_amount"] == 3_000_00
        assert outpatient["used_visits"] == 2
        assert (drugs["period_start"], drugs["period_end"]) == ("2025-02-01", "2025-02-28")
        assert drugs["used_amount"] == 300_00
        assert drugs["remaining_amount"] == 5_000_00 - 300_00

    @pytest.mark.parametrize(
        ("start", "on", "expected"),
        [
            (date(2024, 3, 15), date(2024, 3, 14), (date(2023, 3, 15), date(2024, 3, 14))),
            (date(2024, 2, 29), date(2025, 3, 1), (date(2025, 2, 28), date(2026, 2, 27))),
            (date(2024, 1, 1), date(2024, 12, 31), (date(2024, 1, 1), date(2024, 12, 31))),
        ],
    )
    def test_policy_year_bounds(self, start: date, on: date, expected: tuple[date, date]) -> None:
        assert period_of(BenefitPeriod.POLICY_YEAR, start, on) == expected

    def test_calendar_month_bounds(self) -> None:
        assert period_of(BenefitPeriod.CALENDAR_MONTH, date(2020, 5, 5), date(2024, 2, 10)) == (
            date(2024, 2, 1),
            date(2024, 2, 29),
        )


# What a provider user may call: its own account, the directory, its links, eligibility and
# its integration keys. Every other route is HMO staff's and must refuse it.
PROVIDER_ROUTES = {
    "GET /v1/providers",
    "GET /v1/providers/{provider_id}",
    "GET /v1/network/links",
    "POST /v1/network/links/{link_id}/accept",
    "POST /v1/network/links/{link_id}/decline",
    "POST /v1/network/links/{link_id}/end",
    "POST /v1/eligibility",
    "POST /v1/check-ins",
    "GET /v1/check-ins",
    "GET /v1/api-keys",
    "POST /v1/api-keys",
    "GET /v1/users",  # their own organisation's (tests/test_access.py)
    "POST /v1/invites",
    "PATCH /v1/users/{user_id}",
    "POST /v1/claims",
    "GET /v1/claims",
    "GET /v1/claims/reason-codes",  # what the codes on their remittances' lines mean
    "POST /v1/claims/{claim_id}/transitions",
    "POST /v1/claims/{claim_id}/queries",
    "POST /v1/claims/{claim_id}/attachments",
    "POST /v1/authorizations",
    "GET /v1/authorizations",
    "POST /v1/authorizations/{authorization_id}/appeals",
    "POST /v1/authorizations/{authorization_id}/attachments",
    "GET /v1/remittances",
    "GET /v1/remittances/{remittance_id}",
    "GET /v1/remittances/{remittance_id}/payment-proofs/{proof_id}/file",
    "GET /v1/disputes",
    "POST /v1/disputes",
    "GET /v1/disputes/{dispute_id}",
    "GET /v1/capitation-lines",
}
SELF_MARKS = {"authenticated", "public", "permission:notifications:read", "permission:me:export"}


def staff_routes() -> list[tuple[str, str]]:
    """Every route but the provider's own and those about the caller (or keyed, or public)."""
    found = []
    for route in api_routes(create_app()):
        if route.dependant is None:
            continue
        marks = {getattr(c, ACCESS_MARK, None) for c in dependency_calls(route.dependant)} - {None}
        if not marks.isdisjoint(SELF_MARKS) or any(m.startswith("key:") for m in marks):
            continue
        found += [
            (method, route.path)
            for method in sorted(route.methods)
            if f"{method} {route.path}" not in PROVIDER_ROUTES
        ]
    return found


@pytest.fixture(scope="module")
async def linked(core_app: object) -> tuple[World, dict[str, str]]:
    transport = httpx.ASGITransport(app=core_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://core") as core:
        w = await world(core)
        objects = {
            "plan_id": w.plan["id"],
            "client_id": w.member["client_id"],
            "enrollee_id": w.member["id"],
            "key": w.member["member_id"],
            "member_id": w.member["member_id"],
            "user_id": w.hmo.admin_id,
            "provider_id": w.provider.id,
        }
        return w, objects


@pytest.mark.parametrize(("method", "path"), staff_routes())
async def test_provider_user_is_refused_every_hmo_staff_route(
    core: httpx.AsyncClient, linked: tuple[World, dict[str, str]], method: str, path: str
) -> None:
    """Even for the HMO it is linked to, a provider reaches HMO data only via the routes
    made for it (which go through `act_for_hmo`)."""
    w, objects = linked
    nowhere = str(uuid.uuid4())
    url = re.sub(r"{(\w+)}", lambda m: objects.get(m.group(1), nowhere), path)
    body = {"provider_id": w.provider.id} if path == "/v1/network/links" else {}
    response = await core.request(method, url, json=body, headers=w.provider.user)
    assert response.status_code in (403, 404), (method, path, response.status_code)
