"""Schemathesis over both services' OpenAPI specs, against the live stack.

Four runs, each in its own seeded HMO (see conftest): the core as an HMO admin (the BFF's
key and a session token), as a provider user, and with a tenant integration key; the BFF's
own spec with an admin's session cookie and CSRF token. Every answer must be below 500 and
match what the spec declares for it: the status code, the content type and the body.

Run alone with `pytest -m fuzz` (or `make fuzz`); `VETRA_FUZZ_EXAMPLES=100 pytest -m fuzz`
for a deeper run (see tests/fuzz/config.py). With `VETRA_FUZZ_FINDINGS=path`, every failure
is also appended to `path` as a JSON line (operation, credential, checks, a curl command);
with `VETRA_FUZZ_SURVEY=1` as well, failures are only recorded, so generation goes on past
the first failure of each operation (`python -m tests.fuzz.findings path` summarises them).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import Case, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bff.config import Settings as BffSettings
from bff.main import create_app as create_bff
from core_api.config import Settings as CoreSettings
from core_api.main import create_app as create_core
from tests.fuzz.config import fuzz_config
from tests.fuzz.conftest import Seeded, bff_login, core_login

pytestmark = pytest.mark.fuzz

ALL_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# `VETRA_FUZZ_CHECKS=not_a_server_error` (comma-separated names) runs only those checks,
# e.g. to shrink a 5xx that an undeclared status would otherwise hide.
_chosen = os.environ.get("VETRA_FUZZ_CHECKS", "")
CHECKS = [c for c in ALL_CHECKS if not _chosen or c.__name__ in _chosen.split(",")]

# The specs as the services serve them at /openapi.json (built from the apps, so that
# pytest can name one test per operation); every call goes over HTTP to the live stack.
# Server-sent event streams never end, so no generated call to them ever returns; the
# streams have their own tests (tests/test_notifications.py, tests/bff/test_events.py).
# Settings built here, not `get_settings()`: its cache would outlive the test database's URL.
core = schemathesis.openapi.from_dict(
    create_core(CoreSettings()).openapi(), config=fuzz_config()
).exclude(method="GET", path="/v1/notifications/stream")
bff = schemathesis.openapi.from_dict(
    create_bff(BffSettings(env="test")).openapi(), config=fuzz_config()
).exclude(method="GET", path="/api/events")

# Calls that end the caller's own credential get a fresh one each time, so the cases
# after them still run signed in.
ENDS_OWN_SESSION = {"DELETE /v1/auth/sessions/current", "POST /api/auth/logout"}


def offer_real_ids(case: Case, data: st.DataObject, ids: dict[str, list[str]]) -> None:
    """About half the cases of an operation get real ids in place of generated ones: in
    its path parameters and its body's top-level fields of the same names. The choice is
    drawn from Hypothesis, so a failure replays and shrinks with the same ids."""
    path = case.path_parameters or {}
    body = case.body if isinstance(case.body, dict) else {}
    names = [n for n in path if ids.get(n)]
    names += [n for n in body if ids.get(n) and isinstance(body[n], str)]
    # Drawn as "keep the generated ids?", so shrinking (towards False) prefers real ids.
    if not names or data.draw(st.booleans(), label="keep generated ids"):
        return
    for name in names:
        value = data.draw(st.sampled_from(ids[name]), label=name)
        if name in path:
            path[name] = value
        else:
            body[name] = value


def record(case: Case, who: str, failures: FailureGroup, response: Response) -> None:
    path = os.environ.get("VETRA_FUZZ_FINDINGS")
    if not path:
        return
    line = {
        "operation": case.operation.label,
        "as": who,
        "status": response.status_code,
        "content_type": response.headers.get("content-type", [""])[0],
        "body": response.text[:400],
        "failures": [{"title": f.title, "message": f.message} for f in failures.exceptions],
        "curl": case.as_curl_command(headers=dict(response.request.headers)),
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def call_and_check(
    case: Case,
    data: st.DataObject,
    base_url: str,
    who: str,
    headers: dict[str, str],
    seeded: Seeded,
    fresh: Callable[[], dict[str, str]] | None = None,
) -> None:
    offer_real_ids(case, data, seeded.ids)
    if fresh is not None and case.operation.label in ENDS_OWN_SESSION:
        headers = fresh()
    response = case.call(base_url=base_url, headers=headers)
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except FailureGroup as failures:
        record(case, who, failures, response)
        if os.environ.get("VETRA_FUZZ_SURVEY") != "1":
            raise


@core.parametrize()
@core.given(data=st.data())
def test_core_as_hmo_admin(
    case: Case, data: st.DataObject, live_core: str, admin_world: Seeded
) -> None:
    hmo = admin_world.world.hmo

    def fresh() -> dict[str, str]:
        return core_login(live_core, hmo.slug, hmo.admin_email)

    call_and_check(case, data, live_core, "hmo-admin", hmo.admin, admin_world, fresh)


@core.parametrize()
@core.given(data=st.data())
def test_core_as_provider_user(
    case: Case, data: st.DataObject, live_core: str, provider_world: Seeded
) -> None:
    provider = provider_world.world.provider

    def fresh() -> dict[str, str]:
        return core_login(live_core, provider.slug, provider.email)

    call_and_check(case, data, live_core, "provider-user", provider.user, provider_world, fresh)


@core.parametrize()
@core.given(data=st.data())
def test_core_with_integration_key(
    case: Case, data: st.DataObject, live_core: str, key_world: Seeded, fuzz_key: dict[str, str]
) -> None:
    call_and_check(case, data, live_core, "integration-key", fuzz_key, key_world)


@bff.parametrize()
@bff.given(data=st.data())
def test_bff_as_hmo_admin(
    case: Case, data: st.DataObject, live_bff: str, bff_world: Seeded, bff_admin: dict[str, str]
) -> None:
    hmo = bff_world.world.hmo

    def fresh() -> dict[str, str]:
        return bff_login(live_bff, hmo.slug, hmo.admin_email)

    call_and_check(case, data, live_bff, "bff-admin", bff_admin, bff_world, fresh)
