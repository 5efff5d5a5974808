"""The provider portal's pre-authorizations: Lagoon Hospital's desk requests an EMERGENCY
PA on screen and sees its SLA clock; the HMO rejects it, the rejection arrives live, and
the desk appeals with new evidence and a document. The provider's screens read at a
phone's width."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser, Page, expect

from core_api.seed import DEMO_SLUG, provider_email
from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    core_session,
    new_context,
    screenshot,
    sign_in,
    staff,
)
from tests.web.test_provider_claims import desk
from tests.web.test_provider_desk import PROVIDER, active_member


async def reject(stack: Stack, pa_id: str, reason: str) -> None:
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        manager = await core_session(core, DEMO_SLUG, staff("claims.manager"))
        decided = await core.post(
            f"/v1/authorizations/{pa_id}/decision",
            json={"decision": "REJECT", "reason": reason},
            headers=manager,
        )
    assert decided.status_code == 200, decided.text


async def test_an_emergency_pa_shows_its_sla_and_a_rejection_is_appealed(
    page: Page, stack: Stack
) -> None:
    member_id = await active_member(stack)
    await sign_in(page, provider_email(PROVIDER), tenant=PROVIDER)
    await page.get_by_role("link", name="Pre-authorizations").click()
    await page.get_by_role("link", name="Request a PA").click()
    await page.get_by_label("Member ID").fill(member_id)
    await page.get_by_role("button", name="Look up").click()
    await expect(page.get_by_text(re.compile(r"Chukwuemeka Obi .*: eligible on"))).to_be_visible()
    await page.get_by_role("radio", name="Emergency").check()
    await expect(page.get_by_text("the shortest SLA")).to_be_visible()
    await page.get_by_label("Procedure code").fill("SURG-APPX")
    diagnoses = page.get_by_role("textbox", name="Diagnosis codes")
    await diagnoses.fill("K35.8")
    await diagnoses.press("Enter")
    await page.get_by_label("Estimated amount (NGN)").fill("450,000")
    await page.get_by_label("Clinical notes").fill("Acute appendicitis; theatre booked tonight.")
    await page.locator("input[type=file]").set_input_files(
        {"name": "referral.txt", "mimeType": "text/plain", "buffer": b"Referral"}
    )
    await assert_accessible(page)
    await page.get_by_role("button", name="Send the request").click()

    heading = page.get_by_role("heading", name=re.compile(r"^PA-"))
    await expect(heading).to_be_visible()
    pa_id = page.url.rsplit("/", 1)[-1]
    await expect(page.get_by_text("Emergency", exact=True).first).to_be_visible()
    await expect(page.get_by_test_id("sla-countdown")).to_have_text(re.compile(r"^in \d+ "))
    await expect(page.get_by_role("link", name=re.compile(r"^referral\.txt"))).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "provider-authorization")

    # The HMO rejects it: the decision reaches the open page through the bell, no reload.
    await reject(stack, pa_id, "Send the ultrasound report first.")
    rejected = page.get_by_role("alert").filter(has_text="Send the ultrasound report first.")
    await expect(rejected).to_be_visible()
    await page.get_by_label("New evidence").fill("Ultrasound: inflamed appendix, 9 mm.")
    await page.locator("input[type=file]").set_input_files(
        {"name": "ultrasound.txt", "mimeType": "text/plain", "buffer": b"US report"}
    )
    await assert_accessible(page)
    await page.get_by_role("button", name="Send the appeal").click()
    await expect(page.get_by_text("Appealed", exact=True).first).to_be_visible()  # its history
    await expect(page.get_by_test_id("sla-countdown")).to_be_visible()
    await expect(page.get_by_role("link", name=re.compile(r"^ultrasound\.txt"))).to_be_visible()

    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        headers = await desk(stack)
        pa = (await core.get(f"/v1/authorizations/{pa_id}", headers=headers)).json()
        files = (await core.get(f"/v1/authorizations/{pa_id}/attachments", headers=headers)).json()
    assert (pa["status"], pa["urgency"]) == ("IN_REVIEW", "EMERGENCY")  # back in review
    assert "appealed" in [event["action"] for event in pa["history"]]
    assert [f["filename"] for f in files["items"]] == ["referral.txt", "ultrasound.txt"]


async def test_the_provider_screens_read_at_a_phone_width(browser: Browser, stack: Stack) -> None:
    context = await new_context(browser, stack, PHONE)
    page = await context.new_page()
    await sign_in(page, provider_email(PROVIDER), tenant=PROVIDER)
    for path, heading in (
        ("/provider/claims", "Claims"),
        ("/provider/claims/new", "File a claim"),
        ("/provider/authorizations", "Pre-authorizations"),
        ("/provider/authorizations/new", "Request a pre-authorization"),
    ):
        await page.goto(path)
        await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways at 390 px"
        await assert_accessible(page)
    await context.close()
