"""Bulk enrolment from CSV: principals and their dependants in one file, one transaction.

The whole file is checked against itself and the database before anything is written.
Then member numbers are reserved per client in one call each (gapless, as for single
enrolment), and the rows go in as multi-row INSERTs in batches: no round trip and no ORM
object per row. One audit entry summarises the import. `all_or_nothing` refuses the
file on any error; `partial` writes the valid rows and reports the others.
"""

from __future__ import annotations

import csv
import enum
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, TypeVar

from pydantic import ValidationError
from sqlalchemy import String, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.errors import Conflict
from core_api.membership.clients import (
    check_coverage_start,
    default_coverage_start,
    reserve_member_numbers,
)
from core_api.membership.enrollees import member_id, next_slot, tenant_code
from core_api.membership.schemas import ImportResult, ImportRow, RowError
from core_api.models import (
    Client,
    Enrollee,
    EnrolleeStatus,
    EnrolleeStatusChange,
    Plan,
    PlanVersion,
    Relationship,
)
from core_api.models.base import Base, utcnow
from core_api.plans.service import version_of
from shared.ids import uuid7
from shared.problems import ProblemError

COLUMNS = (
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
)
REQUIRED_COLUMNS = ("relationship", "first_name", "last_name", "date_of_birth", "sex")
UPPER_CASE = frozenset({"relationship", "sex", "client_code", "plan_code", "principal_member_id"})
MAX_ROWS = 250_000  # about 1 GB of working memory; larger rosters come in several files
BATCH_ROWS = 20_000  # rows per INSERT statement
PersonKey = tuple[uuid.UUID, str, str, date]
Known = TypeVar("Known", Client, Plan)


class ImportMode(enum.StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    PARTIAL = "partial"


class Member(NamedTuple):
    """A dependant of a family, as far as the plan's dependant limits care."""

    relationship: Relationship
    status: EnrolleeStatus
    child_no: int | None


@dataclass(eq=False, slots=True)
class Family:
    """A principal, from the file or already enrolled, and its dependants so far."""

    id: uuid.UUID
    client: Client
    plan: Plan
    version: PlanVersion
    coverage_start: date
    in_file: bool
    member_no: int = 0  # an in-file principal's is reserved once the file is accepted
    members: list[Member] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class Line:
    """One data row of the file (`number` counts from 1 after the header)."""

    number: int
    ref: str | None
    row: ImportRow | None = None
    errors: list[RowError] = field(default_factory=list)
    id: uuid.UUID = field(default_factory=uuid7)
    family: Family | None = None
    suffix: str = "P"
    child_no: int | None = None
    coverage_start: date | None = None

    @property
    def is_principal(self) -> bool:
        return self.row is not None and self.row.relationship is Relationship.PRINCIPAL

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(row=self.number, field=column, message=message))


def valid(lines: Iterable[Line], *kinds: Relationship) -> Iterator[tuple[Line, ImportRow]]:
    """The lines without errors so far (of the given relationships, if any)."""
    for line in lines:
        row = line.row
        if row is not None and not line.errors and (not kinds or row.relationship in kinds):
            yield line, row


DEPENDANTS = (Relationship.SPOUSE, Relationship.CHILD)


async def import_enrollees(
    db: AsyncSession, actor: Actor, body: bytes, mode: ImportMode
) -> ImportResult:
    lines = parse(body)
    await _Checks.run(db, lines)
    errors = sorted((e for line in lines for e in line.errors), key=lambda e: e.row)
    if errors and mode is ImportMode.ALL_OR_NOTHING:
        raise ProblemError(
            f"{len({e.row for e in errors})} rows have errors; nothing was imported.",
            status=422,
            type="import-rejected",
            title="Import rejected",
            errors=[e.model_dump() for e in errors],
            created=0,
        )
    accepted = [line for line, _row in valid(lines)]
    await _number(db, accepted)
    await _insert(db, actor, accepted)
    await audit.record(
        db,
        actor,
        "enrollee.imported",
        "enrollee",
        details={
            "mode": mode.value,
            "rows": len(lines),
            "created": len(accepted),
            "rows_with_errors": len({e.row for e in errors}),
            "per_client": _per_client(accepted),
        },
    )
    return ImportResult(created=len(accepted), errors=errors)


def parse(body: bytes) -> list[Line]:
    """The data rows, each validated on its own; a bad file as a whole is a 422 problem."""
    try:
        reader = csv.reader(io.StringIO(body.decode("utf-8-sig")))
        columns = _header(next(reader, None))
        lines = [
            _line(number, columns, record)
            for number, record in enumerate(reader, start=1)
            if any(cell.strip() for cell in record) and _within_limit(number)
        ]
    except UnicodeDecodeError as exc:
        raise _bad_file("The file is not UTF-8 text.") from exc
    except csv.Error as exc:
        raise _bad_file(f"The CSV is malformed near line {reader.line_num}: {exc}.") from exc
    if not lines:
        raise _bad_file("The file has no data rows.", type="import-empty")
    return lines


def _within_limit(number: int) -> bool:
    if number > MAX_ROWS:
        raise ProblemError(
            f"The file has more than {MAX_ROWS} rows; split it.",
            status=413,
            type="import-too-large",
            title="Too many rows",
        )
    return True


def _bad_file(
    detail: str, *, type: str = "import-malformed", errors: list[dict[str, str]] | None = None
) -> ProblemError:
    return ProblemError(detail, status=422, type=type, title="Unusable file", errors=errors)


def _header(record: list[str] | None) -> list[str]:
    if record is None:
        raise _bad_file("The file is empty; the first row names the columns.", type="import-empty")
    names = [cell.strip().lower() for cell in record]
    errors = [
        {"field": name, "message": f"Unknown column '{name}'."}
        for name in names
        if name not in COLUMNS
    ]
    errors += [
        {"field": name, "message": "The column appears more than once."}
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    errors += [
        {"field": name, "message": "Required column missing."}
        for name in REQUIRED_COLUMNS
        if name not in names
    ]
    if errors:
        raise _bad_file("The header row is not valid.", type="import-header", errors=errors)
    return names


def _line(number: int, columns: list[str], record: list[str]) -> Line:
    values: dict[str, str] = {}
    for name, cell in zip(columns, record, strict=False):
        if cell := cell.strip():
            values[name] = cell.upper() if name in UPPER_CASE else cell
    line = Line(number, values.get("ref"))
    if len(record) != len(columns):
        line.fail("row", f"{len(record)} fields where the header has {len(columns)}.")
    try:
        line.row = ImportRow.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            line.fail(str(error["loc"][0]) if error["loc"] else "row", error["msg"])
    return line


@dataclass(slots=True)
class _Checks:
    """The checks that need the whole file and the database; they fail lines in place."""

    lines: list[Line]
    clients: dict[str, Client]
    plans: dict[str, Plan]
    versions: dict[uuid.UUID, PlanVersion]
    existing: dict[str, Family | str]  # Member ID → its family, or why it is not one
    enrolled: set[PersonKey]
    refs: dict[str, Line] = field(default_factory=dict)
    seen: dict[PersonKey, int] = field(default_factory=dict)

    @classmethod
    async def run(cls, db: AsyncSession, lines: list[Line]) -> None:
        clients = {c.code: c for c in await db.scalars(select(Client))}
        plans = {p.code: p for p in await db.scalars(select(Plan))}
        versions = {p.id: await version_of(db, p.id, date.today()) for p in plans.values()}
        checks = cls(
            lines,
            clients,
            plans,
            versions,
            await _existing_families(db, lines, clients, plans, versions),
            await _enrolled(db, lines),
        )
        checks.check()

    def check(self) -> None:
        self._register_refs()
        for line, row in valid(self.lines, Relationship.PRINCIPAL):
            self._principal(line, row)
        for line, row in valid(self.lines, Relationship.PRINCIPAL):
            self._unique_person(line, row)
        for line, row in valid(self.lines, *DEPENDANTS):
            self._dependant(line, row)
        for line, row in valid(self.lines, *DEPENDANTS):
            self._unique_person(line, row)
        for line, row in valid(self.lines, *DEPENDANTS):
            self._slot(line, row)

    def _register_refs(self) -> None:
        for line in self.lines:
            if line.ref is None:
                continue
            first = self.refs.setdefault(line.ref, line)
            if first is not line:
                line.fail("ref", f"The ref '{line.ref}' is already used on row {first.number}.")

    def _principal(self, line: Line, row: ImportRow) -> None:
        if row.principal_ref or row.principal_member_id:
            column = "principal_ref" if row.principal_ref else "principal_member_id"
            line.fail(column, "A principal's row names no principal.")
        client = self._known(line, "client_code", row.client_code, self.clients, "client")
        plan = self._known(line, "plan_code", row.plan_code, self.plans, "plan")
        if plan is not None and not plan.is_active:
            line.fail("plan_code", f"The plan {plan.code} is not active.")
        if client is None or plan is None or line.errors:
            return
        line.coverage_start = row.coverage_start or default_coverage_start(client)
        if reason := check_coverage_start(client, line.coverage_start):
            line.fail("coverage_start", reason)
            return
        line.family = Family(
            line.id, client, plan, self.versions[plan.id], line.coverage_start, in_file=True
        )

    @staticmethod
    def _known(
        line: Line, column: str, code: str | None, known: dict[str, Known], noun: str
    ) -> Known | None:
        if code is None:
            line.fail(column, f"A principal's row needs the {noun} code.")
            return None
        found = known.get(code)
        if found is None:
            line.fail(column, f"No {noun} with the code {code}.")
        return found

    def _dependant(self, line: Line, row: ImportRow) -> None:
        family = self._family_of(line, row)
        if family is None:
            return
        for column, given, own in (
            ("client_code", row.client_code, family.client.code),
            ("plan_code", row.plan_code, family.plan.code),
        ):
            if given is not None and given != own:
                line.fail(column, f"The principal's is {own}; a dependant follows it.")
        default = (
            family.coverage_start
            if family.in_file
            else max(default_coverage_start(family.client), family.coverage_start)
        )
        line.coverage_start = row.coverage_start or default
        if line.coverage_start < family.coverage_start:
            line.fail(
                "coverage_start", f"Before the principal's coverage start, {family.coverage_start}."
            )
        line.family = family

    def _family_of(self, line: Line, row: ImportRow) -> Family | None:
        if row.principal_ref and row.principal_member_id:
            line.fail("principal_ref", "Give principal_ref or principal_member_id, not both.")
        elif row.principal_ref:
            return self._family_by_ref(line, row.principal_ref)
        elif row.principal_member_id:
            found = self.existing[row.principal_member_id]
            if isinstance(found, Family):
                return found
            line.fail("principal_member_id", found)
        else:
            line.fail("principal_ref", "A dependant names its principal's ref or Member ID.")
        return None

    def _family_by_ref(self, line: Line, ref: str) -> Family | None:
        target = self.refs.get(ref)
        if target is None:
            line.fail("principal_ref", f"No row has the ref '{ref}'.")
        elif target.row is not None and not target.is_principal:
            line.fail("principal_ref", f"Row {target.number} is not a principal.")
        elif target.family is None or target.errors:
            line.fail("principal_ref", f"The principal's row {target.number} has errors.")
        else:
            return target.family
        return None

    def _unique_person(self, line: Line, row: ImportRow) -> None:
        assert line.family is not None
        key = _person_key(line.family.client.id, row)
        first = self.seen.setdefault(key, line.number)
        if first != line.number:
            line.fail("first_name", f"The same person as row {first} (client, names, birth date).")
        elif key in self.enrolled:
            line.fail("first_name", "This person is already enrolled with this client.")

    @staticmethod
    def _slot(line: Line, row: ImportRow) -> None:
        family = line.family
        assert family is not None
        try:
            line.suffix, line.child_no = next_slot(family.members, family.version, row.relationship)
        except Conflict as exc:
            line.fail("relationship", str(exc))
            return
        family.members.append(Member(row.relationship, EnrolleeStatus.ACTIVE, line.child_no))


def _person_key(client_id: uuid.UUID, row: ImportRow) -> PersonKey:
    return client_id, row.first_name.lower(), row.last_name.lower(), row.date_of_birth


def _any(values: Sequence[Any], item_type: Any) -> Any:
    """`= ANY(:array)`: one parameter for any number of values."""
    return any_(bindparam(None, list(values), type_=ARRAY(item_type)))


async def _existing_families(
    db: AsyncSession,
    lines: list[Line],
    clients: dict[str, Client],
    plans: dict[str, Plan],
    versions: dict[uuid.UUID, PlanVersion],
) -> dict[str, Family | str]:
    """The enrolled principals the file names by Member ID, locked for this import (as
    adding a single dependant locks them), with their dependants."""
    wanted = sorted(
        {row.principal_member_id for _l, row in valid(lines) if row.principal_member_id}
    )
    found: dict[str, Family | str] = dict.fromkeys(wanted, "No enrollee has this Member ID.")
    if not wanted:
        return found
    enrolled = await db.scalars(
        select(Enrollee)
        .where(Enrollee.member_id == _any(wanted, String))
        .order_by(Enrollee.id)
        .with_for_update()
    )
    by_id = {c.id: c for c in clients.values()}
    plans_by_id = {p.id: p for p in plans.values()}
    families: dict[uuid.UUID, Family] = {}
    for e in enrolled:
        if e.relationship is not Relationship.PRINCIPAL:
            found[e.member_id] = f"{e.member_id} is a dependant, not a principal."
        elif e.status is EnrolleeStatus.TERMINATED:
            found[e.member_id] = f"The principal {e.member_id} is terminated."
        else:
            plan = plans_by_id[e.plan_id]
            family = Family(
                e.id,
                by_id[e.client_id],
                plan,
                versions[plan.id],
                e.coverage_start,
                in_file=False,
                member_no=e.member_no,
            )
            found[e.member_id] = families[e.id] = family
    members = await db.execute(
        select(
            Enrollee.principal_id, Enrollee.relationship, Enrollee.status, Enrollee.child_no
        ).where(Enrollee.principal_id == _any(list(families), Enrollee.id.type))
    )
    for principal_id, relationship, status, child_no in members:
        assert principal_id is not None
        families[principal_id].members.append(Member(relationship, status, child_no))
    return found


ENROLLED_PEOPLE = text(
    """
    select e.client_id, lower(e.first_name), lower(e.last_name), e.date_of_birth
    from enrollees e
    join unnest(cast(:first_names as text[]), cast(:last_names as text[]),
                cast(:births as date[])) as k(first_name, last_name, date_of_birth)
      on lower(e.first_name) = k.first_name and lower(e.last_name) = k.last_name
     and e.date_of_birth = k.date_of_birth
    where e.status <> 'TERMINATED'
    """
)


async def _enrolled(db: AsyncSession, lines: list[Line]) -> set[PersonKey]:
    """Current enrollees with the names and birth date of someone in the file."""
    people = {
        (r.first_name.lower(), r.last_name.lower(), r.date_of_birth) for _l, r in valid(lines)
    }
    first_names, last_names, births = zip(*people, strict=True) if people else ((), (), ())
    rows = await db.execute(
        ENROLLED_PEOPLE,
        {"first_names": list(first_names), "last_names": list(last_names), "births": list(births)},
    )
    return {(r[0], r[1], r[2], r[3]) for r in rows}


async def _number(db: AsyncSession, accepted: list[Line]) -> None:
    """Member numbers for the new principals, in file order, one reservation per client;
    clients are locked in id order so concurrent imports cannot deadlock."""
    new: dict[uuid.UUID, list[Family]] = defaultdict(list)
    for line in accepted:
        if line.is_principal and line.family is not None:
            new[line.family.client.id].append(line.family)
    for client_id in sorted(new):
        first = await reserve_member_numbers(db, client_id, len(new[client_id]))
        for offset, family in enumerate(new[client_id]):
            family.member_no = first + offset


ENROLLEE_COLUMNS = (
    "id",
    "member_id",
    "client_id",
    "plan_id",
    "principal_id",
    "relationship",
    "member_no",
    "child_no",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "email",
    "phone",
    "coverage_start",
)


async def _insert(db: AsyncSession, actor: Actor, accepted: list[Line]) -> None:
    tenant_id = actor.require_tenant()
    code = await tenant_code(db, tenant_id)
    common = {"tenant_id": tenant_id, "created_at": utcnow(), "status": EnrolleeStatus.ACTIVE.value}
    principals_first = sorted(accepted, key=lambda line: not line.is_principal)
    await _insert_rows(
        db,
        Enrollee,
        ENROLLEE_COLUMNS,
        [_enrollee(line, code) for line in principals_first],
        {**common, "version": 1},
    )
    await _insert_rows(
        db,
        EnrolleeStatusChange,
        ("id", "enrollee_id", "effective_date"),
        [(uuid7(), line.id, line.coverage_start) for line in principals_first],
        {**common, "reason": "imported", "actor_id": actor.id},
    )


async def _insert_rows(
    db: AsyncSession,
    model: type[Base],
    columns: Sequence[str],
    records: list[tuple[Any, ...]],
    same: dict[str, Any],
) -> None:
    """`INSERT … SELECT FROM unnest(arrays)`: many rows per statement, one array parameter
    per column and one plain parameter per value `same` for every row (COPY is refused
    under Row-Level Security)."""

    dialect = db.get_bind().dialect

    def typed(name: str, suffix: str = "") -> str:
        return f"cast(:{name} as {model.__table__.c[name].type.compile(dialect)}{suffix})"

    statement = text(
        f"insert into {model.__tablename__} ({', '.join([*same, *columns])}) "  # noqa: S608 -- model's names
        f"select {', '.join(typed(name) for name in same)}, batch.* "
        f"from unnest({', '.join(typed(name, '[]') for name in columns)}) as batch"
    )
    for start in range(0, len(records), BATCH_ROWS):
        arrays = zip(*records[start : start + BATCH_ROWS], strict=True)
        await db.execute(statement, {**same, **dict(zip(columns, map(list, arrays), strict=True))})


def _enrollee(line: Line, code: str) -> tuple[Any, ...]:
    """The values of `ENROLLEE_COLUMNS` for an accepted line."""
    row, family = line.row, line.family
    assert row is not None
    assert family is not None
    return (
        line.id,
        member_id(code, family.client.code, family.member_no, line.suffix),
        family.client.id,
        family.plan.id,
        None if line.is_principal else family.id,
        row.relationship.value,
        family.member_no,
        line.child_no,
        row.first_name,
        row.last_name,
        row.date_of_birth,
        row.sex.value,
        row.email.lower() if row.email else None,
        row.phone,
        line.coverage_start,
    )


def _per_client(accepted: list[Line]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for line in accepted:
        assert line.family is not None
        counts[line.family.client.code] += 1
    return dict(sorted(counts.items()))
