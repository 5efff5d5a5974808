"""The enrollee portal's own views: `GET /v1/me/coverage`, `/v1/me/visits`,
`/v1/me/providers` and `/v1/me/export`."""

from __future__ import annotations

import csv
import io
import json
import secrets
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from bff.main import create_app as create_bff
from tests.bff.conftest import bff_settings, browser, running
from tests.claims_world import World, claim_in, get_claim, new_claim, world
from tests.factories import (
    PASSWORD,
    PLATFORM,
    ProviderCtx,
    TenantCtx,
    link_provider,
    make_client,
    make_client_user,
    make_dependant,
    make_plan,
    make_principal,
    make_provider,
    make_staff,
    make_tenant,
)
from tests.members_world import check_in, portal_login, problem

TODAY = date.today()
ME_ROUTES = ["/v1/me/coverage", "/v1/me/visits", "/v1/me/providers", "/v1/me/export"]
# What the HMO's fraud review holds and a member never sees, anywhere in an answer.
FRAUD_KEYS = {
    "risk_score",
    "queue_score",
    "on_hold",
    "decided_by_sampling",
    "flags",
    "risk_events",
    "hold_cleared_at",
    "sampling_ratio_bp",
    "evidence",
}
CSV_FILES = {
    "account.csv",
    "profile.csv",
    "cards.csv",
    "coverage.csv",
    "claims.csv",
    "claim_lines.csv",
    "authorizations.csv",
    "visits.csv",
    "notifications.csv",
}


@dataclass
class Families:
    """In one HMO: a principal with a child, and a neighbour (another family); in another
    HMO a stranger. What was filed for each, by who."""

    w: World  # the principal is w.member
    pharmacy: ProviderCtx
    other_hmo: TenantCtx
    people: dict[str, dict[str, Any]]
    logins: dict[str, dict[str, str]]
    claims: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    visits: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    pas: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def ids(self, records: dict[str, list[dict[str, Any]]], *owners: str) -> set[str]:
        return {r["id"] for owner in owners for r in records[owner]}


async def _people(core: httpx.AsyncClient, w: World) -> tuple[TenantCtx, dict[str, Any]]:
    child = await make_dependant(core, w.hmo, w.member)
    other_hmo = await make_tenant(core, "Other Health")
    plan, client = await make_plan(core, other_hmo), await make_client(core, other_hmo)
    stranger = await make_principal(core, other_hmo, client, plan, first_name="Bola")
    await link_provider(core, other_hmo, w.provider)
    return other_hmo, {"principal": w.member, "child": child, "stranger": stranger}


async def _file(core: httpx.AsyncClient, f: Families) -> None:
    """The principal's claims in every state that matters to coverage (settled first: a
    settlement run takes every APPROVED claim of its day), a claim of ten days ago, the
    child's and the neighbour's claims, check-ins for all, and PAs."""
    w, principal = f.w, f.people["principal"]
    for status in ("SETTLED", "APPROVED", "REJECTED", "SUBMITTED"):
        f.claims["principal"].append(await claim_in(core, w, status))
    earlier = TODAY - timedelta(days=10)
    f.claims["principal"].append(await new_claim(core, w, service_date=earlier))
    for who in ("child", "neighbour"):
        status = "APPROVED" if who == "neighbour" else "SUBMITTED"
        member_id = f.people[who]["member_id"]
        f.claims[who].append(await claim_in(core, w, status, member_id=member_id))
    for who in ("principal", "child", "neighbour", "stranger"):
        f.visits[who].append(await check_in(core, w.provider, f.people[who]))
    f.visits["principal"].append(
        await check_in(core, f.pharmacy, principal, benefit_category="dental")
    )
    f.pas["principal"].append(await file_pa(core, f, "principal", "ROUTINE"))
    # Alerts the principal at once: a notification to export.
    f.pas["child"].append(await file_pa(core, f, "child", "EMERGENCY"))


async def file_pa(core: httpx.AsyncClient, f: Families, who: str, urgency: str) -> dict[str, Any]:
    body = {
        "member_id": f.people[who]["member_id"],
        "provider_id": f.w.provider.id,
        "urgency": urgency,
        "procedure_code": "CONS-01",
        "diagnosis_codes": ["J06.9"],
        "estimated_amount": 15_000_00,
    }
    response = await core.post("/v1/authorizations", json=body, headers=f.w.provider.user)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture(scope="module")
async def families(core_app: object) -> Families:
    transport = httpx.ASGITransport(app=core_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://core") as core:
        w = await world(core)
        pharmacy = await make_provider(core, "Oyo Pharmacy", "PHARMACY", "Oyo")
        await link_provider(core, w.hmo, pharmacy)
        other_hmo, people = await _people(core, w)
        people["neighbour"] = await make_principal(
            core, w.hmo, w.client, w.plan, first_name="Tunde", primary_provider_id=pharmacy.id
        )
        logins = {
            who: await portal_login(core, other_hmo if who == "stranger" else w.hmo, person)
            for who, person in people.items()
        }
        built = Families(w, pharmacy, other_hmo, people, logins)
        await _file(core, built)
        return built


async def answer(
    core: httpx.AsyncClient, route: str, headers: dict[str, str], **params: Any
) -> Any:
    response = await core.get(route, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def eligibility(
    core: httpx.AsyncClient, f: Families, who: str, on: date = TODAY
) -> dict[str, Any]:
    response = await core.post(
        "/v1/eligibility",
        json={"member_id": f.people[who]["member_id"], "service_date": on.isoformat()},
        headers=f.w.hmo.admin,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestCoverage:
    async def test_a_principal_sees_theirs_then_each_dependants_as_eligibility_does(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        cover = await answer(core, "/v1/me/coverage", families.logins["principal"])
        assert cover["on"] == TODAY.isoformat()
        members = cover["members"]
        assert [m["member"]["member_id"] for m in members] == [
            families.people[who]["member_id"] for who in ("principal", "child")
        ]
        for who, mine in zip(("principal", "child"), members, strict=True):
            check = await eligibility(core, families, who)
            assert mine["benefits"] == check["benefits"], who
            assert (mine["plan"], mine["member"]) == (check["plan"], check["member"])
            assert (mine["eligible"], mine["reasons"]) == (check["eligible"], check["reasons"])
        assert members[0]["policy_year"]["start"] <= TODAY.isoformat()
        assert members[0]["policy_year"]["end"] >= TODAY.isoformat()

    async def test_used_counts_approved_and_settled_items_only(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        used: dict[str, int] = defaultdict(int)
        for claim in families.claims["principal"]:
            detail = await get_claim(core, families.w, claim["id"])
            if detail["status"] in ("APPROVED", "SETTLED"):
                for line in detail["items"]:
                    used[line["category"]] += line["approved_amount"]
        assert used["outpatient"] > 0
        cover = await answer(core, "/v1/me/coverage", families.logins["principal"])
        benefits = {b["category"]: b for b in cover["members"][0]["benefits"]}
        for category, benefit in benefits.items():
            assert benefit["used_amount"] == used[category], category
            assert benefit["remaining_amount"] == benefit["limit_amount"] - used[category]
        assert benefits["outpatient"]["used_visits"] == 2  # the approved and the settled claim

    async def test_on_a_past_day_it_is_that_days_eligibility(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        day = TODAY - timedelta(days=40)
        cover = await answer(
            core, "/v1/me/coverage", families.logins["principal"], on=day.isoformat()
        )
        check = await eligibility(core, families, "principal", day)
        assert cover["members"][0]["benefits"] == check["benefits"]

    async def test_a_dependant_and_another_family_see_only_their_own(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        for who in ("child", "neighbour", "stranger"):
            cover = await answer(core, "/v1/me/coverage", families.logins[who])
            assert [m["member"]["member_id"] for m in cover["members"]] == [
                families.people[who]["member_id"]
            ]
        neighbour = await answer(core, "/v1/me/coverage", families.logins["neighbour"])
        check = await eligibility(core, families, "neighbour")
        assert neighbour["members"][0]["benefits"] == check["benefits"]

    async def test_member_id_narrows_to_one_of_the_family_and_no_one_else(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        principal = families.logins["principal"]
        child_id = families.people["child"]["member_id"]
        cover = await answer(core, "/v1/me/coverage", principal, member_id=child_id.lower())
        assert [m["member"]["member_id"] for m in cover["members"]] == [child_id]
        for whose in ("neighbour", "stranger"):
            response = await core.get(
                "/v1/me/coverage",
                params={"member_id": families.people[whose]["member_id"]},
                headers=principal,
            )
            problem(response, 404)

    @pytest.mark.parametrize("params", [{"on": "2026-02-30"}, {"on": "0001-01-01"}])
    async def test_a_bad_day_is_422(
        self, core: httpx.AsyncClient, families: Families, params: dict[str, str]
    ) -> None:
        response = await core.get(
            "/v1/me/coverage", params=params, headers=families.logins["principal"]
        )
        problem(response, 422)


async def approvals_heard(core: httpx.AsyncClient, headers: dict[str, str]) -> set[str]:
    """The numbers of the claims whose approval the login was told of."""
    page = await answer(core, "/v1/notifications", headers, limit=200)
    return {n["data"]["number"] for n in page["items"] if n["type"] == "claim.approved"}


class TestCoverageIsLive:
    """The portal's ticker refreshes on the member's `claim.approved` events."""

    async def test_only_an_approval_is_told_and_only_to_its_family(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        approved = {
            who: {
                c["number"] for c in families.claims[who] if c["status"] in ("APPROVED", "SETTLED")
            }
            for who in ("principal", "child", "neighbour")
        }
        assert approved["principal"]
        assert approved["neighbour"]
        assert not approved["child"]
        for who, numbers in approved.items():
            assert await approvals_heard(core, families.logins[who]) == numbers, who

    async def test_a_dependants_approval_is_told_to_the_principal_too(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        child = await make_dependant(core, w.hmo, w.member)
        logins = {
            who: await portal_login(core, w.hmo, person)
            for who, person in (("principal", w.member), ("child", child))
        }
        filed = await claim_in(core, w, "IN_REVIEW", member_id=child["member_id"])
        assert await approvals_heard(core, logins["principal"]) == set()
        claim = await claim_in(core, w, "APPROVED", member_id=child["member_id"])
        for headers in logins.values():
            assert await approvals_heard(core, headers) == {claim["number"]}
        assert filed["number"] != claim["number"]


class TestVisits:
    async def test_check_ins_and_claims_of_the_family_newest_day_first(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        f = families
        page = await answer(core, "/v1/me/visits", f.logins["principal"], limit=200)
        items = page["items"]
        kinds = {item["kind"] for item in items}
        assert kinds == {"check_in", "claim"}
        seen = {item["id"] for item in items}
        family = ("principal", "child")
        assert seen == f.ids(f.visits, *family) | f.ids(f.claims, *family)
        order = [(item["visit_date"], item["id"]) for item in items]
        assert order == sorted(order, reverse=True)
        assert items[-1]["visit_date"] == (TODAY - timedelta(days=10)).isoformat()
        by_id = {item["id"]: item for item in items}
        dental = by_id[f.visits["principal"][-1]["id"]]
        assert (dental["provider_name"], dental["eligible"]) == ("Oyo Pharmacy", False)
        assert [r["code"] for r in dental["reasons"]] == ["UNKNOWN_BENEFIT"]
        assert dental["claim_number"] is None
        settled = by_id[f.claims["principal"][0]["id"]]
        assert (settled["claim_status"], settled["eligible"]) == ("SETTLED", None)
        assert settled["claim_number"].startswith("CLM-")
        assert settled["provider_name"] == f.w.provider.name
        assert not set(settled) & FRAUD_KEYS

    async def test_a_dependant_and_another_family_see_only_their_own(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        f = families
        for who in ("child", "neighbour", "stranger"):
            page = await answer(core, "/v1/me/visits", f.logins[who])
            assert {item["id"] for item in page["items"]} == f.ids(f.visits, who) | f.ids(
                f.claims, who
            ), who

    async def test_kind_and_member_id_filter_and_pages_walk_every_visit_once(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        f, principal = families, families.logins["principal"]
        check_ins = await answer(core, "/v1/me/visits", principal, kind="check_in")
        assert {i["id"] for i in check_ins["items"]} == f.ids(f.visits, "principal", "child")
        child_claims = await answer(
            core,
            "/v1/me/visits",
            principal,
            kind="claim",
            member_id=f.people["child"]["member_id"],
        )
        assert {i["id"] for i in child_claims["items"]} == f.ids(f.claims, "child")
        everything = (await answer(core, "/v1/me/visits", principal))["items"]
        walked: list[str] = []
        params: dict[str, Any] = {"limit": 3}
        while True:
            page = await answer(core, "/v1/me/visits", principal, **params)
            walked += [item["id"] for item in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
        assert walked == [item["id"] for item in everything]

    @pytest.mark.parametrize(
        "params", [{"kind": "surgery"}, {"cursor": "%%%"}, {"limit": 0}, {"member_id": "X" * 49}]
    )
    async def test_bad_input_is_422(
        self, core: httpx.AsyncClient, families: Families, params: dict[str, Any]
    ) -> None:
        response = await core.get(
            "/v1/me/visits", params=params, headers=families.logins["principal"]
        )
        problem(response, 422)


class TestProviders:
    async def test_the_hmos_network_only_searchable_by_name_type_and_state(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        f = families
        unlinked = await make_provider(core, "Oyo Unlinked Lab", "LAB", "Oyo")
        requested = await core.post(
            "/v1/network/links", json={"provider_id": unlinked.id}, headers=f.w.hmo.admin
        )
        assert requested.status_code == 201, requested.text  # REQUESTED is not in network
        principal = f.logins["principal"]
        listed = (await answer(core, "/v1/me/providers", principal))["items"]
        by_name = sorted([(f.w.provider.name, f.w.provider.id), ("Oyo Pharmacy", f.pharmacy.id)])
        assert [p["id"] for p in listed] == [id_ for _, id_ in by_name]
        for params in ({"q": "oyo"}, {"type": "PHARMACY"}, {"state": "OYO"}):
            found = await answer(core, "/v1/me/providers", principal, **params)
            assert [p["id"] for p in found["items"]] == [f.pharmacy.id], params
        assert (await answer(core, "/v1/me/providers", principal, q="zzz"))["items"] == []

    async def test_the_primary_provider_is_marked(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        f = families
        for who, primary in (("neighbour", True), ("principal", False)):
            found = await answer(core, "/v1/me/providers", f.logins[who], type="PHARMACY")
            assert [p["is_primary"] for p in found["items"]] == [primary], who

    async def test_another_hmos_member_sees_that_hmos_network(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        found = await answer(core, "/v1/me/providers", families.logins["stranger"])
        assert [p["id"] for p in found["items"]] == [families.w.provider.id]

    @pytest.mark.parametrize("params", [{"type": "SPA"}, {"q": ""}, {"state": "x" * 61}])
    async def test_bad_filters_are_422(
        self, core: httpx.AsyncClient, families: Families, params: dict[str, str]
    ) -> None:
        response = await core.get(
            "/v1/me/providers", params=params, headers=families.logins["principal"]
        )
        problem(response, 422)


def keys_anywhere(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_anywhere(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_anywhere(v)}
    return set()


async def exports_recorded(core: httpx.AsyncClient, tenant: TenantCtx) -> int:
    body = await answer(core, "/v1/audit-events", tenant.admin, action="me.exported", limit=200)
    return len(body["items"])


class TestExport:
    async def test_the_family_data_and_nobody_elses(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        f = families
        before = await exports_recorded(core, f.w.hmo)
        data = await answer(core, "/v1/me/export", f.logins["principal"])
        assert await exports_recorded(core, f.w.hmo) == before + 1
        family = ("principal", "child")
        member_ids = [f.people[who]["member_id"] for who in family]
        assert [p["member_id"] for p in data["profile"]] == member_ids
        assert [c["member_id"] for c in data["cards"]] == member_ids
        assert data["account"]["kind"] == "ENROLLEE"
        cover = await answer(core, "/v1/me/coverage", f.logins["principal"])
        assert data["coverage"] == cover
        assert {c["id"] for c in data["claims"]} == f.ids(f.claims, *family)
        assert {p["id"] for p in data["authorizations"]} == f.ids(f.pas, *family)
        assert {v["id"] for v in data["visits"]} == f.ids(f.visits, *family)
        mine = await answer(core, "/v1/notifications", f.logins["principal"], limit=200)
        assert [n["id"] for n in data["notifications"]] == [n["id"] for n in mine["items"]]
        assert data["notifications"], "the child's emergency PA alerted the principal"
        assert not keys_anywhere(data) & FRAUD_KEYS
        text = json.dumps(data)
        for outsider in ("neighbour", "stranger"):
            assert f.people[outsider]["member_id"] not in text
            for record in (*f.claims[outsider], *f.visits[outsider]):
                assert record["id"] not in text

    async def test_a_dependant_exports_only_their_own(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        f = families
        data = await answer(core, "/v1/me/export", f.logins["child"])
        assert [p["member_id"] for p in data["profile"]] == [f.people["child"]["member_id"]]
        assert {c["id"] for c in data["claims"]} == f.ids(f.claims, "child")
        assert {p["id"] for p in data["authorizations"]} == f.ids(f.pas, "child")
        text = json.dumps(data)  # the card names the principal: nothing else of theirs
        for record in (*f.claims["principal"], *f.visits["principal"], *f.pas["principal"]):
            assert record["id"] not in text

    async def test_the_zip_holds_a_csv_per_section_with_its_header(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        f = families
        before = await exports_recorded(core, f.w.hmo)
        response = await core.get(
            "/v1/me/export", params={"format": "zip"}, headers=f.logins["principal"]
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/zip"
        assert "attachment" in response.headers["content-disposition"]
        assert await exports_recorded(core, f.w.hmo) == before + 1
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        assert archive.testzip() is None
        assert set(archive.namelist()) == CSV_FILES
        tables = {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode()))
            )
            for name in CSV_FILES
        }
        family = ("principal", "child")
        assert {row["id"] for row in tables["claims"]} == f.ids(f.claims, *family)
        assert {row["id"] for row in tables["visits"]} == f.ids(f.visits, *family)
        lines = sum(len(c["items"]) for who in family for c in f.claims[who])
        assert len(tables["claim_lines"]) == lines
        assert {row["member_id"] for row in tables["coverage"]} == {
            f.people[who]["member_id"] for who in family
        }
        assert {row["member_id"] for row in tables["profile"]} == {
            f.people[who]["member_id"] for who in family
        }
        claim_header = archive.read("claims.csv").decode().splitlines()[0].split(",")
        assert "provider_name" in claim_header
        assert not set(claim_header) & FRAUD_KEYS
        assert len(tables["notifications"]) >= 1
        assert json.loads(tables["notifications"][0]["data"])  # structured cells as JSON

    async def test_staff_export_their_account_and_the_permission_is_needed(
        self, core: httpx.AsyncClient, families: Families
    ) -> None:
        hmo = families.w.hmo
        data = await answer(core, "/v1/me/export", hmo.admin)
        assert data["account"]["email"] == hmo.admin_email
        assert (data["profile"], data["claims"], data["coverage"]) == ([], [], None)
        created = await core.post(
            "/v1/roles",
            json={"name": "No export", "permissions": ["claims:read"]},
            headers=hmo.admin,
        )
        assert created.status_code == 201, created.text
        _, no_export = await make_staff(core, hmo, "No export")
        for headers in (no_export, PLATFORM):
            response = await core.get("/v1/me/export", headers=headers)
            assert problem(response, 403)["permission"] == "me:export"

    async def test_a_bad_format_is_422(self, core: httpx.AsyncClient, families: Families) -> None:
        response = await core.get(
            "/v1/me/export", params={"format": "xml"}, headers=families.logins["principal"]
        )
        problem(response, 422)


@pytest.mark.parametrize("route", ME_ROUTES[:3])
async def test_only_enrollees_have_a_family_to_view(
    core: httpx.AsyncClient, families: Families, route: str
) -> None:
    w = families.w
    callers = {
        "admin": w.hmo.admin,
        "provider": w.provider.user,
        "client": (await make_client_user(core, w.hmo, w.client))[1],
        "platform": PLATFORM,
    }
    for name, headers in callers.items():
        response = await core.get(route, headers=headers)
        assert response.status_code == 403, (name, response.text)
        problem(response, 403)


async def test_through_the_bff(core: httpx.AsyncClient, live_core: str) -> None:
    """The BFF relays the desk's check-in and the member's views, the zip byte for byte."""
    w = await world(core)
    email = f"member-{secrets.token_hex(3)}@example.com"
    account = await core.post(
        f"/v1/enrollees/{w.member['id']}/account",
        json={"email": email, "password": PASSWORD},
        headers=w.hmo.admin,
    )
    assert account.status_code == 201, account.text
    app = create_bff(bff_settings(live_core))
    async with running(app) as desk, browser(app) as member:
        signed_in = await desk.post(
            "/api/auth/login",
            json={"tenant": w.provider.slug, "email": w.provider.email, "password": PASSWORD},
        )
        assert signed_in.status_code == 200, signed_in.text
        visit = await desk.post(
            "/api/check-ins",
            json={"member_id": w.member["member_id"]},
            headers={"x-csrf-token": signed_in.json()["csrf_token"]},
        )
        assert visit.status_code == 201, visit.text
        login = {"tenant": w.hmo.slug, "email": email, "password": PASSWORD}
        assert (await member.post("/api/auth/login", json=login)).status_code == 200
        visits = await member.get("/api/me/visits")
        assert [v["id"] for v in visits.json()["items"]] == [visit.json()["id"]]
        cover = await member.get("/api/me/coverage")
        assert cover.json()["members"][0]["benefits"] == visit.json()["benefits"]
        providers = await member.get("/api/me/providers", params={"type": "HOSPITAL"})
        assert [p["id"] for p in providers.json()["items"]] == [w.provider.id]
        exported = await member.get("/api/me/export", params={"format": "zip"})
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"] == "application/zip"
        assert zipfile.ZipFile(io.BytesIO(exported.content)).testzip() is None
