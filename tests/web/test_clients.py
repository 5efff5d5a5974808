"""Clients & enrollees through the screens: the roster, enrolment, the lifecycle, CSV
imports in both modes, client credentials and a client's change request approved."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    choose,
    new_context,
    screenshot,
    sign_in,
    staff,
)

# Two good rows (a principal and a child), then an unknown plan and a future birth date.
IMPORT_CSV = "\n".join(
    (
        "ref,principal_ref,relationship,client_code,plan_code,first_name,last_name,date_of_birth,sex",
        "i1,,PRINCIPAL,DANGOTE,GOLD,Ngozi,Importa,1985-02-03,F",
        ",i1,CHILD,,,Obinna,Importa,2015-07-08,M",
        "i2,,PRINCIPAL,DANGOTE,NOPLAN,Bad,Planrow,1980-01-01,M",
        ",,PRINCIPAL,DANGOTE,GOLD,Future,Born,2999-01-01,F",
    )
).encode()


async def import_file(page: Page, mode_label: str) -> None:
    await page.goto("/hmo/clients/import")
    await page.locator("input[type=file]").set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": IMPORT_CSV}]
    )
    await page.get_by_label(mode_label).check()
    await page.get_by_role("button", name="Import", exact=True).click()


async def roster_names(page: Page, q: str) -> list[str]:
    await page.goto(f"/hmo/clients/roster?q={q}")
    table = page.get_by_role("table", name="Enrollees")
    await expect(table).to_be_visible()  # in the loader's place once the page came
    return [
        text.strip() for text in await table.locator("tbody tr td:nth-child(2)").all_text_contents()
    ]


async def test_a_csv_import_shows_its_row_errors_in_both_modes(page: Page) -> None:
    await sign_in(page, staff("admin"))
    await import_file(page, "Import nothing (all or nothing)")
    await expect(page.get_by_role("alert")).to_contain_text("nothing was imported")
    errors = page.get_by_role("table", name="Row errors")
    await expect(errors.locator("tbody tr")).to_have_count(2)
    await expect(errors).to_contain_text("plan_code")
    await expect(errors).to_contain_text("date_of_birth")
    await assert_accessible(page)
    assert await roster_names(page, "Importa") == []

    await import_file(page, "Import the good rows and list the others (partial)")
    await expect(page.get_by_role("status")).to_contain_text("2 enrollees created; 2 errors")
    await expect(page.get_by_role("table", name="Row errors").locator("tbody tr")).to_have_count(2)
    await assert_accessible(page)
    await screenshot(page, "import-errors")
    assert sorted(await roster_names(page, "Importa")) == ["Ngozi Importa", "Obinna Importa"]


async def test_a_principal_and_a_dependant_are_added_and_the_principal_suspended(
    page: Page,
) -> None:
    await sign_in(page, staff("admin"))
    await page.goto("/hmo/clients/roster?status=ACTIVE&relationship=PRINCIPAL")
    await expect(page.get_by_role("textbox", name="Status")).to_have_value("Active")
    await expect(
        page.get_by_role("table", name="Enrollees").locator("tbody tr").first
    ).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "clients-roster")

    await page.get_by_role("button", name="Add principal").click()
    dialog = page.get_by_role("dialog", name="Add a principal")
    await dialog.get_by_role("button", name="Add principal").click()  # empty: the server says why
    await expect(dialog.get_by_label("First name")).to_have_attribute("aria-invalid", "true")
    await expect(dialog.get_by_label("Date of birth")).to_have_attribute("aria-invalid", "true")
    await assert_accessible(page)
    await choose(page, dialog, "Client", "DANGOTE · Dangote Cement")
    await choose(page, dialog, "Plan", "GOLD · Gold")
    await dialog.get_by_label("First name").fill("Kemi")
    await dialog.get_by_label("Last name").fill("Browserson")
    await dialog.get_by_label("Date of birth").fill("1990-05-01")
    await choose(page, dialog, "Sex", "Female")
    await dialog.get_by_role("button", name="Add principal").click()
    await expect(page.get_by_role("heading", name="Kemi Browserson")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/hmo/enrollees/[0-9a-f-]+$"))
    await expect(page.get_by_role("region", name="Health card")).to_contain_text("-P")
    await expect(page.get_by_text("Eligible today")).to_be_visible()

    await page.get_by_role("button", name="Add dependant").click()
    dialog = page.get_by_role("dialog", name="Add a dependant")
    await expect(dialog.get_by_label("Last name")).to_have_value("Browserson")
    await dialog.get_by_label("First name").fill("Tobi")
    await dialog.get_by_label("Date of birth").fill("2016-09-12")
    await choose(page, dialog, "Sex", "Male")
    await dialog.get_by_role("button", name="Add dependant").click()
    dependants = page.get_by_role("table", name="Dependants")
    await expect(dependants).to_contain_text("Tobi Browserson")
    await expect(dependants).to_contain_text("-C1")

    await page.get_by_role("button", name="Suspend").click()
    dialog = page.get_by_role("dialog", name="Suspend Kemi Browserson?")
    await dialog.get_by_label("Reason").fill("Premium unpaid")
    await dialog.get_by_role("button", name="Suspend").click()
    await expect(page.get_by_role("table", name="Lifecycle")).to_contain_text("Premium unpaid")
    await expect(dependants).to_contain_text("Suspended")  # the family follows its principal
    await expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, "enrollee-detail")


async def test_a_client_change_request_is_approved_after_confirming(page: Page) -> None:
    await sign_in(page, staff("admin"))
    await page.goto("/hmo/clients/requests")
    row = page.get_by_role("row").filter(has_text="Amaka")
    await expect(row).to_contain_text("Add a dependant under")
    await assert_accessible(page)
    await row.get_by_role("button", name="Approve").click()
    dialog = page.get_by_role("dialog", name="Approve this request?")
    await expect(dialog).to_contain_text("Child: Amaka")
    await expect(dialog).to_have_css("opacity", "1")  # axe reads colours once it faded in
    await assert_accessible(page)
    await dialog.get_by_role("button", name="Confirm").click()
    await expect(page.get_by_text("No request here.")).to_be_visible()

    await page.goto("/hmo/clients/requests?status=APPROVED")
    row = page.get_by_role("row").filter(has_text="Amaka")
    await expect(row).to_contain_text("Approved")
    await row.get_by_role("link").click()
    await expect(page.get_by_role("table", name="Dependants")).to_contain_text("Amaka")


async def test_a_client_gets_portal_credentials(page: Page) -> None:
    await sign_in(page, staff("admin"))
    await page.goto("/hmo/clients")
    client = page.get_by_role("row").filter(has_text="Dangote Cement")
    await expect(client).to_be_visible()
    await assert_accessible(page)
    await client.click()
    await expect(page.get_by_role("heading", name="Dangote Cement")).to_be_visible()
    await expect(
        page.get_by_role("table", name="Principals").locator("tbody tr").first
    ).to_be_visible()
    await page.get_by_label("Client's e-mail").fill("not an e-mail")
    await page.get_by_role("button", name="Send credentials").click()
    await expect(page.get_by_label("Client's e-mail")).to_have_attribute("aria-invalid", "true")
    await page.get_by_label("Client's e-mail").fill("hr.portal@dangote.example.com")
    await page.get_by_role("button", name="Send credentials").click()
    await expect(page.get_by_role("status")).to_contain_text("hr.portal@dangote.example.com")
    await assert_accessible(page)


async def test_a_read_only_user_sees_the_roster_on_a_phone_without_the_buttons(
    browser: Browser, stack: Stack
) -> None:
    phone = await new_context(browser, stack, PHONE)
    try:
        page = await phone.new_page()
        await sign_in(page, staff("readonly"))
        await page.goto("/hmo/clients/roster?q=DEMO")
        await expect(
            page.get_by_role("table", name="Enrollees").locator("tbody tr").first
        ).to_be_visible()
        await expect(page.get_by_role("button", name="Add principal")).to_have_count(0)
        await expect(page.get_by_role("link", name="Import")).to_have_count(0)
        await assert_accessible(page)
        await screenshot(page, "clients-roster-phone")
        await page.get_by_role("table", name="Enrollees").locator("tbody tr").first.click()
        await expect(page.get_by_role("region", name="Health card")).to_be_visible()
        await expect(page.get_by_role("button", name="Suspend")).to_have_count(0)
        await assert_accessible(page)
        await screenshot(page, "enrollee-detail-phone")
    finally:
        await phone.close()
