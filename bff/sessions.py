"""The session cookie, route access marks, and logging in and out.

The cookie holds the core's opaque session token; the browser's scripts never see it
(httpOnly), other sites never send it on their requests (SameSite=Lax), and in
production it only travels over HTTPS (Secure).

Every route declares who may call it with exactly one mark:
- `public` — anyone (health, docs, login);
- `require_session` — a session cookie, plus the CSRF token on state-changing methods.
`tests/bff/test_route_access.py` walks every route and fails on one with no mark.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse, Response

from bff.config import Settings
from bff.csrf import CSRF_HEADER, check_csrf, csrf_token
from bff.proxy import SessionExpired, Upstream, as_called, client_ip, problem_type
from bff.throttle import LoginThrottle
from shared.problems import ProblemError, problem_response

ACCESS_MARK = "__vetra_access__"


class SessionMissing(ProblemError):
    status = 401
    type = "session-missing"
    title = "Unauthorized"


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def upstream_of(request: Request) -> Upstream:
    upstream: Upstream = request.app.state.upstream
    return upstream


def _mark(func: Callable[..., Any], mark: str) -> Callable[..., Any]:
    setattr(func, ACCESS_MARK, mark)
    return func


async def _public() -> None:
    return None


async def _require_session(request: Request) -> str:
    """The session token from the cookie; unsafe methods must also carry the CSRF token."""
    settings = settings_of(request)
    token = request.cookies.get(settings.bff_cookie_name)
    if not token:
        raise SessionMissing("Sign in first.")
    check_csrf(settings.bff_secret, token, request.method, request.headers.get(CSRF_HEADER))
    return token


public: Callable[[], Coroutine[Any, Any, None]] = _mark(_public, "public")
require_session: Callable[[Request], Coroutine[Any, Any, str]] = _mark(_require_session, "session")
SessionToken = Depends(require_session)


def set_session_cookie(
    response: Response, settings: Settings, token: str, expires_at: datetime | None
) -> None:
    response.set_cookie(
        settings.bff_cookie_name,
        token,
        expires=expires_at.astimezone(UTC) if expires_at else None,
        path="/",
        secure=settings.is_production,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        settings.bff_cookie_name,
        path="/",
        secure=settings.is_production,
        httponly=True,
        samesite="lax",
    )


async def on_session_expired(request: Request, exc: Exception) -> Response:
    """The core refused the session: tell the browser, and drop the dead cookie."""
    assert isinstance(exc, SessionExpired)
    response = problem_response(exc.status, exc.type, exc.title, exc.detail, request=request)
    clear_session_cookie(response, settings_of(request))
    return response


class LoginBody(BaseModel):
    tenant: str = Field(min_length=1, max_length=100)
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=256)


class LoginAnswer(BaseModel):
    user: dict[str, Any]
    csrf_token: str


class CsrfAnswer(BaseModel):
    csrf_token: str


router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login", response_model=LoginAnswer, dependencies=[Depends(public)])
async def login(body: LoginBody, request: Request) -> Response:
    """Signs in at the core and sets the session cookie; answers the user and CSRF token."""
    settings = settings_of(request)
    throttle: LoginThrottle = request.app.state.throttle
    attempt = throttle.attempt(body.tenant, body.email, client_ip(request))  # 429 when full
    try:
        answer = await upstream_of(request).call(
            request, "POST", "/v1/auth/sessions", json_body=body.model_dump_json().encode()
        )
    except BaseException:
        attempt.undecided()
        raise
    if answer.status_code != 201:
        if answer.status_code == 401 and problem_type(answer.content).endswith(
            "/invalid-credentials"
        ):
            attempt.failed()
        else:  # refused input, or a busy core (503 hasher-busy, with its Retry-After)
            attempt.undecided()
        return _passed_through(answer, request)
    attempt.succeeded()
    session = answer.json()
    response = JSONResponse(
        {"user": session["user"], "csrf_token": csrf_token(settings.bff_secret, session["token"])}
    )
    expires_at = datetime.fromisoformat(session["expires_at"])
    set_session_cookie(response, settings, session["token"], expires_at)
    return response


@router.post("/logout", status_code=204)
async def logout(request: Request, token: Annotated[str, SessionToken]) -> Response:
    """Revokes the session at the core (so a copied cookie is worthless) and clears it."""
    answer = await upstream_of(request).call(
        request, "DELETE", "/v1/auth/sessions/current", session_token=token
    )
    gone = answer.status_code == 401 and problem_type(answer.content).endswith("session-expired")
    if answer.status_code != 204 and not gone:
        return _passed_through(answer, request)
    response = Response(status_code=204)
    clear_session_cookie(response, settings_of(request))
    return response


@router.get("/csrf", response_model=CsrfAnswer)
async def csrf(request: Request, token: Annotated[str, SessionToken]) -> CsrfAnswer:
    """The CSRF token for the current session (e.g. after a page reload)."""
    return CsrfAnswer(csrf_token=csrf_token(settings_of(request).bff_secret, token))


def _passed_through(answer: httpx.Response, request: Request) -> Response:
    """The core's answer (typically a problem) as it came, a problem naming the path the
    client called."""
    retry_after = answer.headers.get("retry-after")
    return Response(
        as_called(answer.content, answer.headers, request.url.path),
        status_code=answer.status_code,
        media_type=answer.headers.get("content-type"),
        headers={"retry-after": retry_after} if retry_after else None,
    )
