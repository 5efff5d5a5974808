"""Reports: the shape every report shares (period, filters, sorting, paging, CSV, access),
and claims aging checked against a plain computation over the raw rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.claims_world import World, move, new_claim, world

TODAY = datetime.now(UTC).date()


async def report(
    core: httpx.AsyncClient,
    w: World,
    name: str,
    headers: dict[str, str] | None = None,
    **params: Any,
) -> httpx.Response:
    return await core.get(f"/v1/reports/{name}", params=params, headers=headers or w.hmo.admin)


async def test_claims_aging_shape_and_defaults(core: httpx.AsyncClient) -> None:
    w = await world(core)
    claim = await new_claim(core, w)
    await move(core, w, claim["id"], "RECEIVED")
    answer = await report(core, w, "claims-aging")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["period"]["to"] == TODAY.isoformat()
    assert len(body["trend"]["points"]) == 12
    assert [k["key"] for k in body["kpis"]] == ["claims", "billed", "past_sla", "oldest_days"]
    kpis = {k["key"]: k for k in body["kpis"]}
    assert kpis["claims"]["value"] == 1
    assert kpis["claims"]["previous"] == 0
    assert body["rows"]["items"][0]["number"] == claim["number"]
    assert {b["key"] for b in body["breakdown"]} == {"age", "status", "oldest"}
