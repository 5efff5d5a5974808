"""The provider portal's claims: Lagoon Hospital's desk files a claim on screen (the member
looked up, lines totalled as typed, a document attached) and a lost answer retried files
it once; the HMO queries a claim and the desk answers it with a document and resubmits."""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx
from playwright.async_api import Page, Route, expect

from core_api.seed import DEMO_SLUG, provider_email
from tests.web.conftest import Stack, assert_accessible, core_session, screenshot, sign_in, staff
from tests.web.test_claims import file_claim
from tests.web.test_provider_desk import PROVIDER, active_member


async def desk(stack: Stack) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        return await core_session(core, PROVIDER, provider_email(PROVIDER))


async def desk_claims(stack: Stack, member_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        listed = await core.get(
            "/v1/claims",
            params={"member_id": member_id, "limit": 100},
            headers=await desk(stack),
        )
    assert listed.status_code == 200, listed.text
    claims: list[dict[str, Any]] = listed.json()["items"]
    return claims


async def test_a_claim_filed_on_screen_is_filed_once_though_sent_twice(
    page: Page, stack: Stack
) -> None:
    member_id = await active_member(stack)
    naira = 10_000 + secrets.randbelow(9_000)  # this test's own total, to find its claim
    await sign_in(page, provider_email(PROVIDER), tenant=PROVIDER)
    await page.get_by_role("link", name="Claims").click()
    await page.get_by_role("link", name="File a claim").click()
    await expect(page.get_by_role("heading", name="File a claim")).to_be_visible()

    await page.get_by_label("Member ID").fill(member_id)
    await page.get_by_role("button", name="Look up").click()
    await expect(page.get_by_text(re.compile(r"Chukwuemeka Obi .*: eligible on"))).to_be_visible()
    diagnoses = page.get_by_role("textbox", name="Diagnosis codes")
    await diagnoses.fill("J06.9")
    await diagnoses.press("Enter")
    await page.get_by_label("Code, line 1").fill("CONS-GP")
    await page.get_by_label("Description, line 1").fill("GP consultation")
    await page.get_by_label("Unit price, line 1").fill(f"{naira:,}")
    await page.get_by_role("button", name="Add a line").click()
    await page.get_by_label("Code, line 2").fill("LAB-FBC")
    await page.get_by_label("Quantity, line 2").fill("2")
    await page.get_by_label("Unit price, line 2").fill("4,250.50")
    total = naira * 100 + 2 * 4_250_50
    shown = f"₦{total // 100:,}.{total % 100:02d}"
    await expect(page.get_by_label("Total, line 2")).to_have_text("₦8,501.00")
    await expect(page.get_by_text(f"Total billed {shown}")).to_be_visible()
    await page.locator("input[type=file]").set_input_files(
        {"name": "bill.txt", "mimeType": "text/plain", "buffer": b"Itemised bill"}
    )
    await assert_accessible(page)
    await screenshot(page, "provider-claim-new")

    # The first answer is lost on the way back (the claim was filed); the desk sends again.
    lost: list[bool] = []

    async def lose_the_first_answer(route: Route) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(True)
            await route.fetch()
            await route.abort("connectionreset")
        else:
            await route.continue_()

    await page.route("**/api/claims", lose_the_first_answer)
    await page.get_by_role("button", name="File the claim").click()
    await expect(page.get_by_role("alert").filter(has_text="Check your connection")).to_be_visible()
    await page.get_by_role("button", name="File the claim").click()
    await expect(page.get_by_role("heading", name=re.compile(r"^Claim CLM-"))).to_be_visible()
    await expect(page.get_by_text("Submitted", exact=True).first).to_be_visible()

    mine = [c for c in await desk_claims(stack, member_id) if c["total_billed"] == total]
    assert len(mine) == 1, mine
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        files = await core.get(f"/v1/claims/{mine[0]['id']}/attachments", headers=await desk(stack))
    assert [f["filename"] for f in files.json()["items"]] == ["bill.txt"]
    await expect(page.get_by_role("link", name="bill.txt")).to_be_visible()


async def query(stack: Stack, claim: dict[str, Any], question: str) -> None:
    """The HMO's claims manager takes the claim into review and asks the provider."""
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        manager = await core_session(core, DEMO_SLUG, staff("claims.manager"))
        version = claim["version"]
        for to in ("RECEIVED", "IN_REVIEW", "QUERIED"):
            moved = await core.post(
                f"/v1/claims/{claim['id']}/transitions",
                json={
                    "to": to,
                    "version": version,
                    "reason": question if to == "QUERIED" else None,
                },
                headers=manager,
            )
            assert moved.status_code == 200, moved.text
            version = moved.json()["version"]
        asked = await core.post(
            f"/v1/claims/{claim['id']}/queries", json={"message": question}, headers=manager
        )
        assert asked.status_code == 201, asked.text


async def demo_hmo_id(stack: Stack) -> str:
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        links = await core.get(
            "/v1/network/links", params={"status": "ACTIVE"}, headers=await desk(stack)
        )
    hmo_id: str = next(
        link["hmo"]["id"] for link in links.json()["items"] if link["hmo"]["slug"] == DEMO_SLUG
    )
    return hmo_id


async def test_the_desk_answers_a_query_with_a_document_and_resubmits(
    page: Page, stack: Stack
) -> None:
    claim = await file_claim(stack)
    question = "Send the full blood count report, please."
    await query(stack, claim, question)

    await sign_in(page, provider_email(PROVIDER), tenant=PROVIDER)
    await page.goto(f"/provider/claims?hmo_id={await demo_hmo_id(stack)}&status=QUERIED")
    await expect(page.get_by_role("textbox", name="Status")).to_have_value("Queried")
    await expect(page.get_by_role("textbox", name="HMO")).not_to_have_value("")
    await assert_accessible(page)
    await page.get_by_role("row", name=re.compile(claim["number"])).click()
    await expect(page.get_by_role("heading", name=f"Claim {claim['number']}")).to_be_visible()
    await expect(page.get_by_text("The HMO has a query")).to_be_visible()
    await expect(page.get_by_text(question).first).to_be_visible()

    await page.get_by_label("Your answer").fill("The report is attached: haemoglobin 13.2 g/dL.")
    await page.locator("input[type=file]").set_input_files(
        {"name": "fbc.txt", "mimeType": "text/plain", "buffer": b"FBC: Hb 13.2 g/dL"}
    )
    await assert_accessible(page)
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "provider-claim")
    await page.get_by_role("button", name="Answer and resubmit").click()
    await expect(page.get_by_text("Resubmitted", exact=True).first).to_be_visible()
    await expect(page.get_by_text("The HMO has a query")).to_have_count(0)
    await expect(page.get_by_role("link", name="fbc.txt")).to_be_visible()

    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        headers = await desk(stack)
        final = (await core.get(f"/v1/claims/{claim['id']}", headers=headers)).json()
        thread = (await core.get(f"/v1/claims/{claim['id']}/queries", headers=headers)).json()
    assert final["status"] == "RESUBMITTED"
    assert [m["side"] for m in thread["items"]] == ["HMO", "PROVIDER"]
