"""What the BFF's spec declares of its error answers (the machinery is shared/openapi.py)."""

from __future__ import annotations

from shared.openapi import Operation, shape_answers

LOGIN_PATH = "/api/auth/login"
# Answered by the BFF alone; every other route asks the core, which may be down (503),
# fail mid-answer (502) or be too slow (504).
WITHOUT_CORE = frozenset({"/healthz", "/api/auth/csrf"})
# The relay answers whatever the core answers to the path it is given (405: the path
# exists at the core, but not with that method).
RELAYED = frozenset({400, 401, 403, 404, 405, 409, 413, 415, 422})


def problem_answers(op: Operation) -> set[int]:
    answers = shape_answers(op)
    if "session" in op.access:
        answers.add(401)  # no session cookie, or one the core has ended
        if op.writes:
            answers.add(403)  # no or a wrong CSRF token
    if op.path not in WITHOUT_CORE:
        answers |= {502, 503, 504}
    if "relay" in op.tags:
        answers |= RELAYED
    if op.path == LOGIN_PATH:
        answers |= {401, 403, 429}  # wrong credentials, an account refused, throttled
    return answers
