"""The demo HMO's generated members: families of corporate clients' staff, as import rows.

The named demo roster (`core_api.seed.DEMO_ROSTER`) is the first forty; these are the
rest, drawn from the seed's random generator so every run makes the same people. Rows are
in the bulk importer's CSV format (`ROSTER_HEADER`), imported as an HR department sends
them: the workforce when a client's scheme begins, then new hires and newborns.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

ROSTER_HEADER = (
    "ref,principal_ref,principal_member_id,relationship,client_code,plan_code,"
    "first_name,last_name,date_of_birth,sex,email,coverage_start"
)

MALE_NAMES = (
    "Abubakar", "Adebayo", "Aliyu", "Babajide", "Chidi", "Chinedu", "Chukwudi", "Dayo",
    "Ebuka", "Efosa", "Emeka", "Femi", "Gbenga", "Ibrahim", "Ifeanyi", "Ikechukwu", "Jide",
    "Kayode", "Kelechi", "Kunle", "Lanre", "Mohammed", "Musa", "Nnamdi", "Nonso", "Obinna",
    "Olamide", "Osagie", "Rotimi", "Sadiq", "Segun", "Tobi", "Tochukwu", "Tunde", "Uche",
    "Usman", "Yakubu", "Yusuf",
)  # fmt: skip
FEMALE_NAMES = (
    "Adaeze", "Adanna", "Aisha", "Amina", "Bisola", "Blessing", "Chiamaka", "Chioma",
    "Damilola", "Ebele", "Esther", "Fatima", "Folake", "Funke", "Hadiza", "Halima", "Hauwa",
    "Ifeoma", "Ijeoma", "Jumoke", "Kemi", "Lola", "Maryam", "Ngozi", "Nkechi", "Nneka", "Oge",
    "Omolara", "Rukayat", "Sade", "Simisola", "Temitope", "Titilayo", "Toyin", "Uchenna",
    "Yetunde", "Zainab",
)  # fmt: skip
LAST_NAMES = (
    "Adebanjo", "Adewale", "Adeyemi", "Afolabi", "Ajayi", "Akande", "Aliyu", "Anyanwu",
    "Babatunde", "Balogun", "Bello", "Chukwu", "Danjuma", "Dike", "Ekwueme", "Eze", "Fashola",
    "Garba", "Ibekwe", "Ibrahim", "Idowu", "Igwe", "Iwu", "Lawal", "Mohammed", "Musa", "Nnaji",
    "Nwachukwu", "Nwankwo", "Obi", "Odunsi", "Ogbonna", "Ogunbiyi", "Okafor", "Okeke",
    "Okonkwo", "Okoro", "Oladipo", "Olaniyan", "Olatunji", "Onuoha", "Oyelaran", "Salami",
    "Sanusi", "Suleiman", "Umar", "Usman", "Yusuf",
)  # fmt: skip
# How many children a principal of 28 or more has, and how often (within every demo
# plan's limits: three children, four dependants).
CHILDREN = ((0, 1, 2, 3), (25, 28, 32, 15))


@dataclass(frozen=True, slots=True)
class Employer:
    """A corporate client and how its staff are spread over the plans."""

    code: str
    domain: str
    plans: tuple[tuple[str, int], ...]  # (plan code, weight)


@dataclass(frozen=True, slots=True)
class Person:
    """One import row."""

    relationship: str
    first_name: str
    last_name: str
    born: date
    sex: str
    coverage_start: date
    ref: str = ""
    principal_ref: str = ""
    principal_member_id: str = ""
    client_code: str = ""
    plan_code: str = ""
    email: str = ""

    def row(self) -> str:
        return ",".join(
            [
                self.ref,
                self.principal_ref,
                self.principal_member_id,
                self.relationship,
                self.client_code,
                self.plan_code,
                self.first_name,
                self.last_name,
                self.born.isoformat(),
                self.sex,
                self.email,
                self.coverage_start.isoformat(),
            ]
        )


def import_file(people: list[Person]) -> bytes:
    return "\n".join([ROSTER_HEADER, *(p.row() for p in people), ""]).encode()


class Roster:
    """Draws the generated people; each call draws the next ones."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._families = 0
        self._emails: set[str] = set()

    def families(self, employer: Employer, count: int, start: date) -> list[Person]:
        """`count` principals of `employer` with their spouses and children, covered from
        `start`."""
        return [person for _ in range(count) for person in self._family(employer, start)]

    def newborn(self, principal_member_id: str, last_name: str, born: date) -> Person:
        """A baby added to an enrolled principal's cover from birth."""
        sex = self.rng.choice("MF")
        return Person(
            "CHILD",
            self._first_name(sex),
            last_name,
            born,
            sex,
            born,
            principal_member_id=principal_member_id,
        )

    def _family(self, employer: Employer, start: date) -> Iterator[Person]:
        rng = self.rng
        self._families += 1
        ref = f"g{self._families}"
        sex = rng.choice("MF")
        first, last = self._first_name(sex), rng.choice(LAST_NAMES)
        age = rng.randint(24, 58)
        plan = rng.choices([p for p, _ in employer.plans], [w for _, w in employer.plans])[0]
        yield Person(
            "PRINCIPAL",
            first,
            last,
            _birthday(rng, start, age),
            sex,
            start,
            ref=ref,
            client_code=employer.code,
            plan_code=plan,
            email=self._email(first, last, employer.domain),
        )
        if age >= 27 and rng.random() < 0.6:
            spouse_sex = "F" if sex == "M" else "M"
            spouse_age = max(
                22, age + (rng.randint(0, 5) if spouse_sex == "M" else -rng.randint(0, 6))
            )
            yield Person(
                "SPOUSE",
                self._first_name(spouse_sex),
                last,
                _birthday(rng, start, spouse_age),
                spouse_sex,
                start,
                principal_ref=ref,
            )
        children = rng.choices(*CHILDREN)[0] if age >= 28 else 0
        for _ in range(children):
            child_sex = rng.choice("MF")
            child_age = rng.randint(0, min(age - 24, 17))
            yield Person(
                "CHILD",
                self._first_name(child_sex),
                last,
                _birthday(rng, start, child_age),
                child_sex,
                start,
                principal_ref=ref,
            )

    def _first_name(self, sex: str) -> str:
        return self.rng.choice(MALE_NAMES if sex == "M" else FEMALE_NAMES)

    def _email(self, first: str, last: str, domain: str) -> str:
        local, n = f"{first}.{last}".lower(), 1
        while f"{local}@{domain}" in self._emails:
            n += 1
            local = f"{first}.{last}{n}".lower()
        self._emails.add(f"{local}@{domain}")
        return f"{local}@{domain}"


def _birthday(rng: random.Random, on: date, age: int) -> date:
    """A birth date making someone `age` years old on `on` (a baby at least three weeks)."""
    born = on - timedelta(days=365 * age + rng.randint(15, 350))
    return min(born, on - timedelta(days=21))
