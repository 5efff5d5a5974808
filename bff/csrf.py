"""Stateless CSRF tokens: HMAC-SHA256 of the session token under the BFF secret.

The BFF keeps no state, so the token is derived rather than stored: any copy can check
it, it changes with every login, and it is useless without the matching cookie. The SPA
reads it from the login answer (or `GET /api/auth/csrf`) and sends it as `x-csrf-token`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from shared.problems import ProblemError

CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LABEL = b"vetra-csrf-v1\x00"


class CsrfRejected(ProblemError):
    status = 403
    type = "csrf-rejected"
    title = "CSRF check failed"


def csrf_token(secret: str, session_token: str) -> str:
    digest = hmac.new(secret.encode(), _LABEL + session_token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def check_csrf(secret: str, session_token: str, method: str, provided: str | None) -> None:
    """Raises 403 unless a state-changing request carries the token for its session."""
    if method.upper() in SAFE_METHODS:
        return
    if not provided:
        raise CsrfRejected(f"State-changing requests need the {CSRF_HEADER} header.")
    if not hmac.compare_digest(provided.encode(), csrf_token(secret, session_token).encode()):
        raise CsrfRejected(f"The {CSRF_HEADER} header does not match this session.")
