"""The client (employer) portal through the screens: its roster, the changes it asks of the
HMO (each a request until the HMO decides, the decision arriving live), its aggregated
utilisation with the small figures hidden, its first sign-in by the e-mailed link, and
never a clinical field on any of its screens.

Each test enrols a principal of its own on the demo's Dangote Cement (whose portal login
the seed made), so no test leans on rows another one changes."""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Page, expect

from core_api.seed import DEMO_SLUG, demo_email
from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    choose,
    core_session,
    new_context,
    query_db,
    screenshot,
    sign_in,
    staff,
)

CLIENT = demo_email("client.dangote")
# What a client must never see: a diagnosis, a procedure, a claim's lines, a PA.
CLINICAL = re.compile(
    r"diagnos|procedure|icd|authori[sz]ation|auth code|claim line|line item|prescri",
    re.IGNORECASE,
)


class Hmo:
    """The HMO's admin at the core's API, setting up and deciding what a test needs."""

    def __init__(self, core: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.core = core
        self.headers = headers

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.core.request(method, f"/v1{path}", headers=self.headers, **kwargs)
        assert response.is_success, response.text
        return response.json()

    async def principal(self, last_name: str, client_code: str = "DANGOTE") -> dict[str, Any]:
        clients = (await self.call("GET", "/clients", params={"limit": 200}))["items"]
        plans = (await self.call("GET", "/plans", params={"limit": 200}))["items"]
        body = {
            "client_id": next(c["id"] for c in clients if c["code"] == client_code),
            "plan_id": next(p["id"] for p in plans if p["code"] == "GOLD"),
            "first_name": "Bola",
            "last_name": last_name,
            "date_of_birth": "1984-03-09",
            "sex": "F",
        }
        return dict(await self.call("POST", "/enrollees", json=body))

    async def dependant(self, principal: dict[str, Any], first_name: str) -> dict[str, Any]:
        body = {
            "relationship": "CHILD",
            "first_name": first_name,
            "last_name": principal["last_name"],
            "date_of_birth": "2014-06-01",
            "sex": "M",
        }
        return dict(await self.call("POST", f"/enrollees/{principal['id']}/dependants", json=body))

    async def request_about(self, enrollee: dict[str, Any]) -> dict[str, Any]:
        found = await self.call("GET", "/change-requests", params={"enrollee_id": enrollee["id"]})
        return dict(found["items"][0])


async def hmo_admin(core: httpx.AsyncClient) -> Hmo:
    return Hmo(core, await core_session(core, DEMO_SLUG, staff("admin")))


async def client_page(context: BrowserContext) -> Page:
    page = await context.new_page()
    await sign_in(page, CLIENT)
    await expect(page).to_have_url(re.compile(r"/client$"))
    return page


async def open_principal(page: Page, principal: dict[str, Any]) -> None:
    """Found on the roster by Member ID, as a client's HR would."""
    await page.goto(f"/client?q={principal['member_id']}")
    principals = page.get_by_role("table", name="Principals")
    await principals.get_by_role("row").filter(has_text=principal["member_id"]).click()
    await expect(page.get_by_role("heading", name=f"Bola {principal['last_name']}")).to_be_visible()


def label(category: str) -> str:
    """A benefit category as the screens name it ("mental_health": "Mental health")."""
    return category.replace("_", " ").capitalize()


def family_requests(page: Page) -> Any:
    return page.get_by_role("table", name="Requests for this family")


async def test_a_dependant_asked_for_arrives_live_once_the_hmo_approves(
    browser: Browser, stack: Stack
) -> None:
    last_name = "Adewale-Johnson"
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        principal = await (await hmo_admin(core)).principal(last_name)
    client = await new_context(browser, stack)
    hmo = await new_context(browser, stack)
    try:
        page = await client_page(client)
        await expect(
            page.get_by_role("table", name="Principals").locator("tbody tr").first
        ).to_be_visible()
        await assert_accessible(page)
        await screenshot(page, "client-roster")
        await open_principal(page, principal)

        await page.get_by_role("button", name="Add dependant").click()
        dialog = page.get_by_role("dialog", name=re.compile("Ask to add a dependant"))
        await expect(dialog).to_contain_text("changes only once the HMO approves")
        await expect(dialog.get_by_label("Last name")).to_have_value(last_name)
        await dialog.get_by_role("button", name="Send request").click()  # empty: said per field
        await expect(dialog.get_by_label("First name")).to_have_attribute("aria-invalid", "true")
        await dialog.get_by_label("First name").fill("Zainab")
        await dialog.get_by_label("Date of birth").fill("2020-02-11")
        await choose(page, dialog, "Sex", "Female")
        await dialog.get_by_role("button", name="Send request").click()
        await expect(dialog).to_be_hidden()

        requests = family_requests(page)
        await expect(requests).to_contain_text(f"Child: Zainab {last_name}")
        await expect(requests).to_contain_text("Awaiting the HMO")
        dependants = page.get_by_role("table", name="Dependants")
        await expect(dependants.locator("tbody tr")).to_have_count(0)  # asked, not done
        await assert_accessible(page)
        await screenshot(page, "client-principal")

        staff_page = await hmo.new_page()
        await sign_in(staff_page, staff("admin"))
        await staff_page.goto("/hmo/clients/requests")
        row = staff_page.get_by_role("row").filter(has_text=f"Zainab {last_name}")
        await row.get_by_role("button", name="Approve").click()
        await (
            staff_page.get_by_role("dialog", name="Approve this request?")
            .get_by_role("button", name="Confirm")
            .click()
        )
        await expect(row).to_have_count(0)

        # No reload: the decision reaches the client's open page through the bell.
        await expect(dependants).to_contain_text(f"Zainab {last_name}")
        await expect(dependants).to_contain_text("-C1")
        await expect(requests).to_contain_text("Approved by the HMO")
        await page.get_by_role("link", name="Change requests").click()
        row = page.get_by_role("row").filter(has_text=f"Child: Zainab {last_name}")
        await expect(row).to_contain_text("Approved by the HMO")
        await row.get_by_role("link", name="Open the new dependant").click()
        await expect(page.get_by_role("heading", name=f"Zainab {last_name}")).to_be_visible()
    finally:
        await client.close()
        await hmo.close()


async def test_a_removal_declined_shows_the_hmos_reason(browser: Browser, stack: Stack) -> None:
    last_name = "Ibekwe-Hart"
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        hmo = await hmo_admin(core)
        principal = await hmo.principal(last_name)
        dependant = await hmo.dependant(principal, "Tunde")
        client = await new_context(browser, stack)
        try:
            page = await client_page(client)
            await page.goto(f"/client/enrollees/{dependant['id']}")
            await expect(page.get_by_role("heading", name=f"Tunde {last_name}")).to_be_visible()
            await page.get_by_role("button", name="Remove dependant").click()
            dialog = page.get_by_role("dialog", name=f"Ask to remove Tunde {last_name}?")
            await expect(dialog).to_contain_text("Once approved, Tunde's cover ends")
            await dialog.get_by_label("Reason").fill("Left the household")
            await dialog.get_by_role("button", name="Send request").click()
            await expect(family_requests(page)).to_contain_text("Awaiting the HMO")

            await page.goto("/client/requests")
            row = page.get_by_role("row").filter(has_text="Because: Left the household")
            await expect(row).to_contain_text(f"Remove the dependant Tunde {last_name}")
            await expect(row).to_contain_text("Not decided yet")
            request = await hmo.request_about(dependant)
            reason = "Tunde is under 21 and stays covered by the policy"
            await hmo.call(
                "POST", f"/change-requests/{request['id']}/decline", json={"reason": reason}
            )
            await expect(row).to_contain_text("Declined by the HMO")
            await expect(row).to_contain_text(f"Reason: {reason}")
            await assert_accessible(page)
            await screenshot(page, "client-requests")

            await page.get_by_role("textbox", name="Status").click()
            await page.get_by_role("option", name="Awaiting the HMO").click()
            await expect(page).to_have_url(re.compile(r"status=PENDING"))
            await expect(
                page.get_by_role("row").filter(has_text="Left the household")
            ).to_have_count(0)
        finally:
            await client.close()


async def test_an_edit_is_asked_then_applied_once_approved(browser: Browser, stack: Stack) -> None:
    last_name = "Oyelaran-Cole"
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        hmo = await hmo_admin(core)
        principal = await hmo.principal(last_name)
        client = await new_context(browser, stack)
        try:
            page = await client_page(client)
            await open_principal(page, principal)
            details = page.get_by_role("main")
            await page.get_by_role("button", name="Edit details").click()
            dialog = page.get_by_role("dialog", name=f"Ask to change Bola {last_name}'s details")
            await dialog.get_by_role("button", name="Send request").click()  # nothing changed
            await expect(dialog.get_by_role("alert")).to_contain_text("at least one detail")
            await dialog.get_by_label("Phone").fill("not a phone")
            await dialog.get_by_role("button", name="Send request").click()
            await expect(dialog.get_by_label("Phone")).to_have_attribute("aria-invalid", "true")
            await dialog.get_by_label("Phone").fill("+234 803 555 0199")
            await dialog.get_by_role("button", name="Send request").click()
            await expect(dialog).to_be_hidden()
            await expect(family_requests(page)).to_contain_text("phone → +234 803 555 0199")
            await expect(family_requests(page)).to_contain_text("Awaiting the HMO")
            await assert_accessible(page)

            request = await hmo.request_about(principal)
            await hmo.call("POST", f"/change-requests/{request['id']}/approve")
            await expect(family_requests(page)).to_contain_text("Approved by the HMO")
            await expect(details).to_contain_text("+234 803 555 0199")
        finally:
            await client.close()


async def test_utilisation_shows_totals_and_hides_the_small_figures(page: Page) -> None:
    await sign_in(page, CLIENT)
    await page.get_by_role("link", name="Utilisation").click()
    await expect(page.get_by_role("heading", name="Utilisation")).to_be_visible()
    answer = await (await page.request.get("/api/portal/utilisation")).json()
    kpis = page.get_by_role("main")
    await expect(kpis).to_contain_text(f"Claims in the period{answer['totals']['claims']:,}")
    await expect(page.get_by_text("Figures about fewer than 5 members are hidden")).to_be_visible()

    by_category = page.get_by_role("table", name="Utilisation by benefit category")
    hidden = [c["category"] for c in answer["categories"] if c["suppressed_cells"] == 12]
    shown = [c for c in answer["categories"] if c["suppressed_cells"] < 12]
    assert hidden, "the demo's utilisation hides some categories"
    assert shown, "the demo's utilisation shows some categories"
    never_shown = by_category.get_by_role("row").filter(has_text=label(hidden[0]))
    await expect(never_shown).to_contain_text("Fewer than 5")  # hidden, never a zero
    await expect(never_shown).to_contain_text("12 of 12")
    first_shown = by_category.get_by_role("row").filter(has_text=label(shown[0]["category"]))
    await expect(first_shown).not_to_contain_text("Fewer than")
    by_month = page.get_by_role("table", name="Utilisation by month")
    await expect(by_month.locator("tbody tr")).to_have_count(12)
    await expect(page.get_by_role("img", name=re.compile("By month"))).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "client-utilisation")

    await page.goto("/client/utilisation?from=2026-05&to=2026-03")
    await expect(page.get_by_role("alert")).to_contain_text("`to` comes before `from`")


async def test_first_sign_in_through_the_emailed_link(browser: Browser, stack: Stack) -> None:
    email = f"hr.{secrets.token_hex(3)}@mtn.example.com"
    hmo = await new_context(browser, stack)
    client = await new_context(browser, stack)
    try:
        staff_page = await hmo.new_page()
        await sign_in(staff_page, staff("admin"))
        await staff_page.goto("/hmo/clients")
        await staff_page.get_by_role("row").filter(has_text="MTN Nigeria").click()
        await staff_page.get_by_label("Client's e-mail").fill(email)
        await staff_page.get_by_role("button", name="Send credentials").click()
        await expect(staff_page.get_by_role("status")).to_contain_text(email)

        [(body,)] = await query_db(
            stack,
            "select body from email_outbox where to_address = :email"
            " and body like '%set-password?%'",
            email=email,
        )
        link = re.search(r"/set-password\?\S+", body)
        assert link, body
        page = await client.new_page()
        await page.goto(link.group(0))
        await expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
        await assert_accessible(page)
        password = f"first-{secrets.token_hex(6)}"
        await page.get_by_label("New password").fill(password)
        await page.get_by_label("Repeat the password").fill(password)
        await page.get_by_role("button", name="Set password").click()
        await expect(page.get_by_role("status")).to_contain_text("Your password is set")
        await page.get_by_role("link", name="Go to sign-in").click()
        await page.get_by_label("E-mail").fill(email)
        await page.get_by_label("Password", exact=True).fill(password)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page).to_have_url(re.compile(r"/client$"))
        principals = page.get_by_role("table", name="Principals")
        await expect(principals).to_contain_text("DEMO-MTNNG-")  # MTN's roster, no one else's
        await expect(principals).not_to_contain_text("DEMO-DANGOTE-")

        await page.goto(link.group(0))  # the link works once
        await page.get_by_label("New password").fill(password)
        await page.get_by_label("Repeat the password").fill(password)
        await page.get_by_role("button", name="Set password").click()
        await expect(page.get_by_role("alert")).to_contain_text("not valid or has expired")
    finally:
        await hmo.close()
        await client.close()


async def test_no_client_screen_shows_a_clinical_field(browser: Browser, stack: Stack) -> None:
    last_name = "Danladi-Moore"
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        hmo = await hmo_admin(core)
        principal = await hmo.principal(last_name)
        dependant = await hmo.dependant(principal, "Kunle")
    # The seed's first Dangote family has a year of claims behind it.
    [(treated,)] = await query_db(
        stack,
        "select e.id from enrollees e join claims c on c.enrollee_id = e.id"
        " join clients k on k.id = e.client_id where k.code = 'DANGOTE'"
        " and e.relationship = 'PRINCIPAL' order by e.member_id limit 1",
    )
    context = await new_context(browser, stack)
    try:
        page = await client_page(context)
        screens = [
            "/client",
            f"/client/enrollees/{treated}",
            f"/client/enrollees/{principal['id']}",
            f"/client/enrollees/{dependant['id']}",
            "/client/requests",
            "/client/utilisation",
        ]
        for screen in screens:
            await page.goto(screen)
            await expect(page.get_by_role("heading", level=1)).to_be_visible()
            await expect(page.get_by_role("status", name="Loading")).to_have_count(0)
            seen = await page.evaluate("document.body.innerText")
            markup = await page.content()
            assert not CLINICAL.search(seen), f"{screen} shows {CLINICAL.search(seen)}"
            assert not CLINICAL.search(markup), f"{screen} holds {CLINICAL.search(markup)}"
            await assert_accessible(page)
        nav = page.get_by_role("navigation", name="Main")
        assert await nav.get_by_role("link").all_inner_texts() == [
            "Roster",
            "Change requests",
            "Utilisation",
        ]

        # The core refuses a client's user what is clinical, through the BFF as the browser asks.
        for refused in (
            "/api/claims",
            "/api/authorizations",
            "/api/check-ins",
            "/api/me/visits",
            "/api/reports/utilisation",
        ):
            response = await page.request.get(refused)
            assert response.status == 403, f"{refused}: {response.status}"
            assert response.headers["content-type"].startswith("application/problem+json")
        await page.goto("/hmo/claims")  # the HMO's screens send a client home
        await expect(page).to_have_url(re.compile(r"/client$"))
    finally:
        await context.close()


async def test_the_client_portal_reads_at_a_phone_width(browser: Browser, stack: Stack) -> None:
    last_name = "Ezeani-Smith"
    async with httpx.AsyncClient(base_url=stack.core_url, timeout=30) as core:
        hmo = await hmo_admin(core)
        principal = await hmo.principal(last_name)
        await hmo.dependant(principal, "Ife")
    phone = await new_context(browser, stack, PHONE)
    try:
        page = await client_page(phone)
        for screen, name in (
            ("/client", None),
            (f"/client/enrollees/{principal['id']}", "client-principal-phone"),
            ("/client/requests", None),
            ("/client/utilisation", None),
        ):
            await page.goto(screen)
            await expect(page.get_by_role("heading", level=1)).to_be_visible()
            await expect(page.get_by_role("status", name="Loading")).to_have_count(0)
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{screen} scrolls sideways at 390 px"
            await assert_accessible(page)
            if name:
                await screenshot(page, name)
        await page.get_by_role("button", name="Menu").click()
        await page.get_by_role("link", name="Change requests").click()
        await expect(page.get_by_role("heading", name="Change requests")).to_be_visible()
    finally:
        await phone.close()
