"""The enrollee portal's own records: `GET /v1/me/claims` and `GET /v1/me/authorizations`."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest

from tests.factories import (
    PASSWORD,
    PLATFORM,
    ProviderCtx,
    TenantCtx,
    link_provider,
    login,
    make_claim,
    make_client,
    make_client_user,
    make_dependant,
    make_plan,
    make_principal,
    make_provider,
    make_staff,
    make_tenant,
    session_headers,
)

CLAIMS, PAS = "/v1/me/claims", "/v1/me/authorizations"
PROBLEM = "application/problem+json"
CLAIM_KEYS = {
    "id",
    "number",
    "status",
    "member_id",
    "provider_id",
    "provider_name",
    "service_date",
    "admission_date",
    "discharge_date",
    "diagnosis_codes",
    "currency",
    "total_billed",
    "total_approved",
    "copay_amount",
    "created_at",
    "received_at",
    "decided_at",
    "settled_at",
    "items",
}
LINE_KEYS = {
    "line_no",
    "code",
    "description",
    "category",
    "quantity",
    "billed_amount",
    "approved_amount",
}
PA_KEYS = {
    "id",
    "number",
    "status",
    "member_id",
    "provider_id",
    "provider_name",
    "urgency",
    "procedure_code",
    "diagnosis_codes",
    "currency",
    "estimated_amount",
    "approved_amount",
    "created_at",
    "decided_at",
    "suspicious",
    "reported_at",
}
# What the HMO's staff see and an enrollee never does.
INTERNAL_KEYS = {
    "risk_score",
    "queue_score",
    "on_hold",
    "decided_by_sampling",
    "flags",
    "reason_code",
    "risk_events",
    "history",
    "notes",
    "sla_due_at",
    "sla_seconds_left",
    "breached_at",
    "escalated_at",
    "matched_rule_id",
    "decision_reason",
    "hold_cleared_at",
    "auth_code",
    "version",
}


@dataclass
class Family:
    """A principal, their child and a neighbour in one HMO, and a stranger in another; the
    claims and PAs filed for each, in filing order, as (owner, id)."""

    hmo: TenantCtx
    provider: ProviderCtx
    people: dict[str, dict[str, Any]]
    logins: dict[str, dict[str, str]]
    filed: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def newest_first(self, route: str, *owners: str) -> list[str]:
        return [id_ for owner, id_ in reversed(self.filed[route]) if owner in owners]

    def first_of(self, route: str, owner: str) -> str:
        return next(id_ for who, id_ in self.filed[route] if who == owner)


async def portal_login(
    core: httpx.AsyncClient, tenant: TenantCtx, person: dict[str, Any]
) -> dict[str, str]:
    email = f"{person['first_name'].lower()}@example.com"
    response = await core.post(
        f"/v1/enrollees/{person['id']}/account",
        json={"email": email, "password": PASSWORD},
        headers=tenant.admin,
    )
    assert response.status_code == 201, response.text
    return session_headers(await login(core, tenant.slug, email))


async def file_pa(
    core: httpx.AsyncClient, provider: ProviderCtx, person: dict[str, Any], urgency: str
) -> str:
    body = {
        "member_id": person["member_id"],
        "provider_id": provider.id,
        "urgency": urgency,
        "procedure_code": "CONS-01",
        "diagnosis_codes": ["J06.9"],
        "estimated_amount": 20_000_00,
        "notes": "Persistent fever for five days.",
    }
    response = await core.post("/v1/authorizations", json=body, headers=provider.user)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def people(
    core: httpx.AsyncClient,
) -> tuple[TenantCtx, TenantCtx, dict[str, dict[str, Any]]]:
    hmo, other_hmo = await make_tenant(core), await make_tenant(core, "Other Health")
    plan, client = await make_plan(core, hmo), await make_client(core, hmo)
    principal = await make_principal(core, hmo, client, plan, coverage_start="2025-01-01")
    child = await make_dependant(core, hmo, principal)
    neighbour = await make_principal(core, hmo, client, plan, first_name="Tunde")
    other_plan, other_client = await make_plan(core, other_hmo), await make_client(core, other_hmo)
    stranger = await make_principal(core, other_hmo, other_client, other_plan, first_name="Bola")
    found = {"principal": principal, "child": child, "neighbour": neighbour, "stranger": stranger}
    return hmo, other_hmo, found


async def file_records(core: httpx.AsyncClient, family: Family) -> None:
    """Interleaved, so newest-first order mixes the family's members."""
    today = date.today().isoformat()
    family.filed[CLAIMS] = []
    for who in ("principal", "child", "neighbour", "stranger", "principal", "child"):
        claim = await make_claim(core, family.provider, family.people[who], service_date=today)
        family.filed[CLAIMS].append((who, claim["id"]))
    family.filed[PAS] = [
        (who, await file_pa(core, family.provider, family.people[who], urgency))
        for who, urgency in [
            ("principal", "ROUTINE"),
            ("child", "EMERGENCY"),
            ("neighbour", "URGENT"),
            ("stranger", "ROUTINE"),
        ]
    ]


async def change_some(core: httpx.AsyncClient, family: Family) -> None:
    """The principal's first claim is received, their PA approved, and the child's
    emergency PA reported "Not me" by the principal."""
    claim_url = f"/v1/claims/{family.first_of(CLAIMS, 'principal')}"
    version = (await core.get(claim_url, headers=family.hmo.admin)).json()["version"]
    received = await core.post(
        f"{claim_url}/transitions",
        json={"to": "RECEIVED", "version": version},
        headers=family.hmo.admin,
    )
    assert received.status_code == 200, received.text
    approved = await core.post(
        f"/v1/authorizations/{family.first_of(PAS, 'principal')}/decision",
        json={"decision": "APPROVE"},
        headers=family.hmo.admin,
    )
    assert approved.status_code == 200, approved.text
    reported = await core.post(
        f"/v1/authorizations/{family.first_of(PAS, 'child')}/not-me",
        headers=family.logins["principal"],
    )
    assert reported.status_code == 200, reported.text


@pytest.fixture(scope="module")
async def family(core_app: object) -> Family:
    transport = httpx.ASGITransport(app=core_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://core") as core:
        hmo, other_hmo, members = await people(core)
        provider = await make_provider(core)
        for tenant in (hmo, other_hmo):
            await link_provider(core, tenant, provider)
        logins = {
            who: await portal_login(core, other_hmo if who == "stranger" else hmo, person)
            for who, person in members.items()
        }
        built = Family(hmo, provider, members, logins)
        await file_records(core, built)
        await change_some(core, built)
        return built


async def listed(
    core: httpx.AsyncClient, headers: dict[str, str], route: str, **params: Any
) -> list[dict[str, Any]]:
    response = await core.get(route, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return list(response.json()["items"])


async def listed_ids(
    core: httpx.AsyncClient, headers: dict[str, str], route: str, **params: Any
) -> list[str]:
    return [item["id"] for item in await listed(core, headers, route, **params)]


BOTH_ROUTES = pytest.mark.parametrize("route", [CLAIMS, PAS], ids=["claims", "authorizations"])


@BOTH_ROUTES
class TestWhoSeesWhat:
    async def test_a_principal_sees_theirs_and_their_dependants(
        self, core: httpx.AsyncClient, family: Family, route: str
    ) -> None:
        seen = await listed_ids(core, family.logins["principal"], route)
        assert seen == family.newest_first(route, "principal", "child")

    async def test_a_dependant_sees_only_their_own(
        self, core: httpx.AsyncClient, family: Family, route: str
    ) -> None:
        seen = await listed_ids(core, family.logins["child"], route)
        assert seen == family.newest_first(route, "child")

    @pytest.mark.parametrize("who", ["neighbour", "stranger"])
    async def test_another_enrollee_sees_none_of_the_family(
        self, core: httpx.AsyncClient, family: Family, route: str, who: str
    ) -> None:
        seen = await listed_ids(core, family.logins[who], route)
        assert seen == family.newest_first(route, who)

    async def test_member_id_narrows_to_one_of_the_family(
        self, core: httpx.AsyncClient, family: Family, route: str
    ) -> None:
        principal = family.logins["principal"]
        child_id = family.people["child"]["member_id"]
        own_id = family.people["principal"]["member_id"].lower()
        assert await listed_ids(core, principal, route, member_id=child_id) == (
            family.newest_first(route, "child")
        )
        assert await listed_ids(core, principal, route, member_id=own_id) == (
            family.newest_first(route, "principal")
        )

    @pytest.mark.parametrize(
        ("who", "whose"),
        [
            ("principal", "neighbour"),
            ("principal", "stranger"),
            ("child", "principal"),
            ("principal", None),
        ],
    )
    async def test_any_other_member_id_is_404(
        self, core: httpx.AsyncClient, family: Family, route: str, who: str, whose: str | None
    ) -> None:
        member_id = family.people[whose]["member_id"] if whose else f"{family.hmo.code}-NO-1-P"
        response = await core.get(
            route, params={"member_id": member_id}, headers=family.logins[who]
        )
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == PROBLEM
        assert "items" not in response.json()

    async def test_pages_walk_every_record_once(
        self, core: httpx.AsyncClient, family: Family, route: str
    ) -> None:
        seen: list[str] = []
        params: dict[str, Any] = {"limit": 1}
        while True:
            response = await core.get(route, params=params, headers=family.logins["principal"])
            assert response.status_code == 200, response.text
            body = response.json()
            assert len(body["items"]) <= 1
            seen += [item["id"] for item in body["items"]]
            if body["next_cursor"] is None:
                break
            params["cursor"] = body["next_cursor"]
        assert seen == family.newest_first(route, "principal", "child")

    @pytest.mark.parametrize(
        "params",
        [
            {"cursor": "not-a-cursor"},
            {"cursor": base64.urlsafe_b64encode(b'["nope"]').decode()},
            {"cursor": base64.urlsafe_b64encode(json.dumps({"id": 1}).encode()).decode()},
            {"status": "PAID"},
            {"limit": 0},
            {"limit": 201},
            {"member_id": "X" * 49},
        ],
        ids=["garbage", "not-an-id", "not-a-list", "status", "limit-0", "limit-big", "long-id"],
    )
    async def test_bad_input_is_a_422_problem(
        self, core: httpx.AsyncClient, family: Family, route: str, params: dict[str, Any]
    ) -> None:
        response = await core.get(route, params=params, headers=family.logins["principal"])
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM

    async def test_nobody_but_an_enrollee_reaches_it(
        self, core: httpx.AsyncClient, family: Family, route: str
    ) -> None:
        hmo, role = family.hmo, f"Viewer {route.rsplit('/', 1)[1]}"
        created = await core.post(
            "/v1/roles", json={"name": role, "permissions": ["me:records"]}, headers=hmo.admin
        )
        assert created.status_code == 201, created.text
        key = await core.post(
            "/v1/api-keys", json={"name": role, "scope": "tenant_integration"}, headers=hmo.admin
        )
        assert key.status_code == 201, key.text
        client = {"id": family.people["principal"]["client_id"], "code": "ACME"}
        callers = {
            "admin": hmo.admin,
            "claims manager": (await make_staff(core, hmo, "Claims Manager"))[1],
            # A custom role may name the permission; a staff user still has no family.
            "custom role": (await make_staff(core, hmo, role))[1],
            "provider": family.provider.user,
            "client": (await make_client_user(core, hmo, client))[1],
            "integration": {"x-api-key": key.json()["key"]},
            "platform": PLATFORM,
        }
        for name, headers in callers.items():
            response = await core.get(route, headers=headers)
            assert response.status_code == 403, (name, response.text)
            assert response.headers["content-type"] == PROBLEM, name


class TestWhatARecordShows:
    async def test_a_claim_has_its_lines_and_no_adjudication_data(
        self, core: httpx.AsyncClient, family: Family
    ) -> None:
        claims = await listed(core, family.logins["principal"], CLAIMS)
        for claim in claims:
            assert set(claim) == CLAIM_KEYS
            assert not set(claim) & INTERNAL_KEYS
            assert claim["provider_name"] == family.provider.name
            assert claim["total_billed"] == 20_000_00
            assert [line["code"] for line in claim["items"]] == ["CONS-01", "DRUG-AMOX"]
            assert all(set(line) == LINE_KEYS for line in claim["items"])
        members = {c["member_id"] for c in claims}
        assert members == {family.people[w]["member_id"] for w in ("principal", "child")}

    async def test_status_filters_claims(self, core: httpx.AsyncClient, family: Family) -> None:
        principal = family.logins["principal"]
        received = await listed(core, principal, CLAIMS, status="RECEIVED")
        assert [c["id"] for c in received] == [family.first_of(CLAIMS, "principal")]
        assert received[0]["received_at"] is not None
        submitted = await listed_ids(core, principal, CLAIMS, status="SUBMITTED")
        assert set(submitted) == set(family.newest_first(CLAIMS, "principal", "child")) - {
            received[0]["id"]
        }

    async def test_a_pa_shows_its_decision_and_the_not_me_report_only(
        self, core: httpx.AsyncClient, family: Family
    ) -> None:
        pas = {pa["id"]: pa for pa in await listed(core, family.logins["principal"], PAS)}
        for pa in pas.values():
            assert set(pa) == PA_KEYS
            assert not set(pa) & INTERNAL_KEYS
            assert pa["provider_name"] == family.provider.name
        approved = pas[family.first_of(PAS, "principal")]
        assert approved["status"] == "APPROVED"
        assert approved["approved_amount"] == 20_000_00
        assert approved["decided_at"] is not None
        reported = pas[family.first_of(PAS, "child")]
        assert (reported["urgency"], reported["suspicious"]) == ("EMERGENCY", True)
        assert reported["reported_at"] is not None

    async def test_status_filters_pas(self, core: httpx.AsyncClient, family: Family) -> None:
        principal = family.logins["principal"]
        assert await listed_ids(core, principal, PAS, status="APPROVED") == [
            family.first_of(PAS, "principal")
        ]
        assert await listed_ids(core, principal, PAS, status="SUBMITTED") == [
            family.first_of(PAS, "child")
        ]
