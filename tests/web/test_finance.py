"""Finance through the screens: a settlement run over the demo's approved claims created,
approved and paid with a proof previewed and uploaded (its claims shown SETTLED), the
remittance's CSV and printable statement; a provider's dispute reviewed and resolved; a
capitation month run twice; billing's invoices and fees. axe-core on every screen."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
from playwright.async_api import Page, Route, expect

from core_api.seed import DEMO_SLUG, provider_email
from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    core_session,
    screenshot,
    sign_in,
    staff,
    tiny_png,
)


async def claims_in_live_runs(core: httpx.AsyncClient, headers: dict[str, str]) -> set[str]:
    ids: set[str] = set()
    for status in ("DRAFT", "APPROVED"):
        runs = await core.get("/v1/settlement-runs", params={"status": status}, headers=headers)
        for run in runs.json()["items"]:
            detail = (await core.get(f"/v1/settlement-runs/{run['id']}", headers=headers)).json()
            ids |= {line["claim_id"] for r in detail["remittances"] for line in r["lines"]}
    return ids


async def an_approved_claim(stack: Stack) -> tuple[dict[str, Any], str]:
    """One of the demo's approved claims in no live run yet, with its provider's name."""
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        finance = await core_session(core, DEMO_SLUG, staff("finance"))
        taken = await claims_in_live_runs(core, finance)
        claims = await core.get(
            "/v1/claims", params={"status": "APPROVED", "limit": 200}, headers=finance
        )
        assert claims.status_code == 200, claims.text
        claim: dict[str, Any] = next(c for c in claims.json()["items"] if c["id"] not in taken)
        provider = await core.get(f"/v1/providers/{claim['provider_id']}", headers=finance)
        return claim, provider.json()["name"]


async def a_disputed_line(stack: Stack) -> str:
    """A provider desk disputes a line of one of its paid remittances; the dispute's number."""
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        desk = await core_session(core, "lagoon", provider_email("lagoon"))
        paid = await core.get("/v1/remittances", params={"status": "PAID"}, headers=desk)
        for summary in paid.json()["items"]:
            remittance = await core.get(f"/v1/remittances/{summary['id']}", headers=desk)
            for line in remittance.json()["lines"]:
                raised = await core.post(
                    "/v1/disputes",
                    json={
                        "remittance_line_id": line["id"],
                        "reason": "The consultation was cut below our agreed tariff.",
                        "amount_claimed": min(line["billed"], 2_000_00),
                    },
                    headers=desk,
                )
                if raised.status_code == 201:
                    return str(raised.json()["number"])
    raise AssertionError("no line of Lagoon's paid remittances could be disputed")


async def create_and_approve_run(page: Page, claim: dict[str, Any], provider: str) -> None:
    await page.goto("/hmo/finance/runs")
    await expect(page.get_by_role("heading", name="New settlement run")).to_be_visible()
    await expect(page.get_by_role("table", name="Settlement runs")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "finance-runs")
    await page.get_by_label("Served from").fill(claim["service_date"])
    await page.get_by_label("Served to").fill(claim["service_date"])
    await page.get_by_role("textbox", name="Provider").fill(provider)
    await page.get_by_role("option", name=provider).click()
    await page.get_by_role("button", name="Create the run").click()
    await expect(page).to_have_url(re.compile(r"/hmo/finance/runs/[0-9a-f-]{36}$"))
    await expect(page.get_by_text("Your approval limit:")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_role("button", name="Approve the run").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_role("button", name="Approve", exact=True).click()
    await expect(dialog).to_be_hidden()
    await expect(page.get_by_role("button", name="Approve the run")).to_be_hidden()
    await expect(page.get_by_text("Approved", exact=True).first).to_be_visible()


async def pay_with_a_proof(
    page: Page, claim: dict[str, Any], reference: str = "TRF-WEB-0001"
) -> None:
    """The proof previewed, then sent with its progress shown (the answer held back a moment
    so the bar can be seen), and the claim shown SETTLED."""
    await page.get_by_role("link", name="Open").first.click()
    await expect(page.get_by_role("heading", name="Record a payment")).to_be_visible()
    lines = page.get_by_role("table", name="Remittance lines")
    claim_row = lines.get_by_role("row").filter(has_text=claim["number"])
    await expect(claim_row.get_by_text("Approved")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_label("Transfer reference").fill(reference)
    await page.locator("input[type=file]").set_input_files(
        {"name": "proof.png", "mimeType": "image/png", "buffer": tiny_png()}
    )
    await expect(page.get_by_role("img", name="Preview of proof.png")).to_be_visible()
    await assert_accessible(page)

    async def held_back(route: Route) -> None:
        await asyncio.sleep(1.0)
        await route.continue_()

    await page.route("**/payment-proofs", held_back)
    await page.get_by_role("button", name="Send the proof").click()
    # At 0 % the bar has no width to be "visible"; it is there, with its figure beside it.
    await expect(page.get_by_role("progressbar", name="Upload progress")).to_be_attached()
    await expect(page.get_by_text(re.compile(r"^Uploading… \d+%$"))).to_be_visible()
    await expect(claim_row.get_by_text("Settled")).to_be_visible()
    await expect(page.get_by_role("heading", name="Record a payment")).to_be_hidden()
    payments = page.get_by_role("table", name="Payments recorded")
    await expect(payments.get_by_text(reference)).to_be_visible()
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "remittance")


async def statement_and_csv(page: Page, claim: dict[str, Any]) -> None:
    async with page.expect_download() as download:
        await page.get_by_role("button", name="Download CSV").click()
    saved = await (await download.value).path()
    csv_text = saved.read_text()
    assert csv_text.startswith("claim_number,")
    assert claim["number"] in csv_text
    statement = page.get_by_role("link", name="Printable statement")
    href = await statement.get_attribute("href")
    assert href is not None
    assert href.endswith("?format=html")
    await page.goto(href)
    await expect(page.get_by_role("heading", name="Remittance advice")).to_be_visible()
    await expect(page.get_by_text(claim["number"])).to_be_visible()
    await assert_accessible(page)
    await page.emulate_media(media="print")
    await screenshot(page, "statement-print")
    await page.emulate_media(media="screen")


async def test_a_settlement_run_is_created_approved_and_paid_with_a_proof(
    page: Page, stack: Stack
) -> None:
    claim, provider = await an_approved_claim(stack)
    await sign_in(page, staff("finance"))
    await create_and_approve_run(page, claim, provider)
    await pay_with_a_proof(page, claim)
    await statement_and_csv(page, claim)
    await page.goto("/hmo/finance/remittances?status=PAID")
    await expect(page.get_by_role("table", name="Remittances")).to_be_visible()
    await assert_accessible(page)


async def test_a_providers_dispute_is_reviewed_and_resolved(page: Page, stack: Stack) -> None:
    number = await a_disputed_line(stack)
    await sign_in(page, staff("finance"))
    await page.goto("/hmo/finance/disputes?status=OPEN")
    await page.get_by_role("row").filter(has_text=number).click()
    await expect(page.get_by_role("heading", name=f"Dispute {number}")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_role("button", name="Start the review").click()
    await expect(page.get_by_text("Under review").first).to_be_visible()
    await page.get_by_label("Note to the provider").fill("Agreed: paid at the tariff.")
    await page.get_by_role("button", name="Accept the dispute").click()
    await expect(page.get_by_text("Resolved accepted").first).to_be_visible()
    await expect(page.get_by_role("heading", name="Resolve")).to_be_hidden()
    await page.goto("/hmo/finance/disputes")
    await assert_accessible(page)


async def test_a_capitation_month_run_twice_creates_nothing_new(page: Page) -> None:
    await sign_in(page, staff("finance"))
    await page.goto("/hmo/finance/capitation")
    await expect(page.get_by_role("table", name="Capitation runs")).to_be_visible()
    await assert_accessible(page)
    first = page.get_by_role("table", name="Capitation runs").get_by_role("row").nth(1)
    month_label = (await first.get_by_role("cell").nth(1).inner_text()).strip()
    shown = await page.evaluate(
        "label => { const d = new Date(`1 ${label}`); "
        "return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`; }",
        month_label,
    )
    await page.get_by_role("textbox", name="Month").fill(shown)
    await page.get_by_role("button", name="Run capitation").click()
    await expect(page.get_by_role("status")).to_contain_text("creates nothing new")
    await first.click()
    await expect(page.get_by_role("table", name="Payouts by primary provider")).to_be_visible()
    await assert_accessible(page)


async def test_billing_and_finance_read_at_a_phones_width(page: Page) -> None:
    await sign_in(page, staff("finance"))
    await page.set_viewport_size(PHONE)
    await page.goto("/hmo/billing")
    await expect(page.get_by_role("table", name="Invoices, newest month first")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_role("link", name="Fees").click()
    await expect(page.get_by_role("table", name="Fees charged, newest first")).to_be_visible()
    await assert_accessible(page)
    await page.goto("/hmo/finance")
    await expect(page).to_have_url(re.compile(r"/hmo/finance/runs$"))
    await expect(page.get_by_role("table", name="Settlement runs")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "finance-runs-phone")
