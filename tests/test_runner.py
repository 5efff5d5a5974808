"""`make run` (python -m scripts.run) as a user runs it: a core that dies is started again,
event streams through the BFF resume with nothing lost, and Ctrl-C stops everything."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scripts.run import free_port as free_port_number
from scripts.run import port_free
from tests.bff.test_events import notify
from tests.factories import PASSWORD, make_tenant
from tests.sse import EventReader

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 90.0


class Runner:
    """The runner as a child process; its output collected line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scripts.run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def wait_for(self, pattern: str, within: float, after: int = 0) -> re.Match[str]:
        """The first line from `after` on that matches `pattern`."""
        deadline = time.monotonic() + within
        while True:
            for line in self.lines[after:]:
                if found := re.search(pattern, line):
                    return found
            if self.process.poll() is not None and not self._reader.is_alive():
                pytest.fail(f"the runner exited:\n{self.output}")
            if time.monotonic() > deadline:
                pytest.fail(f"no line matching {pattern!r} in:\n{self.output}")
            await asyncio.sleep(0.1)

    def stop(self) -> None:
        """Ctrl-C, as a user would; failing that, the runner and each child it started
        (they run in sessions of their own, out of reach of the runner's group)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                for pid in re.findall(r": started \(pid (\d+)\)", self.output):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
        self.process.wait(10)
        self._reader.join(10)
        if self.process.stdout is not None:
            self.process.stdout.close()


@pytest.fixture
def runner(database_url: str) -> Iterator[tuple[Runner, str, str]]:
    core_port, bff_port = free_port_number(), free_port_number()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VETRA_DEMO": "0",
        "VETRA_CORE_PORT": str(core_port),
        "VETRA_BFF_PORT": str(bff_port),
        "PYTHONUNBUFFERED": "1",
    }
    started = Runner(env)
    try:
        yield started, f"http://127.0.0.1:{core_port}", f"http://127.0.0.1:{bff_port}"
    finally:
        started.stop()


async def test_a_killed_core_is_restarted_and_streams_resume_then_ctrl_c_stops_all(
    runner: tuple[Runner, str, str],
) -> None:
    run, core_url, bff_url = runner
    await run.wait_for(r"Vetra is running", START_TIMEOUT)
    core_pid = int((await run.wait_for(r"core API: started \(pid (\d+)\)", 1)).group(1))

    async with (
        httpx.AsyncClient(base_url=core_url, timeout=10) as core,
        httpx.AsyncClient(base_url=bff_url, timeout=10) as browser,
    ):
        tenant = await make_tenant(core)
        login = await browser.post(
            "/api/auth/login",
            json={"tenant": tenant.slug, "email": tenant.admin_email, "password": PASSWORD},
        )
        assert login.status_code == 200, login.text
        user_id = login.json()["user"]["id"]

        seen: list[int] = []
        async with browser.stream("GET", "/api/events", headers={"last-event-id": "0"}) as stream:
            assert stream.status_code == 200
            reader = EventReader(stream)
            await notify(tenant, user_id, 2)
            seen += [int(event.id or 0) for event in await reader.take(2)]
            mark = len(run.lines)
            os.kill(core_pid, signal.SIGKILL)
            with pytest.raises(StopAsyncIteration):  # the relay ends with the core's stream
                await reader.take(1, 10)

        await notify(tenant, user_id, 2)  # while the core is down: kept for the replay
        await run.wait_for(r"core API exited unexpectedly with code -9; restarting it", 5, mark)
        found = await run.wait_for(r"core API: started \(pid (\d+)\)", 10, mark)
        assert int(found.group(1)) != core_pid
        async with asyncio.timeout(60):
            while True:
                try:
                    if (await core.get("/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)

        resume = {"last-event-id": str(seen[-1])}
        async with browser.stream("GET", "/api/events", headers=resume) as stream:
            assert stream.status_code == 200
            reader = EventReader(stream)
            seen += [int(event.id or 0) for event in await reader.take(2)]
            await notify(tenant, user_id, 1)
            seen += [int(event.id or 0) for event in await reader.take(1)]
        assert seen == [1, 2, 3, 4, 5]
        assert (await browser.get("/api/me")).status_code == 200

    run.process.send_signal(signal.SIGINT)  # Ctrl-C
    assert run.process.wait(30) == 0, run.output
    assert "stopped." in run.output
    assert "did not stop" not in run.output  # the restarted core heard SIGTERM too
    assert port_free(int(core_url.rsplit(":", 1)[1]))
    assert port_free(int(bff_url.rsplit(":", 1)[1]))


class _Exited:
    """A child process that has exited with `code`."""

    def __init__(self, code: int) -> None:
        self.code = code
        self.pid = 4242

    def poll(self) -> int:
        return self.code


def test_a_crash_loop_backs_off_and_a_stable_service_starts_over(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from scripts import run as runner_module

    starts: list[float] = []

    def spawn(name: str, app: str, port: int, env: dict[str, str]) -> runner_module.Service:
        starts.append(now)
        return runner_module.Service(name, port, _Exited(1))  # type: ignore[arg-type]

    monkeypatch.setattr(runner_module, "spawn", spawn)
    service = runner_module.Service("core API", 1, _Exited(3), started_at=0.0)  # type: ignore[arg-type]
    now = 0.0
    delays = []
    for _ in range(8):  # crashes at once, every time
        runner_module.supervise(service, now)
        assert service.restart_at is not None
        delays.append(service.restart_at - now)
        now = service.restart_at
        runner_module.supervise(service, now - 0.01)  # not yet
        assert len(starts) == len(delays) - 1
        runner_module.supervise(service, now)
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    logged = capsys.readouterr().out
    assert "core API exited unexpectedly with code 3; restarting it in 1s" in logged
    assert "core API exited unexpectedly with code 1; restarting it in 30s" in logged

    now += runner_module.STABLE_SECONDS  # up a good while, then a crash: the first pause again
    runner_module.supervise(service, now)
    assert service.restart_at == now + runner_module.FIRST_RESTART_DELAY
