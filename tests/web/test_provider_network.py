"""The provider portal's network and its users & keys, for a provider of its own: link
requests from two HMOs, one arriving live, accepted and declined (after a confirmation);
an integration key created (shown once) and revoked; a colleague invited, signed up from
the e-mailed link, and deactivated. axe-core on every screen."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser, Page, expect

from core_api.seed import DEMO_SLUG, provider_email
from tests.factories import PASSWORD, ProviderCtx, make_provider, make_tenant
from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    core_session,
    new_context,
    query_db,
    screenshot,
    sign_in,
    staff,
)


async def request_link(core: httpx.AsyncClient, hmo: dict[str, str], provider: ProviderCtx) -> None:
    requested = await core.post("/v1/network/links", json={"provider_id": provider.id}, headers=hmo)
    assert requested.status_code == 201, requested.text


async def signed_in(page: Page, provider: ProviderCtx) -> None:
    await sign_in(page, provider.email, tenant=provider.slug, password=PASSWORD)


async def test_link_requests_are_accepted_and_declined(browser: Browser, stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        provider = await make_provider(core, name="Ikeja Family Clinic")
        relations = await core_session(core, DEMO_SLUG, staff("provider.relations"))
        demo_name = (await core.get("/v1/me", headers=relations)).json()["tenant"]["name"]
        await request_link(core, relations, provider)
        context = await new_context(browser, stack)
        try:
            page = await context.new_page()
            await signed_in(page, provider)
            await page.get_by_role("link", name="Network").click()
            requests = page.get_by_role("table", name="Requests waiting for your answer")
            active = page.get_by_role("table", name="Active links")
            await expect(requests.get_by_text(demo_name)).to_be_visible()
            await expect(page.get_by_text("No HMO has you in its network yet.")).to_be_visible()
            await assert_accessible(page)
            await requests.get_by_role("button", name=f"Accept {demo_name}'s request").click()
            await expect(active.get_by_text(demo_name)).to_be_visible()
            await expect(page.get_by_text("No request is waiting.")).to_be_visible()

            # A second HMO's request arrives while the page is open.
            harbour = await make_tenant(core, name="Harbour Health")
            await request_link(core, harbour.admin, provider)
            await expect(requests.get_by_text("Harbour Health")).to_be_visible()
            await assert_accessible(page)
            await screenshot(page, "provider-network")
            await requests.get_by_role("button", name="Decline").click()
            dialog = page.get_by_role("dialog", name="Decline Harbour Health's request?")
            await expect(dialog.get_by_text("can send a new request later")).to_be_visible()
            await assert_accessible(page)
            await dialog.get_by_role("button", name="Decline the request").click()
            await expect(dialog).to_be_hidden()
            await expect(page.get_by_text("No request is waiting.")).to_be_visible()
            await expect(active.get_by_text("Harbour Health")).to_be_hidden()
            links = await core.get("/v1/network/links", headers=harbour.admin)
            assert [link["status"] for link in links.json()["items"]] == ["DECLINED"]
        finally:
            await context.close()


async def test_keys_are_created_and_revoked_and_a_colleague_invited(
    browser: Browser, stack: Stack
) -> None:
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        provider = await make_provider(core, name="Surulere Diagnostics", type_="LAB")
    context = await new_context(browser, stack)
    try:
        page = await context.new_page()
        await signed_in(page, provider)
        await page.get_by_role("link", name="Users & keys").click()
        await expect(page).to_have_url(re.compile("/provider/access/users$"))

        await page.get_by_role("link", name="API keys").click()
        await page.get_by_role("button", name="Create an API key").click()
        dialog = page.get_by_role("dialog", name="Create an API key")
        await dialog.get_by_label("Name").fill("Lab system results upload")
        await dialog.get_by_role("button", name="Create the key").click()
        key = dialog.get_by_label("The new API key")
        await expect(key).to_have_text(re.compile(r"^vk_"))
        await assert_accessible(page)
        await dialog.get_by_role("button", name="I have stored it").click()
        keys = page.get_by_role("table", name="API keys")
        row = keys.get_by_role("row").filter(has_text="Lab system results upload")
        await expect(row.get_by_text("Active")).to_be_visible()
        await row.get_by_role("button", name="Revoke").click()
        await page.get_by_role("dialog").get_by_role("button", name="Revoke the key").click()
        await expect(row.get_by_text(re.compile("^Revoked"))).to_be_visible()
        await assert_accessible(page)

        colleague = f"nurse@{provider.slug}.example.com"
        await page.get_by_role("link", name="Users", exact=True).click()
        await page.get_by_role("button", name="Invite a user").click()
        invite = page.get_by_role("dialog", name="Invite a user")
        await expect(invite.get_by_label("Role")).to_have_count(0)
        await invite.get_by_label("E-mail").fill(colleague)
        await invite.get_by_role("button", name="Send the invitation").click()
        await expect(page.get_by_text(f"Invitation sent to {colleague}.")).to_be_visible()

        [(body,)] = await query_db(
            stack,
            "select body from email_outbox where to_address = :to order by created_at desc limit 1",
            to=colleague,
        )
        link = re.search(r"/accept-invite\?\S+", body)
        assert link, body
        invited = await (await new_context(browser, stack)).new_page()
        await invited.goto(link.group(0))
        await invited.get_by_label("First name").fill("Ngozi")
        await invited.get_by_label("Last name").fill("Eze")
        await invited.get_by_label("New password").fill(PASSWORD)
        await invited.get_by_label("Repeat the password").fill(PASSWORD)
        await invited.get_by_role("button", name="Set password").click()
        await expect(invited.get_by_role("link", name="Go to sign-in")).to_be_visible()
        await invited.context.close()

        await page.reload()
        users = page.get_by_role("table", name="Users")
        nurse = users.get_by_role("row").filter(has_text=colleague)
        await nurse.get_by_role("button", name="Deactivate").click()
        await page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()
        await expect(nurse.get_by_text("Deactivated")).to_be_visible()
        await assert_accessible(page)
    finally:
        await context.close()


async def test_the_network_reads_at_a_phones_width(browser: Browser, stack: Stack) -> None:
    context = await new_context(browser, stack, PHONE)
    try:
        page = await context.new_page()
        await sign_in(page, provider_email("lagoon"), tenant="lagoon")
        await page.goto("/provider/network")
        active = page.get_by_role("table", name="Active links")
        await expect(active.get_by_role("row").nth(1)).to_be_visible()
        await assert_accessible(page)
    finally:
        await context.close()
