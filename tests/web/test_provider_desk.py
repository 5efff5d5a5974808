"""The provider portal's front desk: Lagoon Hospital's desk checks a member's eligibility
(the answer with each benefit's balance, or every reason why not) and records the visit,
which joins today's check-ins; the screen reads at a phone's width."""

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

PROVIDER = "lagoon"


async def active_member(stack: Stack) -> str:
    """A Dangote principal in force today (the demo's), by the HMO's own search."""
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        admin = await core_session(core, DEMO_SLUG, staff("admin"))
        found = await core.get(
            "/v1/enrollees",
            params={"q": "chukwuemeka.obi", "status": "ACTIVE", "limit": 1},
            headers=admin,
        )
    member_id: str = found.json()["items"][0]["member_id"]
    return member_id


async def at_the_desk(page: Page) -> None:
    await sign_in(page, provider_email(PROVIDER), tenant=PROVIDER)
    await expect(page.get_by_role("heading", name="Front desk")).to_be_visible()


async def test_the_desk_checks_eligibility_and_records_the_check_in(
    page: Page, stack: Stack
) -> None:
    member_id = await active_member(stack)
    await at_the_desk(page)
    await expect(page.get_by_role("link", name="Claims")).to_be_visible()
    await expect(page.get_by_role("link", name="Pre-authorizations")).to_be_visible()

    await page.get_by_label("Member ID").fill(member_id.lower())
    await page.get_by_role("button", name="Check eligibility").click()
    await expect(page.get_by_text("Eligible today")).to_be_visible()
    benefits = page.get_by_role("table", name="Benefits")
    await expect(benefits.get_by_role("row").filter(has_text="Outpatient")).to_contain_text("₦")
    await expect(benefits.get_by_role("columnheader", name="Remaining")).to_be_visible()
    await assert_accessible(page)

    await page.get_by_role("button", name="Record check-in").click()
    await expect(page.get_by_role("button", name="Checked in")).to_be_disabled()
    await expect(page.get_by_role("status").filter(has_text="Checked in")).to_be_visible()
    visits = page.get_by_role("table", name=re.compile("^Today's check-ins"))
    await expect(visits.get_by_role("row").filter(has_text=member_id).first).to_contain_text(
        "Eligible"
    )
    await screenshot(page, "provider-front-desk")

    # Not covered on the day asked: not eligible, with the reason in words, and no check-in.
    await page.get_by_label("Service date").fill("2015-01-05")
    await page.get_by_role("button", name="Check eligibility").click()
    await expect(page.get_by_text(re.compile(r"^Not eligible on"))).to_be_visible()
    await expect(page.get_by_text("coverage had not begun on the service date")).to_be_visible()
    await expect(page.get_by_role("button", name="Record check-in")).to_have_count(0)
    await assert_accessible(page)

    # An unknown member is said so, next to the form.
    await page.get_by_label("Member ID").fill("ZZZ-000001")
    await page.get_by_role("button", name="Check eligibility").click()
    await expect(page.get_by_role("alert")).to_contain_text("Member IDs starting with this code")


async def test_the_front_desk_reads_at_a_phone_width(browser: Browser, stack: Stack) -> None:
    member_id = await active_member(stack)
    context = await new_context(browser, stack, PHONE)
    page = await context.new_page()
    await at_the_desk(page)
    await page.get_by_label("Member ID").fill(member_id)
    await page.get_by_role("button", name="Check eligibility").click()
    await expect(page.get_by_text("Eligible today")).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the front desk scrolls sideways at 390 px"
    await assert_accessible(page)
    await screenshot(page, "provider-front-desk-phone")
    await context.close()
