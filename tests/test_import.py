"""Bulk import of enrollees from CSV: member IDs, every row error, modes, limits, races."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, EmailStr, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from core_api.config import Settings
from core_api.db import create_engine, session_factory, set_tenant
from core_api.membership import importer
from core_api.membership.schemas import ImportRow
from core_api.seed import DEMO_ROSTER, DemoContext, DemoResult, seed_actor, seed_enrollees
from shared.http import BodySizeLimitMiddleware
from tests.factories import (
    PASSWORD,
    TenantCtx,
    make_client,
    make_plan,
    make_principal,
    make_staff,
    make_tenant,
)
from tests.test_problems import PROBLEM, assert_problem

COLUMNS = [
    "ref",
    "principal_ref",
    "principal_member_id",
    "relationship",
    "client_code",
    "plan_code",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "email",
    "phone",
    "coverage_start",
]
# Far enough ahead that a run crossing midnight still sees it as the future.
NEXT_YEAR = (date.today() + timedelta(days=366)).isoformat()

Row = dict[str, str]


def to_csv(rows: list[Row], columns: list[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


class Family:
    """Builds rows for one tenant's client and plan."""

    def __init__(self, client: dict[str, Any], plan: dict[str, Any]) -> None:
        self.client, self.plan = client["code"], plan["code"]

    def principal(self, ref: str, first: str = "Chinedu", **extra: str) -> Row:
        return {
            "ref": ref,
            "relationship": "PRINCIPAL",
            "client_code": self.client,
            "plan_code": self.plan,
            "first_name": first,
            "last_name": f"Okafor-{ref}",
            "date_of_birth": "1980-03-14",
            "sex": "M",
            "email": f"{ref}@example.com",
            "phone": "+234 803 000 0000",
            **extra,
        }

    @staticmethod
    def dependant(principal: str, relationship: str, first: str, **extra: str) -> Row:
        link = "principal_member_id" if "-" in principal else "principal_ref"
        return {
            link: principal,
            "relationship": relationship,
            "first_name": first,
            "last_name": "Okafor",
            "date_of_birth": "1984-07-01" if relationship == "SPOUSE" else "2015-05-20",
            "sex": "F",
            **extra,
        }


async def setup(core: httpx.AsyncClient, **plan_rules: Any) -> tuple[TenantCtx, Family, str]:
    tenant = await make_tenant(core)
    plan = await make_plan(core, tenant, **plan_rules)
    client = await make_client(core, tenant)
    return tenant, Family(client, plan), client["id"]


async def post(
    core: httpx.AsyncClient,
    tenant: TenantCtx,
    body: str | bytes,
    mode: str | None = None,
    content_type: str = "text/csv",
) -> httpx.Response:
    return await core.post(
        "/v1/enrollees/import",
        content=body.encode() if isinstance(body, str) else body,
        params={"mode": mode} if mode else {},
        headers={**tenant.admin, "content-type": content_type},
    )


async def roster(core: httpx.AsyncClient, tenant: TenantCtx) -> dict[str, dict[str, Any]]:
    """Member ID → enrollee, for the whole tenant."""
    response = await core.get("/v1/enrollees", params={"limit": 200}, headers=tenant.admin)
    assert response.status_code == 200, response.text
    return {e["member_id"]: e for e in response.json()["items"]}


def errors_of(response: httpx.Response) -> set[tuple[int, str]]:
    return {(e["row"], e["field"]) for e in response.json()["errors"]}


class TestGoodFile:
    async def test_families_get_member_ids(self, core: httpx.AsyncClient) -> None:
        tenant, f, _ = await setup(core)
        rows = [
            f.principal("a"),
            f.dependant("a", "SPOUSE", "Amaka"),
            f.dependant("a", "CHILD", "Obinna"),
            f.dependant("b", "CHILD", "Ifeoma"),  # before its principal's row
            f.dependant("a", "CHILD", "Chiamaka", date_of_birth="2018-01-09"),
            f.principal("b", "Tunde"),
        ]
        response = await post(core, tenant, to_csv(rows))
        assert response.status_code == 201, response.text
        assert response.json() == {"created": 6, "errors": []}
        prefix = f"{tenant.code}-{f.client}"
        people = await roster(core, tenant)
        by_id = {k: (e["first_name"], e["relationship"]) for k, e in people.items()}
        assert by_id == {
            f"{prefix}-00001-P": ("Chinedu", "PRINCIPAL"),
            f"{prefix}-00001-S": ("Amaka", "SPOUSE"),
            f"{prefix}-00001-C1": ("Obinna", "CHILD"),
            f"{prefix}-00001-C2": ("Chiamaka", "CHILD"),
            f"{prefix}-00002-P": ("Tunde", "PRINCIPAL"),
            f"{prefix}-00002-C1": ("Ifeoma", "CHILD"),
        }

    async def test_dependants_link_to_their_principal(self, core: httpx.AsyncClient) -> None:
        tenant, f, _ = await setup(core)
        rows = [f.principal("a", coverage_start="2026-01-01"), f.dependant("a", "SPOUSE", "Ada")]
        assert (await post(core, tenant, to_csv(rows))).status_code == 201
        people = await roster(core, tenant)
        principal = next(e for e in people.values() if e["relationship"] == "PRINCIPAL")
        spouse = next(e for e in people.values() if e["relationship"] == "SPOUSE")
        assert spouse["principal_id"] == principal["id"]
        assert spouse["plan_id"] == principal["plan_id"]
        assert spouse["coverage_start"] == principal["coverage_start"] == "2026-01-01"
        assert principal["email"] == "a@example.com"
        assert principal["status"] == "ACTIVE"
        card = await core.get(f"/v1/enrollees/{spouse['member_id']}/card", headers=tenant.admin)
        assert card.json()["principal_member_id"] == principal["member_id"]

    async def test_numbers_continue_after_single_enrolments(self, core: httpx.AsyncClient) -> None:
        tenant, f, client_id = await setup(core)
        plan = (await core.get("/v1/plans", headers=tenant.admin)).json()["items"][0]
        await make_principal(core, tenant, {"id": client_id}, plan)
        rows = [f.principal("a"), f.principal("b", "Bola")]
        assert (await post(core, tenant, to_csv(rows))).status_code == 201
        numbers = sorted(k.split("-")[2] for k in await roster(core, tenant))
        assert numbers == ["00001", "00002", "00003"]

    async def test_dependant_of_an_enrolled_principal(self, core: httpx.AsyncClient) -> None:
        tenant, f, client_id = await setup(core)
        plan = (await core.get("/v1/plans", headers=tenant.admin)).json()["items"][0]
        principal = await make_principal(core, tenant, {"id": client_id}, plan)
        child = await core.post(
            f"/v1/enrollees/{principal['id']}/dependants",
            headers=tenant.admin,
            json={
                "relationship": "CHILD",
                "first_name": "Ada",
                "last_name": "Okafor",
                "date_of_birth": "2014-02-02",
                "sex": "F",
            },
        )
        assert child.status_code == 201
        member = principal["member_id"].lower()  # Member IDs are case-insensitive
        rows = [f.dependant(member, "CHILD", "Emeka"), f.dependant(member, "SPOUSE", "Uche")]
        response = await post(core, tenant, to_csv(rows))
        assert response.status_code == 201, response.text
        people = await roster(core, tenant)
        base = principal["member_id"][:-2]
        assert people[f"{base}-C2"]["first_name"] == "Emeka"
        assert people[f"{base}-S"]["principal_id"] == principal["id"]

    async def test_header_and_codes_are_case_insensitive_and_columns_optional(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant, f, _ = await setup(core)
        body = (
            "\ufeffFirst_Name,Last_Name,Date_of_Birth,Sex,Relationship,Client_Code,Plan_Code\n"
            f"Musa,Bello,1990-10-10,m,principal,{f.client.lower()},{f.plan.lower()}\n\n"
        )
        response = await post(core, tenant, body, content_type="text/csv; charset=utf-8")
        assert response.status_code == 201, response.text
        (enrollee,) = (await roster(core, tenant)).values()
        assert (enrollee["sex"], enrollee["email"]) == ("M", None)
        assert enrollee["coverage_start"] == date.today().isoformat()

    async def test_one_audit_entry_for_the_import(self, core: httpx.AsyncClient) -> None:
        tenant, f, _ = await setup(core)
        rows = [f.principal(str(i), f"P{i}") for i in range(5)]
        assert (await post(core, tenant, to_csv(rows))).status_code == 201
        audit = await core.get("/v1/audit-events", headers=tenant.admin)
        actions = [e["action"] for e in audit.json()["items"]]
        assert actions.count("enrollee.imported") == 1
        assert "enrollee.created" not in actions
        entry = next(e for e in audit.json()["items"] if e["action"] == "enrollee.imported")
        assert entry["details"]["created"] == 5
        assert entry["details"]["per_client"] == {f.client: 5}


def bad_row_cases() -> list[Any]:
    """(label, rows after a valid principal "a" on row 1, expected (row, field))."""
    f = Family({"code": "ACME"}, {"code": "PLAN"})  # codes set per test
    cases: list[tuple[str, list[Row], tuple[int, str]]] = [
        ("bad date", [f.principal("b", date_of_birth="14/03/1980")], (2, "date_of_birth")),
        ("impossible date", [f.principal("b", date_of_birth="1980-02-30")], (2, "date_of_birth")),
        ("future birth", [f.principal("b", date_of_birth=NEXT_YEAR)], (2, "date_of_birth")),
        ("bad sex", [f.principal("b", sex="X")], (2, "sex")),
        ("bad email", [f.principal("b", email="not-an-email")], (2, "email")),
        ("bad relationship", [f.principal("b", relationship="COUSIN")], (2, "relationship")),
        ("missing name", [f.principal("b", first_name="")], (2, "first_name")),
        (
            "bad coverage date",
            [f.principal("b", coverage_start="2026-13-01")],
            (2, "coverage_start"),
        ),
        ("unknown plan", [f.principal("b", plan_code="NOPE")], (2, "plan_code")),
        ("unknown client", [f.principal("b", client_code="NOPE")], (2, "client_code")),
        ("no client code", [f.principal("b", client_code="")], (2, "client_code")),
        ("duplicate ref", [f.principal("a", "Bola")], (2, "ref")),
        ("same person twice", [f.principal("b", last_name="Okafor-a")], (2, "first_name")),
        ("unknown ref", [f.dependant("zz", "CHILD", "Ada")], (2, "principal_ref")),
        (
            "no principal named",
            [{**f.dependant("a", "CHILD", "Ada"), "principal_ref": ""}],
            (2, "principal_ref"),
        ),
        (
            "unknown member id",
            [f.dependant("X-Y-00009-P", "CHILD", "Ada")],
            (2, "principal_member_id"),
        ),
        (
            "ref to a dependant",
            [f.dependant("a", "SPOUSE", "Ada", ref="s"), f.dependant("s", "CHILD", "Obi")],
            (3, "principal_ref"),
        ),
        (
            "second spouse",
            [f.dependant("a", "SPOUSE", "Ada"), f.dependant("a", "SPOUSE", "Bisi")],
            (3, "relationship"),
        ),
        (
            "too many children",
            [f.dependant("a", "CHILD", f"K{i}", date_of_birth=f"201{i}-01-01") for i in range(3)],
            (4, "relationship"),
        ),
        (
            "principal names a principal",
            [f.principal("b", principal_ref="a")],
            (2, "principal_ref"),
        ),
        (
            "dependant of another client",
            [f.dependant("a", "CHILD", "Ada", client_code="OTHER")],
            (2, "client_code"),
        ),
        (
            "principal before the client's cover",
            [f.principal("b", coverage_start="1999-12-31")],
            (2, "coverage_start"),
        ),
        (
            "dependant before coverage",
            [f.dependant("a", "CHILD", "Ada", coverage_start="2000-01-01")],
            (2, "coverage_start"),
        ),
    ]
    return [pytest.param(rows, expected, id=label) for label, rows, expected in cases]


class TestRowErrors:
    @pytest.mark.parametrize(("rows", "expected"), bad_row_cases())
    async def test_each_error_is_reported_and_nothing_written(
        self, core: httpx.AsyncClient, rows: list[Row], expected: tuple[int, str]
    ) -> None:
        tenant, f, _ = await setup(core, max_dependants=3, max_children=2)
        codes = {"ACME": f.client, "PLAN": f.plan}  # the cases were built with placeholders
        rows = [{k: codes.get(v, v) for k, v in row.items()} for row in rows]
        response = await post(core, tenant, to_csv([f.principal("a"), *rows]))
        body = assert_problem(response, 422)
        assert body["created"] == 0
        assert errors_of(response) == {expected}, body["errors"]
        assert all(e["message"] for e in body["errors"])  # type: ignore[attr-defined]
        assert await roster(core, tenant) == {}

    async def test_coverage_before_the_client_is_a_row_error(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        f = Family(await make_client(core, tenant, covered_since="2025-03-01"), plan)
        rows = [
            f.principal("a", coverage_start="2025-02-28"),
            f.dependant("a", "SPOUSE", "Ada"),
            f.principal("b", "Bola", coverage_start="2025-03-01"),
            f.principal("c", "Chidi"),
        ]
        response = await post(core, tenant, to_csv(rows), mode="partial")
        assert response.status_code == 201, response.text
        assert response.json()["created"] == 2
        assert errors_of(response) == {(1, "coverage_start"), (2, "principal_ref")}
        message = next(e["message"] for e in response.json()["errors"] if e["row"] == 1)
        assert "2025-03-01" in message
        starts = {
            e["first_name"]: e["coverage_start"] for e in (await roster(core, tenant)).values()
        }
        assert starts == {"Bola": "2025-03-01", "Chidi": date.today().isoformat()}

    async def test_a_client_starting_later_covers_its_rows_from_then(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        plan = await make_plan(core, tenant)
        later = (date.today() + timedelta(days=20)).isoformat()
        f = Family(await make_client(core, tenant, covered_since=later), plan)
        rows = [f.principal("a"), f.dependant("a", "SPOUSE", "Ada")]
        response = await post(core, tenant, to_csv(rows))
        assert response.status_code == 201, response.text
        people = (await roster(core, tenant)).values()
        assert {e["coverage_start"] for e in people} == {later}
        today = await post(
            core, tenant, to_csv([f.principal("b", coverage_start=date.today().isoformat())])
        )
        assert errors_of(today) == {(1, "coverage_start")}

    async def test_wrong_field_count(self, core: httpx.AsyncClient) -> None:
        tenant, f, _ = await setup(core)
        body = to_csv([f.principal("a")]) + "b,,,PRINCIPAL,ACME\n"
        assert (2, "row") in errors_of(await post(core, tenant, body))

    async def test_already_enrolled(self, core: httpx.AsyncClient) -> None:
        tenant, f, client_id = await setup(core)
        plan = (await core.get("/v1/plans", headers=tenant.admin)).json()["items"][0]
        await make_principal(
            core, tenant, {"id": client_id}, plan, first_name="Ngozi", last_name="Eze"
        )
        row = f.principal("a", "NGOZI", last_name="eze", date_of_birth="1985-04-12")
        response = await post(core, tenant, to_csv([row]))
        assert errors_of(response) == {(1, "first_name")}

    async def test_terminated_or_dependant_member_id(self, core: httpx.AsyncClient) -> None:
        tenant, f, client_id = await setup(core)
        plan = (await core.get("/v1/plans", headers=tenant.admin)).json()["items"][0]
        gone = await make_principal(core, tenant, {"id": client_id}, plan, first_name="Gone")
        ended = await core.post(
            f"/v1/enrollees/{gone['id']}/status",
            json={"status": "TERMINATED"},
            headers=tenant.admin,
        )
        assert ended.status_code == 200, ended.text
        rows = [f.dependant(gone["member_id"], "CHILD", "Ada")]
        response = await post(core, tenant, to_csv(rows))
        assert errors_of(response) == {(1, "principal_member_id")}
        assert "terminated" in response.json()["errors"][0]["message"]

    async def test_existing_dependants_count_against_the_limits(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant, f, client_id = await setup(core, max_dependants=2, max_children=2)
        plan = (await core.get("/v1/plans", headers=tenant.admin)).json()["items"][0]
        principal = await make_principal(core, tenant, {"id": client_id}, plan)
        for name in ("Ada", "Obi"):
            added = await core.post(
                f"/v1/enrollees/{principal['id']}/dependants",
                headers=tenant.admin,
                json={
                    "relationship": "CHILD",
                    "first_name": name,
                    "last_name": "Okafor",
                    "date_of_birth": "2015-01-01",
                    "sex": "M",
                },
            )
            assert added.status_code == 201
        rows = [f.dependant(principal["member_id"], "SPOUSE", "Uche")]
        response = await post(core, tenant, to_csv(rows))
        assert errors_of(response) == {(1, "relationship")}
        assert "2 dependants" in response.json()["errors"][0]["message"]


class TestModes:
    def mixed(self, f: Family) -> list[Row]:
        return [
            f.principal("a"),
            f.dependant("a", "CHILD", "Obinna"),
            f.principal("b", "Bola", plan_code="NOPE"),  # fails
            f.dependant("b", "SPOUSE", "Kemi"),  # its principal failed
            f.principal("c", "Chika", sex="Q"),  # fails
            f.principal("d", "Dayo"),
        ]

    async def test_all_or_nothing_refuses_the_file(self, core: httpx.AsyncClient) -> None:
        tenant, f, client_id = await setup(core)
        response = await post(core, tenant, to_csv(self.mixed(f)))
        body = assert_problem(response, 422)
        assert body["created"] == 0
        assert errors_of(response) == {(3, "plan_code"), (4, "principal_ref"), (5, "sex")}
        assert [e["row"] for e in body["errors"]] == [3, 4, 5]  # type: ignore[attr-defined]
        assert await roster(core, tenant) == {}
        plan = (await core.get("/v1/plans", headers=tenant.admin)).json()["items"][0]
        after = await make_principal(core, tenant, {"id": client_id}, plan)
        assert after["member_id"].endswith("-00001-P")  # no number was used up

    async def test_partial_writes_the_valid_rows(self, core: httpx.AsyncClient) -> None:
        tenant, f, _ = await setup(core)
        response = await post(core, tenant, to_csv(self.mixed(f)), mode="partial")
        assert response.status_code == 201, response.text
        assert response.json()["created"] == 3
        assert errors_of(response) == {(3, "plan_code"), (4, "principal_ref"), (5, "sex")}
        prefix = f"{tenant.code}-{f.client}"
        names = {k: e["first_name"] for k, e in (await roster(core, tenant)).items()}
        assert names == {
            f"{prefix}-00001-P": "Chinedu",
            f"{prefix}-00001-C1": "Obinna",
            f"{prefix}-00002-P": "Dayo",  # gapless: failed principals took no number
        }

    async def test_unknown_mode(self, core: httpx.AsyncClient) -> None:
        tenant, f, _ = await setup(core)
        assert_problem(await post(core, tenant, to_csv([f.principal("a")]), mode="some"), 422)


class TestFile:
    @pytest.mark.parametrize(
        ("body", "kind"),
        [
            pytest.param("", "import-empty", id="empty"),
            pytest.param(",".join(COLUMNS) + "\n", "import-empty", id="header only"),
            pytest.param("first_name,last_name,sex\n", "import-header", id="missing columns"),
            pytest.param(",".join([*COLUMNS, "salary"]) + "\n", "import-header", id="unknown"),
            pytest.param(",".join([*COLUMNS, "sex"]) + "\n", "import-header", id="repeated"),
            pytest.param(b"first_name\n\xff\xfe\n", "import-malformed", id="not utf-8"),
        ],
    )
    async def test_unusable_file_is_a_problem(
        self, core: httpx.AsyncClient, body: str | bytes, kind: str
    ) -> None:
        tenant = await make_tenant(core)
        body_ = assert_problem(await post(core, tenant, body), 422)
        assert str(body_["type"]).endswith(kind)

    async def test_header_problem_names_the_columns(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await post(core, tenant, "first_name,last_name,dob,sex,relationship\n")
        assert {e["field"] for e in response.json()["errors"]} == {"dob", "date_of_birth"}

    async def test_too_many_rows(
        self, core: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        tenant, f, _ = await setup(core)
        monkeypatch.setattr(importer, "MAX_ROWS", 2)
        rows = [f.principal(str(i), f"P{i}") for i in range(3)]
        body = assert_problem(await post(core, tenant, to_csv(rows)), 413)
        assert str(body["type"]).endswith("import-too-large")
        assert (await post(core, tenant, to_csv(rows[:2]))).status_code == 201

    async def test_wrong_content_type_is_415(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await post(core, tenant, '{"rows": []}', content_type="application/json")
        assert_problem(response, 415)

    async def test_needs_the_import_permission(self, core: httpx.AsyncClient) -> None:
        tenant, f, _ = await setup(core)
        _user, readonly = await make_staff(core, tenant, "Read-only")
        response = await core.post(
            "/v1/enrollees/import",
            content=to_csv([f.principal("a")]).encode(),
            headers={**readonly, "content-type": "text/csv"},
        )
        assert_problem(response, 403)


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 500):
        yield data[start : start + 500]


class TestEmail:
    @pytest.mark.parametrize(
        "address",
        [
            "ada.obi@example.com",
            "Ada+hmo@Mail.Example.NG",
            "a@b.co",
            "x@localhost",
            "x@host.local",
            "x@site.test",
            "a..b@example.com",
            ".a@example.com",
            "a@-example.com",
            "a@exa--mple.com",
            "a@example.c",
            "a@example.123",
            "a@example",
            "very.long." + "x" * 60 + "@example.com",
            "ọlá@example.com",
            "Ada Obi <ada@example.com>",
            "a b@example.com",
            "a@example.com.",
        ],
    )
    def test_import_email_rule_is_email_str(self, address: str) -> None:
        class Single(BaseModel):
            email: EmailStr

        single, bulk = _outcome(Single, address), _outcome(ImportRow, address)
        assert bulk == single

    async def test_bad_email_message(self, core: httpx.AsyncClient) -> None:
        tenant, f, _ = await setup(core)
        response = await post(core, tenant, to_csv([f.principal("a", email="a@b")]))
        (error,) = response.json()["errors"]
        assert error["message"].startswith("value is not a valid email address")


def _outcome(model: type[BaseModel], address: str) -> str | None:
    """The stored address (lower-cased), or None when refused."""
    person = {"first_name": "A", "last_name": "B", "date_of_birth": "1990-01-01", "sex": "M"}
    data = {**person, "relationship": "PRINCIPAL", "email": address}
    try:
        return str(model.model_validate(data).model_dump()["email"]).lower()
    except ValidationError:
        return None


class TestBodyLimit:
    async def test_import_takes_bodies_over_the_general_limit(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant = await make_tenant(core)
        big = b"x" * 2_000_000  # over VETRA_MAX_BODY_BYTES: reaches the route's own checks
        response = await post(core, tenant, big, content_type="text/plain")
        assert_problem(response, 415)

    async def test_other_routes_keep_the_general_limit(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        response = await core.post(
            "/v1/enrollees",
            content=b"x" * 2_000_000,
            headers={**tenant.admin, "content-type": "application/json"},
        )
        assert_problem(response, 413)

    def test_import_limit_defaults_to_64_mib(self, monkeypatch: pytest.MonkeyPatch) -> None:
        assert Settings().max_import_bytes == 64 * 1024 * 1024
        monkeypatch.setenv("VETRA_MAX_IMPORT_BYTES", "5000")
        assert Settings().max_import_bytes == 5000

    @pytest.mark.parametrize(
        ("path", "size", "status"),
        [
            ("/v1/enrollees/import", 3000, 413),
            ("/v1/enrollees/import", 2000, 200),
            ("/v1/enrollees", 2000, 413),
            ("/v1/enrollees", 1000, 200),
        ],
    )
    async def test_limit_by_path_ending(self, path: str, size: int, status: int) -> None:
        async def echo(scope: Scope, receive: Receive, send: Send) -> None:
            await Request(scope, receive).body()
            await Response("ok")(scope, receive, send)

        app = BodySizeLimitMiddleware(echo, 1000, larger={"/enrollees/import": 2500})
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://core") as client:
            chunked = await client.post(path, content=chunks(b"x" * size))  # no content-length
            declared = await client.post(path, content=b"x" * size)
        assert chunked.status_code == declared.status_code == status
        if status == 413:
            assert declared.headers["content-type"] == PROBLEM


class TestConcurrency:
    async def test_import_and_single_enrolments_share_one_gapless_sequence(
        self, core: httpx.AsyncClient
    ) -> None:
        tenant, f, client_id = await setup(core)
        plan = (await core.get("/v1/plans", headers=tenant.admin)).json()["items"][0]
        rows = [f.principal(str(i), f"Imported{i}") for i in range(50)]
        singles = [
            make_principal(core, tenant, {"id": client_id}, plan, first_name=f"Single{i}")
            for i in range(10)
        ]
        imported, *_ = await asyncio.gather(post(core, tenant, to_csv(rows)), *singles)
        assert imported.status_code == 201, imported.text
        response = await core.get(
            "/v1/enrollees", params={"limit": 200, "client_id": client_id}, headers=tenant.admin
        )
        numbers = sorted(int(e["member_id"].split("-")[2]) for e in response.json()["items"])
        assert numbers == list(range(1, 61))

    async def test_two_imports_for_one_client(self, core: httpx.AsyncClient) -> None:
        tenant, f, _ = await setup(core)
        first = [f.principal(f"x{i}", f"X{i}") for i in range(30)]
        second = [f.principal(f"y{i}", f"Y{i}") for i in range(30)]
        answers = await asyncio.gather(
            post(core, tenant, to_csv(first)), post(core, tenant, to_csv(second))
        )
        assert [a.status_code for a in answers] == [201, 201]
        numbers = sorted(int(k.split("-")[2]) for k in await roster(core, tenant))
        assert numbers == list(range(1, 61))


class TestDemoSeed:
    async def test_demo_roster_is_imported_once(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        for _ in range(2):  # a second run adds nothing
            await _seed_enrollees(uuid.UUID(tenant.id))
        people = await core.get("/v1/enrollees", params={"limit": 200}, headers=tenant.admin)
        members = {e["member_id"]: e for e in people.json()["items"]}
        assert len(members) == len(DEMO_ROSTER.splitlines()) - 1 == 40
        assert members[f"{tenant.code}-DANGOTE-00003-C3"]["first_name"] == "Zainab"
        listed = (await core.get("/v1/clients", headers=tenant.admin)).json()["items"]
        codes = [c["code"] for c in listed]
        assert sorted(codes) == ["ACCESS", "DANGOTE", "MTNNG"]


async def _seed_enrollees(tenant_id: uuid.UUID) -> None:
    engine = create_engine(os.environ["DATABASE_URL"], pool_size=1)
    try:
        async with session_factory(engine)() as db, db.begin():
            await set_tenant(db, tenant_id)
            result = DemoResult(created=False, password=PASSWORD)
            ctx = DemoContext(db, seed_actor(tenant_id), tenant_id, PASSWORD, {}, result)
            await seed_enrollees(ctx)
    finally:
        await engine.dispose()
