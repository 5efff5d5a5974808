"""The bell hears another user's action taken in another browser: the provider's desk,
signed in to its own portal, files an urgent PA through the BFF from its browser; the HMO's
adjudicator, signed in elsewhere, gets the toast and the unread count without a reload,
and marks it read from the bell."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from core_api.seed import provider_email
from tests.web.conftest import (
    Stack,
    new_context,
    query_db,
    sign_in,
    staff,
)
from tests.web.test_authorizations import PROVIDER


async def test_the_bell_hears_a_pa_filed_by_a_provider_in_another_browser(
    browser: Browser, stack: Stack
) -> None:
    hmo = await new_context(browser, stack)
    desk = await new_context(browser, stack)
    try:
        await query_db(  # the demo's year of notifications read, so one more shows as 1
            stack,
            "update notifications set read_at = now() where read_at is null"
            " and user_id = (select id from users where email = :email)",
            email=staff("adjudicator"),
        )
        adjudicator = await hmo.new_page()
        await sign_in(adjudicator, staff("adjudicator"))
        bell = adjudicator.get_by_role("button", name=re.compile(r"^Notifications, "))
        await expect(bell).to_have_attribute("aria-label", "Notifications, 0 unread")

        provider = await desk.new_page()
        await sign_in(provider, provider_email(PROVIDER), tenant=PROVIDER)
        active = "select member_id from enrollees where status = 'ACTIVE' order by member_id"
        [(member_id,)] = await query_db(stack, active + " limit 1")
        csrf = (await (await provider.request.get("/api/auth/csrf")).json())["csrf_token"]
        filed = await provider.request.post(
            "/api/authorizations",
            data={
                "member_id": member_id,
                "urgency": "URGENT",
                "procedure_code": "CONS-01",
                "diagnosis_codes": ["J06.9"],
                "estimated_amount": 30_000_00,
            },
            headers={"x-csrf-token": csrf},
        )
        assert filed.status == 201, await filed.text()
        number = (await filed.json())["number"]

        await expect(adjudicator.get_by_text(re.compile(f"PA {number} from")).first).to_be_visible()
        await expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread")
        await bell.click()
        unread = re.compile(f"PA {number}.*mark as read")
        await adjudicator.get_by_role("button", name=unread).click()
        await expect(bell).to_have_attribute("aria-label", "Notifications, 0 unread")
    finally:
        await hmo.close()
        await desk.close()
