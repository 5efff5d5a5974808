"""The HMO's Network screens: the directory searched with its filters in the URL, a link
requested to a new provider, accepted by it, and ended from "Our network"."""

from __future__ import annotations

import re
import secrets

import httpx
from playwright.async_api import Browser, Page, expect

from tests.factories import login, make_provider, session_headers
from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    new_context,
    screenshot,
    sign_in,
    staff,
)

MANAGER = "provider.relations"


async def _search(page: Page, name: str) -> None:
    await page.get_by_label("Name").fill(name)
    await page.get_by_role("button", name="Search").click()


async def test_the_directory_is_searched_by_name_and_type_with_the_filters_in_the_url(
    page: Page,
) -> None:
    await sign_in(page, staff(MANAGER))
    await page.get_by_role("link", name="Network").first.click()
    await expect(page.get_by_role("heading", name="Network")).to_be_visible()
    await expect(page.get_by_role("cell", name="Synlab", exact=True)).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "network-directory")

    await page.get_by_role("textbox", name="Type").click()
    await page.get_by_role("option", name="Laboratory").click()
    await expect(page).to_have_url(re.compile(r"type=LAB"))
    await expect(page.get_by_role("cell", name="Laboratory").first).to_be_visible()
    await expect(page.get_by_role("cell", name="Hospital")).to_have_count(0)
    await _search(page, "synl")
    await expect(page).to_have_url(re.compile(r"q=synl"))
    row = page.get_by_role("row", name=re.compile("Synlab"))
    await expect(row).to_have_count(1)
    await expect(row.get_by_text("Active")).to_be_visible()  # the demo's providers are linked
    await page.reload()  # a reload shows the same search
    await expect(page.get_by_label("Name")).to_have_value("synl")
    await expect(page.get_by_role("row", name=re.compile("Synlab"))).to_have_count(1)


async def _accept_as_provider(stack: Stack, slug: str, email: str, provider_name: str) -> None:
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        desk = session_headers(await login(core, slug, email))
        links = (await core.get("/v1/network/links", headers=desk)).json()["items"]
        [link] = [found for found in links if found["provider"]["name"] == provider_name]
        accepted = await core.post(f"/v1/network/links/{link['id']}/accept", headers=desk)
        assert accepted.status_code == 200, accepted.text


async def test_a_link_is_requested_then_ended_once_the_provider_accepted(
    page: Page, stack: Stack
) -> None:
    name = f"Harbour Clinic {secrets.token_hex(3)}"
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        provider = await make_provider(core, name=name, state="Rivers")
    await sign_in(page, staff(MANAGER))
    await page.goto("/hmo/network")
    await _search(page, name)
    row = page.get_by_role("row", name=re.compile(name))
    await row.get_by_role("button", name=f"Request link: {name}").click()
    await expect(row.get_by_text("Requested")).to_be_visible()

    await _accept_as_provider(stack, provider.slug, provider.email, name)

    await page.get_by_role("link", name="Our network").click()
    await expect(page).to_have_url(re.compile(r"/hmo/network/links$"))
    link_row = page.get_by_role("row", name=re.compile(name))
    await expect(link_row.get_by_text("Active")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "network-links")
    await link_row.get_by_role("button", name="End link").click()
    dialog = page.get_by_role("dialog", name=f"End the link with {name}?")
    await expect(dialog).to_be_visible()
    await assert_accessible(page)
    await dialog.get_by_role("button", name="End the link").click()
    await expect(dialog).to_be_hidden()
    await expect(link_row.get_by_text("Ended")).to_be_visible()
    await expect(link_row.get_by_role("button", name="End link")).to_have_count(0)


async def test_a_user_without_network_manage_sees_no_link_buttons(page: Page) -> None:
    await sign_in(page, staff("readonly"))
    await page.goto("/hmo/network/links")
    await expect(page.get_by_role("cell", name="Synlab", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="End link")).to_have_count(0)


async def test_the_network_reads_at_a_phone_width(browser: Browser, stack: Stack) -> None:
    context = await new_context(browser, stack, PHONE)
    page = await context.new_page()
    await sign_in(page, staff(MANAGER))
    await page.goto("/hmo/network")
    await expect(page.get_by_role("cell", name="Synlab", exact=True)).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at 390 px"
    await assert_accessible(page)
    await screenshot(page, "network-directory-phone")
    await context.close()
