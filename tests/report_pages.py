"""Reading a report's whole table through its pages, as a client would."""

from __future__ import annotations

from typing import Any

import httpx

PAGE = 3  # small, so every test pages several times


async def all_rows(
    core: httpx.AsyncClient, headers: dict[str, str], name: str, **params: Any
) -> list[dict[str, Any]]:
    """Every row of `GET /v1/reports/{name}`, following `next_cursor` to the end."""
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        after = {"cursor": cursor} if cursor else {}
        page = await core.get(
            f"/v1/reports/{name}", params={"limit": PAGE, **params, **after}, headers=headers
        )
        assert page.status_code == 200, page.text
        rows += page.json()["rows"]["items"]
        cursor = page.json()["rows"]["next_cursor"]
        if cursor is None:
            return rows
