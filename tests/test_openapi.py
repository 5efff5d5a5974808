"""Both services' OpenAPI specs declare the problem answers each operation can give, with
the schema the answers really have; and /docs works offline, under a strict CSP."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import cache
from typing import Any

import httpx
import jsonschema_rs
import pytest
from fastapi import FastAPI

from bff.main import create_app as create_bff
from core_api.claims.queries import ALLOWED_TYPES
from core_api.main import create_app as create_core
from shared.problems import PROBLEM_MEDIA_TYPE
from tests.bff.conftest import bff_settings, browser
from tests.claims_world import new_claim, world
from tests.factories import make_tenant

PROBLEM_REF = "#/components/schemas/Problem"
WRITES = {"post", "put", "patch", "delete"}
# Answers a route declares with a schema of its own.
OWN_ERROR_SCHEMAS = {("/readyz", "get", "503")}


@cache
def core_spec() -> dict[str, Any]:
    return create_core().openapi()


def bff_app() -> FastAPI:
    return create_bff(bff_settings("http://127.0.0.1:9"))


@cache
def bff_spec() -> dict[str, Any]:
    return bff_app().openapi()


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def declared(operation: dict[str, Any]) -> set[int]:
    return {int(code) for code in operation["responses"] if int(code) >= 400}


def params(operation: dict[str, Any], where: str) -> set[str]:
    return {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == where}


def body_types(operation: dict[str, Any]) -> set[str]:
    return set(operation.get("requestBody", {}).get("content", {}))


def expected_by_shape(spec: dict[str, Any], operation: dict[str, Any]) -> set[int]:
    """What any operation of this shape can answer, whichever service it is on."""
    expected = set()
    if params(operation, "path"):
        expected.add(404)
    if operation.get("parameters") or body_types(operation):
        expected.add(422)
    if body_types(operation):
        expected |= {400, 413}
    if "application/json" in body_types(operation):
        expected.add(415)
        if "version" in body_fields(spec, operation):
            expected.add(409)
    if "idempotency-key" in params(operation, "header"):
        expected.add(409)
    return expected


def body_fields(spec: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    ref = schema.get("$ref", "")
    if not ref:
        return set()
    return set(spec["components"]["schemas"][ref.rsplit("/", 1)[1]].get("properties", {}))


def problem_validator(spec: dict[str, Any]) -> Any:
    """The spec's Problem schema, its references resolved within the spec."""
    return jsonschema_rs.validator_for({"$ref": PROBLEM_REF, "components": spec["components"]})


class TestDeclaredProblems:
    @pytest.fixture(params=["core", "bff"])
    def spec(self, request: pytest.FixtureRequest) -> dict[str, Any]:
        return core_spec() if request.param == "core" else bff_spec()

    def test_every_error_answer_is_a_problem(self, spec: dict[str, Any]) -> None:
        wrong = []
        for path, method, operation in operations(spec):
            for code, answer in operation["responses"].items():
                if int(code) < 400 or (path, method, code) in OWN_ERROR_SCHEMAS:
                    continue
                if answer.get("content") != {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}:
                    wrong.append(f"{method.upper()} {path} {code}")
                assert answer["description"], (path, method, code)
        assert not wrong

    def test_fastapis_validation_schema_is_gone(self, spec: dict[str, Any]) -> None:
        text = json.dumps(spec)
        assert "HTTPValidationError" not in text
        assert '"#/components/schemas/ValidationError"' not in text

    def test_the_problem_schema(self, spec: dict[str, Any]) -> None:
        problem = spec["components"]["schemas"]["Problem"]
        assert set(problem["required"]) == {"type", "title", "status"}
        assert {"detail", "instance", "errors"} <= set(problem["properties"])
        assert problem.get("additionalProperties", True) is True  # extensions
        field = spec["components"]["schemas"]["ProblemFieldError"]
        assert set(field["required"]) == {"field", "message"}
        assert "code" in field["properties"]

    def test_shape_answers_are_declared(self, spec: dict[str, Any]) -> None:
        missing = {
            f"{method.upper()} {path}": sorted(expected_by_shape(spec, op) - declared(op))
            for path, method, op in operations(spec)
            if expected_by_shape(spec, op) - declared(op)
        }
        assert not missing

    def test_core_credentials_and_database(self) -> None:
        spec = core_spec()
        for path, method, operation in operations(spec):
            if path in ("/healthz", "/readyz"):
                assert not declared(operation) - {503}, path
                continue
            assert {401, 403, 503} <= declared(operation), (method, path)
            if method in WRITES:
                assert 409 in declared(operation), (method, path)

    def test_core_examples(self) -> None:
        paths = core_spec()["paths"]
        assert {404, 409} <= declared(paths["/v1/claims/{claim_id}/transitions"]["post"])
        assert 404 in declared(paths["/v1/eligibility"]["post"])  # an unknown member
        assert 404 in declared(paths["/v1/claims"]["post"])
        assert 404 in declared(paths["/v1/billing/fees"]["get"])  # ?tenant_id= of no tenant
        assert 404 not in declared(paths["/v1/me"]["get"])
        assert 422 not in declared(paths["/v1/me"]["get"])
        assert 415 in declared(paths["/v1/enrollees/import"]["post"])  # not text/csv
        assert {413, 422} <= declared(paths["/v1/claims/{claim_id}/attachments"]["post"])

    def test_bff_answers(self) -> None:
        paths = bff_spec()["paths"]
        assert not declared(paths["/healthz"]["get"])
        assert declared(paths["/readyz"]["get"]) == {502, 503, 504}
        login = declared(paths["/api/auth/login"]["post"])
        assert {400, 401, 413, 422, 429, 503} <= login
        assert declared(paths["/api/auth/csrf"]["get"]) == {401}
        assert {401, 403, 503} <= declared(paths["/api/auth/logout"]["post"])
        assert {401, 422, 503} <= declared(paths["/api/events"]["get"])
        for method in ("get", "post", "put", "patch", "delete"):
            relayed = declared(paths["/api/{path}"][method])
            assert {400, 401, 403, 404, 405, 409, 413, 422, 502, 503, 504} <= relayed, method

    def test_eligibilitys_direct_route_is_documented_like_the_others(self) -> None:
        operation = core_spec()["paths"]["/v1/eligibility"]["post"]
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert {400, 401, 403, 404, 413, 415, 422, 503} <= declared(operation)


class TestRealAnswersMatchTheSpec:
    """Spot checks: what the core and the BFF answer is what their specs declare."""

    @staticmethod
    def check(spec: dict[str, Any], path: str, method: str, response: httpx.Response) -> None:
        assert response.status_code in declared(spec["paths"][path][method]), response.text
        assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
        errors = [error.message for error in problem_validator(spec).iter_errors(response.json())]
        assert not errors, (response.json(), errors)

    async def test_core(self, core: httpx.AsyncClient) -> None:
        spec = core_spec()
        tenant = await make_tenant(core)
        missing = await core.get(f"/v1/users/{uuid.uuid4()}", headers=tenant.admin)
        assert missing.status_code == 404
        self.check(spec, "/v1/users/{user_id}", "get", missing)
        invalid = await core.post("/v1/roles", json={"name": 5}, headers=tenant.admin)
        assert invalid.status_code == 422
        assert invalid.json()["errors"]
        self.check(spec, "/v1/roles", "post", invalid)
        unsigned = await core.get("/v1/me")
        assert unsigned.status_code == 401
        self.check(spec, "/v1/me", "get", unsigned)
        malformed = await core.post(
            "/v1/roles",
            content=b'{"name": ',
            headers={**tenant.admin, "content-type": "application/json"},
        )
        assert malformed.status_code == 400
        self.check(spec, "/v1/roles", "post", malformed)

    async def test_bff(self) -> None:
        app = bff_app()
        spec = app.openapi()
        async with browser(app) as client:
            unsigned = await client.get("/api/me")
            assert unsigned.status_code == 401
            self.check(spec, "/api/{path}", "get", unsigned)
            invalid = await client.post("/api/auth/login", json={"tenant": ""})
            assert invalid.status_code == 422
            self.check(spec, "/api/auth/login", "post", invalid)


# --- answers besides JSON -----------------------------------------------------------------

# What a `?format=` value answers as.
FORMAT_MEDIA = {
    "json": "application/json",
    "csv": "text/csv",
    "html": "text/html",
    "zip": "application/zip",
}


def format_values(operation: dict[str, Any]) -> list[str]:
    """The values the operation's `format` query parameter takes (none without one)."""
    for param in operation.get("parameters", []):
        if param["in"] == "query" and param["name"] == "format":
            schema = param["schema"]
            return [v for option in schema.get("anyOf", [schema]) for v in option.get("enum", [])]
    return []


class TestDeclaredFormats:
    def test_every_format_is_a_declared_content_type(self) -> None:
        """A route answering `?format=csv|html` declares `text/csv` / `text/html` on its 200
        beside its JSON, so generated clients and the fuzzing stage expect them."""
        found: dict[str, list[str]] = {}
        undeclared: list[tuple[str, str, str, str | None]] = []
        for path, method, operation in operations(core_spec()):
            values = format_values(operation)
            if not values:
                continue
            found[path] = values
            content = operation["responses"]["200"]["content"]
            for value in values:
                media = FORMAT_MEDIA.get(value)
                if media not in content:
                    undeclared.append((method, path, value, media))
                elif media != "application/json":
                    assert content[media]["schema"] == {"type": "string"}, (path, media)
        assert undeclared == []
        assert found["/v1/remittances/{remittance_id}"] == ["json", "csv", "html"]
        assert found["/v1/audit-events"] == ["json", "csv"]

    async def test_the_csv_answer_has_its_declared_type(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        answer = await core.get("/v1/audit-events?format=csv", headers=tenant.admin)
        assert answer.status_code == 200, answer.text
        media = answer.headers["content-type"].split(";")[0]
        assert (
            media in core_spec()["paths"]["/v1/audit-events"]["get"]["responses"]["200"]["content"]
        )

    def test_stored_files_declare_their_types_and_no_json(self) -> None:
        """Attachments and payment proofs answer as uploaded (PDF, PNG, JPEG, TIFF, text)."""
        downloads = [
            operation["responses"]["200"]["content"]
            for path, method, operation in operations(core_spec())
            if method == "get"
            and (path.endswith("/attachments/{attachment_id}") or path.endswith("/file"))
        ]
        assert len(downloads) == 3
        for content in downloads:
            assert set(content) == ALLOWED_TYPES
            assert all(media["schema"]["format"] == "binary" for media in content.values())

    async def test_a_download_has_its_declared_type(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await new_claim(core, w)
        url = f"/v1/claims/{claim['id']}/attachments"
        files = {"file": ("note.txt", b"x-ray normal", "text/plain")}
        uploaded = await core.post(url, files=files, headers=w.provider.user)
        assert uploaded.status_code == 201, uploaded.text
        download = await core.get(f"{url}/{uploaded.json()['id']}", headers=w.provider.user)
        content = core_spec()["paths"]["/v1/claims/{claim_id}/attachments/{attachment_id}"]
        media = download.headers["content-type"].split(";")[0]
        assert media in content["get"]["responses"]["200"]["content"]


# --- /docs, offline ------------------------------------------------------------------------

STATIC_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "vetra-docs.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


@pytest.fixture
async def bff_docs() -> AsyncIterator[httpx.AsyncClient]:
    """The BFF serves its docs without the core (no lifespan needed)."""
    async with browser(bff_app()) as client:
        yield client


@pytest.fixture(params=["core", "bff"])
def service(
    request: pytest.FixtureRequest, core: httpx.AsyncClient, bff_docs: httpx.AsyncClient
) -> httpx.AsyncClient:
    return core if request.param == "core" else bff_docs


class TestDocsOffline:
    async def test_the_page_names_no_other_host_and_has_no_inline_script(
        self, service: httpx.AsyncClient
    ) -> None:
        page = await service.get("/docs")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert not re.search(r"(https?:)?//", page.text), page.text
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.DOTALL)
        assert scripts
        assert all('src="/docs/static/' in attrs and not body.strip() for attrs, body in scripts)
        assert 'data-openapi-url="/openapi.json"' in page.text

    async def test_its_csp_allows_only_its_own_scripts(self, service: httpx.AsyncClient) -> None:
        csp = (await service.get("/docs")).headers["content-security-policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == "'self'"
        assert directives["connect-src"] == "'self'"  # the spec, and "Try it out"
        assert directives["frame-ancestors"] == "'none'"
        assert "http" not in csp

    async def test_every_file_it_loads_is_served_with_its_type(
        self, service: httpx.AsyncClient
    ) -> None:
        page = (await service.get("/docs")).text
        loaded = re.findall(r'(?:src|href)="(/docs/static/[^"]+)"', page)
        assert {url.rsplit("/", 1)[1] for url in loaded} == set(STATIC_TYPES)
        for url in loaded:
            answer = await service.get(url)
            assert answer.status_code == 200, url
            kind = answer.headers["content-type"].split(";")[0]
            assert kind == STATIC_TYPES[url.rsplit("/", 1)[1]], url
            assert answer.content

    async def test_the_starter_reads_the_spec_url_from_the_page(
        self, service: httpx.AsyncClient
    ) -> None:
        starter = (await service.get("/docs/static/vetra-docs.js")).text
        assert "dataset.openapiUrl" in starter
        assert "validatorUrl: null" in starter  # no badge from validator.swagger.io

    async def test_no_cdn_pages_remain(self, service: httpx.AsyncClient) -> None:
        redoc = await service.get("/redoc")  # the BFF's SPA fallback may answer the path
        assert redoc.status_code in (404, 503) or "redoc" not in redoc.text.lower()
        assert (await service.get("/docs/static/nothing.js")).status_code == 404
        climbed = await service.get("/docs/static/../../main.py")  # the BFF: its SPA page
        assert climbed.status_code in (404, 503) or "import" not in climbed.text
