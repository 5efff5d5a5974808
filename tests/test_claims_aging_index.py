"""Claims aging reads past snapshots by each claim's month of decision (`decided_month`, kept
by the database): a claim decided as a month ends is still open at its end, one decided a
moment before is not, and an undecided claim is open at every end after its receipt."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import text

from core_api.reports.period import add_months, month_end
from tests.claims_world import item, move, new_claim, world
from tests.db import superuser

TODAY = datetime.now(UTC).date()


async def _place(claim_id: str, received: datetime, decided: datetime | None) -> date:
    """Sets the claim's receipt and decision times; its `decided_month` as now kept."""
    async with superuser() as db:
        return (
            await db.execute(
                text(
                    "update claims set received_at = :received, decided_at = :decided"
                    " where id = cast(:id as uuid) returning decided_month"
                ),
                {"id": claim_id, "received": received, "decided": decided},
            )
        ).scalar_one()


async def test_a_claim_decided_as_the_month_ends_is_open_at_its_end(
    core: httpx.AsyncClient,
) -> None:
    w = await world(core)
    claim = await new_claim(core, w, items=[item("C1", 1000_00)])
    for step in ("RECEIVED", "IN_REVIEW", "APPROVED"):
        await move(core, w, claim["id"], step)
    month = add_months(TODAY.replace(day=1), -3)
    ends = datetime.combine(add_months(month, 1), datetime.min.time(), tzinfo=UTC)
    received = ends - timedelta(days=10)
    for decided, kept, open_at_end in (
        (ends, add_months(month, 1), True),
        (ends - timedelta(microseconds=1), month, False),
        (None, date.max, True),  # undecided: infinity
    ):
        assert await _place(claim["id"], received, decided) == kept
        answer = await core.get(
            "/v1/reports/claims-aging",
            params={"to": month_end(month).isoformat()},
            headers=w.hmo.admin,
        )
        assert answer.status_code == 200, answer.text
        claims = next(k for k in answer.json()["kpis"] if k["key"] == "claims")
        assert claims["value"] == int(open_at_end), decided
