"""Fixtures for the schemathesis stage: the live core and BFF, each spec, a seeded world.

Each credential fuzzes in its own HMO (a plan, a client, a principal with a dependant, a
linked provider, claims in several states, a settled run, a PA …), so what one run's
generated calls change (a plan edited, a link ended, an enrollee terminated) never
reaches another run. The ids of that world are offered to the fuzzer (`Seeded.ids`):
schemathesis cannot guess ids, and without them every path id would answer 404.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import requests

from bff.config import Settings as BffSettings
from bff.main import create_app as create_bff
from tests.claims_world import World, claim_in, new_authorization, new_claim, world
from tests.factories import BFF, PASSWORD, link_provider, make_dependant, make_provider
from tests.live import serve


@pytest.fixture(scope="session")
def live_bff(live_core: str) -> Iterator[str]:
    """A BFF served over HTTP in front of the live core (login throttles out of reach)."""
    settings = BffSettings(
        env="test",
        core_url=live_core,
        cors_origins=["https://portal.example.com"],
        login_limit_per_account=100_000,
        login_limit_per_ip=100_000,
    )
    with serve(create_bff(settings)) as base_url:
        yield base_url


@dataclass
class Seeded:
    """A world and the real values the fuzzer may put in place of generated ids."""

    world: World
    ids: dict[str, list[str]] = field(default_factory=dict)

    def offer(self, name: str, *values: Any) -> None:
        self.ids.setdefault(name, []).extend(str(v) for v in values if v is not None)


async def _items(core: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    response = await core.get(path, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    return list(body["items"] if isinstance(body, dict) else body)


async def seed_world(core: httpx.AsyncClient) -> Seeded:
    w = await world(core)
    admin = w.hmo.admin
    seeded = Seeded(w)
    dependant = await make_dependant(core, w.hmo, w.member)
    seeded.offer("member_id", w.member["member_id"], dependant["member_id"])
    seeded.offer("key", w.member["member_id"], w.member["id"])
    seeded.offer("enrollee_id", w.member["id"], dependant["id"])
    seeded.offer("plan_id", w.plan["id"])
    seeded.offer("client_id", w.client["id"])
    seeded.offer("provider_id", w.provider.id)

    # A second linked provider, so a link id can be ended without cutting off the first.
    spare = await make_provider(core, name="Spare Clinic")
    seeded.offer("link_id", (await link_provider(core, w.hmo, spare))["id"])

    settled = await claim_in(core, w, "SETTLED")
    reviewing = await claim_in(core, w, "IN_REVIEW")
    submitted = await new_claim(core, w)
    seeded.offer("claim_id", submitted["id"], reviewing["id"], settled["id"])

    seeded.offer("authorization_id", (await new_authorization(core, w))["id"])

    # Throwaway targets: never the fuzzer's own user, role or key.
    roles = await _items(core, "/v1/roles", admin)
    admin_role = next(r for r in roles if r["name"] == "Admin")
    role = await core.post(
        "/v1/roles",
        json={"name": f"Fuzz {secrets.token_hex(3)}", "permissions": admin_role["permissions"]},
        headers=admin,
    )
    assert role.status_code == 201, role.text
    seeded.offer("role_id", role.json()["id"])
    user = await core.post(
        "/v1/users",
        json={
            "email": f"spare-{secrets.token_hex(3)}@{w.hmo.slug}.example.com",
            "password": PASSWORD,
            "role_id": role.json()["id"],
        },
        headers=admin,
    )
    assert user.status_code == 201, user.text
    seeded.offer("user_id", user.json()["id"])
    spare_key = await core.post(
        "/v1/api-keys", json={"name": "spare", "scope": "tenant_integration"}, headers=admin
    )
    assert spare_key.status_code == 201, spare_key.text
    seeded.offer("key_id", spare_key.json()["id"])

    for run in await _items(core, "/v1/settlement-runs", admin):
        seeded.offer("run_id", run["id"])
    for remittance in await _items(core, "/v1/remittances", admin):
        seeded.offer("remittance_id", remittance["id"])
    for pile in await _items(core, "/v1/piles", admin):
        seeded.offer("pile_id", pile["id"])
    for event in await _items(core, "/v1/risk-events", admin):
        seeded.offer("risk_event_id", event["id"])
    for note in await _items(core, "/v1/notifications", admin):
        seeded.offer("notification_id", note["id"])
    # The BFF relays `/api/{path}` to the core: real paths reach real routes.
    seeded.offer(
        "path",
        "me",
        "claims",
        f"claims/{reviewing['id']}",
        "plans",
        f"plans/{w.plan['id']}",
        f"enrollees/{w.member['member_id']}",
        "network/links",
        "authorizations",
        "notifications",
    )
    return seeded


async def _seed(live_core: str) -> Seeded:
    async with httpx.AsyncClient(base_url=live_core, timeout=30) as core:
        return await seed_world(core)


# One world per credential, shared by all of that credential's operations.
@pytest.fixture(scope="session")
async def admin_world(live_core: str) -> Seeded:
    return await _seed(live_core)


@pytest.fixture(scope="session")
async def provider_world(live_core: str) -> Seeded:
    return await _seed(live_core)


@pytest.fixture(scope="session")
async def key_world(live_core: str) -> Seeded:
    return await _seed(live_core)


@pytest.fixture(scope="session")
async def bff_world(live_core: str) -> Seeded:
    return await _seed(live_core)


@pytest.fixture(scope="session")
def fuzz_key(live_core: str, key_world: Seeded) -> dict[str, str]:
    """A tenant integration key of `key_world`'s HMO (an admin's permissions)."""
    return integration_key(live_core, key_world.world.hmo.admin)


@pytest.fixture(scope="session")
def bff_admin(live_bff: str, bff_world: Seeded) -> dict[str, str]:
    hmo = bff_world.world.hmo
    return bff_login(live_bff, hmo.slug, hmo.admin_email)


def core_login(live_core: str, tenant: str, email: str) -> dict[str, str]:
    """Fresh core session headers (the BFF's key and a new session token)."""
    response = requests.post(
        f"{live_core}/v1/auth/sessions",
        json={"tenant": tenant, "email": email, "password": PASSWORD},
        headers=BFF,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return {**BFF, "x-session-token": response.json()["token"]}


def bff_login(live_bff: str, tenant: str, email: str) -> dict[str, str]:
    """Fresh BFF credentials as headers: the session cookie and its CSRF token."""
    response = requests.post(
        f"{live_bff}/api/auth/login",
        json={"tenant": tenant, "email": email, "password": PASSWORD},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    cookie = response.cookies.get("vetra_session")
    assert cookie, response.headers
    return {"cookie": f"vetra_session={cookie}", "x-csrf-token": response.json()["csrf_token"]}


def integration_key(live_core: str, admin: dict[str, str]) -> dict[str, str]:
    response = requests.post(
        f"{live_core}/v1/api-keys",
        json={"name": "fuzzer", "scope": "tenant_integration"},
        headers=admin,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return {"x-api-key": response.json()["key"]}
