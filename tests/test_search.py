"""The portal's global search: exact member IDs (and families), claim and PA numbers."""

from __future__ import annotations

import httpx

from tests.claims_world import new_authorization, new_claim, world
from tests.factories import make_tenant


async def test_finds_a_member_a_claim_and_a_pa_by_what_is_typed(core: httpx.AsyncClient) -> None:
    w = await world(core)
    claim = await new_claim(core, w)
    pa = await new_authorization(core, w)
    member_id = w.member["member_id"]
    family = member_id.rsplit("-", 1)[0].lower()  # typed without the suffix, in lower case
    for typed, kind, label in (
        (member_id, "enrollee", member_id),
        (family, "enrollee", member_id),
        (claim["number"].lower(), "claim", claim["number"]),
        (pa["number"], "authorization", pa["number"]),
    ):
        answer = await core.get("/v1/search", params={"q": typed}, headers=w.hmo.admin)
        assert answer.status_code == 200, answer.text
        assert [(hit["kind"], hit["label"]) for hit in answer.json()["items"]] == [(kind, label)]


async def test_another_tenant_finds_nothing(core: httpx.AsyncClient) -> None:
    w = await world(core)
    claim = await new_claim(core, w)
    other = await make_tenant(core)
    for typed in (claim["number"], w.member["member_id"]):
        answer = await core.get("/v1/search", params={"q": typed}, headers=other.admin)
        assert answer.json() == {"items": []}


async def test_too_short_or_long_is_a_422(core: httpx.AsyncClient) -> None:
    w = await world(core)
    for q in ("x", "x" * 61):
        answer = await core.get("/v1/search", params={"q": q}, headers=w.hmo.admin)
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
