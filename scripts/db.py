"""Database helpers for the Makefile: start the embedded server, migrate, print the URL.

python -m scripts.db url        # prints DATABASE_URL (starting the embedded server)
python -m scripts.db migrate    # alembic upgrade head
"""

from __future__ import annotations

import sys

from alembic import command
from alembic.config import Config

from shared.embedded_pg import DEFAULT_DATA_DIR, database_url_from_env, embedded_url, start_embedded


def resolve_url(*, stop_at_exit: bool = True) -> str:
    url = database_url_from_env()
    if url:
        return url
    server = start_embedded(DEFAULT_DATA_DIR / "pg", stop_at_exit=stop_at_exit)
    return embedded_url(server)


def migrate(url: str) -> None:
    config = Config("alembic.ini")
    config.attributes["database_url"] = url
    command.upgrade(config, "head")


def main(argv: list[str]) -> None:
    action = argv[1] if len(argv) > 1 else "url"
    url = resolve_url(stop_at_exit=False)
    if action == "migrate":
        migrate(url)
    else:
        print(url)


if __name__ == "__main__":
    main(sys.argv)
