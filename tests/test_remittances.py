"""Remittances as each side sees them: the paginated lists, the printable remittance
advice (and its CSV twin), and the payment proofs' files."""

from __future__ import annotations

from typing import Any

import httpx

from tests.claims_world import World, get_claim, world
from tests.factories import ProviderCtx, link_provider, make_provider
from tests.test_finance import PERIOD, approved_for, new_run, pay, two_providers


async def approved_run(
    core: httpx.AsyncClient,
) -> tuple[World, ProviderCtx, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An approved run with two providers' remittances: (world, other, run, mine, theirs)."""
    w, other, _ = await two_providers(core)
    run = await new_run(core, w)
    approved = await core.post(f"/v1/settlement-runs/{run['id']}/approve", headers=w.hmo.admin)
    assert approved.status_code == 200, approved.text
    mine = next(r for r in run["remittances"] if r["provider_id"] == w.provider.id)
    theirs = next(r for r in run["remittances"] if r["provider_id"] == other.id)
    return w, other, approved.json(), mine, theirs


async def printable(
    core: httpx.AsyncClient, remittance: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    return await core.get(
        f"/v1/remittances/{remittance['id']}", params={"format": "html"}, headers=headers
    )


class TestPrintableRemittance:
    async def test_hmo_and_provider_print_it_others_cannot(self, core: httpx.AsyncClient) -> None:
        w, other, run, mine, _ = await approved_run(core)
        assert (await pay(core, w.hmo.admin, mine, mine["total"])).status_code == 201
        numbers = [(await get_claim(core, w, line["claim_id"]))["number"] for line in mine["lines"]]
        for headers in (w.hmo.admin, w.provider.user):
            response = await printable(core, mine, headers)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("text/html")
            assert "default-src 'none'" in response.headers["content-security-policy"]
            page = response.text
            assert page.startswith("<!DOCTYPE html>")
            assert "@media print" in page
            assert "<script" not in page
            assert "<link" not in page
            for expected in (
                "Acme Health",
                w.provider.name,
                run["number"],
                f"{PERIOD['period_from']} to {PERIOD['period_to']}",
                w.member["member_id"],
                "TRF-1",
                *numbers,
            ):
                assert expected in page, expected
            # Two claims of 9,000.00 + 6,000.00 … whatever they are, the total row says it.
            total = sum(line["amount"] for line in mine["lines"])
            assert f"NGN {total // 100:,}.{total % 100:02d}" in page
            assert page.count("<tr>") >= len(mine["lines"]) + 1
        assert (await printable(core, mine, other.user)).status_code == 404

    async def test_every_value_is_escaped(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        hostile = await make_provider(core, name='<script>alert("x")</script> & Co')
        await link_provider(core, w.hmo, hostile)
        await approved_for(core, w, hostile)
        run = await new_run(core, w, provider_id=hostile.id)
        await core.post(f"/v1/settlement-runs/{run['id']}/approve", headers=w.hmo.admin)
        [remittance] = run["remittances"]
        proof = await core.post(
            f"/v1/remittances/{remittance['id']}/payment-proofs",
            data={
                "reference": "<img src=x onerror=alert(1)>",
                "amount": "1",
                "paid_on": "2026-01-02",
            },
            files={"file": ("p.pdf", b"%PDF-1.4", "application/pdf")},
            headers=w.hmo.admin,
        )
        assert proof.status_code == 201, proof.text
        page = (await printable(core, remittance, hostile.user)).text
        assert "<script>" not in page
        assert "<img" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page

    async def test_adjustment_lines_are_labelled(self, core: httpx.AsyncClient) -> None:
        """An accepted dispute's adjustment is paid as a line of the provider's next run: it
        has no claim of its own, so the statement names the dispute and the claim."""
        w, _, _, mine, _ = await approved_run(core)
        finance = await w.as_role(core, "Finance")
        line = mine["lines"][0]
        claim = await get_claim(core, w, line["claim_id"])
        raised = await core.post(
            "/v1/disputes",
            json={"remittance_line_id": line["id"], "reason": "Underpaid.", "amount_claimed": 500},
            headers=w.provider.user,
        )
        assert raised.status_code == 201, raised.text
        resolved = await core.post(
            f"/v1/disputes/{raised.json()['id']}/resolve",
            json={"outcome": "ACCEPTED", "adjustment": 400},
            headers=finance,
        )
        assert resolved.status_code == 200, resolved.text
        follow_up = await new_run(core, w, provider_id=w.provider.id)
        [remittance] = follow_up["remittances"]
        csv_text = await core.get(
            f"/v1/remittances/{remittance['id']}", params={"format": "csv"}, headers=w.hmo.admin
        )
        rows = [r.split(",") for r in csv_text.text.strip().splitlines()]
        assert rows[0][-1] == "dispute_number"
        [adjustment] = rows[1:]
        dispute_number = raised.json()["number"]
        assert adjustment[0] == claim["number"]
        assert adjustment[4:] == ["400", "0", dispute_number]  # approved, not yet paid
        page = (await printable(core, remittance, w.provider.user)).text
        assert f"Adjustment: dispute {dispute_number} (claim {claim['number']})" in page
        assert 'class="adjustment"' in page
        assert "NGN 4.00" in page


class TestRemittanceLines:
    async def test_name_their_claims_and_show_them_settled(self, core: httpx.AsyncClient) -> None:
        w, _, _, mine, _ = await approved_run(core)

        async def lines() -> dict[str, tuple[str, str]]:
            response = await core.get(f"/v1/remittances/{mine['id']}", headers=w.hmo.admin)
            assert response.status_code == 200, response.text
            return {
                line["claim_id"]: (line["claim_number"], line["claim_status"])
                for line in response.json()["lines"]
            }

        before = await lines()
        for claim_id, (number, status) in before.items():
            assert number == (await get_claim(core, w, claim_id))["number"]
            assert status == "APPROVED"
        assert (await pay(core, w.hmo.admin, mine, mine["total"])).status_code == 201
        assert {status for _, status in (await lines()).values()} == {"SETTLED"}


class TestPaymentProofFile:
    async def test_hmo_and_provider_download_others_cannot(self, core: httpx.AsyncClient) -> None:
        w, other, _, mine, theirs = await approved_run(core)
        name = "Relevé de virement \u2018mars\u2019.pdf"
        paid = await core.post(
            f"/v1/remittances/{mine['id']}/payment-proofs",
            data={"reference": "TRF-77", "amount": "1", "paid_on": PERIOD["period_to"]},
            files={"file": (name, b"%PDF-1.4 the bank's slip", "application/pdf")},
            headers=w.hmo.admin,
        )
        assert paid.status_code == 201, paid.text
        [proof] = paid.json()["payment_proofs"]
        url = f"/v1/remittances/{mine['id']}/payment-proofs/{proof['id']}/file"
        finance = await w.as_role(core, "Finance")
        for headers in (w.hmo.admin, finance, w.provider.user):
            response = await core.get(url, headers=headers)
            assert response.status_code == 200, response.text
            assert response.content == b"%PDF-1.4 the bank's slip"
            assert response.headers["content-type"] == "application/pdf"
            disposition = response.headers["content-disposition"]
            assert disposition.startswith("attachment;")
            assert "filename*=UTF-8''Relev%C3%A9%20de%20virement%20%E2%80%98mars%E2%80%99.pdf" in (
                disposition
            )
        assert (await core.get(url, headers=other.user)).status_code == 404
        # The proof is named through its own remittance only.
        wrong = f"/v1/remittances/{theirs['id']}/payment-proofs/{proof['id']}/file"
        assert (await core.get(wrong, headers=w.hmo.admin)).status_code == 404
        # Without settlements:read, nothing.
        adjudicator = await w.as_role(core, "Adjudicator")
        assert (await core.get(url, headers=adjudicator)).status_code == 403


class TestLists:
    async def test_settlement_runs_page_by_cursor(self, core: httpx.AsyncClient) -> None:
        w, _, _ = await two_providers(core)
        first = await new_run(core, w, provider_id=w.provider.id)
        second = await new_run(core, w)
        await core.post(f"/v1/settlement-runs/{first['id']}/cancel", headers=w.hmo.admin)
        page = (await core.get("/v1/settlement-runs?limit=1", headers=w.hmo.admin)).json()
        assert [r["id"] for r in page["items"]] == [second["id"]]
        rest = await core.get(
            "/v1/settlement-runs",
            params={"limit": 1, "cursor": page["next_cursor"]},
            headers=w.hmo.admin,
        )
        assert [r["id"] for r in rest.json()["items"]] == [first["id"]]
        assert rest.json()["next_cursor"] is None
        cancelled = await core.get(
            "/v1/settlement-runs", params={"status": "CANCELLED"}, headers=w.hmo.admin
        )
        assert [r["id"] for r in cancelled.json()["items"]] == [first["id"]]
        bad = await core.get("/v1/settlement-runs?cursor=%%%", headers=w.hmo.admin)
        assert bad.status_code == 422

    async def test_each_side_lists_its_own_remittances(self, core: httpx.AsyncClient) -> None:
        w, other, run, mine, theirs = await approved_run(core)
        # The same provider is also paid by a second HMO.
        w2 = await world(core)
        await link_provider(core, w2.hmo, other)
        await approved_for(core, w2, other)
        elsewhere = (await new_run(core, w2))["remittances"][0]

        def ids(response: httpx.Response) -> list[str]:
            assert response.status_code == 200, response.text
            return [r["id"] for r in response.json()["items"]]

        hmo = await core.get("/v1/remittances", headers=w.hmo.admin)
        assert sorted(ids(hmo)) == sorted([mine["id"], theirs["id"]])
        # Each names its run, currency and paying HMO, which a provider cannot read itself.
        named = {
            r["id"]: r
            for r in (await core.get("/v1/remittances", headers=other.user)).json()["items"]
        }
        assert named[theirs["id"]]["run_number"] == run["number"]
        assert {(r["hmo_name"], r["currency"]) for r in named.values()} == {("Acme Health", "NGN")}
        assert ids(await core.get("/v1/remittances", headers=w.provider.user)) == [mine["id"]]
        across = await core.get("/v1/remittances", headers=other.user)
        assert ids(across) == [elsewhere["id"], theirs["id"]]  # newest first, both HMOs
        by_hmo = await core.get("/v1/remittances", params={"hmo_id": w2.hmo.id}, headers=other.user)
        assert ids(by_hmo) == [elsewhere["id"]]
        by_run = await core.get("/v1/remittances", params={"run_id": run["id"]}, headers=other.user)
        assert ids(by_run) == [theirs["id"]]
        assert (await pay(core, w.hmo.admin, mine, mine["total"])).status_code == 201
        paid = await core.get("/v1/remittances", params={"status": "PAID"}, headers=w.hmo.admin)
        assert ids(paid) == [mine["id"]]
        page = await core.get("/v1/remittances", params={"limit": 1}, headers=w.hmo.admin)
        rest = await core.get(
            "/v1/remittances",
            params={"limit": 1, "cursor": page.json()["next_cursor"]},
            headers=w.hmo.admin,
        )
        assert sorted(ids(page) + ids(rest)) == sorted([mine["id"], theirs["id"]])
        assert rest.json()["next_cursor"] is None
        assert ids(await core.get("/v1/remittances", headers=w2.hmo.admin)) == [elsewhere["id"]]
