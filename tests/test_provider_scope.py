"""What a provider (its staff's session or its integration key) may name: only itself as
`provider_id` (omitting it means itself), and HMOs by a Member ID's code, where an unknown
code is a 404 `unknown-member` and a known HMO it is not linked to a 403."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.claims_world import TODAY, World, claim_body, world
from tests.factories import make_provider

Caller = str  # "session" or "key"
CALLERS: tuple[Caller, ...] = ("session", "key")


async def provider_key(core: httpx.AsyncClient, w: World) -> dict[str, str]:
    created = await core.post(
        "/v1/api-keys",
        json={"name": "front desk system", "scope": "provider_integration"},
        headers=w.provider.user,
    )
    assert created.status_code == 201, created.text
    assert created.json()["provider_id"] == w.provider.id  # tied to its own provider
    return {"x-api-key": created.json()["key"]}


async def headers_of(core: httpx.AsyncClient, w: World, caller: Caller) -> dict[str, str]:
    return w.provider.user if caller == "session" else await provider_key(core, w)


def pa_body(w: World, **overrides: Any) -> dict[str, Any]:
    return {
        "member_id": w.member["member_id"],
        "provider_id": w.provider.id,
        "urgency": "ROUTINE",
        "procedure_code": "CONS-01",
        "diagnosis_codes": ["J06.9"],
        "estimated_amount": 10_000_00,
        **overrides,
    }


def eligibility_body(w: World, **overrides: Any) -> dict[str, Any]:
    return {"member_id": w.member["member_id"], "service_date": TODAY.isoformat(), **overrides}


async def post_each(
    core: httpx.AsyncClient, w: World, headers: dict[str, str], **overrides: Any
) -> dict[str, httpx.Response]:
    """The same naming sent to eligibility, claims and pre-authorizations."""
    return {
        "eligibility": await core.post(
            "/v1/eligibility", json=eligibility_body(w, **overrides), headers=headers
        ),
        "claims": await core.post("/v1/claims", json=claim_body(w, **overrides), headers=headers),
        "authorizations": await core.post(
            "/v1/authorizations", json=pa_body(w, **overrides), headers=headers
        ),
    }


def refused_on_provider_id(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body = dict(response.json())
    assert [e["field"] for e in body["errors"]] == ["provider_id"]
    return body


@pytest.mark.parametrize("caller", CALLERS)
class TestNamingAProvider:
    async def test_another_provider_is_refused_alike_whether_it_exists_or_not(
        self, core: httpx.AsyncClient, caller: Caller
    ) -> None:
        w = await world(core)
        headers = await headers_of(core, w, caller)
        other = await make_provider(core, name="Elsewhere Clinic")
        for provider_id in (other.id, str(uuid.uuid4())):
            answers = await post_each(core, w, headers, provider_id=provider_id)
            details = {name: refused_on_provider_id(r)["detail"] for name, r in answers.items()}
            assert other.name not in str(details)
        # the same detail for an existing and a made-up provider: nothing leaks
        existing = await post_each(core, w, headers, provider_id=other.id)
        made_up = await post_each(core, w, headers, provider_id=str(uuid.uuid4()))
        for name in existing:
            assert existing[name].json()["detail"] == made_up[name].json()["detail"]

    async def test_omitting_it_or_naming_itself_means_itself(
        self, core: httpx.AsyncClient, caller: Caller
    ) -> None:
        w = await world(core)
        headers = await headers_of(core, w, caller)
        omitted = await post_each(core, w, headers, provider_id=None)
        named = await post_each(core, w, headers)
        for answers in (omitted, named):
            assert answers["eligibility"].status_code == 200, answers["eligibility"].text
            assert answers["eligibility"].json()["provider_id"] == w.provider.id
            for name in ("claims", "authorizations"):
                assert answers[name].status_code == 201, answers[name].text
                assert answers[name].json()["provider_id"] == w.provider.id

    @pytest.mark.parametrize("path", ["/v1/claims", "/v1/authorizations", "/v1/remittances"])
    async def test_list_filters_name_only_itself(
        self, core: httpx.AsyncClient, caller: Caller, path: str
    ) -> None:
        w = await world(core)
        headers = await headers_of(core, w, caller)
        other = await make_provider(core)
        for provider_id in (other.id, str(uuid.uuid4())):
            response = await core.get(path, params={"provider_id": provider_id}, headers=headers)
            refused_on_provider_id(response)
        own = await core.get(path, params={"provider_id": w.provider.id}, headers=headers)
        assert own.status_code == 200, own.text

    async def test_hmo_staff_name_any_provider(
        self, core: httpx.AsyncClient, caller: Caller
    ) -> None:
        w = await world(core)
        other = await make_provider(core)
        for path in ("/v1/claims", "/v1/authorizations", "/v1/remittances"):
            response = await core.get(path, params={"provider_id": other.id}, headers=w.hmo.admin)
            assert response.status_code == 200, response.text


class TestProviderKeys:
    async def test_a_provider_key_cannot_be_tied_to_another_provider(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        other = await make_provider(core)
        response = await core.post(
            "/v1/api-keys",
            json={"name": "x", "scope": "provider_integration", "provider_id": other.id},
            headers=w.provider.user,
        )
        refused_on_provider_id(response)


@pytest.mark.parametrize("caller", CALLERS)
class TestUnknownHmoCode:
    async def test_is_404_unknown_member(self, core: httpx.AsyncClient, caller: Caller) -> None:
        w = await world(core)
        headers = await headers_of(core, w, caller)
        unknown = "NOSUCHHMO" + uuid.uuid4().hex[:6].upper() + "-ACME-00001-P"
        answers = await post_each(core, w, headers, member_id=unknown)
        for name, response in answers.items():
            assert response.status_code == 404, (name, response.text)
            assert response.json()["type"].endswith("/unknown-member"), (name, response.text)

    async def test_a_known_hmo_not_linked_stays_403(
        self, core: httpx.AsyncClient, caller: Caller
    ) -> None:
        w = await world(core)
        elsewhere = await world(core)  # another HMO, not linked to w's provider
        headers = await headers_of(core, w, caller)
        answers = await post_each(core, w, headers, member_id=elsewhere.member["member_id"])
        for name, response in answers.items():
            assert response.status_code == 403, (name, response.text)
            assert response.json()["type"].endswith("/not-in-network"), (name, response.text)

    async def test_an_unknown_tenant_named_explicitly_is_404(
        self, core: httpx.AsyncClient, caller: Caller
    ) -> None:
        w = await world(core)
        headers = await headers_of(core, w, caller)
        response = await core.post(
            "/v1/eligibility", json=eligibility_body(w, tenant="no-such-hmo"), headers=headers
        )
        assert response.status_code == 404, response.text
        assert response.json()["type"].endswith("/unknown-tenant")
