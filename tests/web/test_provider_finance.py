"""The provider portal's finance: a remittance's proofs of payment arrive live while the
HMO's Finance records them (a part payment, then the rest) and open in a preview; a
dispute raised against a line of a remittance, followed live as the HMO reviews it.
axe-core on every screen, a phone's width too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from playwright.async_api import Browser, expect

from core_api.seed import DEMO_SLUG, provider_email
from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    core_session,
    screenshot,
    signed_in_context,
    staff,
    tiny_png,
)
from tests.web.test_claims import PROVIDER, file_claim


@dataclass(frozen=True)
class Remittance:
    id: str
    total: int
    claim_number: str
    provider_slug: str


async def approved_claim(core: httpx.AsyncClient, stack: Stack) -> dict[str, Any]:
    """A claim of Lagoon's served today (no other claim is approved for the day yet), taken
    to APPROVED by the staff who may make each move."""
    claim = await file_claim(stack, service_date=date.today().isoformat())
    for role, to in (
        ("adjudicator", "RECEIVED"),
        ("adjudicator", "IN_REVIEW"),
        ("claims.manager", "APPROVED"),
    ):
        headers = await core_session(core, DEMO_SLUG, staff(role))
        moved = await core.post(
            f"/v1/claims/{claim['id']}/transitions",
            json={"to": to, "version": claim["version"]},
            headers=headers,
        )
        assert moved.status_code == 200, moved.text
        claim = moved.json()
    return claim


async def a_fresh_remittance(stack: Stack) -> Remittance:
    """Lagoon's remittance of an approved run holding a claim of its own: Finance creates
    the run for the claim's service day and approves it."""
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        claim = await approved_claim(core, stack)
        finance = await core_session(core, DEMO_SLUG, staff("finance"))
        day = claim["service_date"]
        run = await core.post(
            "/v1/settlement-runs",
            json={"provider_id": claim["provider_id"], "period_from": day, "period_to": day},
            headers=finance,
        )
        assert run.status_code == 201, run.text
        approved = await core.post(
            f"/v1/settlement-runs/{run.json()['id']}/approve", headers=finance
        )
        assert approved.status_code == 200, approved.text
        [remittance] = approved.json()["remittances"]
        return Remittance(remittance["id"], remittance["total"], claim["number"], PROVIDER)


async def record_payment(stack: Stack, remittance: Remittance, reference: str, amount: int) -> None:
    """Finance uploads a proof, as the HMO portal's form does."""
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        finance = await core_session(core, DEMO_SLUG, staff("finance"))
        paid = await core.post(
            f"/v1/remittances/{remittance.id}/payment-proofs",
            data={"reference": reference, "amount": str(amount), "paid_on": "2026-12-01"},
            files={"file": (f"{reference}.png", tiny_png(), "image/png")},
            headers=finance,
        )
        assert paid.status_code == 201, paid.text


async def test_proofs_of_payment_arrive_live_and_open_in_a_preview(
    browser: Browser, stack: Stack
) -> None:
    remittance = await a_fresh_remittance(stack)
    slug = remittance.provider_slug
    context, page = await signed_in_context(browser, stack, provider_email(slug), slug)
    try:
        await page.get_by_role("link", name="Finance").click()
        await expect(page.get_by_role("table", name="Remittances")).to_be_visible()
        await page.get_by_role("textbox", name="HMO").click()
        await page.get_by_role("option").first.click()
        await expect(page).to_have_url(re.compile(r"hmo=[0-9a-f-]{36}"))
        await assert_accessible(page)
        await page.goto(f"/provider/finance/remittances/{remittance.id}")
        lines = page.get_by_role("table", name="Remittance lines")
        await expect(lines.get_by_text(remittance.claim_number)).to_be_visible()
        payments = page.get_by_role("table", name="Payments recorded")
        await expect(page.get_by_text("No payment recorded yet.")).to_be_visible()
        await assert_accessible(page)

        part = remittance.total // 2
        await record_payment(stack, remittance, "TRF-PART-01", part)
        await expect(payments.get_by_text("TRF-PART-01")).to_be_visible()
        await expect(page.get_by_text("Payment recorded on the remittance").first).to_be_visible()
        await record_payment(stack, remittance, "TRF-REST-02", remittance.total - part)
        await expect(payments.get_by_text("TRF-REST-02")).to_be_visible()
        await expect(lines.get_by_text("Settled")).to_be_visible()
        await expect(
            page.get_by_role("heading", name=re.compile("^Remittance of run"))
        ).to_be_visible()

        await page.get_by_role("button", name="Preview the proof of TRF-REST-02").click()
        dialog = page.get_by_role("dialog", name="Proof of payment TRF-REST-02")
        await expect(
            dialog.get_by_role("img", name=re.compile("^Preview of proof"))
        ).to_be_visible()
        await assert_accessible(page)
        await dialog.get_by_role("button", name="Close").click()
        await page.evaluate("window.scrollTo(0, 0)")
        await screenshot(page, "provider-remittance")
    finally:
        await context.close()


async def test_a_dispute_is_raised_and_followed_live(browser: Browser, stack: Stack) -> None:
    remittance = await a_fresh_remittance(stack)
    slug = remittance.provider_slug
    context, page = await signed_in_context(browser, stack, provider_email(slug), slug)
    try:
        await page.goto(f"/provider/finance/remittances/{remittance.id}")
        form = page.get_by_role("form", name="Raise a dispute")
        await form.get_by_role("textbox", name="Line").click()
        await page.get_by_role("option", name=re.compile(remittance.claim_number)).click()
        await form.get_by_label("Reason").fill("The consultation was paid below our agreed tariff.")
        await form.get_by_label(re.compile("^Amount you ask for")).fill("30000")
        await form.get_by_role("button", name="Raise the dispute").click()
        await expect(
            form.get_by_text(re.compile("At most the line's billed amount"))
        ).to_be_visible()
        await form.get_by_label(re.compile("^Amount you ask for")).fill("10")
        await assert_accessible(page)
        await form.get_by_role("button", name="Raise the dispute").click()
        await expect(page).to_have_url(re.compile(r"/provider/finance/disputes/[0-9a-f-]{36}$"))
        dispute_id = page.url.rsplit("/", 1)[1]
        await expect(page.get_by_text("below our agreed tariff")).to_be_visible()
        history = page.get_by_role("table", name="What happened to this dispute")
        await expect(history.get_by_text("Open", exact=True)).to_be_visible()
        await assert_accessible(page)

        async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
            finance = await core_session(core, DEMO_SLUG, staff("finance"))
            reviewed = await core.post(f"/v1/disputes/{dispute_id}/review", headers=finance)
            assert reviewed.status_code == 200, reviewed.text
        await expect(history.get_by_text("Under review", exact=True)).to_be_visible()

        await page.get_by_role("link", name="All disputes").click()
        table = page.get_by_role("table", name="Disputes")
        row = table.get_by_role("row").filter(has_text=reviewed.json()["number"])
        await expect(row.get_by_text("Under review")).to_be_visible()
        await assert_accessible(page)
        await screenshot(page, "provider-disputes")
    finally:
        await context.close()


async def test_the_remittances_read_at_a_phones_width(browser: Browser, stack: Stack) -> None:
    context, page = await signed_in_context(
        browser, stack, provider_email("lagoon"), "lagoon", PHONE
    )
    try:
        await page.goto("/provider/finance/remittances?status=PAID")
        table = page.get_by_role("table", name="Remittances")
        await table.get_by_role("row").nth(1).click()
        await expect(page.get_by_role("table", name="Payments recorded")).to_be_visible()
        await assert_accessible(page)
        await screenshot(page, "provider-remittance-phone")
    finally:
        await context.close()
