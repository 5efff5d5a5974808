"""`make run`: the whole stack on this machine, stopped cleanly by Ctrl-C.

python -m scripts.run            # database, migrations, demo tenant, core API and BFF
python -m scripts.run stop-db    # stops every embedded PostgreSQL under .data/

With DATABASE_URL unset an embedded PostgreSQL is started under `.data/pg` (its data is
kept between runs). The core and the BFF run as uvicorn child processes. Once both are
up, a child that exits on its own is started again (a log line names it and its exit
code) after a pause that doubles from 1 s to 30 s while it keeps failing and starts over
once it has stayed up a minute; the other keeps running, and browsers' event streams
reconnect and resume. On SIGINT or SIGTERM the children are terminated and waited for,
then the embedded server is stopped with `pg_ctl stop` if this run started it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from scripts.db import migrate
from shared.embedded_pg import (
    DEFAULT_DATA_DIR,
    database_url_from_env,
    embedded_url,
    is_running,
    start_embedded,
    stop_all,
)
from shared.settings import DEV_BFF_API_KEY, DEV_PLATFORM_API_KEY

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CORE_APP = "core_api.main:app"
BFF_APP = "bff.main:app"
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
FIRST_RESTART_DELAY = 1.0
LONGEST_RESTART_DELAY = 30.0
STABLE_SECONDS = 60.0  # up this long, a service's next crash restarts it after the first delay
WATCH_INTERVAL = 0.2


class Shutdown(Exception):
    """Raised from the SIGINT/SIGTERM handler so every `finally` runs."""


class StartupError(Exception):
    pass


def _raise_shutdown(signum: int, _frame: FrameType | None) -> None:
    raise Shutdown(signal.Signals(signum).name)


def handle_signals() -> None:
    """SIGINT and SIGTERM unwind the stack, so every `finally` below runs."""
    signal.signal(signal.SIGINT, _raise_shutdown)
    signal.signal(signal.SIGTERM, _raise_shutdown)


def ignore_signals() -> None:
    """While cleaning up, a second Ctrl-C must not cut the cleanup short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


# --- the embedded database -------------------------------------------------------------


@dataclass
class Database:
    url: str
    server: Any = None  # the embedded server's handle, when this process started it

    def stop(self) -> None:
        if self.server is not None:
            print("stopping the embedded PostgreSQL…", flush=True)
            self.server.stop()
            self.server = None


def open_database(pgdata: Path) -> Database:
    """DATABASE_URL if set, else the embedded server in `pgdata` (started if need be)."""
    url = database_url_from_env()
    if url:
        return Database(url)
    already_running = is_running(pgdata)
    try:
        server = start_embedded(pgdata, stop_at_exit=False)
    except BaseException:
        if not already_running:  # interrupted while starting: stop what came up
            ignore_signals()
            stop_all(pgdata.parent, only=pgdata)
        raise
    if already_running:
        print(f"reusing the embedded PostgreSQL already running in {pgdata} (left running)")
        return Database(embedded_url(server))
    return Database(embedded_url(server), server)


# --- the services ------------------------------------------------------------------------


def port_free(port: int) -> bool:
    """Whether uvicorn could listen on `port` (SO_REUSEADDR, as uvicorn: TIME_WAIT is fine)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    app: str = ""
    env: dict[str, str] = field(default_factory=dict)
    started_at: float = field(default_factory=time.monotonic)
    restart_delay: float = FIRST_RESTART_DELAY
    restart_at: float | None = None  # when an exited service is started again

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def spawn(
    name: str,
    app: str,
    port: int,
    env: dict[str, str],
    *,
    quiet: bool = False,
    workers: int = 1,
) -> Service:
    """Starts `app` under uvicorn in its own process group (Ctrl-C reaches only us)."""
    cmd = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port)]
    cmd += ["--timeout-graceful-shutdown", "5"]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    if quiet:
        cmd += ["--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(  # noqa: S603
        cmd, cwd=ROOT, env=env, start_new_session=True, preexec_fn=_unblock_stop_signals
    )
    print(f"{name}: started (pid {process.pid}) on http://{HOST}:{port}", flush=True)
    return Service(name, port, process, app, env)


def _unblock_stop_signals() -> None:
    """In the child, before exec: a restart is spawned with SIGINT and SIGTERM blocked (see
    `supervise`), and a process inherits its parent's signal mask, so without this the new
    uvicorn would never hear SIGTERM and would stop only when killed."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def supervise(service: Service, now: float) -> None:
    """Starts `service` again if it has exited on its own, once its pause is over.

    The pause doubles at each crash up to LONGEST_RESTART_DELAY, so a service that can't
    start doesn't spin; one that stayed up STABLE_SECONDS starts over from the first."""
    if service.restart_at is None:
        code = service.process.poll()
        if code is None:
            return
        if now - service.started_at >= STABLE_SECONDS:
            service.restart_delay = FIRST_RESTART_DELAY
        service.restart_at = now + service.restart_delay
        print(
            f"{service.name} exited unexpectedly with code {code}; "
            f"restarting it in {service.restart_delay:g}s",
            flush=True,
        )
        service.restart_delay = min(service.restart_delay * 2, LONGEST_RESTART_DELAY)
    elif now >= service.restart_at:
        # Ctrl-C waits until the new process is known, so that it is stopped too.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            service.process = spawn(service.name, service.app, service.port, service.env).process
            service.started_at = now
            service.restart_at = None
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


def wait_ready(service: Service, timeout: float = READY_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        code = service.process.poll()
        if code is not None:
            raise StartupError(f"{service.name} exited with code {code} while starting")
        with suppress(httpx.HTTPError):
            if httpx.get(f"{service.url}/readyz", timeout=1.0).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise StartupError(f"{service.name} was not ready after {timeout:.0f}s")
        time.sleep(0.2)


def stop_services(services: list[Service]) -> None:
    """SIGTERM (uvicorn's graceful shutdown), a bounded wait, then SIGKILL."""
    for service in reversed(services):
        if service.process.poll() is None:
            service.process.terminate()
    for service in reversed(services):
        try:
            service.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(f"{service.name} did not stop in {STOP_TIMEOUT:.0f}s; killing it")
            service.process.kill()
            service.process.wait()


def bff_available() -> bool:
    return importlib.util.find_spec("bff.main") is not None


# --- make run ------------------------------------------------------------------------------


def _env_port(name: str, default: int) -> int:
    value = os.environ.get(name) or str(default)
    if not value.isdigit():
        raise StartupError(f"{name} must be a port number, got {value!r}")
    return int(value)


def _key(name: str, default: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    print(f"{name} is not set: using the development default {default}")
    return default


def _banner(core: Service, bff: Service | None, logins: str | None) -> None:
    lines = ["", "Vetra is running (Ctrl-C stops everything):"]
    if bff is not None:
        lines.append(f"  portals   {bff.url}/demo  (sign in with a demo login below)")
        lines.append(f"  BFF       {bff.url}/api   docs {bff.url}/docs")
    lines.append(f"  core API  {core.url}/v1    docs {core.url}/docs")
    if logins:
        lines += ["", "Demo logins (tenant 'demo'):", logins]
    print("\n".join(lines), flush=True)


def run() -> int:
    core_port = _env_port("VETRA_CORE_PORT", 8001)
    bff_port = _env_port("VETRA_BFF_PORT", 8000)
    with_bff = bff_available()
    wanted = [("VETRA_CORE_PORT", core_port)] + ([("VETRA_BFF_PORT", bff_port)] if with_bff else [])
    for name, port in wanted:
        if not port_free(port):
            raise StartupError(f"port {port} is in use: stop what holds it or set {name}")
    env = dict(os.environ)
    env["VETRA_PLATFORM_API_KEY"] = _key("VETRA_PLATFORM_API_KEY", DEV_PLATFORM_API_KEY)
    env["VETRA_BFF_API_KEY"] = _key("VETRA_BFF_API_KEY", DEV_BFF_API_KEY)
    # The links in e-mails name the portal this run serves, unless told otherwise.
    env.setdefault("VETRA_PORTAL_URL", f"http://{HOST}:{bff_port}")

    database: Database | None = None
    services: list[Service] = []
    pgdata = DEFAULT_DATA_DIR / "pg"
    try:
        database = open_database(pgdata)
        env["DATABASE_URL"] = database.url
        where = "DATABASE_URL" if database_url_from_env() else f"embedded, data in {pgdata}"
        print(f"database: {where}", flush=True)
        migrate(database.url)
        print("database: migrations applied", flush=True)
        logins = None
        if os.environ.get("VETRA_DEMO", "1") != "0":
            from core_api.seed import seed_demo

            result = asyncio.run(seed_demo(database.url))
            state = "seeded now" if result.created else "already there, not changed"
            print(f"demo tenant: {state} (VETRA_DEMO=0 skips it)", flush=True)
            logins = result.table()
        core = spawn("core API", CORE_APP, core_port, env)
        services.append(core)
        wait_ready(core)
        bff = None
        if with_bff:
            env["VETRA_CORE_URL"] = core.url
            bff = spawn("BFF", BFF_APP, bff_port, env)
            services.append(bff)
            wait_ready(bff)
        else:
            print("bff/main.py does not exist yet: running the core API only")
        _banner(core, bff, logins)
        while True:
            for service in services:
                supervise(service, time.monotonic())
            time.sleep(WATCH_INTERVAL)
    finally:
        ignore_signals()
        if services:
            print("\nstopping the services…", flush=True)
        stop_services(services)
        if database is not None:
            database.stop()


def main(argv: list[str]) -> int:
    os.chdir(ROOT)
    action = argv[1] if len(argv) > 1 else "run"
    if action not in ("run", "stop-db"):
        print(__doc__)
        return 2
    handle_signals()
    try:
        if action == "stop-db":
            ignore_signals()
            stop_all()
            return 0
        return run()
    except Shutdown:
        print("stopped.")
        return 0
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
