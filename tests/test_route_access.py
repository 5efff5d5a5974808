"""Every core route declares who may call it (a permission, a key scope, or public)."""

from __future__ import annotations

from core_api.access.permissions import CATALOG, PLATFORM_PERMISSIONS
from core_api.deps import ACCESS_MARK
from core_api.main import create_app
from tests.routes import api_routes, dependency_calls

DOC_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def access_marks() -> dict[str, list[str]]:
    marks = {}
    for route in api_routes(create_app()):
        if route.path in DOC_ROUTES:
            continue
        assert route.dependant is not None, route.path
        calls = dependency_calls(route.dependant)
        key = f"{'|'.join(sorted(route.methods))} {route.path}"
        marks[key] = [getattr(call, ACCESS_MARK) for call in calls if hasattr(call, ACCESS_MARK)]
    return marks


def test_every_route_declares_access() -> None:
    unmarked = [route for route, marks in access_marks().items() if not marks]
    assert not unmarked, f"routes without require()/require_key()/public: {unmarked}"


def test_declared_permissions_exist_in_the_catalog() -> None:
    named = {
        name
        for marks in access_marks().values()
        for mark in marks
        if mark.startswith("permission:")
        for name in mark.removeprefix("permission:").split("|")
    }
    assert named <= set(CATALOG) | PLATFORM_PERMISSIONS


def test_catalog_is_large_enough_and_well_named() -> None:
    assert len(CATALOG) >= 55
    assert all(name.count(":") == 1 for name in CATALOG)
