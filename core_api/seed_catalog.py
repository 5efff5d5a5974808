"""What the demo HMO's members are treated for, and what providers bill for it.

Prices are Lagos and Abuja private-provider tariffs in naira (a range per service; a bill
draws a price in it, in whole ₦50 steps, and stores minor units). An `Episode` is one
reason to see a provider: its diagnosis, where it is seen, what is billed, who gets it and
in which months it peaks (malaria in the rains, chest infections in the harmattan).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core_api.claims.schemas import ItemCreate
from core_api.models import ProviderType, Relationship, Sex
from core_api.models.authorization import Urgency

KOBO = 100


@dataclass(frozen=True, slots=True)
class Service:
    code: str
    description: str
    category: str
    low: int  # naira
    high: int

    def line(self, rng: random.Random, markup: float, quantity: int = 1) -> ItemCreate:
        naira = round(rng.uniform(self.low, self.high) * markup / 50) * 50
        return ItemCreate(
            code=self.code,
            description=self.description,
            quantity=quantity,
            unit_price=naira * KOBO,
            category=self.category,
        )


CONSULT = Service("CONS-01", "GP consultation", "outpatient", 8_000, 15_000)
SPECIALIST = Service("CONS-02", "Specialist consultation", "outpatient", 20_000, 35_000)
ER = Service("ER-001", "Emergency room attendance", "outpatient", 25_000, 50_000)
MALARIA_TEST = Service("LAB-MP", "Malaria parasite test", "lab", 3_000, 5_000)
BLOOD_COUNT = Service("LAB-FBC", "Full blood count", "lab", 6_500, 9_000)
WIDAL = Service("LAB-WIDAL", "Widal test", "lab", 3_500, 5_000)
SUGAR = Service("LAB-FBS", "Fasting blood sugar", "lab", 2_500, 4_000)
HBA1C = Service("LAB-HBA1C", "HbA1c", "lab", 9_000, 13_000)
LIPIDS = Service("LAB-LIPID", "Lipid profile", "lab", 10_000, 14_000)
LIVER = Service("LAB-LFT", "Liver function test", "lab", 12_000, 16_000)
ECG = Service("LAB-ECG", "Electrocardiogram", "lab", 10_000, 15_000)
XRAY = Service("XRAY-01", "Plain X-ray", "lab", 12_000, 18_000)
SCAN = Service("USS-01", "Ultrasound scan", "lab", 15_000, 25_000)
MRI = Service("MRI-01", "MRI scan", "lab", 120_000, 220_000)
ACT = Service("DRUG-ACT", "Artemether-lumefantrine (course)", "drugs", 3_500, 6_000)
PARACETAMOL = Service("DRUG-PCM", "Paracetamol 500mg", "drugs", 500, 1_200)
AMOXICILLIN = Service("DRUG-AMOX", "Amoxicillin 500mg", "drugs", 2_000, 4_000)
CIPROFLOXACIN = Service("DRUG-CIPRO", "Ciprofloxacin 500mg", "drugs", 3_000, 5_000)
ORS = Service("DRUG-ORS", "Oral rehydration salts and zinc", "drugs", 800, 1_500)
METRONIDAZOLE = Service("DRUG-METRO", "Metronidazole 400mg", "drugs", 1_200, 2_500)
AMLODIPINE = Service("DRUG-AMLOD", "Amlodipine 10mg (30 tablets)", "drugs", 4_000, 7_000)
METFORMIN = Service("DRUG-METF", "Metformin 500mg (60 tablets)", "drugs", 3_000, 6_000)
IBUPROFEN = Service("DRUG-IBU", "Ibuprofen 400mg", "drugs", 1_000, 2_000)
IRON = Service("DRUG-IRON", "Ferrous sulphate and folic acid", "drugs", 1_500, 3_000)
CEFTRIAXONE = Service("DRUG-CEFTRI", "Ceftriaxone 1g injection", "drugs", 4_000, 7_000)
ARTESUNATE = Service("DRUG-ARTES", "Artesunate 120mg injection", "drugs", 6_000, 9_000)
WARD = Service("ADM-WARD", "Ward admission (per day)", "inpatient", 25_000, 45_000)
APPENDECTOMY = Service("SURG-APPX", "Appendectomy", "inpatient", 350_000, 600_000)
ANTENATAL = Service("ANC-01", "Antenatal visit", "maternity", 10_000, 18_000)
DELIVERY = Service("DEL-SVD", "Normal delivery", "maternity", 180_000, 300_000)
CAESAREAN = Service("DEL-CS", "Caesarean section", "maternity", 450_000, 700_000)
MATERNITY_WARD = Service("MAT-WARD", "Maternity ward (per day)", "maternity", 25_000, 40_000)
DENTAL = Service("DENT-01", "Scaling and polishing", "dental", 15_000, 25_000)
PHYSIO = Service("PHYSIO-10", "Physiotherapy (ten sessions)", "physiotherapy", 80_000, 120_000)


@dataclass(frozen=True, slots=True)
class Patient:
    """What an episode asks of the person treated."""

    age: int
    sex: Sex
    relationship: Relationship
    benefits: frozenset[str]  # the categories of their plan


Who = Callable[[Patient], bool]


def anyone(_: Patient) -> bool:
    return True


def child(patient: Patient) -> bool:
    return patient.age < 13


def over_forty(patient: Patient) -> bool:
    return patient.age >= 40


def expecting(patient: Patient) -> bool:
    """Women of 20 to 42 covered for maternity (a spouse or a principal)."""
    return (
        patient.sex is Sex.F
        and 20 <= patient.age <= 42
        and patient.relationship is not Relationship.CHILD
    )


@dataclass(frozen=True, slots=True)
class Authorized:
    """An episode the provider pre-authorizes: the PA's procedure and urgency."""

    procedure: Service
    urgency: Urgency


@dataclass(frozen=True, slots=True)
class Episode:
    name: str
    diagnosis: str
    where: ProviderType
    bills: tuple[tuple[Service, float], ...]  # each billed with this probability (the first: 1)
    weight: float
    who: Who = anyone
    peak_months: frozenset[int] = frozenset()  # twice as likely then
    stay: tuple[int, int] | None = None  # days admitted (min, max): an inpatient episode
    authorized: Authorized | None = None
    per_day: frozenset[str] = field(default_factory=frozenset)  # codes billed per day admitted

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(service.category for service, _ in self.bills)

    def suits(self, patient: Patient) -> bool:
        return self.categories <= patient.benefits and self.who(patient)

    def weight_in(self, month: int) -> float:
        return self.weight * (2 if month in self.peak_months else 1)

    def bill(self, rng: random.Random, markup: float, days: int) -> list[ItemCreate]:
        return [
            service.line(rng, markup, days if service.code in self.per_day else 1)
            for service, chance in self.bills
            if chance >= 1 or rng.random() < chance
        ]


RAINS = frozenset({6, 7, 8, 9, 10})
HARMATTAN = frozenset({12, 1, 2})
H, P, L = ProviderType.HOSPITAL, ProviderType.PHARMACY, ProviderType.LAB
URGENT, EMERGENCY, ROUTINE = Urgency.URGENT, Urgency.EMERGENCY, Urgency.ROUTINE

# Everyday care: filed as claims without a PA.
EPISODES = (
    Episode(
        "malaria",
        "B54",
        H,
        ((CONSULT, 1), (MALARIA_TEST, 1), (BLOOD_COUNT, 0.6), (ACT, 1), (PARACETAMOL, 0.8)),
        14,
        peak_months=RAINS,
    ),
    Episode(
        "chest infection",
        "J06.9",
        H,
        ((CONSULT, 1), (AMOXICILLIN, 0.9), (PARACETAMOL, 0.7), (BLOOD_COUNT, 0.2)),
        10,
        peak_months=HARMATTAN,
    ),
    Episode(
        "typhoid", "A01.0", H, ((CONSULT, 1), (WIDAL, 1), (CIPROFLOXACIN, 1), (PARACETAMOL, 0.5)), 5
    ),
    Episode(
        "gastroenteritis", "A09", H, ((CONSULT, 1), (ORS, 1), (METRONIDAZOLE, 0.7)), 5, who=child
    ),
    Episode(
        "hypertension review",
        "I10",
        H,
        ((SPECIALIST, 1), (LIPIDS, 0.4), (ECG, 0.3), (AMLODIPINE, 1)),
        6,
        who=over_forty,
    ),
    Episode(
        "diabetes review",
        "E11.9",
        H,
        ((SPECIALIST, 1), (HBA1C, 0.6), (SUGAR, 0.8), (METFORMIN, 1)),
        4,
        who=over_forty,
    ),
    Episode("back pain", "M54.5", H, ((SPECIALIST, 1), (XRAY, 0.5), (IBUPROFEN, 1)), 3),
    Episode(
        "antenatal care",
        "Z34.9",
        H,
        ((ANTENATAL, 1), (SCAN, 0.5), (IRON, 1)),
        2,
        who=expecting,
    ),
    Episode("dental check", "K02.9", H, ((DENTAL, 1),), 2),
    Episode(
        "repeat prescription", "I10", P, ((AMLODIPINE, 1), (IBUPROFEN, 0.3)), 5, who=over_forty
    ),
    Episode("diabetes prescription", "E11.9", P, ((METFORMIN, 1),), 3, who=over_forty),
    Episode("malaria treatment", "B54", P, ((ACT, 1), (PARACETAMOL, 1)), 5, peak_months=RAINS),
    Episode(
        "cough and cold", "J06.9", P, ((AMOXICILLIN, 1), (PARACETAMOL, 1)), 4, peak_months=HARMATTAN
    ),
    Episode(
        "health check",
        "Z00.0",
        L,
        ((BLOOD_COUNT, 1), (LIPIDS, 0.6), (SUGAR, 0.6), (LIVER, 0.3)),
        6,
    ),
    Episode("imaging", "R10.4", L, ((SCAN, 1), (XRAY, 0.3)), 4),
)

# Care that needs a PA first: admissions, surgery, deliveries, MRI, physiotherapy.
AUTHORIZED_EPISODES = (
    Episode(
        "severe malaria",
        "B50.9",
        H,
        ((WARD, 1), (ARTESUNATE, 1), (BLOOD_COUNT, 1), (MALARIA_TEST, 1)),
        3,
        peak_months=RAINS,
        stay=(2, 4),
        authorized=Authorized(WARD, URGENT),
        per_day=frozenset({"ADM-WARD", "DRUG-ARTES"}),
    ),
    Episode(
        "pneumonia",
        "J18.9",
        H,
        ((WARD, 1), (CEFTRIAXONE, 1), (XRAY, 1), (BLOOD_COUNT, 1)),
        2,
        peak_months=HARMATTAN,
        stay=(3, 5),
        authorized=Authorized(WARD, URGENT),
        per_day=frozenset({"ADM-WARD", "DRUG-CEFTRI"}),
    ),
    Episode(
        "appendicitis",
        "K35.8",
        H,
        ((APPENDECTOMY, 1), (WARD, 1), (CEFTRIAXONE, 1), (SCAN, 1)),
        1,
        stay=(2, 3),
        authorized=Authorized(APPENDECTOMY, EMERGENCY),
        per_day=frozenset({"ADM-WARD", "DRUG-CEFTRI"}),
    ),
    Episode(
        "road traffic injury",
        "S06.0",
        H,
        ((ER, 1), (WARD, 1), (XRAY, 1), (PARACETAMOL, 1)),
        1,
        stay=(1, 3),
        authorized=Authorized(ER, EMERGENCY),
        per_day=frozenset({"ADM-WARD"}),
    ),
    Episode(
        "delivery",
        "O80",
        H,
        ((DELIVERY, 1), (MATERNITY_WARD, 1)),
        1.2,
        who=expecting,
        stay=(1, 2),
        authorized=Authorized(DELIVERY, URGENT),
        per_day=frozenset({"MAT-WARD"}),
    ),
    Episode(
        "caesarean delivery",
        "O82",
        H,
        ((CAESAREAN, 1), (MATERNITY_WARD, 1), (CEFTRIAXONE, 1)),
        0.8,
        who=expecting,
        stay=(3, 4),
        authorized=Authorized(CAESAREAN, URGENT),
        per_day=frozenset({"MAT-WARD", "DRUG-CEFTRI"}),
    ),
    Episode(
        "lumbar disc",
        "M51.2",
        L,
        ((MRI, 1),),
        1.5,
        who=over_forty,
        authorized=Authorized(MRI, ROUTINE),
    ),
    Episode(
        "specialist referral",
        "M25.5",
        H,
        ((SPECIALIST, 1), (XRAY, 0.4)),
        5,
        authorized=Authorized(SPECIALIST, ROUTINE),
    ),
    Episode(
        "knee rehabilitation",
        "M17.1",
        H,
        ((PHYSIO, 1),),
        1,
        authorized=Authorized(PHYSIO, ROUTINE),
    ),
)

# How much more likely someone of an age is to need care in a month than the average.
AGE_PROPENSITY = ((5, 1.6), (18, 0.8), (40, 0.8), (60, 1.3), (200, 1.8))


def propensity(age: int) -> float:
    return next(factor for below, factor in AGE_PROPENSITY if age < below)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
