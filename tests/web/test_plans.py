"""Plans & benefits through the screens: a plan created, then edited as a new version
while the earlier one stays readable."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.web.conftest import assert_accessible, screenshot, sign_in, staff


async def test_a_plan_is_created_and_edited_as_a_new_version(page: Page) -> None:
    await sign_in(page, staff("admin"))
    await page.goto("/hmo/plans")
    await expect(page.get_by_role("row").filter(has_text="Gold")).to_be_visible()
    await assert_accessible(page)

    await page.get_by_role("link", name="New plan").click()
    await page.get_by_label("Code").fill("PLATINUM")
    await page.get_by_label("Name").fill("Platinum")
    await page.get_by_label("Capitation per member per month (NGN)").fill("three thousand")
    await page.get_by_label("Principal (NGN)").fill("15,000")
    await page.get_by_label("Spouse (NGN)").fill("12000")
    await page.get_by_label("Child (NGN)").fill("8000.50")
    await page.get_by_label("Limit (NGN)").fill("750,000")
    await page.get_by_label("Visits").fill("30")
    await page.get_by_role("button", name="Add a benefit").click()
    await page.get_by_label("Limit (NGN)").nth(1).fill("2,000,000")
    await page.get_by_role("button", name="Add an exclusion").click()
    await page.get_by_label("Code").nth(1).fill("COS-01")
    await page.get_by_label("Description").fill("Cosmetic surgery")
    await page.get_by_role("button", name="Create the plan").click()
    capitation = page.get_by_label("Capitation per member per month (NGN)")
    await expect(capitation).to_have_attribute("aria-invalid", "true")  # not an amount
    await assert_accessible(page)
    await capitation.fill("3,000")
    await page.get_by_role("button", name="Create the plan").click()

    await expect(page.get_by_role("heading", name="Platinum (PLATINUM)")).to_be_visible()
    await expect(page.get_by_text("Version 1, in force since")).to_be_visible()
    await expect(page.get_by_role("table", name="Benefits")).to_contain_text("Inpatient")
    await expect(page.get_by_role("table", name="Exclusions")).to_contain_text("COS-01")
    await expect(page.get_by_text("8,000.50")).to_be_visible()
    await assert_accessible(page)

    await page.get_by_role("link", name="Edit as a new version").click()
    await expect(page.get_by_label("Principal (NGN)")).to_have_value("15000.00")
    await page.get_by_label("Principal (NGN)").fill("16,500")
    await page.get_by_label("Copay %").first.fill("10")
    await page.get_by_label("Waiting days").nth(1).fill("30")
    await assert_accessible(page)
    await screenshot(page, "plan-edit")
    await page.get_by_role("button", name="Save as a new version").click()

    await expect(page.get_by_text("Version 2, in force since")).to_be_visible()
    versions = page.get_by_role("table", name="Versions")
    await expect(versions.locator("tbody tr")).to_have_count(2)
    await expect(versions).to_contain_text("2 (in force)")
    await expect(page.get_by_text("16,500.00").first).to_be_visible()
    await expect(page.get_by_role("table", name="Benefits")).to_contain_text("10%")
    await versions.get_by_role("link", name="Show").click()
    await expect(page.get_by_text("Version 1, from")).to_contain_text("version 2 is in force")
    await expect(page.get_by_text("15,000.00").first).to_be_visible()
    await assert_accessible(page)


async def test_a_read_only_user_sees_plans_without_the_edit_buttons(page: Page) -> None:
    await sign_in(page, staff("readonly"))
    await page.goto("/hmo/plans")
    await page.get_by_role("row").filter(has_text="Silver").click()
    await expect(page.get_by_role("heading", name="Silver (SILVER)")).to_be_visible()
    await expect(page.get_by_role("link", name="Edit as a new version")).to_have_count(0)
    await assert_accessible(page)
