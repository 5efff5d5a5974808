"""Signing in and out through the screens, errors in words, expiry back to sign-in."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from core_api.db import async_url
from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    new_context,
    screenshot,
    sign_in,
    staff,
)


async def test_the_branded_sign_in_leads_to_the_dashboard_and_out_again(page: Page) -> None:
    await page.goto("/demo")
    await expect(page.get_by_label("Organisation")).to_have_value("demo")
    await assert_accessible(page)
    await sign_in(page, staff("admin"))
    await expect(page).to_have_url(re.compile(r"/hmo$"))
    await expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    await expect(page.get_by_text("Claims received this month")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "hmo-dashboard")
    await page.locator("header [aria-haspopup=menu]").click()
    await page.get_by_role("menuitem", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.goto("/hmo")  # the old session is gone at the server, not just forgotten here
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


async def test_a_wrong_password_is_said_in_words(page: Page) -> None:
    await page.goto("/demo")
    await page.get_by_label("E-mail").fill(staff("admin"))
    await page.get_by_label("Password", exact=True).fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "The organisation, e-mail or password is wrong."
    )


async def test_an_ended_session_returns_to_sign_in_and_then_to_where_the_user_was(
    page: Page, stack: Stack
) -> None:
    await sign_in(page, staff("claims.manager"))
    await page.goto("/hmo/claims?status=QUERIED")
    await _end_sessions_of(stack, staff("claims.manager"))
    await page.reload()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("E-mail").fill(staff("claims.manager"))
    await page.get_by_label("Password", exact=True).fill("vetra-demo-2026")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/hmo/claims\?status=QUERIED$"))


async def test_the_portal_reads_at_a_phone_width(browser: Browser, stack: Stack) -> None:
    context = await new_context(browser, stack, PHONE)
    page = await context.new_page()
    await sign_in(page, staff("admin"))
    await expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at 390 px"
    await assert_accessible(page)
    await screenshot(page, "hmo-dashboard-phone")
    await context.close()


async def _end_sessions_of(stack: Stack, email: str) -> None:
    engine = create_async_engine(async_url(stack.database_url))
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "update auth_sessions set revoked_at = now() "
                "where user_id in (select id from users where email = :email)"
            ),
            {"email": email},
        )
    await engine.dispose()
