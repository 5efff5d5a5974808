"""The settlement cadence: the setting, the periods, and the job that drafts a run per
completed period (once, also with several workers; never again once cancelled)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from core_api.finance.cadence import (
    FORTNIGHT_ANCHOR,
    CadenceReport,
    last_completed_period,
    run_cadence_pass,
)
from core_api.models.finance import SettlementCadence
from tests.claims_world import TODAY, World, claim_in, item, world
from tests.test_finance import claim_ids

WEEKLY, FORTNIGHTLY, MONTHLY = (
    SettlementCadence.WEEKLY,
    SettlementCadence.FORTNIGHTLY,
    SettlementCadence.MONTHLY,
)


class TestPeriods:
    @pytest.mark.parametrize(
        ("cadence", "today", "period"),
        [
            # Weeks are Monday to Sunday; a Sunday's own week is not over yet.
            (WEEKLY, date(2026, 11, 23), (date(2026, 11, 16), date(2026, 11, 22))),
            (WEEKLY, date(2026, 11, 22), (date(2026, 11, 9), date(2026, 11, 15))),
            (WEEKLY, date(2026, 1, 7), (date(2025, 12, 29), date(2026, 1, 4))),
            (WEEKLY, date(2025, 3, 3), (date(2025, 2, 24), date(2025, 3, 2))),
            # Fortnights count from Monday 2024-01-01.
            (FORTNIGHTLY, date(2024, 1, 15), (date(2024, 1, 1), date(2024, 1, 14))),
            (FORTNIGHTLY, date(2024, 1, 28), (date(2024, 1, 1), date(2024, 1, 14))),
            (FORTNIGHTLY, date(2024, 1, 14), (date(2023, 12, 18), date(2023, 12, 31))),
            (FORTNIGHTLY, date(2025, 1, 6), (date(2024, 12, 16), date(2024, 12, 29))),
            # Calendar months, leap Februaries and year ends included.
            (MONTHLY, date(2026, 1, 1), (date(2025, 12, 1), date(2025, 12, 31))),
            (MONTHLY, date(2026, 3, 15), (date(2026, 2, 1), date(2026, 2, 28))),
            (MONTHLY, date(2024, 3, 31), (date(2024, 2, 1), date(2024, 2, 29))),
            (MONTHLY, date(2026, 12, 31), (date(2026, 11, 1), date(2026, 11, 30))),
        ],
    )
    def test_examples(
        self, cadence: SettlementCadence, today: date, period: tuple[date, date]
    ) -> None:
        assert last_completed_period(cadence, today) == period

    @pytest.mark.parametrize("cadence", list(SettlementCadence))
    def test_every_day_names_the_latest_completed_period(self, cadence: SettlementCadence) -> None:
        """Over three years: the period has ended, it has the cadence's shape, and the
        next one starts the day after it ends, becoming the answer the day after its own
        last day (periods tile the calendar, none is skipped)."""
        day = date(2023, 11, 1)
        while day < date(2026, 12, 31):
            first, last = last_completed_period(cadence, day)
            assert first <= last < day
            if cadence is WEEKLY:
                assert (first.weekday(), (last - first).days) == (0, 6)
            elif cadence is FORTNIGHTLY:
                assert (first - FORTNIGHT_ANCHOR).days % 14 == 0
                assert (first.weekday(), (last - first).days) == (0, 13)
            else:
                assert first.day == 1
                assert (last + timedelta(days=1)).day == 1
            tomorrow = last_completed_period(cadence, day + timedelta(days=1))
            if tomorrow != (first, last):
                assert (tomorrow[0], tomorrow[1]) == (last + timedelta(days=1), day)
            day += timedelta(days=1)


# --- the job -------------------------------------------------------------------------------


async def set_cadence(core: httpx.AsyncClient, w: World, cadence: str | None) -> dict[str, Any]:
    current = (await core.get("/v1/settings", headers=w.hmo.admin)).json()
    response = await core.patch(
        "/v1/settings",
        json={"version": current["version"], "settlement_cadence": cadence},
        headers=w.hmo.admin,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def approved_on(core: httpx.AsyncClient, w: World, served: date) -> dict[str, Any]:
    return await claim_in(
        core, w, "APPROVED", service_date=served, items=[item("CONS-01", 1_000_00)]
    )


async def runs_of(core: httpx.AsyncClient, w: World) -> list[dict[str, Any]]:
    page = (await core.get("/v1/settlement-runs", headers=w.hmo.admin)).json()
    return [
        (await core.get(f"/v1/settlement-runs/{r['id']}", headers=w.hmo.admin)).json()
        for r in page["items"]
    ]


def drafted_for(w: World, *reports: CadenceReport) -> list[uuid.UUID]:
    tenant = uuid.UUID(w.hmo.id)
    for report in reports:
        assert tenant not in report.failed
    return [d.run_id for report in reports for d in report.drafted if d.tenant_id == tenant]


async def notice_types(core: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    response = await core.get("/v1/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return [n["type"] for n in response.json()["items"]]


# A "today" a few days back, so every date around its latest completed period is in the past.
PASS_DAY = TODAY - timedelta(days=3)


class TestSetting:
    async def test_read_patch_validate_and_audit(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        assert (await core.get("/v1/settings", headers=w.hmo.admin)).json()[
            "settlement_cadence"
        ] is None
        assert (await set_cadence(core, w, "FORTNIGHTLY"))["settlement_cadence"] == "FORTNIGHTLY"
        current = (await core.get("/v1/settings", headers=w.hmo.admin)).json()
        assert current["settlement_cadence"] == "FORTNIGHTLY"
        for bad in ("DAILY", "weekly", 7, ""):
            response = await core.patch(
                "/v1/settings",
                json={"version": current["version"], "settlement_cadence": bad},
                headers=w.hmo.admin,
            )
            assert response.status_code == 422, (bad, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        # Other fields leave it alone; an explicit null turns it off.
        unrelated = await core.patch(
            "/v1/settings",
            json={"version": current["version"], "claim_sla_days": 10},
            headers=w.hmo.admin,
        )
        assert unrelated.json()["settlement_cadence"] == "FORTNIGHTLY"
        assert (await set_cadence(core, w, None))["settlement_cadence"] is None
        audit = await core.get(
            "/v1/audit-events",
            params={"action": "settings.update", "limit": 50},
            headers=w.hmo.admin,
        )
        cadences = [
            e["details"]["settlement_cadence"]
            for e in audit.json()["items"]
            if "settlement_cadence" in e["details"]
        ]
        assert sorted(cadences, key=str) == sorted(["FORTNIGHTLY", None], key=str)
        readonly = await w.as_role(core, "Read-only")
        refused = await core.patch(
            "/v1/settings",
            json={"version": unrelated.json()["version"], "settlement_cadence": "WEEKLY"},
            headers=readonly,
        )
        assert refused.status_code == 403


class TestJob:
    @pytest.mark.parametrize("cadence", list(SettlementCadence))
    async def test_drafts_one_run_per_completed_period(
        self, core: httpx.AsyncClient, core_app: Any, cadence: SettlementCadence
    ) -> None:
        w = await world(core, roles=("Finance", "Adjudicator"))
        first, last = last_completed_period(cadence, PASS_DAY)
        inside = [await approved_on(core, w, first), await approved_on(core, w, last)]
        before = await approved_on(core, w, first - timedelta(days=1))
        after = await approved_on(core, w, last + timedelta(days=1))
        await claim_in(core, w, "IN_REVIEW", service_date=first)  # not approved: left out
        await set_cadence(core, w, cadence.value)
        factory = core_app.state.session_factory

        drafted = drafted_for(w, await run_cadence_pass(factory, PASS_DAY))
        assert len(drafted) == 1
        [run] = await runs_of(core, w)
        assert run["id"] == str(drafted[0])
        assert (run["status"], run["cadence"]) == ("DRAFT", cadence.value)
        assert (run["period_from"], run["period_to"]) == (first.isoformat(), last.isoformat())
        assert claim_ids(run) == {c["id"] for c in inside}
        assert not claim_ids(run) & {before["id"], after["id"]}
        assert run["total"] == sum(c["total_approved"] for c in inside)
        # The approvers hear of it; others do not.
        assert "settlement_run.drafted" in await notice_types(core, w.hmo.admin)
        assert "settlement_run.drafted" in await notice_types(core, w.staff["Finance"])
        assert "settlement_run.drafted" not in await notice_types(core, w.staff["Adjudicator"])
        audit = await core.get(
            "/v1/audit-events",
            params={"action": "settlement_run.created"},
            headers=w.hmo.admin,
        )
        [event] = audit.json()["items"]
        assert event["actor_label"] == "system:settlement-cadence"

        # Again, the same day: nothing new.
        assert drafted_for(w, await run_cadence_pass(factory, PASS_DAY)) == []
        assert len(await runs_of(core, w)) == 1

    async def test_next_period_gets_its_own_run(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        w = await world(core)
        first, last = last_completed_period(WEEKLY, PASS_DAY - timedelta(days=7))
        this_week = await approved_on(core, w, first)
        next_week = await approved_on(core, w, last + timedelta(days=1))
        await set_cadence(core, w, "WEEKLY")
        factory = core_app.state.session_factory
        early = drafted_for(w, await run_cadence_pass(factory, last + timedelta(days=1)))
        late = drafted_for(w, await run_cadence_pass(factory, last + timedelta(days=8)))
        assert len(early) == len(late) == 1
        by_id = {r["id"]: r for r in await runs_of(core, w)}
        assert claim_ids(by_id[str(early[0])]) == {this_week["id"]}
        assert claim_ids(by_id[str(late[0])]) == {next_week["id"]}
        assert by_id[str(late[0])]["period_from"] == (last + timedelta(days=1)).isoformat()

    async def test_concurrent_passes_draft_once(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        w = await world(core)
        first, last = last_completed_period(WEEKLY, PASS_DAY)
        await approved_on(core, w, first)
        await approved_on(core, w, last)
        await set_cadence(core, w, "WEEKLY")
        factory = core_app.state.session_factory
        reports = await asyncio.gather(*(run_cadence_pass(factory, PASS_DAY) for _ in range(3)))
        assert len(drafted_for(w, *reports)) == 1
        [run] = await runs_of(core, w)
        assert len(claim_ids(run)) == 2

    async def test_no_approved_claims_no_run_until_there_are(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        w = await world(core)
        first, _ = last_completed_period(MONTHLY, PASS_DAY)
        pending = await claim_in(core, w, "IN_REVIEW", service_date=first)
        await set_cadence(core, w, "MONTHLY")
        factory = core_app.state.session_factory
        assert drafted_for(w, await run_cadence_pass(factory, PASS_DAY)) == []
        assert await runs_of(core, w) == []
        audit = await core.get(
            "/v1/audit-events", params={"object_type": "settlement_run"}, headers=w.hmo.admin
        )
        assert audit.json()["items"] == []
        assert "settlement_run.drafted" not in await notice_types(core, w.hmo.admin)
        # Nothing was recorded, so the period is looked at again once a claim is approved.
        version = (await core.get(f"/v1/claims/{pending['id']}", headers=w.hmo.admin)).json()
        approved = await core.post(
            f"/v1/claims/{pending['id']}/transitions",
            json={"to": "APPROVED", "version": version["version"]},
            headers=w.hmo.admin,
        )
        assert approved.status_code == 200, approved.text
        assert len(drafted_for(w, await run_cadence_pass(factory, PASS_DAY))) == 1

    async def test_cadence_off_drafts_nothing(self, core: httpx.AsyncClient, core_app: Any) -> None:
        w = await world(core)
        first, _ = last_completed_period(WEEKLY, PASS_DAY)
        await approved_on(core, w, first)
        factory = core_app.state.session_factory
        assert drafted_for(w, await run_cadence_pass(factory, PASS_DAY)) == []
        await set_cadence(core, w, "WEEKLY")
        await set_cadence(core, w, None)
        assert drafted_for(w, await run_cadence_pass(factory, PASS_DAY)) == []
        assert await runs_of(core, w) == []

    async def test_a_cancelled_cadence_run_is_not_drafted_again(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        w = await world(core)
        first, last = last_completed_period(WEEKLY, PASS_DAY)
        claim = await approved_on(core, w, first)
        await set_cadence(core, w, "WEEKLY")
        factory = core_app.state.session_factory
        [run_id] = drafted_for(w, await run_cadence_pass(factory, PASS_DAY))
        cancelled = await core.post(f"/v1/settlement-runs/{run_id}/cancel", headers=w.hmo.admin)
        assert cancelled.status_code == 200, cancelled.text
        assert drafted_for(w, await run_cadence_pass(factory, PASS_DAY)) == []
        # The claim is free again: Finance may settle it by hand.
        period = {"period_from": first.isoformat(), "period_to": last.isoformat()}
        manual = await core.post("/v1/settlement-runs", json=period, headers=w.hmo.admin)
        assert manual.status_code == 201, manual.text
        assert manual.json()["cadence"] is None
        assert claim_ids(manual.json()) == {claim["id"]}
        assert drafted_for(w, await run_cadence_pass(factory, PASS_DAY)) == []
        statuses = sorted(r["status"] for r in await runs_of(core, w))
        assert statuses == ["CANCELLED", "DRAFT"]
