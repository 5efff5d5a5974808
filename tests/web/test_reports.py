"""The HMO's reports on screen: figures, charts, filters in the URL, rows, CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.async_api import Browser, Locator, Page, expect

from tests.web.conftest import (
    PHONE,
    Stack,
    assert_accessible,
    new_context,
    screenshot,
    sign_in,
    staff,
)

# A report is read whole (a year of the demo HMO) on a machine shared with other runs.
READ = 30_000
REPORTS = [
    ("loss-ratio", "Loss ratio"),
    ("utilisation", "Utilisation"),
    ("provider-performance", "Provider performance"),
    ("claims-aging", "Claims aging"),
    ("settlement-summary", "Settlement summary"),
    ("fraud-anomaly", "Fraud and anomaly"),
    ("authorisation", "Pre-authorisations"),
    ("enrollee-coverage", "Enrollee coverage"),
]


def _rows_table(page: Page) -> Locator:
    return page.get_by_role("table").filter(has=page.locator("caption"))


async def test_every_report_opens_from_the_list_with_its_figures_and_rows(page: Page) -> None:
    await sign_in(page, staff("admin"))
    await page.goto("/hmo/reports")
    await expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    await assert_accessible(page)
    for name, title in REPORTS:
        await page.goto("/hmo/reports")
        await page.get_by_role("link", name=title, exact=True).click()
        await expect(page).to_have_url(re.compile(f"/hmo/reports/{name}$"))
        await expect(page.get_by_role("heading", name=title)).to_be_visible()
        await expect(page.get_by_text("Trend by month")).to_be_visible(timeout=READ)
        await expect(_rows_table(page)).to_be_visible()
        await assert_accessible(page)


async def test_the_csv_holds_the_rows_on_screen_in_their_order(page: Page, tmp_path: Path) -> None:
    await sign_in(page, staff("finance"))
    await page.goto("/hmo/reports/provider-performance")
    table = _rows_table(page)
    await expect(table.locator("tbody tr").first).to_be_visible(timeout=READ)
    await screenshot(page, "report-provider-performance")
    shown = await table.locator("tbody tr td:first-child").all_inner_texts()
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Download CSV").click()
    download = await downloading.value
    assert download.suggested_filename == "provider-performance.csv"
    saved = tmp_path / "report.csv"
    await download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert len(rows) >= len(shown) > 0
    assert [row["provider"] for row in rows[: len(shown)]] == shown


async def test_sorting_by_a_column_and_the_filters_live_in_the_url(page: Page) -> None:
    await sign_in(page, staff("admin"))
    await page.goto("/hmo/reports/claims-aging?status=QUERIED")
    table = _rows_table(page)
    await expect(table.locator("tbody tr").first).to_be_visible(timeout=READ)
    statuses = await table.locator("tbody tr td:nth-child(5)").all_inner_texts()
    assert {status.lower() for status in statuses} == {"queried"}
    await expect(table.locator("th[aria-sort=descending]")).to_have_text("Age (days)")
    await table.get_by_role("button", name="Age (days)").click()  # oldest first by default
    await expect(page).to_have_url(re.compile(r"sort=age_days"))
    await expect(table.locator("th[aria-sort=ascending]")).to_have_text("Age (days)", timeout=READ)
    cells = await table.locator("tbody tr td:nth-child(3)").all_inner_texts()
    ages = [int(age.replace(",", "")) for age in cells]
    assert ages == sorted(ages)


async def test_the_loss_ratio_for_a_chosen_period_at_desktop_and_phone(
    page: Page, browser: Browser, stack: Stack
) -> None:
    await sign_in(page, staff("admin"))
    await page.goto("/hmo/reports/loss-ratio")
    await expect(_rows_table(page).locator("tbody tr").first).to_be_visible(timeout=READ)
    await assert_accessible(page)
    await screenshot(page, "report-loss-ratio")
    phone = await new_context(browser, stack, PHONE)
    try:
        small = await phone.new_page()
        await sign_in(small, staff("admin"))
        await small.goto("/hmo/reports/loss-ratio")
        await expect(_rows_table(small).locator("tbody tr").first).to_be_attached(timeout=READ)
        await assert_accessible(small)
        await screenshot(small, "report-loss-ratio-phone")
    finally:
        await phone.close()


async def test_a_role_without_the_export_permission_never_sees_the_csv_button(
    page: Page,
) -> None:
    await sign_in(page, staff("provider.relations"))
    await page.goto("/hmo/reports/provider-performance")
    await expect(_rows_table(page).locator("tbody tr").first).to_be_visible(timeout=READ)
    await expect(page.get_by_role("button", name="Download CSV")).to_have_count(0)
