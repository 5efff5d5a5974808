"""The web app's files: `web/dist` served at `/`.

Hashed files under `/assets/` are cached for a year (a new build has new names); every
other path that is not a file of the build is the SPA's `index.html`, never cached, so
its router decides and a reload of any screen works. The page's CSP allows scripts from
this origin only (no inline script); styles may be inline because Mantine sets `style`
attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, params
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

from shared.problems import ProblemError

# frame-src blob: lets a PDF the user picked be previewed before it is uploaded.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "manifest-src 'self'; worker-src 'self'; frame-src blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"
NEVER_CACHED = "no-cache"
# Paths the SPA never answers: an unknown API path or asset is a 404, not the page.
NOT_PAGES = ("api/", "assets/")


class WebAppNotBuilt(ProblemError):
    status = 503
    type = "web-app-not-built"
    title = "The web app is not built"


class NoSuchFile(ProblemError):
    status = 404
    type = "not-found"
    title = "Not found"


class _HashedAssets(StaticFiles):
    def file_response(self, *args: object, **kwargs: object) -> Response:
        response = super().file_response(*args, **kwargs)  # type: ignore[arg-type]
        response.headers["cache-control"] = IMMUTABLE
        return response


def install_web(app: FastAPI, dist: Path, dependencies: Sequence[params.Depends]) -> None:
    """Mounts the build at `/`; register it after every other route (it is the fallback)."""
    app.mount("/assets", _HashedAssets(directory=dist / "assets", check_dir=False), "assets")

    @app.api_route(
        "/{path:path}",
        methods=["GET", "HEAD"],
        include_in_schema=False,
        dependencies=list(dependencies),
    )
    def page(path: str) -> Response:  # sync: it stats files (FastAPI runs it in a thread)
        """A file at the build's top (manifest, icons) or else the SPA's index.html."""
        if path.startswith(NOT_PAGES):
            raise NoSuchFile(f"No such path: /{path}.")
        top_file = dist / path
        if path and "/" not in path and top_file.is_file():
            return FileResponse(top_file, headers={"cache-control": NEVER_CACHED})
        index = dist / "index.html"
        if not index.is_file():
            raise WebAppNotBuilt("Build it with `make run` (or `npm --prefix web run build`).")
        return FileResponse(
            index, headers={"cache-control": NEVER_CACHED, "content-security-policy": PAGE_CSP}
        )
