"""What the core's spec declares of its error answers (the machinery is shared/openapi.py)."""

from __future__ import annotations

from shared.openapi import Operation, shape_answers


def problem_answers(op: Operation) -> set[int]:
    """Besides what its shape allows: a route that checks credentials can refuse them (401)
    or the access they give (403), and reads the database, which may be unreachable (503);
    any write can conflict with a concurrent one, a duplicate or a state that moved on."""
    answers = shape_answers(op)
    if op.access - {"public"}:
        answers |= {401, 403, 503}
        if op.writes:
            answers.add(409)
    return answers
