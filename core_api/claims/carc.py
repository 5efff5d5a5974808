"""Adjustment reason codes, modelled on the X12 Claim Adjustment Reason Codes (CARC).

Every line whose approved amount is below its billed amount carries one of these.
"""

from __future__ import annotations

from types import MappingProxyType

REASONS: MappingProxyType[str, str] = MappingProxyType(
    {
        "3": "Co-payment amount",
        "18": "Exact duplicate claim/service",
        "26": "Expenses incurred prior to coverage",
        "27": "Expenses incurred after coverage terminated",
        "45": "Charge exceeds fee schedule/maximum allowable",
        "96": "Non-covered charge(s)",
        "119": "Benefit maximum for this time period or occurrence has been reached",
        "151": "Information submitted does not support this many or this frequency of services",
        "197": "Precertification/authorization/notification absent",
        "204": "Service not covered under the patient's current benefit plan",
        "A1": "Claim/service denied",
    }
)

COPAY = "3"
DUPLICATE = "18"
BEFORE_COVERAGE = "26"
AFTER_COVERAGE = "27"
OVER_MAXIMUM = "45"
NOT_COVERED = "96"
BENEFIT_EXHAUSTED = "119"
FREQUENCY = "151"
NO_AUTHORIZATION = "197"
NOT_IN_PLAN = "204"
DENIED = "A1"
