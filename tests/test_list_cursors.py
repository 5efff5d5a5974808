"""Every list of the core answers `{items, next_cursor}`, and no cursor ever makes it fail.

The lists are found from the app itself (every GET route whose answer is a `Page`), so a
new list is walked without being named here. Each is called as a caller that may read it
(an HMO admin, a provider, an enrollee or a client user: the first that gets a 200), then
with malformed cursors: each must be a 4xx problem on `cursor`, never a 5xx.
"""

from __future__ import annotations

import base64
import json
import types
import typing
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from core_api.kit.pagination import By, Keyset, Page, PageParams, encode_cursor
from tests.claims_world import World, new_authorization, new_claim, world
from tests.factories import PASSWORD, make_client_user, session_headers
from tests.factories import login as log_in

PROBLEM = "application/problem+json"


def _raw(value: object) -> str:
    """A cursor carrying `value` as its JSON (what a client could forge)."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


# Parts no sort key takes, whatever the type of its columns.
_NEVER: list[object] = [
    2**63,  # beyond int64
    -(2**63) - 1,
    10**40,
    1.5,
    True,
    None,
    {"a": 1},
    ["nested"],
    "\x00",  # PostgreSQL stores no NUL
    "\ud800",  # a lone surrogate: not UTF-8
]
# Parts that are text, and only some sort keys take text: these are refused where the part
# must be an id, a moment or a date, and may page (200) where it is a name.
_TEXT: list[object] = [
    "not-a-uuid",
    "2026-13-45T00:00:00+00:00",  # not a moment
    "2026-01-01T00:00:00",  # a moment without its zone
    "0001-01-01T00:00:00+14:00",  # before the first representable UTC moment
    "0000-01-01",
]
MALFORMED: list[str] = [
    "%%%",  # not base64
    "####",
    "bm90IGpzb24=",  # base64 of "not json"
    base64.urlsafe_b64encode(b"\xff\xfe[").decode(),  # not UTF-8
    _raw({"seq": 1}),  # JSON, not a list
    _raw("a string"),
    _raw(7),
    _raw([]),  # no parts
    _raw([1, 2, 3, 4, 5, 6]),  # more parts than any sort key
    _raw([[[[[[[[[[]]]]]]]]]]),
    *(_raw([part] * size) for size in (1, 2, 3) for part in _NEVER),
]
MAYBE_MALFORMED: list[str] = [
    *(_raw([part] * size) for size in (1, 2, 3) for part in _TEXT),
    _raw(["2026-01-01T00:00:00+00:00", "not-a-uuid"]),
    _raw(["2026-01-01", 2**64]),
    _raw(["0192f1c4-0000-7000-8000-000000000001", "2026-02-30", "NGN"]),
    _raw([2**62, "2026-01-01"]),
    _raw(["x", "0192f1c4-0000-7000-8000-000000000002", "extra"]),
]


@dataclass(frozen=True)
class Listed:
    path: str  # as served, prefix included
    route: APIRoute


def get_routes(app: FastAPI) -> list[Listed]:
    """Every GET route of the app, included routers' too."""
    found = []
    for ctx in iter_route_contexts(app.routes):
        route = ctx.route
        if isinstance(route, APIRoute) and ctx.path and "GET" in (ctx.methods or ()):
            found.append(Listed(ctx.path, route))
    return found


def is_page(model: object) -> bool:
    """A `Page`, or a union of Pages (one per caller's view: `Page[A] | Page[B]`)."""
    if isinstance(model, type):
        return issubclass(model, Page)
    members = typing.get_args(model) if isinstance(model, types.UnionType) else ()
    return bool(members) and all(is_page(m) for m in members)


def page_routes(app: FastAPI) -> list[Listed]:
    """Every GET route of the app answering a `Page` (a list)."""
    return [listed for listed in get_routes(app) if is_page(listed.route.response_model)]


def takes_cursor(route: APIRoute) -> bool:
    def params(dependant: Dependant) -> Iterator[str]:
        yield from (param.alias for param in dependant.query_params)
        for sub in dependant.dependencies:
            yield from params(sub)

    return "cursor" in set(params(route.dependant))


def test_bare_arrays_are_gone(core_app: FastAPI) -> None:
    """No GET route of the core answers a bare array: lists are Pages."""
    routes = get_routes(core_app)
    assert len(routes) > 40
    bare = [
        listed.path
        for listed in routes
        if getattr(listed.route.response_model, "__origin__", None) is list
    ]
    assert bare == []


def test_the_walk_finds_the_lists(core_app: FastAPI) -> None:
    paths = {listed.path for listed in page_routes(core_app)}
    assert {"/v1/clients", "/v1/roles", "/v1/plans", "/v1/audit-events"} <= paths
    assert "/v1/notifications" in paths
    assert {"/v1/claims", "/v1/authorizations"} <= paths  # a Page per caller's view
    assert len(paths) >= 31


async def _callers(core: httpx.AsyncClient, w: World) -> list[dict[str, str]]:
    """An HMO admin, the linked provider's user, the member (with a login), a client user."""
    email = f"member-{uuid.uuid4().hex[:6]}@example.com"
    account = await core.post(
        f"/v1/enrollees/{w.member['id']}/account",
        json={"email": email, "password": PASSWORD},
        headers=w.hmo.admin,
    )
    assert account.status_code == 201, account.text
    member = session_headers(await log_in(core, w.hmo.slug, email, PASSWORD))
    _, client_user = await make_client_user(core, w.hmo, w.client)
    return [w.hmo.admin, w.provider.user, member, client_user]


async def _ids(core: httpx.AsyncClient, w: World) -> dict[str, str]:
    """Real ids for the lists nested under one object (a claim, a PA, an enrollee)."""
    claim = await new_claim(core, w)
    pa = await new_authorization(core, w)
    return {"claim_id": claim["id"], "authorization_id": pa["id"], "key": w.member["id"]}


async def test_every_list_refuses_every_malformed_cursor(
    core: httpx.AsyncClient, core_app: FastAPI
) -> None:
    w = await world(core)
    callers = await _callers(core, w)
    ids = await _ids(core, w)
    unreadable: list[str] = []
    failures: list[tuple[str, str, int, object]] = []
    for listed in page_routes(core_app):
        path = listed.path.format(**ids)
        reader: dict[str, str] | None = None
        for headers in callers:
            first = await core.get(path, headers=headers)
            assert first.status_code < 500, (path, first.text)
            if first.status_code == 200:
                assert set(first.json()) == {"items", "next_cursor"}, path
                reader = headers
                break
        if reader is None:
            unreadable.append(path)
            continue
        if not takes_cursor(listed.route):
            assert first.json()["next_cursor"] is None, path  # a whole catalog
            continue
        for cursor in [*MALFORMED, *MAYBE_MALFORMED]:
            response = await core.get(path, params={"cursor": cursor}, headers=reader)
            if response.status_code == 200 and cursor in MAYBE_MALFORMED:
                assert set(response.json()) == {"items", "next_cursor"}, path
                continue  # text where this list's sort key is text: a position, not an error
            if response.status_code >= 500 or response.headers["content-type"] != PROBLEM:
                failures.append((path, cursor, response.status_code, response.text[:200]))
                continue
            body = response.json()
            fields = [error.get("field") for error in body.get("errors", [])]
            if response.status_code != 422 or fields != ["cursor"]:
                failures.append((path, cursor, response.status_code, fields))
    assert unreadable == [], "no caller could read these lists: give the walk one"
    assert failures == []


class TestKeyset:
    """The helper itself, on values a route cannot easily reach."""

    def test_round_trip_of_every_kind(self) -> None:
        from datetime import UTC, date, datetime

        from core_api.models.claim import Claim

        keyset = Keyset(
            By(Claim.received_at, datetime, descending=True),
            By(Claim.service_date, date),
            By(Claim.queue_score, int, descending=True),
            By(Claim.number, str),
            By(Claim.id, uuid.UUID),
        )
        key = (
            datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            date(2026, 1, 2),
            -7,
            "CLM-1",
            uuid.uuid4(),
        )
        assert keyset.decode(encode_cursor(key)) == key
        assert keyset.decode(None) is None

    def test_one_direction_is_one_row_comparison_and_mixed_ones_expand(self) -> None:
        from core_api.models.claim import Claim

        same = Keyset(By(Claim.queue_score, int, True), By(Claim.id, uuid.UUID, True))
        assert "(claims.queue_score, claims.id) <" in str(same.after((1, uuid.uuid4())))
        mixed = Keyset(By(Claim.number, str), By(Claim.id, uuid.UUID, True))
        sql = str(mixed.after(("CLM-1", uuid.uuid4())))
        assert "claims.number >" in sql
        assert "claims.id <" in sql
        assert " OR " in sql

    @pytest.mark.parametrize("cursor", [*MALFORMED, *MAYBE_MALFORMED])
    def test_malformed_cursors_are_refused_before_any_query(self, cursor: str) -> None:
        """Each of these is malformed for each of the sort keys below."""
        from datetime import date

        from core_api.errors import Invalid
        from core_api.models.claim import Claim

        for keyset in (
            Keyset(By(Claim.id, uuid.UUID)),
            Keyset(By(Claim.queue_score, int), By(Claim.id, uuid.UUID)),
            Keyset(By(Claim.number, str), By(Claim.service_date, date), By(Claim.id, uuid.UUID)),
        ):
            with pytest.raises(Invalid):
                keyset.apply(Claim.__table__.select(), PageParams(cursor=cursor))
