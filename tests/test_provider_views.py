"""Providers never see fraud signals about themselves: no risk score, hold, sampling, rule
or evidence in any claim answer they can reach, and no "Not me" report, hold or fraud flag
in any pre-authorization answer, by session or by integration key. The HMO's staff still
see them all."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.claims_world import World, claim_body, move, new_claim, world
from tests.factories import PASSWORD, login, session_headers

SIGNALS = frozenset(
    {"risk_score", "risk_events", "rule", "evidence", "weight", "on_hold"}
    | {"decided_by_sampling", "suspicious", "reported_at", "hold_cleared_at"}
    | {"held_claim_ids", "released_claim_ids"}
)
# A PA's history entries about a "Not me" report and its hold.
FRAUD_ACTIONS = frozenset({"reported_not_me", "hold_cleared"})


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


async def enrollee_headers(core: httpx.AsyncClient, w: World) -> dict[str, str]:
    email = "pa.member@example.com"
    account = await core.post(
        f"/v1/enrollees/{w.member['id']}/account",
        json={"email": email, "password": PASSWORD},
        headers=w.hmo.admin,
    )
    assert account.status_code == 201, account.text
    return session_headers(await login(core, w.hmo.slug, email))


@pytest.mark.parametrize("caller", ["session", "key"])
async def test_no_provider_pa_answer_carries_a_fraud_signal(
    core: httpx.AsyncClient, caller: str
) -> None:
    w = await world(core)
    headers = await provider_headers(core, w, caller)
    hmo, member = w.hmo.admin, await enrollee_headers(core, w)
    body = {
        "member_id": w.member["member_id"],
        "urgency": "EMERGENCY",
        "procedure_code": "CONS-01",
        "estimated_amount": 15_000_00,
    }
    filed = await core.post("/v1/authorizations", json=body, headers=headers)
    assert filed.status_code == 201, filed.text
    pa_id = filed.json()["id"]
    url = f"/v1/authorizations/{pa_id}"

    # Rejected, reported "Not me" by the enrollee, its hold cleared by the HMO's fraud staff.
    rejected = await core.post(
        f"{url}/decision", json={"decision": "REJECT", "reason": "No notes"}, headers=hmo
    )
    assert rejected.status_code == 200, rejected.text
    assert (await core.post(f"{url}/not-me", headers=member)).status_code == 200
    cleared = await core.post(f"{url}/clear", json={"reason": "Confirmed"}, headers=hmo)
    assert cleared.status_code == 200, cleared.text
    hmo_view = (await core.get(url, headers=hmo)).json()
    assert hmo_view["suspicious"] is True
    assert hmo_view["hold_cleared_at"] is not None
    assert [e["rule"] for e in hmo_view["risk_events"]] == ["ghost_patient"]
    assert {e["action"] for e in hmo_view["history"]} >= FRAUD_ACTIONS
    flagged = (await core.get("/v1/authorizations?suspicious=true", headers=hmo)).json()
    assert [p["id"] for p in flagged["items"]] == [pa_id]

    evidence = {"evidence": "Notes attached"}
    appealed = await core.post(f"{url}/appeals", json=evidence, headers=headers)
    assert appealed.status_code == 200, appealed.text
    decided = await core.post(f"{url}/decision", json={"decision": "APPROVE"}, headers=headers)
    assert decided.status_code == 403, decided.text  # the HMO decides
    approved = await core.post(f"{url}/decision", json={"decision": "APPROVE"}, headers=hmo)
    assert approved.status_code == 200, approved.text
    detail = await core.get(url, headers=headers)
    listed = await core.get("/v1/authorizations", headers=headers)
    cancelled = await core.post(f"{url}/cancel", json={"reason": "Not needed"}, headers=headers)

    answers = {
        "file": filed,
        "appeal": appealed,
        "decision": decided,
        "detail": detail,
        "list": listed,
        "cancel": cancelled,
    }
    for name, response in answers.items():
        assert response.status_code < 500, (name, response.text)
        assert not keys_in(response.json()) & SIGNALS, (name, keys_in(response.json()) & SIGNALS)
    assert [p["id"] for p in listed.json()["items"]] == [pa_id]
    assert cancelled.json()["status"] == "CANCELLED"
    seen = detail.json()
    assert seen["auth_code"] is not None  # what the provider needs is there
    assert seen["sla_due_at"] is not None
    actions = [e["action"] for e in seen["history"]]
    assert not set(actions) & FRAUD_ACTIONS, actions
    assert {"rejected", "appealed", "approved"} <= set(actions)  # the rest of the story is there
    # nor can a provider find which of its PAs were reported by filtering on it
    for value in ("true", "false"):
        probe = await core.get(f"/v1/authorizations?suspicious={value}", headers=headers)
        assert probe.status_code == 422, probe.text
        assert probe.json()["errors"][0]["field"] == "suspicious"
    for path in ("/v1/authorizations/queue", "/v1/risk-events"):
        assert (await core.get(path, headers=headers)).status_code == 403, path


def test_the_spec_gives_providers_their_own_pa_schemas(core_app: Any) -> None:
    spec = core_app.openapi()
    schemas = spec["components"]["schemas"]
    for name in ("ProviderAuthorizationRead", "ProviderAuthorizationDetail"):
        assert not set(schemas[name]["properties"]) & SIGNALS, name
    assert {"suspicious", "hold_cleared_at"} <= set(schemas["AuthorizationRead"]["properties"])
    assert "risk_events" in schemas["AuthorizationDetail"]["properties"]

    def refs(path: str, method: str) -> set[str]:
        responses = spec["paths"][path][method]["responses"]
        schema = next(a for s, a in responses.items() if s.startswith("2"))["content"][
            "application/json"
        ]["schema"]
        return {r["$ref"].rsplit("/", 1)[1] for r in schema.get("anyOf", [schema])}

    pa = "/v1/authorizations/{authorization_id}"
    assert refs("/v1/authorizations", "post") == {"ProviderAuthorizationRead"}
    assert refs(f"{pa}/appeals", "post") == {"ProviderAuthorizationRead"}
    assert refs(pa, "get") == {"AuthorizationDetail", "ProviderAuthorizationDetail"}
    assert refs(f"{pa}/cancel", "post") == {"AuthorizationRead", "ProviderAuthorizationRead"}
    pages = refs("/v1/authorizations", "get")
    assert pages == {"Page_AuthorizationRead_", "Page_ProviderAuthorizationRead_"}, pages
