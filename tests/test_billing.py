"""Platform billing: the per-claim fee at RECEIVED, tier pricing, the ledger and invoices."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.db import superuser
from tests.factories import (
    PLATFORM,
    ProviderCtx,
    TenantCtx,
    link_provider,
    make_claim,
    make_client,
    make_plan,
    make_principal,
    make_provider,
    make_staff,
    make_tenant,
)

THIS_MONTH = datetime.now(UTC).date().replace(day=1)


@dataclass
class Hmo:
    tenant: TenantCtx
    provider: ProviderCtx
    members: list[dict[str, Any]]


async def make_hmo(core: httpx.AsyncClient, members: int = 1) -> Hmo:
    tenant = await make_tenant(core)
    plan, client = await make_plan(core, tenant), await make_client(core, tenant)
    people = [
        await make_principal(
            core, tenant, client, plan, coverage_start="2025-01-01", first_name=f"M{i}"
        )
        for i in range(members)
    ]
    provider = await make_provider(core)
    await link_provider(core, tenant, provider)
    return Hmo(tenant, provider, people)


async def submit(core: httpx.AsyncClient, hmo: Hmo, n: int = 1) -> list[dict[str, Any]]:
    """`n` claims, spread over the members and service dates."""
    return [
        await make_claim(
            core,
            hmo.provider,
            hmo.members[i % len(hmo.members)],
            service_date=f"2026-10-{1 + i % 28:02d}",
        )
        for i in range(n)
    ]


async def receive(core: httpx.AsyncClient, hmo: Hmo, claim: dict[str, Any]) -> httpx.Response:
    return await core.post(
        f"/v1/claims/{claim['id']}/transitions",
        json={"to": "RECEIVED", "version": claim["version"]},
        headers=hmo.tenant.admin,
    )


async def received(core: httpx.AsyncClient, hmo: Hmo, n: int) -> list[dict[str, Any]]:
    """`n` claims received one after the other; the answers (claims in RECEIVED)."""
    answers = []
    for claim in await submit(core, hmo, n):
        response = await receive(core, hmo, claim)
        assert response.status_code == 200, response.text
        answers.append(response.json())
    return answers


async def all_fees(
    core: httpx.AsyncClient, headers: dict[str, str], limit: int = 200, **params: Any
) -> list[dict[str, Any]]:
    """Every ledger row, following the cursor."""
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await core.get("/v1/billing/fees", params=query, headers=headers)
        assert response.status_code == 200, response.text
        rows += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return rows


async def all_invoices(
    core: httpx.AsyncClient, headers: dict[str, str], limit: int = 200, **params: Any
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await core.get("/v1/billing/invoices", params=query, headers=headers)
        assert response.status_code == 200, response.text
        rows += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return rows


async def put_tiers(
    core: httpx.AsyncClient, tiers: list[dict[str, Any]], tenant_id: str | None = None
) -> httpx.Response:
    params = {"tenant_id": tenant_id} if tenant_id else {}
    return await core.put(
        "/v1/billing/tiers", json={"tiers": tiers}, params=params, headers=PLATFORM
    )


def tier(name: str, min_claims: int, fee: int, currency: str = "NGN") -> dict[str, Any]:
    return {"name": name, "min_monthly_claims": min_claims, "fee_amount": fee, "currency": currency}


LADDER = [tier("starter", 0, 300_00), tier("growth", 2, 200_00), tier("volume", 4, 100_00)]


class TestCharging:
    async def test_no_fee_at_submission_and_the_built_in_fee_at_received(
        self, core: httpx.AsyncClient
    ) -> None:
        hmo = await make_hmo(core)
        (claim,) = await submit(core, hmo)
        assert await all_fees(core, hmo.tenant.admin) == []
        response = await receive(core, hmo, claim)
        assert response.status_code == 200, response.text
        (fee,) = await all_fees(core, hmo.tenant.admin)
        assert fee["claim_id"] == claim["id"]
        assert fee["claim_number"] == claim["number"]
        assert (fee["amount"], fee["currency"], fee["tier"]) == (150_00, "NGN", "default")
        assert fee["invoice_month"] == THIS_MONTH.isoformat()
        received_at = datetime.fromisoformat(response.json()["received_at"])
        assert datetime.fromisoformat(fee["charged_at"]) == received_at

    async def test_later_moves_charge_nothing_more(self, core: httpx.AsyncClient) -> None:
        hmo = await make_hmo(core)
        (claim,) = await received(core, hmo, 1)
        moved = await core.post(
            f"/v1/claims/{claim['id']}/transitions",
            json={"to": "IN_REVIEW", "version": claim["version"]},
            headers=hmo.tenant.admin,
        )
        assert moved.status_code == 200, moved.text
        assert len(await all_fees(core, hmo.tenant.admin)) == 1

    async def test_a_second_received_is_409_and_charges_once(self, core: httpx.AsyncClient) -> None:
        hmo = await make_hmo(core)
        (claim,) = await submit(core, hmo)
        assert (await receive(core, hmo, claim)).status_code == 200
        again = await receive(core, hmo, claim)  # the same (now stale) version
        assert again.status_code == 409
        fresh = await receive(core, hmo, {**claim, "version": claim["version"] + 1})
        assert fresh.status_code == 409  # RECEIVED → RECEIVED is illegal
        assert len(await all_fees(core, hmo.tenant.admin)) == 1

    async def test_concurrent_received_of_one_claim_charges_once(
        self, core: httpx.AsyncClient
    ) -> None:
        hmo = await make_hmo(core)
        (claim,) = await submit(core, hmo)
        answers = await asyncio.gather(*(receive(core, hmo, claim) for _ in range(4)))
        assert sorted(r.status_code for r in answers) == [200, 409, 409, 409]
        (fee,) = await all_fees(core, hmo.tenant.admin)
        assert fee["claim_id"] == claim["id"]
        async with superuser() as conn:
            count = await conn.scalar(
                text("select count(*) from platform_fees where claim_id = :c"), {"c": claim["id"]}
            )
        assert count == 1


class TestPricing:
    async def test_override_tiers_are_marginal_with_exact_boundaries(
        self, core: httpx.AsyncClient
    ) -> None:
        """Claim N of the month takes the tier with the highest min <= N - 1."""
        hmo = await make_hmo(core, members=2)
        assert (await put_tiers(core, LADDER, hmo.tenant.id)).status_code == 200
        claims = await received(core, hmo, 6)
        by_claim = {f["claim_id"]: f for f in await all_fees(core, hmo.tenant.admin)}
        priced = [(by_claim[c["id"]]["tier"], by_claim[c["id"]]["amount"]) for c in claims]
        assert priced == [
            ("starter", 300_00),
            ("starter", 300_00),
            ("growth", 200_00),
            ("growth", 200_00),
            ("volume", 100_00),
            ("volume", 100_00),
        ]

    async def test_a_schedule_change_prices_only_later_claims(
        self, core: httpx.AsyncClient
    ) -> None:
        hmo = await make_hmo(core)
        await put_tiers(core, [tier("flat", 0, 250_00)], hmo.tenant.id)
        (first,) = await received(core, hmo, 1)
        await put_tiers(core, [tier("cheaper", 0, 50_00)], hmo.tenant.id)
        (second,) = await received(core, hmo, 1)
        by_claim = {f["claim_id"]: f["amount"] for f in await all_fees(core, hmo.tenant.admin)}
        assert by_claim == {first["id"]: 250_00, second["id"]: 50_00}
        # Removing the override falls back to the default (here the built-in fee).
        removed = await put_tiers(core, [], hmo.tenant.id)
        assert removed.json()["source"] in ("default", "built_in")

    async def test_concurrent_receipts_of_different_claims_count_correctly(
        self, core: httpx.AsyncClient
    ) -> None:
        hmo = await make_hmo(core, members=3)
        await put_tiers(core, [tier("first", 0, 300_00), tier("bulk", 3, 100_00)], hmo.tenant.id)
        claims = await submit(core, hmo, 6)
        answers = await asyncio.gather(*(receive(core, hmo, c) for c in claims))
        assert [r.status_code for r in answers] == [200] * 6
        fees = await all_fees(core, hmo.tenant.admin)
        assert Counter((f["tier"], f["amount"]) for f in fees) == {
            ("first", 300_00): 3,
            ("bulk", 100_00): 3,
        }

    async def test_the_default_schedule_prices_tenants_without_an_override(
        self, core: httpx.AsyncClient
    ) -> None:
        plain, special = await make_hmo(core), await make_hmo(core)
        await put_tiers(core, [tier("special", 0, 70_00)], special.tenant.id)
        try:
            response = await put_tiers(core, [tier("std", 0, 90_00), tier("big", 1, 80_00)])
            assert response.status_code == 200, response.text
            assert response.json()["source"] == "default"
            seen = (
                await core.get(
                    "/v1/billing/tiers", params={"tenant_id": plain.tenant.id}, headers=PLATFORM
                )
            ).json()
            assert seen["source"] == "default"
            assert [t["name"] for t in seen["tiers"]] == ["std", "big"]
            await received(core, plain, 2)
            await received(core, special, 1)
        finally:
            reset = await put_tiers(core, [])
        assert reset.json() == {
            "tenant_id": None,
            "source": "built_in",
            "tiers": [tier("default", 0, 150_00)],
        }
        plain_fees = await all_fees(core, plain.tenant.admin)
        assert sorted((f["tier"], f["amount"]) for f in plain_fees) == [
            ("big", 80_00),
            ("std", 90_00),
        ]
        (special_fee,) = await all_fees(core, special.tenant.admin)
        assert (special_fee["tier"], special_fee["amount"]) == ("special", 70_00)


class TestTiers:
    async def test_get_and_put_a_tenant_override(self, core: httpx.AsyncClient) -> None:
        hmo = await make_hmo(core)
        url, params = "/v1/billing/tiers", {"tenant_id": hmo.tenant.id}
        before = (await core.get(url, params=params, headers=PLATFORM)).json()
        assert before["source"] in ("default", "built_in")
        put = await put_tiers(core, LADDER, hmo.tenant.id)
        assert put.status_code == 200, put.text
        after = (await core.get(url, params=params, headers=PLATFORM)).json()
        assert after == {"tenant_id": hmo.tenant.id, "source": "tenant", "tiers": LADDER}

    async def test_override_changes_are_audited_in_the_tenants_chain(
        self, core: httpx.AsyncClient
    ) -> None:
        hmo = await make_hmo(core)
        await put_tiers(core, LADDER, hmo.tenant.id)
        await put_tiers(core, [], hmo.tenant.id)
        events = (
            await core.get("/v1/audit-events", params={"limit": 50}, headers=hmo.tenant.admin)
        ).json()["items"]
        actions = [e["action"] for e in events if e["action"].startswith("billing.")]
        assert actions == ["billing.tiers.removed", "billing.tiers.replaced"]
        replaced = next(e for e in events if e["action"] == "billing.tiers.replaced")
        assert replaced["details"]["after"] == LADDER
        verdict = (await core.get("/v1/audit-events/verify", headers=hmo.tenant.admin)).json()
        assert verdict["ok"] is True

    @pytest.mark.parametrize(
        "tiers",
        [
            [tier("a", 1, 100_00)],  # the first tier must start at 0
            [tier("a", 0, 100_00), tier("b", 5, 90_00), tier("c", 5, 80_00)],  # not ascending
            [tier("a", 0, 100_00), tier("b", 5, 90_00), tier("c", 3, 80_00)],  # descending
            [tier("a", 0, 0)],  # fees are positive
            [tier("a", 0, -5)],
            [tier("a", 0, 100_00), tier("a", 5, 90_00)],  # names are unique
            [tier("a", 0, 100_00), tier("b", 5, 90_00, "USD")],  # one currency
            [tier("a", 0, 100_00, "naira")],
            [tier("", 0, 100_00)],
            [{"name": "a", "min_monthly_claims": -1, "fee_amount": 1}],
            [{"name": "a", "fee_amount": 1}],
        ],
    )
    async def test_invalid_schedules_are_422(
        self, core: httpx.AsyncClient, tiers: list[dict[str, Any]]
    ) -> None:
        for tenant_id in (None, str(uuid.uuid4())):
            response = await put_tiers(core, tiers, tenant_id)
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"

    async def test_unknown_or_provider_tenant_is_404(self, core: httpx.AsyncClient) -> None:
        provider = await make_provider(core)
        for tenant_id in (str(uuid.uuid4()), provider.tenant_id):
            assert (await put_tiers(core, LADDER, tenant_id)).status_code == 404
            got = await core.get(
                "/v1/billing/tiers", params={"tenant_id": tenant_id}, headers=PLATFORM
            )
            assert got.status_code == 404

    async def test_only_the_platform_key_manages_tiers(self, core: httpx.AsyncClient) -> None:
        hmo = await make_hmo(core)
        _, finance = await make_staff(core, hmo.tenant, "Finance")
        for headers in (hmo.tenant.admin, finance, hmo.provider.user):
            got = await core.get("/v1/billing/tiers", headers=headers)
            assert got.status_code == 403
            put = await core.put(
                "/v1/billing/tiers",
                json={"tiers": LADDER},
                params={"tenant_id": hmo.tenant.id},
                headers=headers,
            )
            assert put.status_code == 403
        schedule = (
            await core.get(
                "/v1/billing/tiers", params={"tenant_id": hmo.tenant.id}, headers=PLATFORM
            )
        ).json()
        assert schedule["source"] != "tenant"


class TestAccess:
    async def test_permissions(self, core: httpx.AsyncClient) -> None:
        hmo = await make_hmo(core)
        await received(core, hmo, 1)
        _, adjudicator = await make_staff(core, hmo.tenant, "Adjudicator")
        _, finance = await make_staff(core, hmo.tenant, "Finance")
        for path in ("/v1/billing/fees", "/v1/billing/invoices"):
            for headers in (adjudicator, hmo.provider.user):
                denied = await core.get(path, headers=headers)
                assert denied.status_code == 403, (path, denied.text)
                assert denied.headers["content-type"] == "application/problem+json"
            ok = await core.get(path, headers=finance)
            assert ok.status_code == 200
            assert len(ok.json()["items"]) == 1
            mine = await core.get(path, params={"tenant_id": hmo.tenant.id}, headers=finance)
            assert len(mine.json()["items"]) == 1
            platform = await core.get(path, params={"tenant_id": hmo.tenant.id}, headers=PLATFORM)
            assert platform.status_code == 200
            assert platform.json()["items"] == ok.json()["items"]
        # The ledger is per tenant: the platform key names one.
        unnamed = await core.get("/v1/billing/fees", headers=PLATFORM)
        assert unnamed.status_code == 422

    async def test_a_tenant_never_sees_another_tenants_fees(self, core: httpx.AsyncClient) -> None:
        mine, theirs = await make_hmo(core), await make_hmo(core)
        await received(core, theirs, 2)
        for path in ("/v1/billing/fees", "/v1/billing/invoices"):
            own = await core.get(path, headers=mine.tenant.admin)
            assert own.json()["items"] == []
            other = await core.get(
                path, params={"tenant_id": theirs.tenant.id}, headers=mine.tenant.admin
            )
            assert other.status_code == 404
            assert other.headers["content-type"] == "application/problem+json"

    async def test_bad_filters_are_422(self, core: httpx.AsyncClient) -> None:
        hmo = await make_hmo(core)
        for path, params in (
            ("/v1/billing/fees", {"month": "2026-13"}),
            ("/v1/billing/fees", {"month": "november"}),
            ("/v1/billing/fees", {"from": "yesterday"}),
            ("/v1/billing/fees", {"cursor": "not-a-cursor"}),
            ("/v1/billing/fees", {"cursor": "WyJ4Il0="}),  # ["x"]
            ("/v1/billing/invoices", {"status": "PAID"}),
            ("/v1/billing/invoices", {"from": "2026-00"}),
            ("/v1/billing/invoices", {"cursor": "WyJ4Il0="}),
        ):
            response = await core.get(path, params=params, headers=hmo.tenant.admin)
            assert response.status_code == 422, (path, params, response.text)


PAST = [date(2026, 8, 1), date(2026, 9, 1)]


async def spread_over_months(tenant_id: str, rng: random.Random) -> None:
    """Moves some of the tenant's fees into past months (as if received then)."""
    async with superuser() as conn:
        rows = (
            await conn.execute(
                text("select id, created_at from platform_fees where tenant_id = :t order by id"),
                {"t": tenant_id},
            )
        ).all()
        for fee_id, created_at in rows:
            month = rng.choice([*PAST, THIS_MONTH])
            if month == THIS_MONTH:
                continue
            moved = created_at.astimezone(UTC).replace(year=month.year, month=month.month)
            await conn.execute(
                text(
                    "update platform_fees set invoice_month = :m, created_at = :at where id = :id"
                ),
                {"m": month, "at": moved, "id": fee_id},
            )


class TestInvoices:
    async def test_totals_equal_the_sum_of_their_fees_on_generated_data(
        self, core: httpx.AsyncClient
    ) -> None:
        rng = random.Random(20261123)
        hmos = [await make_hmo(core, members=4), await make_hmo(core, members=4)]
        await put_tiers(
            core,
            [tier("t0", 0, 333_33), tier("t1", 3, 222_22), tier("t2", 7, 111_11)],
            hmos[0].tenant.id,
        )
        for hmo, n in zip(hmos, (14, 9), strict=True):
            await received(core, hmo, n)
            await spread_over_months(hmo.tenant.id, rng)

        for hmo in hmos:
            fees = await all_fees(core, hmo.tenant.admin, limit=4)
            assert len({f["id"] for f in fees}) == len(fees)  # pages never repeat a row
            expected: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for fee in fees:
                expected[fee["invoice_month"]].append(fee)
            invoices = await all_invoices(core, hmo.tenant.admin, limit=1)
            assert [i["month"] for i in invoices] == sorted(expected, reverse=True)
            for invoice in invoices:
                month_fees = expected[invoice["month"]]
                assert invoice["tenant_id"] == hmo.tenant.id
                assert invoice["claim_count"] == len(month_fees)
                assert invoice["total_amount"] == sum(f["amount"] for f in month_fees)
                assert invoice["total_amount"] == sum(line["amount"] for line in invoice["lines"])
                assert invoice["claim_count"] == sum(ln["claim_count"] for ln in invoice["lines"])
                for line in invoice["lines"]:
                    assert line["amount"] == line["unit_amount"] * line["claim_count"]
                assert Counter(
                    {(ln["tier"], ln["unit_amount"]): ln["claim_count"] for ln in invoice["lines"]}
                ) == Counter((f["tier"], f["amount"]) for f in month_fees)
                is_current = invoice["month"] == THIS_MONTH.isoformat()
                assert invoice["status"] == ("OPEN" if is_current else "ISSUED")
                by_month = await all_fees(core, hmo.tenant.admin, month=invoice["month"][:7])
                assert sorted(f["id"] for f in by_month) == sorted(f["id"] for f in month_fees)

            # The database agrees.
            async with superuser() as conn:
                total = await conn.scalar(
                    text("select sum(amount) from platform_fees where tenant_id = :t"),
                    {"t": hmo.tenant.id},
                )
            assert sum(i["total_amount"] for i in invoices) == total

            # Filters.
            issued = await all_invoices(core, hmo.tenant.admin, status="ISSUED")
            assert {i["month"] for i in issued} == {m for m in expected if m < str(THIS_MONTH)}
            since: dict[str, Any] = {"from": "2026-09"}
            september = await all_invoices(core, hmo.tenant.admin, **since)
            assert {i["month"] for i in september} == {m for m in expected if m >= "2026-09-01"}

            # The platform sees the same invoices, for one tenant or among all.
            named = await all_invoices(core, PLATFORM, tenant_id=hmo.tenant.id)
            assert named == invoices
            everyone = await all_invoices(core, PLATFORM, limit=3)
            assert [i for i in everyone if i["tenant_id"] == hmo.tenant.id] == invoices

    async def test_fee_date_range(self, core: httpx.AsyncClient) -> None:
        hmo = await make_hmo(core)
        await received(core, hmo, 3)
        await spread_over_months(hmo.tenant.id, random.Random(7))
        fees = await all_fees(core, hmo.tenant.admin)
        for fee in fees:
            day = fee["charged_at"][:10]
            window: dict[str, Any] = {"from": day, "to": day}
            hits = await all_fees(core, hmo.tenant.admin, **window)
            assert fee["id"] in {f["id"] for f in hits}
            assert all(f["charged_at"][:10] == day for f in hits)
        assert await all_fees(core, hmo.tenant.admin, to="2026-07-31") == []
