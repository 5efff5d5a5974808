"""Every BFF route is marked `public` or `require_session` (which also checks CSRF)."""

from __future__ import annotations

from bff.main import create_app
from bff.sessions import ACCESS_MARK
from tests.routes import api_routes, dependency_calls

DOC_ROUTES = {"/openapi.json"}
PUBLIC = {
    "GET /healthz",
    "GET /readyz",
    "GET /docs",
    "POST /api/auth/login",
    "POST /api/invites/accept",
    "POST /api/password-setup",
    "GET /api/branding",
    "GET /api/branding/logo",
    "GET /{path:path}",  # the web app's files (bff/web.py): the sign-in page needs no session
}


def access_marks() -> dict[str, set[str]]:
    marks = {}
    for route in api_routes(create_app()):
        if route.path in DOC_ROUTES:
            continue
        assert route.dependant is not None, route.path
        calls = list(dependency_calls(route.dependant))
        for method in route.methods - {"HEAD"}:
            key = f"{method} {route.path}"
            marks[key] = {
                getattr(call, ACCESS_MARK) for call in calls if hasattr(call, ACCESS_MARK)
            }
    return marks


def test_every_route_declares_exactly_one_access_mark() -> None:
    marks = access_marks()
    assert "GET /api/{path:path}" in marks
    wrong = {route: found for route, found in marks.items() if len(found) != 1}
    assert not wrong, f"routes without exactly one of public / require_session: {wrong}"


def test_only_the_expected_routes_are_public() -> None:
    public = {route for route, found in access_marks().items() if found == {"public"}}
    assert public == PUBLIC
