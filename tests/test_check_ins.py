"""Front-desk check-ins: `POST /v1/check-ins` (a visit with its eligibility verdict) and
`GET /v1/check-ins` (HMO staff: their HMO's; providers: their own)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.claims_world import World, count_rows, world
from tests.factories import (
    link_provider,
    make_client,
    make_client_user,
    make_plan,
    make_principal,
    make_provider,
    make_staff,
    make_tenant,
)
from tests.members_world import (
    check_in,
    error_fields,
    portal_login,
    post_check_in,
    problem,
)

TODAY = date.today()


async def listed(
    core: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await core.get("/v1/check-ins", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def stored(w: World) -> int:
    return await count_rows("select count(*) from check_ins where tenant_id = :t", t=w.hmo.id)


class TestRecord:
    async def test_an_eligible_visit_is_stored_with_the_eligibility_answer(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        visit = await check_in(core, w.provider, w.member, benefit_category=" Outpatient ")
        assert visit["eligible"] is True
        assert visit["reasons"] == []
        assert (visit["member_id"], visit["enrollee_id"]) == (
            w.member["member_id"],
            w.member["id"],
        )
        assert (visit["provider_id"], visit["provider_name"]) == (w.provider.id, w.provider.name)
        assert (visit["visit_date"], visit["benefit_category"]) == (TODAY.isoformat(), "outpatient")
        answer = await core.post(
            "/v1/eligibility",
            json={"member_id": w.member["member_id"], "service_date": TODAY.isoformat()},
            headers=w.provider.user,
        )
        assert visit["benefits"] == answer.json()["benefits"]
        assert visit["plan"] == answer.json()["plan"]
        assert visit["member"] == answer.json()["member"]
        [row] = await listed(core, w.hmo.admin)
        assert row == {k: v for k, v in visit.items() if k not in ("member", "plan", "benefits")}

    async def test_an_ineligible_visit_is_stored_with_its_reasons(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        suspended = await core.post(
            f"/v1/enrollees/{w.member['id']}/status",
            json={"status": "SUSPENDED", "reason": "unpaid"},
            headers=w.hmo.admin,
        )
        assert suspended.status_code == 200, suspended.text
        visit = await check_in(core, w.provider, w.member, benefit_category="dental")
        assert visit["eligible"] is False
        assert [r["code"] for r in visit["reasons"]] == ["MEMBER_SUSPENDED", "UNKNOWN_BENEFIT"]
        [row] = await listed(core, w.provider.user)
        assert (row["eligible"], row["reasons"]) == (False, visit["reasons"])

    async def test_hmo_staff_record_for_a_provider_of_their_network(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        visit = await check_in_as(core, w.hmo.admin, w.member, provider_id=w.provider.id)
        assert (visit["provider_id"], visit["eligible"]) == (w.provider.id, True)
        unlinked = await make_provider(core, "Far Clinic")
        for body in ({}, {"provider_id": unlinked.id}, {"provider_id": str(uuid.uuid4())}):
            response = await post_check_in(core, w.hmo.admin, w.member, **body)
            assert error_fields(response) == ["provider_id"], body
        assert await stored(w) == 1

    async def test_an_idempotent_retry_stores_one_visit(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        first = await post_check_in(core, w.provider.user, w.member, key="desk-1")
        again = await post_check_in(core, w.provider.user, w.member, key="desk-1")
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert await stored(w) == 1
        other_body = await post_check_in(
            core, w.provider.user, w.member, key="desk-1", benefit_category="drugs"
        )
        assert problem(other_body, 422)["type"].endswith("idempotency-key-reused")
        await check_in(core, w.provider, w.member)  # no key: a second visit
        assert await stored(w) == 2


async def check_in_as(
    core: httpx.AsyncClient, headers: dict[str, str], member: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    response = await post_check_in(core, headers, member, **extra)
    assert response.status_code == 201, response.text
    return dict(response.json())


class TestBadInput:
    async def test_an_unknown_member_is_the_eligibility_checks_problem(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        for member_id in (f"{w.hmo.code}-NOPE-00001-P", "ZZZNOHMO-X-00001-P"):
            visit = await post_check_in(core, w.provider.user, {"member_id": member_id})
            check = await core.post(
                "/v1/eligibility",
                json={"member_id": member_id, "service_date": TODAY.isoformat()},
                headers=w.provider.user,
            )
            assert problem(visit, 404)["type"] == problem(check, 404)["type"], member_id
        assert await stored(w) == 0

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"benefit_category": "spa"}, "benefit_category"),
            ({"benefit_category": 7}, "benefit_category"),
            ({"provider_id": "not-a-uuid"}, "provider_id"),
            ({"member_id": "X"}, "member_id"),
            ({"member_id": "X" * 49}, "member_id"),
            ({"member_id": None}, "member_id"),
        ],
    )
    async def test_a_bad_field_is_a_422_naming_it(
        self, core: httpx.AsyncClient, linked: World, body: dict[str, Any], field: str
    ) -> None:
        response = await post_check_in(core, linked.provider.user, linked.member, **body)
        assert error_fields(response) == [field]

    async def test_a_provider_naming_another_provider_is_a_422(
        self, core: httpx.AsyncClient, linked: World
    ) -> None:
        response = await post_check_in(
            core, linked.provider.user, linked.member, provider_id=str(uuid.uuid4())
        )
        assert error_fields(response) == ["provider_id"]

    async def test_an_unlinked_provider_is_403_not_in_network(
        self, core: httpx.AsyncClient, linked: World
    ) -> None:
        stranger = await make_provider(core, "Unlinked Clinic")
        response = await post_check_in(core, stranger.user, linked.member)
        assert problem(response, 403)["type"].endswith("not-in-network")


def in_process(core_app: object) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=core_app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://core")


@pytest.fixture(scope="module")
async def linked(core_app: object) -> World:
    """One HMO, member and linked provider, shared by tests that count nothing stored."""
    async with in_process(core_app) as core:
        return await world(core)


@pytest.fixture(scope="module")
async def member_login(core_app: object, linked: World) -> dict[str, str]:
    async with in_process(core_app) as core:
        return await portal_login(core, linked.hmo, linked.member)


class TestWhoMay:
    async def test_staff_without_eligibility_check_and_enrollees_cannot_record(
        self, core: httpx.AsyncClient, linked: World, member_login: dict[str, str]
    ) -> None:
        finance = await linked.as_role(core, "Finance")
        for headers in (finance, member_login):
            response = await post_check_in(
                core, headers, linked.member, provider_id=linked.provider.id
            )
            assert problem(response, 403)["permission"] == "eligibility:check"

    async def test_enrollees_and_client_users_cannot_list(
        self, core: httpx.AsyncClient, linked: World, member_login: dict[str, str]
    ) -> None:
        _, client_user = await make_client_user(core, linked.hmo, linked.client)
        for headers in (member_login, client_user):
            response = await core.get("/v1/check-ins", headers=headers)
            assert problem(response, 403)["permission"] == "eligibility:check"

    async def test_read_only_staff_list_them(self, core: httpx.AsyncClient, linked: World) -> None:
        read_only = await linked.as_role(core, "Read-only")
        assert isinstance(await listed(core, read_only), list)


class TestList:
    async def test_a_provider_sees_only_its_own_and_staff_see_every_one(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        rival = await make_provider(core, "Rival Hospital")
        await link_provider(core, w.hmo, rival)
        mine = await check_in(core, w.provider, w.member)
        theirs = await check_in(core, rival, w.member)
        assert [c["id"] for c in await listed(core, w.provider.user)] == [mine["id"]]
        assert [c["id"] for c in await listed(core, rival.user)] == [theirs["id"]]
        everyone = await listed(core, w.hmo.admin)
        assert [c["id"] for c in everyone] == [theirs["id"], mine["id"]]
        by_provider = await listed(core, w.hmo.admin, provider_id=w.provider.id)
        assert [c["id"] for c in by_provider] == [mine["id"]]
        refused = await core.get(
            "/v1/check-ins", params={"provider_id": rival.id}, headers=w.provider.user
        )
        assert error_fields(refused) == ["provider_id"]

    async def test_a_provider_sees_its_own_across_hmos_and_hmos_only_theirs(
        self, core: httpx.AsyncClient
    ) -> None:
        w = await world(core)
        other = await make_tenant(core, "Other Health")
        plan, client = await make_plan(core, other), await make_client(core, other)
        other_member = await make_principal(core, other, client, plan)
        await link_provider(core, other, w.provider)
        here = await check_in(core, w.provider, w.member)
        there = await check_in(core, w.provider, other_member)
        both = await listed(core, w.provider.user)
        assert [c["id"] for c in both] == [there["id"], here["id"]]
        assert [c["id"] for c in await listed(core, w.hmo.admin)] == [here["id"]]
        assert [c["id"] for c in await listed(core, other.admin)] == [there["id"]]
        # Another HMO's staff cannot record a visit for this HMO's member either.
        response = await post_check_in(core, other.admin, w.member, provider_id=w.provider.id)
        assert problem(response, 404)["type"].endswith("unknown-member")

    async def test_filters_and_pages(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        second = await make_principal(core, w.hmo, w.client, w.plan, first_name="Tunde")
        visits = [
            await check_in(core, w.provider, person) for person in (w.member, second, w.member)
        ]
        admin = w.hmo.admin
        member_id = w.member["member_id"].lower()
        by_member = await listed(core, admin, member_id=member_id)
        assert [c["id"] for c in by_member] == [visits[2]["id"], visits[0]["id"]]
        today = TODAY.isoformat()
        assert len(await listed(core, admin, **{"from": today, "to": today})) == 3
        tomorrow = (TODAY + timedelta(days=1)).isoformat()
        assert await listed(core, admin, **{"from": tomorrow}) == []
        walked: list[str] = []
        params: dict[str, Any] = {"limit": 2}
        while True:
            page = (await core.get("/v1/check-ins", params=params, headers=admin)).json()
            walked += [c["id"] for c in page["items"]]
            if page["next_cursor"] is None:
                break
            params["cursor"] = page["next_cursor"]
        assert walked == [v["id"] for v in reversed(visits)]

    @pytest.mark.parametrize(
        "params",
        [{"from": "2026-02-30"}, {"provider_id": "x"}, {"member_id": "X" * 49}, {"cursor": "%"}],
    )
    async def test_bad_filters_are_422(
        self, core: httpx.AsyncClient, linked: World, params: dict[str, str]
    ) -> None:
        response = await core.get("/v1/check-ins", params=params, headers=linked.hmo.admin)
        problem(response, 422)


async def test_an_adjudicator_records_for_a_network_provider(
    core: httpx.AsyncClient, linked: World
) -> None:
    _, adjudicator = await make_staff(core, linked.hmo, "Adjudicator")
    visit = await check_in_as(core, adjudicator, linked.member, provider_id=linked.provider.id)
    assert visit["eligible"] is True
