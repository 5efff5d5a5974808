"""`/docs` without a CDN, for both services.

Swagger UI's files come from the pinned `swagger-ui-bundle` package, served under
`/docs/static/`, and the page has no inline script (Swagger UI is started by
`docs_static/vetra-docs.js`, which reads the spec's URL from a data attribute), so it
renders offline and under a Content-Security-Policy of `script-src 'self'`.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence

from fastapi import FastAPI, Request, params
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

DOCS_PATH = "/docs"
STATIC_PATH = "/docs/static"
# Swagger UI sets style attributes on its elements, hence 'unsafe-inline' for styles only.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{static}/swagger-ui.css">
<link rel="icon" type="image/png" href="{static}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="{static}/vetra-docs.js"></script>
</body>
</html>
"""


class _DocsFiles(StaticFiles):
    """Swagger UI's files and our starter; revalidated by ETag rather than never stored."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = "no-cache"
        return response


def install_docs(app: FastAPI, *, dependencies: Sequence[params.Depends] = ()) -> None:
    """Serves `/docs` and its files on `app`, which must be built with `docs_url=None`
    and `redoc_url=None` (FastAPI's own pages load Swagger UI and ReDoc from a CDN).
    `dependencies` give the page its access mark."""
    app.mount(
        STATIC_PATH,
        _DocsFiles(directory=str(swagger_ui_path), packages=[("shared", "docs_static")]),
        name="docs-static",
    )

    @app.api_route(
        DOCS_PATH, methods=["GET", "HEAD"], include_in_schema=False, dependencies=list(dependencies)
    )
    async def docs(request: Request) -> HTMLResponse:
        """Swagger UI over this service's OpenAPI spec."""
        root = request.scope.get("root_path", "")
        page = _PAGE.format(
            title=html.escape(f"{app.title} - Swagger UI"),
            static=html.escape(root + STATIC_PATH),
            openapi_url=html.escape(root + (app.openapi_url or "")),
        )
        return HTMLResponse(page, headers={"content-security-policy": DOCS_CSP})
