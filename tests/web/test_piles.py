"""The HMO's Piles screens: the piles by provider and month (filters in the URL), a pile's
totals by status, "Vet next" opening a claim of that pile in the claims screen with
`?pile=`, and sampled vetting refused in words while the HMO has it off."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import httpx
from playwright.async_api import Browser, Page, expect

from core_api.seed import DEMO_PASSWORD, DEMO_SLUG
from tests.factories import login, session_headers
from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    new_context,
    screenshot,
    sign_in,
    staff,
)

VETTER = "claims.manager"


async def _as_vetter(core: httpx.AsyncClient) -> dict[str, str]:
    return session_headers(await login(core, DEMO_SLUG, staff(VETTER), DEMO_PASSWORD))


async def _a_pile_to_vet(stack: Stack) -> dict[str, Any]:
    """The newest pile with claims waiting to be vetted."""
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        headers, cursor = await _as_vetter(core), None
        while True:
            params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
            page = (await core.get("/v1/piles", params=params, headers=headers)).json()
            waiting = [pile for pile in page["items"] if pile["to_vet"] > 0]
            if waiting:
                return dict(waiting[0])
            cursor = page["next_cursor"]
            assert cursor, "the demo has no claim waiting to be vetted"


async def _claim(stack: Stack, claim_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        found = await core.get(f"/v1/claims/{claim_id}", headers=await _as_vetter(core))
        assert found.status_code == 200, found.text
        return dict(found.json())


async def test_vet_next_opens_a_claim_of_the_pile_in_the_claims_screen(
    page: Page, stack: Stack
) -> None:
    pile = await _a_pile_to_vet(stack)
    await sign_in(page, staff(VETTER))
    await page.get_by_role("link", name="Piles").click()
    await expect(page.get_by_role("heading", name="Piles")).to_be_visible()
    await expect(page.get_by_role("row").nth(1)).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "piles")

    await page.get_by_role("textbox", name="Provider").click()
    await page.get_by_role("option", name=pile["provider_name"], exact=True).click()
    await page.get_by_label("Billing month").fill(pile["month"])
    filtered = rf"provider={pile['provider_id']}&month={pile['month']}$"
    await expect(page).to_have_url(re.compile(filtered))
    row = page.get_by_role("row", name=re.compile(re.escape(pile["provider_name"])))
    await expect(row).to_have_count(1, timeout=15_000)
    await row.click()
    heading = page.get_by_role("heading", name=re.compile(re.escape(pile["provider_name"])))
    await expect(heading).to_be_visible()
    await expect(page.get_by_role("table", name="The pile's claims by status")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "piles-pile")

    await page.get_by_role("button", name="Vet next").click()
    await expect(page).to_have_url(re.compile(r"/hmo/claims/[0-9a-f-]{36}\?pile="))
    opened = urlparse(page.url)
    assert parse_qs(opened.query)["pile"] == [pile["id"]]
    claim = await _claim(stack, unquote(opened.path.rsplit("/", 1)[1]))
    assert claim["provider_id"] == pile["provider_id"]
    assert claim["billing_month"].startswith(pile["month"])
    assert claim["status"] in ("RECEIVED", "RESUBMITTED")
    # The claim screen walks on through the pile: to another of its claims, or says it is done.
    await page.get_by_role("button", name="Next in pile").click()
    done = page.get_by_text("Nothing left to vet in this pile right now.")
    await page.wait_for_function(
        "([path, text]) => location.pathname !== path || document.body.innerText.includes(text)",
        arg=[opened.path, "Nothing left to vet in this pile right now."],
    )
    if urlparse(page.url).path != opened.path:
        assert parse_qs(urlparse(page.url).query)["pile"] == [pile["id"]]
    else:
        await expect(done).to_be_visible()


async def test_sampling_while_it_is_off_is_refused_in_words(page: Page, stack: Stack) -> None:
    pile = await _a_pile_to_vet(stack)
    await sign_in(page, staff(VETTER))
    await page.goto(f"/hmo/piles/{pile['id']}")
    await expect(page.get_by_text("No sample has been drawn from this pile.")).to_be_visible()
    await page.get_by_role("button", name="Draw a sample").click()
    await expect(page.get_by_role("alert")).to_contain_text("Sampled vetting is off")


async def _set_sampling(stack: Stack, percent: int | None, max_risk: int) -> dict[str, Any]:
    """Sampling turned on or off by the HMO's admin; the settings as they were before."""
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        admin = session_headers(await login(core, DEMO_SLUG, staff("admin"), DEMO_PASSWORD))
        before = (await core.get("/v1/settings", headers=admin)).json()
        change = {"version": before["version"], "sampling_max_risk": max_risk}
        changed = await core.patch(
            "/v1/settings", json=change | {"sampling_percent": percent or 0}, headers=admin
        )
        assert changed.status_code == 200, changed.text
        return dict(before)


async def test_a_sample_is_drawn_and_its_claims_listed(page: Page, stack: Stack) -> None:
    pile = await _a_pile_to_vet(stack)
    before = await _set_sampling(stack, 50, max_risk=100)
    try:
        await sign_in(page, staff(VETTER))
        await page.goto(f"/hmo/piles/{pile['id']}")
        await page.get_by_role("button", name="Draw a sample").click()
        await expect(page.get_by_text("Sample drawn:")).to_be_visible()
        sampled = page.get_by_role("table", name="The sampled claims")
        await expect(sampled.get_by_role("row").nth(1)).to_be_visible()
        await expect(page.get_by_role("button", name="Draw a sample")).to_have_count(0)
        await expect(page.get_by_text(re.compile(r"\d+ still to decide"))).to_be_visible()
        await expect(page.get_by_role("button", name="Apply the sample's ratio")).to_have_count(0)
        await assert_accessible(page)
        await screenshot(page, "piles-sample")
    finally:
        await _set_sampling(stack, before["sampling_percent"], before["sampling_max_risk"])


async def test_the_piles_read_at_a_phone_width(browser: Browser, stack: Stack) -> None:
    context = await new_context(browser, stack, PHONE)
    page = await context.new_page()
    await sign_in(page, staff(VETTER))
    await page.goto("/hmo/piles")
    await expect(page.get_by_role("row").nth(1)).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at 390 px"
    await assert_accessible(page)
    await screenshot(page, "piles-phone")
    await context.close()
