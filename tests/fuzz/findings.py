"""Summarises the fuzzing stage's recorded failures as markdown, by kind.

    VETRA_FUZZ_FINDINGS=/tmp/fuzz.jsonl VETRA_FUZZ_SURVEY=1 pytest -m fuzz
    python -m tests.fuzz.findings /tmp/fuzz.jsonl > /tmp/fuzz_findings.md

Server errors come first, each with the shortest call that produced it; then answers
whose status code, content type, headers or body the spec does not declare.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

ORDER = [
    "Server error",
    "Undocumented status code",
    "Undocumented Content-Type",
    "Response violates schema",
    "Response header does not conform to the schema",
]


@dataclass
class Finding:
    kind: str
    operation: str
    detail: str
    who: set[str] = field(default_factory=set)
    count: int = 0
    example: dict[str, Any] | None = None

    def keep(self, line: dict[str, Any]) -> None:
        self.who.add(line["as"])
        self.count += 1
        if self.example is None or len(line["curl"]) < len(self.example["curl"]):
            self.example = line


def detail_of(kind: str, line: dict[str, Any], message: str) -> str:
    if kind == "Server error":
        return f"{line['status']}"
    if kind == "Undocumented status code":
        found = re.search(r"Documented: ([^\n]+)", message)
        return f"{line['status']} (documented: {found.group(1) if found else '?'})"
    if kind == "Undocumented Content-Type":
        return f"{line['status']} {line['content_type']}"
    first = message.strip().splitlines()[0] if message.strip() else ""
    return f"{line['status']}: {first[:160]}"


def collect(lines: list[dict[str, Any]]) -> dict[str, dict[tuple[str, str], Finding]]:
    found: dict[str, dict[tuple[str, str], Finding]] = defaultdict(dict)
    for line in lines:
        for failure in line["failures"]:
            kind = failure["title"]
            detail = detail_of(kind, line, failure["message"])
            key = (line["operation"], detail)
            finding = found[kind].setdefault(key, Finding(kind, line["operation"], detail))
            finding.keep(line)
    return found


# Kinds listed as "what was answered → which operations", one line each.
GROUPED = ("Undocumented status code", "Undocumented Content-Type")


def grouped(findings: Any) -> list[str]:
    by_answer: dict[str, set[str]] = defaultdict(set)
    for finding in findings:
        answer = finding.detail.split(" (documented")[0]
        by_answer[answer].add(finding.operation)
    return [
        f"- **{answer}** ({len(ops)} operations): " + ", ".join(f"`{op}`" for op in sorted(ops))
        for answer, ops in sorted(by_answer.items())
    ]


def render(found: dict[str, dict[tuple[str, str], Finding]]) -> str:
    out = ["# Fuzzing findings", ""]
    kinds = sorted(found, key=lambda k: (ORDER.index(k) if k in ORDER else len(ORDER), k))
    out.append("| kind | distinct (operation, detail) |")
    out.append("|---|---|")
    out.extend(f"| {kind} | {len(found[kind])} |" for kind in kinds)
    for kind in kinds:
        out += ["", f"## {kind}", ""]
        if kind in GROUPED:
            out += grouped(found[kind].values())
            continue
        for finding in sorted(found[kind].values(), key=lambda f: (f.detail, f.operation)):
            who = ", ".join(sorted(finding.who))
            seen = f"as {who}, {finding.count} times"
            out.append(f"- `{finding.operation}` — {finding.detail} — {seen}")
            example = finding.example
            if example:
                out.append(f"  - `{example['curl'][:600]}`")
                out.append(f"  - answer: `{example['body'][:300]}`")
    return "\n".join(out) + "\n"


def main(path: str) -> None:
    with open(path, encoding="utf-8") as source:
        lines = [json.loads(line) for line in source if line.strip()]
    sys.stdout.write(render(collect(lines)))


if __name__ == "__main__":
    main(sys.argv[1])
