"""The enrollee portal, on a phone: a ghost-patient alert arriving live while a provider
files an EMERGENCY PA, answered "Not me" and seen by the HMO; the coverage ticker moving
only when a claim is approved; the family's data downloaded; the switch between the
principal's and each dependant's view; the signed-in sessions signed out everywhere."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date

from playwright.async_api import Browser, Page, expect

from core_api.seed import DEMO_SLUG, demo_email, provider_email
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
    signed_in_context,
    staff,
)
from tests.web.test_authorizations import PROVIDER, _opened

ENROLLEE = demo_email("enrollee")
# A screen reading the demo's year of records on a busy machine: more than expect's 5 s.
LOADED = 20_000


async def _member_id(stack: Stack) -> str:
    """The demo cardholder's Member ID (a principal with a spouse and children)."""
    [(member_id,)] = await query_db(
        stack,
        "select e.member_id from enrollees e join users u on u.enrollee_id = e.id"
        " where u.email = :email",
        email=ENROLLEE,
    )
    return str(member_id)


async def test_a_ghost_patient_alert_arrives_live_and_not_me_reaches_the_hmo(
    browser: Browser, stack: Stack
) -> None:
    context, page = await signed_in_context(browser, stack, ENROLLEE, viewport=PHONE)
    hmo = await new_context(browser, stack)
    try:
        await expect(page.get_by_role("heading", name=re.compile("^Hello"))).to_be_visible(
            timeout=LOADED
        )
        pa = await core_post(
            stack,
            "/v1/authorizations",
            {
                "member_id": await _member_id(stack),
                "urgency": "EMERGENCY",
                "procedure_code": "CONS-01",
                "diagnosis_codes": ["R07.4"],
                "estimated_amount": 180_000_00,
                "notes": "Brought in by ambulance.",
            },
            await core_headers(stack, PROVIDER, provider_email(PROVIDER)),
        )
        alert = page.get_by_role("alert").filter(has_text=pa["number"])
        await expect(alert).to_be_visible(timeout=LOADED)  # no reload: the live event brought it
        await expect(alert).to_contain_text("Emergency pre-authorization at", timeout=LOADED)
        await screenshot(page, "enrollee-ghost-alert")

        await alert.get_by_role("button", name="Not me").click()
        dialog = await _opened(page)
        await expect(dialog).to_contain_text(f"Report {pa['number']} as not you?", timeout=LOADED)
        await expect(dialog).to_contain_text("Your HMO is alerted at once", timeout=LOADED)
        await expect(dialog).to_contain_text(
            "any claim citing this pre-authorization is held", timeout=LOADED
        )
        await assert_accessible(page)
        await dialog.get_by_role("button", name="Yes, report it").click()
        await expect(dialog).to_be_hidden(timeout=LOADED)
        await expect(alert).to_be_hidden(timeout=LOADED)

        await page.goto("/me/authorizations")
        reported = page.get_by_role("listitem").filter(has_text=pa["number"])
        await expect(reported).to_contain_text("Reported \u201cNot me\u201d", timeout=LOADED)

        staff_page = await hmo.new_page()
        await sign_in(staff_page, staff("admin"))
        await staff_page.goto("/hmo/authorizations/alerts")
        row = staff_page.get_by_role("row").filter(has_text=pa["number"])
        await expect(row).to_contain_text("Claims held", timeout=LOADED)
    finally:
        await context.close()
        await hmo.close()


async def _outpatient_used(page: Page) -> str:
    meter = page.get_by_role("region", name="Outpatient")
    return await meter.get_by_test_id("used").inner_text()


async def test_the_coverage_ticker_moves_only_when_a_claim_is_approved(
    browser: Browser, stack: Stack
) -> None:
    member_id = await _member_id(stack)
    context, page = await signed_in_context(browser, stack, ENROLLEE, viewport=PHONE)
    try:
        await page.goto(f"/me/coverage?member={member_id}")
        await expect(page.get_by_role("region", name="Outpatient")).to_be_visible(timeout=LOADED)
        before = await _outpatient_used(page)
        claim = await core_post(
            stack,
            "/v1/claims",
            {
                "member_id": member_id,
                "service_date": date.today().isoformat(),
                "diagnosis_codes": ["J06.9"],
                "items": [
                    {
                        "code": "CONS-01",
                        "description": "Consultation",
                        "quantity": 1,
                        "unit_price": 4_000_00,
                    },
                ],
            },
            await core_headers(stack, PROVIDER, provider_email(PROVIDER)),
        )
        await page.reload()  # filed, not approved: nothing is used yet
        await expect(page.get_by_role("region", name="Outpatient")).to_be_visible(timeout=LOADED)
        assert await _outpatient_used(page) == before

        admin = await core_headers(stack, DEMO_SLUG, staff("admin"))
        for to in ("RECEIVED", "IN_REVIEW", "APPROVED"):
            claim = await core_post(
                stack,
                f"/v1/claims/{claim['id']}/transitions",
                {"to": to, "version": claim["version"]},
                admin,
            )
        used = page.get_by_role("region", name="Outpatient").get_by_test_id("used")
        await expect(used).not_to_have_text(before, timeout=LOADED)  # live: no reload
    finally:
        await context.close()


async def test_the_export_downloads_the_familys_data(browser: Browser, stack: Stack) -> None:
    context, page = await signed_in_context(browser, stack, ENROLLEE, viewport=PHONE)
    try:
        family = await (await page.request.get("/api/me/coverage")).json()
        member_ids = {m["member"]["member_id"] for m in family["members"]}
        assert len(member_ids) > 1  # the principal and their dependants
        claims = await (await page.request.get("/api/me/claims?limit=200")).json()
        numbers = {c["number"] for c in claims["items"]}

        await page.goto("/me/settings")
        async with page.expect_download() as started:
            await page.get_by_role("link", name="Download (ZIP of CSV files)").click()
        download = await started.value
        with zipfile.ZipFile(await download.path()) as archive:
            profile = list(csv.DictReader(io.StringIO(archive.read("profile.csv").decode())))
            filed = list(csv.DictReader(io.StringIO(archive.read("claims.csv").decode())))
        assert {row["member_id"] for row in profile} == member_ids
        assert {row["number"] for row in filed} >= numbers
        assert {row["member_id"] for row in filed} <= member_ids

        async with page.expect_download() as started:
            await page.get_by_role("link", name="Download (JSON)").click()
        data = json.loads((await (await started.value).path()).read_text())
        assert {p["member_id"] for p in data["profile"]} == member_ids
        assert data["account"]["email"] == ENROLLEE
        assert "risk_score" not in json.dumps(data)
    finally:
        await context.close()


async def test_a_principal_switches_to_a_dependants_view_kept_in_the_url(
    browser: Browser, stack: Stack
) -> None:
    context, page = await signed_in_context(browser, stack, ENROLLEE, viewport=PHONE)
    try:
        family = await (await page.request.get("/api/me/coverage")).json()
        dependant = family["members"][1]["member"]
        await page.goto("/me/claims")
        await page.get_by_role("textbox", name="Whose records").click()
        await page.get_by_role("option", name=f"{dependant['first_name']} (").click()
        await expect(page).to_have_url(
            re.compile(f"member={dependant['member_id']}"), timeout=LOADED
        )
        claims = page.get_by_role("list", name="Claims").get_by_role("listitem")
        await expect(claims.first).to_be_visible(timeout=LOADED)
        for text in await claims.all_inner_texts():
            assert dependant["member_id"] in text

        await (
            page.get_by_role("navigation", name="Tabs").get_by_role("link", name="Coverage").click()
        )
        await expect(page).to_have_url(
            re.compile(f"/me/coverage\\?member={dependant['member_id']}")
        )
        sections = page.get_by_role("region", name=re.compile("^Coverage of "))
        await expect(sections).to_have_count(1, timeout=LOADED)
        await expect(sections).to_have_attribute(
            "aria-label", f"Coverage of {dependant['first_name']} {dependant['last_name']}"
        )
        await page.reload()
        await expect(sections).to_have_count(1, timeout=LOADED)

        await page.goto(f"/me/card?member={dependant['member_id']}")
        card = page.get_by_role("region", name=re.compile("^Health card of "))
        await expect(card).to_contain_text(dependant["member_id"], timeout=LOADED)
        qr = card.get_by_role("img", name=f"QR code of Member ID {dependant['member_id']}")
        await expect(qr).to_be_visible(timeout=LOADED)
    finally:
        await context.close()


async def test_sessions_are_listed_and_signed_out_everywhere(
    browser: Browser, stack: Stack
) -> None:
    phone_context, phone = await signed_in_context(browser, stack, ENROLLEE, viewport=PHONE)
    laptop_context = await new_context(browser, stack)
    try:
        laptop = await laptop_context.new_page()
        await sign_in(laptop, ENROLLEE)
        await phone.goto("/me/settings")
        sessions = phone.get_by_role("list", name="Active sessions").get_by_role("listitem")
        await expect(sessions.filter(has_text="This device")).to_have_count(1, timeout=LOADED)
        assert await sessions.count() >= 2

        password = phone.get_by_role("region", name="Password")
        await password.get_by_label("Current password").fill("not my password")
        await password.get_by_label("New password", exact=True).fill("a brand new passphrase")
        await password.get_by_label("Repeat the new password").fill("a brand new passphrase")
        await password.get_by_role("button", name="Change password").click()
        await expect(password).to_contain_text("The current password is wrong.", timeout=LOADED)

        await phone.get_by_role("button", name="Sign out everywhere else").click()
        dialog = await _opened(phone)
        await expect(dialog).to_contain_text("This one stays signed in", timeout=LOADED)
        await dialog.get_by_role("button", name="Sign them out").click()
        await expect(sessions).to_have_count(1, timeout=LOADED)
        await expect(sessions).to_contain_text("This device", timeout=LOADED)

        await laptop.goto("/me")
        await expect(laptop.get_by_role("button", name="Sign in")).to_be_visible(timeout=LOADED)

        await phone.get_by_role("button", name="Sign out everywhere", exact=True).click()
        dialog = await _opened(phone)
        await dialog.get_by_role("button", name="Sign out everywhere").click()
        await expect(phone.get_by_role("button", name="Sign in")).to_be_visible(timeout=LOADED)
        await phone.goto("/me")
        await expect(phone.get_by_role("button", name="Sign in")).to_be_visible(timeout=LOADED)
    finally:
        await phone_context.close()
        await laptop_context.close()


SCREENS = [
    ("/me", "enrollee-dashboard"),
    ("/me/card", "enrollee-card"),
    ("/me/coverage", "enrollee-coverage"),
    ("/me/claims", None),
    ("/me/authorizations", None),
    ("/me/providers", None),
    ("/me/visits", None),
    ("/me/settings", "enrollee-settings"),
]


async def test_every_screen_reads_at_a_phones_width_and_passes_axe(
    browser: Browser, stack: Stack
) -> None:
    context, page = await signed_in_context(browser, stack, ENROLLEE, viewport=PHONE)
    try:
        for path, shot in SCREENS:
            await page.goto(path)
            await expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=LOADED)
            await expect(page.get_by_role("status", name="Loading")).to_have_count(
                0, timeout=LOADED
            )
            await assert_accessible(page)
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} is wider than the phone by {overflow}px"
            if shot:
                await screenshot(page, shot)
        await page.get_by_role("button", name="More").click()
        await expect(
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Check-ins")
        ).to_be_visible()
    finally:
        await context.close()


async def test_on_a_desktop_the_menu_is_at_the_side(browser: Browser, stack: Stack) -> None:
    context, page = await signed_in_context(browser, stack, ENROLLEE)
    try:
        await expect(
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Coverage")
        ).to_be_visible()
        await expect(page.get_by_role("navigation", name="Tabs")).to_be_hidden(timeout=LOADED)
        await expect(page.get_by_role("region", name=re.compile("^Coverage of "))).to_be_visible(
            timeout=LOADED
        )
        await assert_accessible(page)
        await screenshot(page, "enrollee-desktop-dashboard")
    finally:
        await context.close()


async def test_the_portal_is_installable(browser: Browser, stack: Stack) -> None:
    context = await new_context(browser, stack, PHONE)
    try:
        page = await context.new_page()
        await page.goto("/me")
        cdp = await context.new_cdp_session(page)
        manifest = await cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.webmanifest")
        assert manifest["errors"] == []
        parsed = json.loads(manifest["data"])
        assert parsed["start_url"] == "/me"
        assert parsed["display"] == "standalone"
        assert parsed["theme_color"]
        sizes = {icon["sizes"] for icon in parsed["icons"] if icon["type"] == "image/png"}
        assert {"192x192", "512x512"} <= sizes
        for icon in parsed["icons"]:
            fetched = await page.request.get(icon["src"])
            assert fetched.status == 200, icon["src"]
            assert fetched.headers["content-type"] == icon["type"]
        # Playwright's contexts are off the record, which alone keeps Chrome from offering
        # the install; every other criterion must hold.
        errors = await cdp.send("Page.getInstallabilityErrors")
        assert {e["errorId"] for e in errors["installabilityErrors"]} <= {"in-incognito"}
    finally:
        await context.close()
