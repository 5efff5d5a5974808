"""Browser tests: Playwright driving Debian's Chromium against the real stack.

One database of its own per run, migrated and seeded with the demo HMO (a year of
history, as `make run` shows it), a core and a BFF serving the built web app on loopback
ports, and one browser. Each test opens its own context (its own cookies), so two users
are two contexts.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    async_playwright,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from core_api.db import async_url
from core_api.seed import DEMO_PASSWORD, DEMO_SLUG, demo_email
from tests.db import admin_sql, with_database
from tests.factories import BFF, session_headers

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screens"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("The browser tests need Debian's chromium: `make test` installs it (as root).")
    return found


@dataclass(frozen=True)
class Stack:
    url: str  # the BFF, serving the portals
    core_url: str
    database_url: str


@pytest.fixture(scope="session")
async def stack(database_url: str) -> AsyncIterator[Stack]:
    from bff.config import Settings as BffSettings
    from bff.main import create_app as create_bff
    from core_api.config import Settings as CoreSettings
    from core_api.main import create_app as create_core
    from core_api.seed import seed_demo
    from scripts.db import migrate
    from scripts.web import build
    from tests.live import serve

    await asyncio.to_thread(build)
    name = f"vetra_web_{secrets.token_hex(4)}"
    await admin_sql(database_url, f'CREATE DATABASE "{name}"')
    url = with_database(database_url, name)
    try:
        await asyncio.to_thread(migrate, url)
        await seed_demo(url)
        core_settings = CoreSettings.model_validate({"DATABASE_URL": url})
        with serve(create_core(core_settings)) as core_url:
            bff_settings = BffSettings(
                env="test",
                core_url=core_url,
                web_dist=ROOT / "web" / "dist",
                login_limit_per_account=1000,
                login_limit_per_ip=1000,
            )
            with serve(create_bff(bff_settings)) as bff_url:
                yield Stack(bff_url, core_url, url)
    finally:
        await admin_sql(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    launched = await playwright.chromium.launch(
        executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"]
    )
    yield launched
    await launched.close()


async def new_context(
    browser: Browser, stack: Stack, viewport: dict[str, int] = DESKTOP
) -> BrowserContext:
    """A browser of its own (cookies, storage): one per user in a test."""
    size: Any = viewport
    # Reduced motion: no half-faded dialog is ever what axe measures.
    made = await browser.new_context(
        base_url=stack.url, viewport=size, locale="en-NG", reduced_motion="reduce"
    )
    made.set_default_timeout(15_000)
    return made


@pytest.fixture
async def context(browser: Browser, stack: Stack) -> AsyncIterator[BrowserContext]:
    made = await new_context(browser, stack)
    yield made
    await made.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


async def sign_in(
    page: Page, email: str, tenant: str = DEMO_SLUG, password: str = DEMO_PASSWORD
) -> None:
    """Through the sign-in screen, as a person would; waits for the portal's first screen."""
    await page.goto(f"/{tenant}")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("navigation", name="Main").wait_for()


async def signed_in_context(
    browser: Browser,
    stack: Stack,
    email: str,
    tenant: str = DEMO_SLUG,
    viewport: dict[str, int] = DESKTOP,
) -> tuple[BrowserContext, Page]:
    """A browser of its own with a page signed in as `email`; the caller closes it."""
    context = await new_context(browser, stack, viewport)
    try:
        page = await context.new_page()
        await sign_in(page, email, tenant=tenant)
    except BaseException:
        await context.close()
        raise
    return context, page


async def core_session(core: httpx.AsyncClient, tenant: str, email: str) -> dict[str, str]:
    """Headers of a session signed in at the core, as the BFF does for a browser: for
    setting up what a test needs through the API (a provider filing, an admin reading)."""
    login = await core.post(
        "/v1/auth/sessions",
        json={"tenant": tenant, "email": email, "password": DEMO_PASSWORD},
        headers=BFF,
    )
    assert login.status_code == 201, login.text
    return session_headers(login.json()["token"])


def staff(role_local_part: str) -> str:
    return demo_email(role_local_part)


async def core_headers(stack: Stack, tenant: str, email: str) -> dict[str, str]:
    """`core_session` on a client of its own, for a test that holds none."""
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        return await core_session(core, tenant, email)


async def core_post(stack: Stack, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    """A JSON POST to the core that must succeed (200 or 201); its answer's body."""
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        answer = await core.post(path, json=body, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


async def query_db(stack: Stack, sql: str, **params: Any) -> list[Any]:
    """SQL straight on the run's database (its rows, if it returns any): for what no API
    shows a test, or a state no screen can set up."""
    engine = create_async_engine(async_url(stack.database_url))
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


async def choose(page: Page, dialog: Locator, label: str, option: str) -> None:
    """A Mantine select in a dialog: open it by its label, pick the option by its name."""
    await dialog.get_by_role("textbox", name=label, exact=True).click()
    await page.get_by_role("option", name=option, exact=True).click()


def tiny_png() -> bytes:
    """A 2x2 PNG, for a proof's or an attachment's preview."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixels = b"".join(b"\x00" + b"\x20\x60\xc0" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


async def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    await page.evaluate(AXE.read_text())
    found = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).slice(0, 3)})`)"
    )
    return list(found)


async def assert_accessible(page: Page) -> None:
    """Fails with axe-core's serious and critical findings, one a line."""
    found = await serious_violations(page)
    assert found == [], "\n".join(found)


async def screenshot(page: Page, name: str) -> None:
    """Kept for the README when VETRA_SCREENSHOTS is set (`make screenshots`)."""
    if os.environ.get("VETRA_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
