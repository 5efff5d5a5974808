"""The HMO's authorizations screens: a provider's PA seen in the queue with its live SLA
clock, decided on screen (the auth code shown), the bell told of the next PA the provider
files, and an auto-approval rule changed as a new version."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import Browser, Locator, Page, expect

from core_api.seed import provider_email
from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    core_headers,
    core_post,
    new_context,
    query_db,
    screenshot,
    sign_in,
    staff,
)

PROVIDER = "lagoon"


async def _provider(stack: Stack) -> dict[str, str]:
    return await core_headers(stack, PROVIDER, provider_email(PROVIDER))


async def _file_pa(stack: Stack, amount: int = 25_000_00, member_id: str | None = None) -> Any:
    """The provider's front desk files an URGENT PA (no auto-approval rule covers it)."""
    if member_id is None:
        [(member_id,)] = await query_db(
            stack,
            "select member_id from enrollees where status = 'ACTIVE' order by member_id limit 1",
        )
    body = {
        "member_id": member_id,
        "urgency": "URGENT",
        "procedure_code": "CONS-01",
        "diagnosis_codes": ["J06.9"],
        "estimated_amount": amount,
        "notes": "Persistent fever for five days.",
    }
    filed = await core_post(stack, "/v1/authorizations", body, await _provider(stack))
    assert filed["status"] == "SUBMITTED"
    return filed


async def _attach(stack: Stack, pa: dict[str, Any], name: str, content: bytes) -> None:
    """The provider attaches a supporting document to its PA."""
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        answer = await core.post(
            f"/v1/authorizations/{pa['id']}/attachments",
            files={"file": (name, content, "text/plain")},
            headers=await _provider(stack),
        )
    assert answer.status_code == 201, answer.text


async def _opened(page: Page) -> Locator:
    """The dialog, once it has faded in (axe reads colours at their final opacity)."""
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_have_css("opacity", "1")
    return dialog


async def _countdown_ticks(page: Page) -> None:
    clock = page.get_by_test_id("sla-countdown").first
    before = await clock.inner_text()
    assert re.fullmatch(r"in (\d+ d )?\d+ h \d+ min \d+ s", before), before
    await expect(clock).not_to_have_text(before, timeout=5_000)


async def test_a_pa_is_decided_on_screen_with_its_live_sla_clock_and_the_bell_hears_the_next(
    page: Page, stack: Stack
) -> None:
    pa = await _file_pa(stack)
    await _attach(stack, pa, "referral.txt", b"Referred by Dr Okafor for review.")
    await query_db(
        stack,
        "update notifications set read_at = now() where read_at is null and user_id = "
        "(select id from users where email = :email)",
        email=staff("claims.manager"),
    )
    await sign_in(page, staff("claims.manager"))
    await page.goto("/hmo/authorizations")
    row = page.get_by_role("row").filter(has_text=pa["number"])
    await expect(row).to_contain_text("Urgent")
    await expect(row.get_by_test_id("sla-countdown")).to_have_text(re.compile(r"^in \d+ (d|h) "))
    await assert_accessible(page)
    await screenshot(page, "pa-queue")

    await page.get_by_role("switch", name="Past the SLA").click()
    await expect(page).to_have_url(re.compile(r"breached=true"))
    await expect(page.get_by_role("row").filter(has_text=pa["number"])).to_have_count(0)
    await page.get_by_role("switch", name="Past the SLA").click()
    await expect(page).not_to_have_url(re.compile(r"breached"))

    await row.click()
    await expect(page.get_by_role("heading", name=pa["number"])).to_be_visible()
    await _countdown_ticks(page)
    await expect(page.get_by_text("Persistent fever for five days.")).to_be_visible()
    await expect(page.get_by_role("link", name=re.compile(r"^referral\.txt"))).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "pa-detail")

    await page.get_by_label("Approved amount (NGN)").fill("20,000.00")
    await page.get_by_label("Auth code valid for (days)").fill("14")
    await page.get_by_role("button", name="Approve and issue the auth code").click()
    code = page.get_by_test_id("auth-code")
    await expect(code).to_be_visible()
    [(status, approved, auth_code)] = await query_db(
        stack,
        "select status, approved_amount, auth_code from authorizations where id = :id",
        id=pa["id"],
    )
    assert (status, approved) == ("APPROVED", 20_000_00)
    await expect(code).to_have_text(auth_code)
    await expect(page.get_by_role("heading", name="Decide")).to_have_count(0)
    await assert_accessible(page)

    await page.get_by_role("link", name="Back to the queue").click()
    bell = page.get_by_role("button", name=re.compile(r"^Notifications, "))
    await expect(bell).to_have_attribute("aria-label", "Notifications, 0 unread")
    second = await _file_pa(stack, amount=40_000_00)  # the provider, in its own session
    toast = page.get_by_text(f"Urgent PA {second['number']} from Lagoon Hospital").first
    await expect(toast).to_be_visible()
    await expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread")
    await expect(page.get_by_role("row").filter(has_text=second["number"])).to_be_visible()


async def test_an_auto_approval_rule_is_changed_as_a_new_version(page: Page) -> None:
    await sign_in(page, staff("claims.manager"))
    await page.goto("/hmo/authorizations/rules")
    row = page.get_by_role("row").filter(has_text="Gold").filter(has_text="CONS-02")
    await expect(row).to_contain_text("80,000.00")
    await assert_accessible(page)
    await screenshot(page, "pa-rules")
    await row.click()
    dialog = await _opened(page)
    await expect(dialog.get_by_label("Plan")).to_be_disabled()
    await dialog.get_by_label("Up to the amount (NGN)").fill("95,000.00")
    await assert_accessible(page)
    await dialog.get_by_role("button", name="Save as version 2").click()
    await expect(dialog).to_have_count(0)
    await expect(row).to_contain_text("95,000.00")
    await expect(row.get_by_role("cell", name="2", exact=True)).to_be_visible()

    await page.get_by_role("button", name="New rule").click()
    dialog = await _opened(page)
    await dialog.get_by_label("Plan").click()
    await page.get_by_role("option", name=re.compile(r"^Silver")).click()
    await dialog.get_by_label("Procedure code").fill("cons-01")
    await dialog.get_by_label("Up to the amount (NGN)").fill("15,000")
    await dialog.get_by_role("button", name="Create the rule").click()
    await expect(dialog).to_have_count(0)
    created = page.get_by_role("row").filter(has_text="Silver").filter(has_text="CONS-01")
    await expect(created).to_contain_text("15,000.00")

    await page.get_by_role("link", name="Ghost-patient alerts").click()
    await expect(page).to_have_url(re.compile(r"/hmo/authorizations/alerts$"))
    await expect(page.get_by_role("table", name=re.compile("Not me"))).to_be_visible()
    await assert_accessible(page)


async def test_the_pa_screens_read_at_a_phone_width(browser: Browser, stack: Stack) -> None:
    pa = await _file_pa(stack)
    context = await new_context(browser, stack, PHONE)
    page = await context.new_page()
    await sign_in(page, staff("adjudicator"))
    for path, name in (
        ("/hmo/authorizations", "pa-queue-phone"),
        (f"/hmo/authorizations/{pa['id']}", "pa-detail-phone"),
    ):
        await page.goto(path)
        await expect(page.get_by_text(pa["number"]).first).to_be_visible()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways at 390 px"
        await assert_accessible(page)
        await screenshot(page, name)
    await context.close()


async def test_a_rejection_is_appealed_and_a_not_me_hold_cleared_on_screen(
    page: Page, stack: Stack
) -> None:
    enrollee = staff("enrollee")
    [(member_id,)] = await query_db(
        stack,
        "select e.member_id from enrollees e join users u on u.enrollee_id = e.id "
        "where u.email = :email",
        email=enrollee,
    )
    pa = await _file_pa(stack, member_id=member_id)
    await sign_in(page, staff("claims.manager"))
    await page.goto(f"/hmo/authorizations/{pa['id']}")
    await page.get_by_label("Decision").get_by_text("Reject").click()
    await page.get_by_label("Reason").fill("Treat as an outpatient first.")
    await page.get_by_role("button", name="Reject", exact=True).click()
    await expect(page.get_by_text("Treat as an outpatient first.").first).to_be_visible()

    evidence = {"evidence": "The fever did not respond to three days of outpatient care."}
    await core_post(
        stack, f"/v1/authorizations/{pa['id']}/appeals", evidence, await _provider(stack)
    )
    appeal = page.get_by_text(evidence["evidence"]).first  # live: no reload
    await expect(appeal).to_be_visible()
    await expect(page.get_by_text(re.compile(r"^Appealed "))).to_be_visible()
    toast = page.get_by_role("alert").filter(has_text="appealed the rejection")
    await expect(toast).to_have_css("opacity", "1")  # axe reads it once it has faded in
    await assert_accessible(page)
    await page.get_by_role("button", name="Approve and issue the auth code").click()
    await expect(page.get_by_test_id("auth-code")).to_be_visible()

    patient = await core_headers(stack, "demo", enrollee)
    await core_post(stack, f"/v1/authorizations/{pa['id']}/not-me", {"comment": "Not me"}, patient)
    await expect(page.get_by_text("claims on hold").first).to_be_visible()
    await screenshot(page, "pa-detail-hold")
    await page.get_by_role("button", name="Clear the hold").click()
    dialog = await _opened(page)
    await dialog.get_by_label("Reason").fill("The member's daughter used the card.")
    await assert_accessible(page)
    await dialog.get_by_role("button", name="Clear the hold").click()
    await expect(page.get_by_text("hold cleared").first).to_be_visible()

    await page.goto("/hmo/authorizations/alerts")
    row = page.get_by_role("row").filter(has_text=pa["number"])
    await expect(row).to_contain_text("Cleared")
    await expect(row).to_contain_text("Lagoon Hospital")
    await assert_accessible(page)
    await screenshot(page, "pa-alerts")
