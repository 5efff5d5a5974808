"""Providers never see fraud signals about themselves: no risk score, hold, sampling, rule
or evidence in any claim answer they can reach, by session or by integration key. The
HMO's staff still see them all."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.claims_world import World, claim_body, move, new_claim, world

SIGNALS = frozenset(
    {"risk_score", "risk_events", "rule", "evidence", "weight", "on_hold"}
    | {"decided_by_sampling", "suspicious", "hold_cleared_at"}
)


def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


async def provider_headers(core: httpx.AsyncClient, w: World, caller: str) -> dict[str, str]:
    if caller == "session":
        return w.provider.user
    created = await core.post(
        "/v1/api-keys",
        json={"name": "billing system", "scope": "provider_integration"},
        headers=w.provider.user,
    )
    assert created.status_code == 201, created.text
    return {"x-api-key": created.json()["key"]}


@pytest.mark.parametrize("caller", ["session", "key"])
async def test_no_provider_answer_carries_a_fraud_signal(
    core: httpx.AsyncClient, caller: str
) -> None:
    w = await world(core)
    headers = await provider_headers(core, w, caller)
    await new_claim(core, w)
    submitted = await core.post("/v1/claims", json=claim_body(w), headers=headers)  # a duplicate
    assert submitted.status_code == 201, submitted.text
    claim = submitted.json()
    hmo_view = (await core.get(f"/v1/claims/{claim['id']}", headers=w.hmo.admin)).json()
    assert hmo_view["risk_score"] >= 40  # a duplicate: flagged for the HMO
    assert any(e["rule"] == "duplicate_billing" for e in hmo_view["risk_events"])

    queried = await move(core, w, claim["id"], "RECEIVED")
    queried = await move(core, w, claim["id"], "IN_REVIEW")
    queried = await move(core, w, claim["id"], "QUERIED")
    resubmitted = await core.post(
        f"/v1/claims/{claim['id']}/transitions",
        json={"to": "RESUBMITTED", "version": queried["version"]},
        headers=headers,
    )
    assert resubmitted.status_code == 200, resubmitted.text

    answers = {
        "submit": submitted,
        "resubmit": resubmitted,
        "list": await core.get("/v1/claims", headers=headers),
        "detail": await core.get(f"/v1/claims/{claim['id']}", headers=headers),
    }
    for name, response in answers.items():
        assert response.status_code == 200 or name == "submit", (name, response.text)
        assert not keys_in(response.json()) & SIGNALS, (name, keys_in(response.json()) & SIGNALS)
    assert answers["list"].json()["items"]
    assert answers["detail"].json()["eligibility"]["lines"]  # the rest of the view is there
    # fraud lists are the HMO's alone
    for path in ("/v1/risk-events", "/v1/claims/queue", "/v1/piles"):
        assert (await core.get(path, headers=headers)).status_code == 403, path


def test_the_spec_gives_providers_their_own_claim_schemas(core_app: Any) -> None:
    spec = core_app.openapi()
    schemas = spec["components"]["schemas"]
    for name in ("ProviderClaimRead", "ProviderClaimDetail"):
        assert not set(schemas[name]["properties"]) & SIGNALS, name
    assert "risk_score" in schemas["ClaimRead"]["properties"]
    assert "risk_events" in schemas["ClaimDetail"]["properties"]
    submit = spec["paths"]["/v1/claims"]["post"]["responses"]["201"]
    assert submit["content"]["application/json"]["schema"]["$ref"].endswith("/ProviderClaimRead")
