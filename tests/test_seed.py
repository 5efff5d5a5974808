"""The demo tenant `make run` seeds: it must seed, once, and show a year of a working HMO.

The seed runs here at a small scale (the named roster and a few generated families): the
same replay as `make run`'s, with fewer members and visits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx

from core_api.seed import DEMO_DISPLAY_NAME, DEMO_PASSWORD, DEMO_SLUG, seed_demo
from core_api.seed_world import Scale, history_start
from tests.factories import BFF, login, session_headers

TEST_SCALE = Scale(families=1, hires=0.3, care=0.07)
CLAIM_STATUSES = (
    "SUBMITTED",
    "RECEIVED",
    "IN_REVIEW",
    "QUERIED",
    "RESUBMITTED",
    "APPROVED",
    "REJECTED",
    "SETTLED",
)
Items = list[dict[str, object]]


def lines_of(claim: dict[str, object]) -> list[dict[str, object]]:
    lines = claim["items"]
    assert isinstance(lines, list)
    return lines


def last_twelve_months(today: date) -> list[tuple[date, date]]:
    """(first, last) day of this month and the eleven before it."""
    months, first = [], today.replace(day=1)
    for _ in range(12):
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        months.append((first, last))
        first = (first - timedelta(days=1)).replace(day=1)
    return months


async def test_the_demo_seeds_once_with_a_year_of_history(
    core: httpx.AsyncClient, database_url: str
) -> None:
    first = await seed_demo(database_url, scale=TEST_SCALE)
    assert first.created
    assert first.integration_key
    assert not (await seed_demo(database_url, scale=TEST_SCALE)).created

    async def session_of(role: str) -> dict[str, str]:
        user = next(x for x in first.logins if x.tenant == DEMO_SLUG and role in x.role)
        return session_headers(await login(core, DEMO_SLUG, user.email, DEMO_PASSWORD))

    admin = await session_of("Admin")

    async def items(path: str, caller: dict[str, str] = admin, **params: object) -> Items:
        response = await core.get(path, headers=caller, params={"limit": 200, **params})
        assert response.status_code == 200, (path, response.text)
        return list(response.json()["items"])

    today = datetime.now(UTC).date()
    # This month's first claims are today's desk's (served today, filed in the last three
    # hours): on its first two days it may have none yet.
    months = last_twelve_months(today)[1 if today.day < 3 else 0 :]
    for month_first, month_last in months:
        claims = await items("/v1/claims", limit=1, **{"from": month_first, "to": month_last})
        assert claims, f"no claim served in {month_first:%Y-%m}"
    for status in CLAIM_STATUSES:
        assert await items("/v1/claims", limit=1, status=status), status

    # Backdated through the services: the oldest claims were received, decided and settled
    # in the history's first weeks, in that order, and after their service.
    settled = await items("/v1/claims", status="SETTLED")
    oldest = min(settled, key=lambda c: str(c["service_date"]))
    assert date.fromisoformat(str(oldest["service_date"])) < history_start(today) + timedelta(40)
    for claim in settled:
        served = date.fromisoformat(str(claim["service_date"]))
        received, decided, paid = (
            datetime.fromisoformat(str(claim[key]))
            for key in ("received_at", "decided_at", "settled_at")
        )
        assert served <= received.date()
        assert received < decided < paid < datetime.now(UTC)

    brand = (await core.get("/v1/branding", params={"tenant": DEMO_SLUG}, headers=BFF)).json()
    assert brand["display_name"] == DEMO_DISPLAY_NAME
    assert brand["logo_url"]
    logo = await core.get("/v1/branding/logo", params={"tenant": DEMO_SLUG}, headers=BFF)
    assert logo.headers["content-type"] == "image/svg+xml"

    assert {e["status"] for e in await items("/v1/enrollees")} >= {"ACTIVE", "TERMINATED"}
    assert len(await items("/v1/enrollees")) >= 40
    plans = await items("/v1/plans")
    assert all(p["premium"]["principal"] > 0 for p in plans)

    pas = await items("/v1/authorizations")
    assert {pa["urgency"] for pa in pas} == {"ROUTINE", "URGENT", "EMERGENCY"}
    assert {"SUBMITTED", "USED"} <= {pa["status"] for pa in pas}
    assert any(pa["matched_rule_id"] for pa in pas), "an auto-approved PA"
    appealed = [pa for pa in pas if pa["procedure_code"] == "MRI-01" and pa["status"] == "USED"]
    history = [
        event["action"]
        for pa in appealed
        for event in (await core.get(f"/v1/authorizations/{pa['id']}", headers=admin)).json()[
            "history"
        ]
    ]
    assert "appealed" in history, "an MRI rejected, then approved on appeal"
    assert len([pa for pa in pas if pa["suspicious"]]) == 2, 'two "Not me" reports'
    ghost_flags = await items("/v1/risk-events", rule="ghost_patient")
    assert sorted(bool(f["cleared_at"]) for f in ghost_flags) == [False, True]

    runs = await items("/v1/settlement-runs")
    assert len([r for r in runs if r["status"] == "PAID"]) >= 10
    capitation = await items("/v1/capitation-runs")
    assert len(capitation) >= 11
    disputes = await items("/v1/disputes")
    assert disputes
    dispute = (await core.get(f"/v1/disputes/{disputes[-1]['id']}", headers=admin)).json()
    assert dispute["history"], "its audit entries are found by their time-ordered ids"

    # The enrollee portal shows the family's year: claims in many months, their PAs
    # (the appealed MRI among them) and check-ins; every line billed a benefit of the plan.
    enrollee = await session_of("Enrollee")
    claims = await items("/v1/me/claims", enrollee)
    assert len({str(c["service_date"])[:7] for c in claims}) >= 10
    assert {"MRI-01", "CONS-02", "ER-001"} <= {
        pa["procedure_code"] for pa in await items("/v1/me/authorizations", enrollee)
    }
    assert await items("/v1/me/visits", enrollee, kind="check_in")
    member = (await core.get(f"/v1/enrollees/{claims[0]['member_id']}", headers=admin)).json()
    plan = next(p for p in plans if p["id"] == member["plan_id"])
    covered = {b["category"] for b in plan["benefits"]}
    billed = {line["category"] for c in claims for line in lines_of(c)}
    assert billed <= covered, billed - covered
