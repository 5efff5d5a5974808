"""Schemathesis settings for the fuzzing stage, in one place.

`VETRA_FUZZ_EXAMPLES` (default 12) is the number of generated cases per operation and
credential; `VETRA_FUZZ_SHRINK=1` asks Hypothesis to shrink a failure to a minimal
example (slower: each failing operation is then called many more times).
Generation is derandomized (the same cases on every run, so CI is repeatable) and no
example database is written (nothing lands in the repository).
"""

from __future__ import annotations

import os

import schemathesis

DEFAULT_EXAMPLES = 12


def examples() -> int:
    return int(os.environ.get("VETRA_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


def fuzz_config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            # Random cases only: the coverage phase enumerates every boundary of every
            # parameter (hundreds of calls per operation), beyond the suite's budget; the
            # examples phase cannot run with `@schema.given` (the real-id draw).
            "phases": {
                "examples": {"enabled": False},
                "coverage": {"enabled": False},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "generation": {
                # Valid and invalid input: both must be answered without a 5xx.
                "mode": "all",
                "max-examples": examples(),
                "deterministic": True,
                "database": "none",
                "no-shrink": os.environ.get("VETRA_FUZZ_SHRINK", "") != "1",
            },
            # The servers run in threads of this process on a small machine: generation
            # and calls share its CPU, so Hypothesis's timing health check means nothing.
            "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
            "request-timeout": 30,
        }
    )
