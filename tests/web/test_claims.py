"""Claims through the screens: a provider's claim taken RECEIVED → IN_REVIEW → APPROVED by the
staff roles that may make each move, roles that may not never see the buttons, and a claim
moved in another tab shown as such."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from core_api.seed import DEMO_SLUG, provider_email
from tests.web.conftest import (
    DESKTOP,
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
MOVE_BUTTONS = re.compile(r"^(Mark received|Start review|Approve|Query the provider|Reject)")


CONSULTATION = {
    "code": "CONS-GP",
    "description": "GP consultation",
    "quantity": 1,
    "unit_price": 15_000_00,
}
BLOOD_COUNT = {
    "code": "LAB-FBC",
    "description": "Full blood count",
    "quantity": 1,
    "unit_price": 8_500_00,
}


async def file_claim(
    stack: Stack, items: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    """A claim filed by Lagoon Hospital's desk for a Dangote principal, as its API client would."""
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        admin = await core_session(core, DEMO_SLUG, staff("admin"))
        found = await core.get(
            "/v1/enrollees",
            params={"q": "chukwuemeka.obi", "status": "ACTIVE", "limit": 1},
            headers=admin,
        )
        member_id = found.json()["items"][0]["member_id"]
        desk = await core_session(core, PROVIDER, provider_email(PROVIDER))
        filed = await core.post(
            "/v1/claims",
            json={
                "member_id": member_id,
                "service_date": (date.today() - timedelta(days=1)).isoformat(),
                "diagnosis_codes": ["J06.9"],
                "items": items or [CONSULTATION, BLOOD_COUNT],
                **extra,
            },
            headers={**desk, "idempotency-key": secrets.token_hex(8)},
        )
        assert filed.status_code == 201, filed.text
        claim: dict[str, Any] = filed.json()
        return claim


SignIn = Callable[..., Awaitable[Page]]


@pytest.fixture
async def people(browser: Browser, stack: Stack) -> AsyncIterator[SignIn]:
    """Signs a demo staff member in, in a browser context of their own (closed after the test)."""
    opened: list[BrowserContext] = []

    async def signed_in(who: str, viewport: Any = DESKTOP) -> Page:
        context = await new_context(browser, stack, viewport)
        opened.append(context)
        page = await context.new_page()
        await sign_in(page, staff(who))
        return page

    yield signed_in
    for context in opened:
        await context.close()


async def open_claim(page: Page, claim: dict[str, Any]) -> None:
    await page.goto(f"/hmo/claims/{claim['id']}")
    await expect(page.get_by_role("heading", name=f"Claim {claim['number']}")).to_be_visible()


async def sees_no_moves(page: Page, claim: dict[str, Any]) -> None:
    await open_claim(page, claim)
    await expect(page.get_by_role("heading", name="Line items")).to_be_visible()
    await expect(page.get_by_role("button", name=MOVE_BUTTONS)).to_have_count(0)
    await expect(page.get_by_role("region", name="Decision")).to_have_count(0)


async def test_a_claim_goes_received_in_review_approved_by_the_roles_that_may(
    people: SignIn, stack: Stack
) -> None:
    claim = await file_claim(stack)
    adjudicator = await people("adjudicator")

    # Found through the list's filters (kept in the URL), opened from its row.
    await adjudicator.goto(f"/hmo/claims?view=all&member_id={claim['member_id']}&status=SUBMITTED")
    await expect(adjudicator.get_by_role("textbox", name="Status")).to_have_value("Submitted")
    await assert_accessible(adjudicator)
    await adjudicator.get_by_role("row", name=re.compile(claim["number"])).click()
    await expect(
        adjudicator.get_by_role("heading", name=f"Claim {claim['number']}")
    ).to_be_visible()
    await adjudicator.get_by_role("button", name="Mark received").click()
    await expect(adjudicator.get_by_role("button", name="Start review")).to_be_visible()
    await adjudicator.get_by_role("button", name="Start review").click()
    approve = adjudicator.get_by_role("button", name=re.compile(r"^Approve"))
    await expect(approve).to_be_enabled()
    await expect(
        adjudicator.get_by_text(re.compile(r"Your approval limit: ₦\s?500,000"))
    ).to_be_visible()

    # A role without claims:adjudicate / approve sees the claim but never a move.
    for reader in ("readonly", "finance"):
        await sees_no_moves(await people(reader), claim)

    manager = await people("claims.manager")
    await open_claim(manager, claim)
    await expect(manager.get_by_text("Covered", exact=True)).to_be_visible()
    await expect(
        manager.get_by_role("heading", name="Benefits: limit, used, remaining")
    ).to_be_visible()
    # The lab line trimmed to ₦8,000 with a reason code; the total follows before approving.
    amount = manager.get_by_label("Approved amount, line 2")
    await amount.fill("8000")
    await manager.get_by_role("textbox", name="Reason code, line 2").click()
    await manager.get_by_role("option", name=re.compile(r"^45:")).click()
    await expect(
        manager.get_by_role("button", name=re.compile(r"^Approve ₦\s?23,000\.00"))
    ).to_be_visible()
    await amount.fill("999999")
    await expect(manager.get_by_text("Above what the checks allow for this line")).to_be_visible()
    await expect(manager.get_by_role("button", name=re.compile(r"^Approve"))).to_be_disabled()
    await amount.fill("8000")
    await manager.get_by_role("button", name=re.compile(r"^Approve")).click()
    await expect(manager.get_by_role("button", name=MOVE_BUTTONS)).to_have_count(0)
    await expect(
        manager.get_by_text("45: Charge exceeds fee schedule/maximum allowable")
    ).to_be_visible()

    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        headers = await core_session(core, DEMO_SLUG, staff("admin"))
        final = (await core.get(f"/v1/claims/{claim['id']}", headers=headers)).json()
    assert final["status"] == "APPROVED"
    assert final["total_approved"] == 23_000_00
    assert [e["to_status"] for e in final["history"]] == [
        "SUBMITTED",
        "RECEIVED",
        "IN_REVIEW",
        "APPROVED",
    ]


async def test_queue_and_adjudication_view_pass_axe_at_both_widths(
    people: SignIn, stack: Stack
) -> None:
    claim = await file_claim(stack)
    adjudicator = await people("adjudicator")
    await adjudicator.goto("/hmo/claims")
    await expect(adjudicator.get_by_role("tab", name="Review queue")).to_have_attribute(
        "aria-selected", "true"
    )
    await expect(adjudicator.get_by_role("row").nth(1)).to_be_visible()
    await assert_accessible(adjudicator)
    await screenshot(adjudicator, "claims-queue")

    await open_claim(adjudicator, claim)
    await adjudicator.get_by_role("button", name="Mark received").click()
    await adjudicator.get_by_role("button", name="Start review").click()
    await expect(adjudicator.get_by_label("Approved amount, line 1")).to_be_visible()
    await assert_accessible(adjudicator)
    await screenshot(adjudicator, "claims-adjudication")

    phone = await people("adjudicator", PHONE)
    await phone.goto("/hmo/claims")
    await expect(phone.get_by_role("row").nth(1)).to_be_visible()
    await assert_accessible(phone)
    await screenshot(phone, "claims-queue-phone")
    await open_claim(phone, claim)
    await expect(phone.get_by_role("heading", name="History")).to_be_visible()
    await assert_accessible(phone)
    await screenshot(phone, "claims-adjudication-phone")


async def test_a_claim_moved_in_another_tab_is_said_so_with_a_reload(
    people: SignIn, stack: Stack
) -> None:
    claim = await file_claim(stack)
    first = await people("claims.manager")
    second = await first.context.new_page()
    await open_claim(first, claim)
    await open_claim(second, claim)

    await first.get_by_role("button", name="Mark received").click()
    await expect(first.get_by_role("button", name="Start review")).to_be_visible()

    await second.get_by_role("button", name="Mark received").click()
    alert = second.get_by_role("alert")
    await expect(alert).to_contain_text("Someone else changed this while you were looking at it.")
    await second.get_by_role("button", name="Reload the latest").click()
    await expect(second.get_by_role("alert")).to_have_count(0)
    await expect(second.get_by_role("button", name="Start review")).to_be_visible()
    await expect(second.get_by_role("button", name="Mark received")).to_have_count(0)


async def into_review(page: Page, claim: dict[str, Any]) -> None:
    await open_claim(page, claim)
    await page.get_by_role("button", name="Mark received").click()
    await page.get_by_role("button", name="Start review").click()
    await expect(page.get_by_role("button", name=re.compile(r"^Approve"))).to_be_visible()


async def test_the_approval_limit_is_shown_before_it_is_hit(people: SignIn, stack: Stack) -> None:
    stay = {"code": "WARD", "description": "Ward stay", "quantity": 1, "unit_price": 600_000_00}
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    claim = await file_claim(stack, [stay], admission_date=yesterday, discharge_date=yesterday)
    adjudicator = await people("adjudicator")
    await into_review(adjudicator, claim)
    await expect(adjudicator.get_by_role("button", name=re.compile(r"^Approve"))).to_be_disabled()
    await expect(
        adjudicator.get_by_text(
            re.compile(r"₦\s?600,000\.00 is above your approval limit of ₦\s?500,000\.00")
        )
    ).to_be_visible()
    # Trimmed to within the limit (with a reason), the adjudicator may approve it.
    await adjudicator.get_by_label("Approved amount, line 1").fill("450000")
    await expect(adjudicator.get_by_role("button", name=re.compile(r"^Approve"))).to_be_enabled()

    manager = await people("claims.manager")
    await open_claim(manager, claim)
    await expect(
        manager.get_by_role("button", name=re.compile(r"^Approve ₦\s?600,000"))
    ).to_be_enabled()
    await expect(
        manager.get_by_text(re.compile(r"Your approval limit: ₦\s?5,000,000"))
    ).to_be_visible()


async def test_a_query_with_an_attachment_puts_the_claim_in_queried(
    people: SignIn, stack: Stack
) -> None:
    claim = await file_claim(stack)
    adjudicator = await people("adjudicator")
    await into_review(adjudicator, claim)
    await adjudicator.get_by_role("button", name="Query the provider").click()
    dialog = adjudicator.get_by_role("dialog")
    await dialog.get_by_label("Question for the provider").fill("Send the lab report, please.")
    await dialog.locator("input[type=file]").set_input_files(
        {"name": "request.txt", "mimeType": "text/plain", "buffer": b"Lab report requested."}
    )
    await assert_accessible(adjudicator)
    await dialog.get_by_role("button", name="Send the query").click()
    await expect(dialog).to_have_count(0)
    await expect(adjudicator.get_by_text("Send the lab report, please.").first).to_be_visible()
    await expect(adjudicator.get_by_role("link", name="request.txt")).to_be_visible()
    await expect(adjudicator.get_by_role("button", name=MOVE_BUTTONS)).to_have_count(0)
    async with httpx.AsyncClient(base_url=stack.core_url) as core:
        headers = await core_session(core, DEMO_SLUG, staff("admin"))
        queried = (await core.get(f"/v1/claims/{claim['id']}", headers=headers)).json()
    assert queried["status"] == "QUERIED"
