"""Fraud and anomaly rules: each fires on its pattern and stays quiet otherwise."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.db import superuser
from tests.factories import (
    PASSWORD,
    ProviderCtx,
    TenantCtx,
    link_provider,
    login,
    make_claim,
    make_client,
    make_plan,
    make_principal,
    make_provider,
    make_staff,
    make_tenant,
    session_headers,
)


@dataclass
class Case:
    tenant: TenantCtx
    plan: dict[str, Any]
    client: dict[str, Any]
    member: dict[str, Any]
    provider: ProviderCtx
    staff: dict[str, str]  # an Adjudicator's session headers


@pytest.fixture
async def case(core: httpx.AsyncClient) -> Case:
    tenant = await make_tenant(core)
    plan, client = await make_plan(core, tenant), await make_client(core, tenant)
    member = await make_principal(core, tenant, client, plan, coverage_start="2025-01-01")
    provider = await make_provider(core)
    await link_provider(core, tenant, provider)
    _, staff = await make_staff(core, tenant, "Adjudicator")
    return Case(tenant, plan, client, member, provider, staff)


async def set_thresholds(core: httpx.AsyncClient, tenant: TenantCtx, **values: int) -> None:
    current = (await core.get("/v1/settings", headers=tenant.admin)).json()
    response = await core.patch(
        "/v1/settings",
        json={"version": current["version"], "risk_thresholds": values},
        headers=tenant.admin,
    )
    assert response.status_code == 200, response.text


def item(code: str, unit_price: int, **extra: Any) -> dict[str, Any]:
    return {"code": code, "description": code, "quantity": 1, "unit_price": unit_price, **extra}


async def rules_of(core: httpx.AsyncClient, case: Case, claim: dict[str, Any]) -> dict[str, Any]:
    response = await core.get(
        "/v1/risk-events", params={"claim_id": claim["id"]}, headers=case.staff
    )
    assert response.status_code == 200, response.text
    return {e["rule"]: e for e in response.json()["items"]}


async def score_of(core: httpx.AsyncClient, case: Case, claim: dict[str, Any]) -> int:
    """The claim's risk score as the HMO's staff see it (its provider never does)."""
    response = await core.get(f"/v1/claims/{claim['id']}", headers=case.staff)
    assert response.status_code == 200, response.text
    return int(response.json()["risk_score"])


async def test_a_clean_claim_scores_zero(core: httpx.AsyncClient, case: Case) -> None:
    claim = await make_claim(core, case.provider, case.member)
    assert await score_of(core, case, claim) == 0
    assert await rules_of(core, case, claim) == {}


class TestDuplicateBilling:
    async def test_same_member_provider_code_and_date_fires(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        first = await make_claim(core, case.provider, case.member)
        second = await make_claim(core, case.provider, case.member)
        event = (await rules_of(core, case, second))["duplicate_billing"]
        assert event["weight"] == 40
        assert event["evidence"]["claims"] == [first["number"]]
        assert await score_of(core, case, second) >= 40
        assert "duplicate_billing" not in await rules_of(core, case, first)

    async def test_another_date_is_not_an_exact_duplicate(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        await make_claim(core, case.provider, case.member, service_date="2026-10-01")
        later = await make_claim(core, case.provider, case.member, service_date="2026-10-20")
        assert "duplicate_billing" not in await rules_of(core, case, later)


class TestNearDuplicate:
    async def test_same_items_two_days_apart_fire(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        first = await make_claim(core, case.provider, case.member, service_date="2026-10-01")
        second = await make_claim(core, case.provider, case.member, service_date="2026-10-03")
        rules = await rules_of(core, case, second)
        assert "duplicate_billing" not in rules
        match = rules["near_duplicate"]["evidence"]["matches"][0]
        assert match["claim"] == first["number"]
        assert match["code_overlap_pct"] == 100

    async def test_different_items_or_far_apart_do_not(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        await make_claim(core, case.provider, case.member, service_date="2026-10-01")
        other_items = await make_claim(
            core,
            case.provider,
            case.member,
            service_date="2026-10-02",
            items=[item("LAB-FBC", 8_000_00)],
        )
        far = await make_claim(core, case.provider, case.member, service_date="2026-10-20")
        assert "near_duplicate" not in await rules_of(core, case, other_items)
        assert "near_duplicate" not in await rules_of(core, case, far)


class TestImpossibleDates:
    async def test_before_coverage_fires(self, core: httpx.AsyncClient, case: Case) -> None:
        late = await make_principal(
            core, case.tenant, case.client, case.plan, coverage_start="2026-09-01"
        )
        claim = await make_claim(core, case.provider, late, service_date="2026-08-15")
        evidence = (await rules_of(core, case, claim))["outside_coverage"]["evidence"]
        assert evidence["before_coverage"] == ["2026-08-15"]
        inside = await make_claim(core, case.provider, late, service_date="2026-09-15")
        assert "outside_coverage" not in await rules_of(core, case, inside)

    async def test_after_termination_fires(self, core: httpx.AsyncClient, case: Case) -> None:
        ended = await core.post(
            f"/v1/enrollees/{case.member['id']}/status",
            json={"status": "TERMINATED", "effective_date": "2026-10-01"},
            headers=case.tenant.admin,
        )
        assert ended.status_code == 200, ended.text
        before = await make_claim(core, case.provider, case.member, service_date="2026-09-20")
        after = await make_claim(core, case.provider, case.member, service_date="2026-10-10")
        assert "outside_coverage" not in await rules_of(core, case, before)
        evidence = (await rules_of(core, case, after))["outside_coverage"]["evidence"]
        assert evidence["after_termination"] == ["2026-10-10"]

    async def test_a_future_discharge_is_refused_at_intake(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        """No fraud rule for future dates: intake refuses them on the field (422)."""
        today = date.today()
        response = await core.post(
            "/v1/claims",
            json={
                "member_id": case.member["member_id"],
                "provider_id": case.provider.id,
                "service_date": today.isoformat(),
                "admission_date": today.isoformat(),
                "discharge_date": (today + timedelta(days=5)).isoformat(),
                "items": [{"code": "CONS-01", "quantity": 1, "unit_price": 1000}],
            },
            headers=case.provider.user,
        )
        assert response.status_code == 422, response.text
        assert "discharge_date" in response.text

    async def test_past_dates_do_not(self, core: httpx.AsyncClient, case: Case) -> None:
        claim = await make_claim(
            core,
            case.provider,
            case.member,
            admission_date="2026-10-01",
            discharge_date="2026-10-03",
            service_date="2026-10-01",
        )
        assert await rules_of(core, case, claim) == {}

    async def test_overlapping_stays_fire_and_transfers_do_not(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        other = await make_provider(core, name="Harbour Clinic")
        await link_provider(core, case.tenant, other)

        def stay(start: str, end: str) -> dict[str, Any]:
            return {
                "service_date": start,
                "admission_date": start,
                "discharge_date": end,
                "items": [item("WARD-DAY", 20_000_00)],
            }

        first = await make_claim(
            core, case.provider, case.member, **stay("2026-09-01", "2026-09-05")
        )
        overlap = await make_claim(core, other, case.member, **stay("2026-09-03", "2026-09-08"))
        transfer = await make_claim(core, other, case.member, **stay("2026-09-08", "2026-09-10"))
        evidence = (await rules_of(core, case, overlap))["overlapping_stay"]["evidence"]
        assert evidence["overlaps"][0]["claim"] == first["number"]
        assert "overlapping_stay" not in await rules_of(core, case, first)
        assert "overlapping_stay" not in await rules_of(core, case, transfer)


class TestUpcoding:
    async def test_a_provider_billing_high_cost_codes_far_above_peers_fires(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        await set_thresholds(core, case.tenant, upcoding_min_lines=4, upcoding_min_peer_lines=4)
        peer = await make_provider(core, name="Peer Clinic")
        await link_provider(core, case.tenant, peer)
        start = date(2026, 8, 1)
        cheap = [("CHEAP-1", 10_000), ("CHEAP-2", 20_000), ("CHEAP-3", 30_000)]
        for n in range(6):
            code, price = cheap[n % 3]
            claim = await make_claim(
                core,
                peer,
                case.member,
                service_date=(start + timedelta(days=5 * n)).isoformat(),
                items=[item(code, price)],
            )
            assert "upcoding" not in await rules_of(core, case, claim)
        mine = []
        for n in range(4):
            mine.append(
                await make_claim(
                    core,
                    case.provider,
                    case.member,
                    service_date=(start + timedelta(days=5 * n + 1)).isoformat(),
                    items=[item("SURG-MAJOR", 500_000)],
                )
            )
        for claim in mine[:3]:  # too few lines yet to judge the provider
            assert "upcoding" not in await rules_of(core, case, claim)
        evidence = (await rules_of(core, case, mine[3]))["upcoding"]["evidence"]
        assert evidence["high_cost_codes"] == ["SURG-MAJOR"]
        assert evidence["provider_high_share"] == 1.0
        assert evidence["peer_high_share"] == 0.0


class TestRapidFire:
    async def test_many_claims_for_one_member_in_the_window_fire(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        await set_thresholds(core, case.tenant, rapid_fire_member_claims=3)
        claims = [
            await make_claim(core, case.provider, case.member, service_date=f"2026-0{m}-10")
            for m in (5, 6, 7)
        ]
        assert "rapid_fire" not in await rules_of(core, case, claims[1])
        evidence = (await rules_of(core, case, claims[2]))["rapid_fire"]["evidence"]
        assert evidence["member_claims"] == 3

    async def test_many_claims_from_one_provider_fire(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        await set_thresholds(core, case.tenant, rapid_fire_provider_claims=2)
        other = await make_principal(core, case.tenant, case.client, case.plan)
        first = await make_claim(core, case.provider, case.member)
        second = await make_claim(core, case.provider, other)
        assert "rapid_fire" not in await rules_of(core, case, first)
        assert (await rules_of(core, case, second))["rapid_fire"]["evidence"][
            "provider_claims"
        ] == 2


class TestExcludedService:
    async def test_an_excluded_procedure_fires(self, core: httpx.AsyncClient, case: Case) -> None:
        claim = await make_claim(
            core, case.provider, case.member, items=[item("COS-001", 90_000_00)]
        )
        evidence = (await rules_of(core, case, claim))["excluded_service"]["evidence"]
        assert evidence["procedure_codes"] == ["COS-001"]

    async def test_a_weight_of_zero_turns_the_rule_off(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        await set_thresholds(core, case.tenant, excluded_service_weight=0)
        claim = await make_claim(
            core, case.provider, case.member, items=[item("COS-001", 90_000_00)]
        )
        assert await rules_of(core, case, claim) == {}
        assert await score_of(core, case, claim) == 0


class TestRiskEventList:
    async def test_filters_and_pages(self, core: httpx.AsyncClient, case: Case) -> None:
        await make_claim(core, case.provider, case.member)
        await make_claim(core, case.provider, case.member)
        dup = await make_claim(core, case.provider, case.member)
        seen, cursor = [], None
        while True:
            params: dict[str, Any] = {"rule": "duplicate_billing", "limit": 1}
            if cursor:
                params["cursor"] = cursor
            page = (await core.get("/v1/risk-events", params=params, headers=case.staff)).json()
            seen += [e["id"] for e in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 2
        today = date.today().isoformat()
        dated = await core.get(
            "/v1/risk-events",
            params={"from": today, "to": today, "cleared": "false", "claim_id": dup["id"]},
            headers=case.staff,
        )
        assert [e["rule"] for e in dated.json()["items"]] == ["duplicate_billing"]
        cleared = await core.get("/v1/risk-events", params={"cleared": "true"}, headers=case.staff)
        assert cleared.json()["items"] == []

    async def test_needs_risk_read(self, core: httpx.AsyncClient, case: Case) -> None:
        _, finance = await make_staff(core, case.tenant, "Finance")
        response = await core.get("/v1/risk-events", headers=finance)
        assert response.status_code == 403


class TestSettings:
    async def test_unknown_thresholds_are_refused_and_stale_versions_conflict(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        current = (await core.get("/v1/settings", headers=case.tenant.admin)).json()
        assert current["risk_thresholds"]["duplicate_billing_weight"] == 40
        bad = await core.patch(
            "/v1/settings",
            json={"version": current["version"], "risk_thresholds": {"nope": 1}},
            headers=case.tenant.admin,
        )
        assert bad.status_code == 422
        ok = await core.patch(
            "/v1/settings",
            json={"version": current["version"], "claim_sla_days": 10},
            headers=case.tenant.admin,
        )
        assert ok.status_code == 200
        assert ok.json()["claim_sla_days"] == 10
        stale = await core.patch(
            "/v1/settings",
            json={"version": current["version"], "claim_sla_days": 9},
            headers=case.tenant.admin,
        )
        assert stale.status_code == 409


async def receive(core: httpx.AsyncClient, headers: dict[str, str], claim: dict[str, Any]) -> None:
    moved = await core.post(
        f"/v1/claims/{claim['id']}/transitions",
        json={"to": "RECEIVED", "version": claim["version"]},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text


async def queued(core: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The queue's entries by claim id, in queue order."""
    response = await core.get("/v1/claims/queue", headers=headers)
    assert response.status_code == 200, response.text
    return {c["id"]: c for c in response.json()["items"]}


async def queue_ids(core: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    return list(await queued(core, headers))


class TestClearRiskEvent:
    @pytest.fixture
    async def flagged(
        self, core: httpx.AsyncClient, case: Case
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, str]]:
        """(claim, its duplicate_billing flag, a bigger clean claim, a Claims Manager),
        both claims RECEIVED: the flag (40) puts the smaller claim first in the queue."""
        _, manager = await make_staff(core, case.tenant, "Claims Manager")
        big = await make_claim(
            core,
            case.provider,
            case.member,
            items=[item("CONS-01", 15_000_00), item("SURG-01", 500_000_00)],
        )
        dup = await make_claim(core, case.provider, case.member, items=[item("CONS-01", 15_000_00)])
        assert await score_of(core, case, big) == 0
        assert await score_of(core, case, dup) == 40
        for claim in (big, dup):
            await receive(core, manager, claim)
        assert await queue_ids(core, manager) == [dup["id"], big["id"]]
        event = (await rules_of(core, case, dup))["duplicate_billing"]
        return dup, event, big, manager

    async def test_clearing_drops_the_score_re_ranks_and_audits(
        self, core: httpx.AsyncClient, case: Case, flagged: Any
    ) -> None:
        dup, event, big, manager = flagged
        before = (await core.get(f"/v1/claims/{dup['id']}", headers=manager)).json()
        score_before = (await queued(core, manager))[dup["id"]]["queue_score"]
        response = await core.post(
            f"/v1/risk-events/{event['id']}/clear",
            json={"note": "  Two visits that day; confirmed with the clinic.  "},
            headers=manager,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["id"] == event["id"]
        assert body["cleared_at"] is not None
        assert body["claim_risk_score"] == 0
        assert body["claim_queue_score"] == score_before - 40 * 10_000

        after = (await core.get(f"/v1/claims/{dup['id']}", headers=manager)).json()
        assert after["risk_score"] == 0
        assert after["version"] == before["version"] + 1
        ranked = await queued(core, manager)
        assert list(ranked) == [big["id"], dup["id"]]
        assert ranked[dup["id"]]["queue_score"] == body["claim_queue_score"]
        assert (await rules_of(core, case, dup))["duplicate_billing"]["cleared_at"]
        uncleared = await core.get(
            "/v1/risk-events", params={"cleared": "false"}, headers=case.staff
        )
        assert uncleared.json()["items"] == []

        audit = await core.get(
            "/v1/audit-events", params={"action": "risk_event.cleared"}, headers=case.tenant.admin
        )
        (entry,) = audit.json()["items"]
        assert entry["object_id"] == event["id"]
        assert entry["actor_id"] == body["cleared_by"]
        assert entry["details"]["note"] == "Two visits that day; confirmed with the clinic."
        assert entry["details"]["risk_score"] == {"from": 40, "to": 0}
        assert entry["details"]["claim_id"] == dup["id"]

    async def test_clearing_twice_conflicts(
        self, core: httpx.AsyncClient, case: Case, flagged: Any
    ) -> None:
        dup, event, _, manager = flagged
        url, note = f"/v1/risk-events/{event['id']}/clear", {"note": "false positive"}
        assert (await core.post(url, json=note, headers=manager)).status_code == 200
        again = await core.post(url, json=note, headers=manager)
        assert again.status_code == 409, again.text
        assert again.headers["content-type"] == "application/problem+json"
        assert again.json()["type"].endswith("/already-cleared")
        assert (await core.get(f"/v1/claims/{dup['id']}", headers=manager)).json()[
            "risk_score"
        ] == 0

    async def test_concurrent_clears_one_wins(
        self, core: httpx.AsyncClient, case: Case, flagged: Any
    ) -> None:
        """Both requests read the flag as not cleared while its row is locked, then race
        on the conditional UPDATE: one sets it, the other updates nothing and gets 409."""
        dup, event, _, manager = flagged
        url, note = f"/v1/risk-events/{event['id']}/clear", {"note": "false positive"}
        async with superuser() as conn:
            await conn.execute(
                text("select 1 from risk_events where id = :id for update"), {"id": event["id"]}
            )
            racing = [
                asyncio.create_task(core.post(url, json=note, headers=manager)) for _ in range(2)
            ]
            await asyncio.sleep(0.5)
            assert not any(task.done() for task in racing)
        responses = await asyncio.gather(*racing)
        assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
        loser = next(r for r in responses if r.status_code == 409)
        assert loser.json()["type"].endswith("/already-cleared")
        claim = (await core.get(f"/v1/claims/{dup['id']}", headers=manager)).json()
        assert claim["risk_score"] == 0
        audit = await core.get(
            "/v1/audit-events", params={"action": "risk_event.cleared"}, headers=case.tenant.admin
        )
        assert len(audit.json()["items"]) == 1

    async def test_an_approved_claims_score_just_updates(
        self, core: httpx.AsyncClient, case: Case, flagged: Any
    ) -> None:
        dup, event, _, manager = flagged
        version = (await core.get(f"/v1/claims/{dup['id']}", headers=manager)).json()["version"]
        for to in ("IN_REVIEW", "REJECTED"):
            moved = await core.post(
                f"/v1/claims/{dup['id']}/transitions",
                json={"to": to, "version": version, "reason": "duplicate"},
                headers=manager,
            )
            assert moved.status_code == 200, moved.text
            version = moved.json()["version"]
        response = await core.post(
            f"/v1/risk-events/{event['id']}/clear", json={"note": "not a dup"}, headers=manager
        )
        assert response.status_code == 200, response.text
        claim = (await core.get(f"/v1/claims/{dup['id']}", headers=manager)).json()
        assert (claim["status"], claim["risk_score"]) == ("REJECTED", 0)
        assert dup["id"] not in await queue_ids(core, manager)

    async def test_a_pre_authorizations_flag_is_cleared_with_its_hold(
        self, core: httpx.AsyncClient, case: Case
    ) -> None:
        _, manager = await make_staff(core, case.tenant, "Claims Manager")
        filed = await core.post(
            "/v1/authorizations",
            json={
                "member_id": case.member["member_id"],
                "provider_id": case.provider.id,
                "urgency": "ROUTINE",
                "procedure_code": "CONS-01",
                "estimated_amount": 15_000_00,
            },
            headers=case.provider.user,
        )
        assert filed.status_code == 201, filed.text
        pa = filed.json()
        decided = await core.post(
            f"/v1/authorizations/{pa['id']}/decision",
            json={"decision": "APPROVE"},
            headers=manager,
        )
        assert decided.status_code == 200, decided.text
        email = f"member@{case.tenant.slug}.example.com"
        account = await core.post(
            f"/v1/enrollees/{case.member['id']}/account",
            json={"email": email, "password": PASSWORD},
            headers=case.tenant.admin,
        )
        assert account.status_code == 201, account.text
        member = session_headers(await login(core, case.tenant.slug, email))
        reported = await core.post(f"/v1/authorizations/{pa['id']}/not-me", headers=member)
        assert reported.status_code == 200, reported.text
        events = (await core.get("/v1/risk-events", headers=case.staff)).json()["items"]
        (ghost,) = [e for e in events if e["authorization_id"] == pa["id"]]

        response = await core.post(
            f"/v1/risk-events/{ghost['id']}/clear", json={"note": "it was them"}, headers=manager
        )
        assert response.status_code == 409, response.text
        assert f"/v1/authorizations/{pa['id']}/clear" in response.json()["detail"]
        assert response.json()["type"].endswith("/pre-authorization-risk-event")

    async def test_another_tenants_flag_is_not_found(
        self, core: httpx.AsyncClient, case: Case, flagged: Any
    ) -> None:
        _, event, _, _ = flagged
        other = await make_tenant(core)
        response = await core.post(
            f"/v1/risk-events/{event['id']}/clear", json={"note": "mine now"}, headers=other.admin
        )
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"

    async def test_needs_risk_manage_and_a_note(
        self, core: httpx.AsyncClient, case: Case, flagged: Any
    ) -> None:
        _, event, _, manager = flagged
        url = f"/v1/risk-events/{event['id']}/clear"
        refused = await core.post(url, json={"note": "false positive"}, headers=case.staff)
        assert refused.status_code == 403, refused.text  # an Adjudicator only reads flags
        assert refused.json()["permission"] == "risk:manage"
        for body in ({}, {"note": "  x "}, {"note": "x" * 501}, None):
            bad = await core.post(url, json=body, headers=manager)
            assert bad.status_code == 422, (body, bad.text)
        unknown = "018f0000-0000-7000-8000-000000000000"
        missing = await core.post(
            f"/v1/risk-events/{unknown}/clear", json={"note": "false positive"}, headers=manager
        )
        assert missing.status_code == 404
        assert (await rules_of(core, case, {"id": event["claim_id"]}))["duplicate_billing"][
            "cleared_at"
        ] is None
