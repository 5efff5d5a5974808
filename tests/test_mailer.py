"""Delivering the email outbox: log sink, real SMTP, retries, and several workers at once."""

from __future__ import annotations

import asyncio
import base64
import email
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage as MimeMessage
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core_api.config import Settings
from core_api.main import create_app
from core_api.notifications.mailer import (
    MAX_ATTEMPTS,
    LogTransport,
    SmtpTransport,
    deliver_due,
    transport_for,
)
from tests.db import superuser
from tests.factories import TenantCtx, make_client, make_tenant

SETTINGS = Settings(mail_from="Vetra <no-reply@vetra.test>")


def factory_of(core_app: Any) -> async_sessionmaker[AsyncSession]:
    return core_app.state.session_factory  # type: ignore[no-any-return]


async def queue(core: httpx.AsyncClient, tenant: TenantCtx, count: int) -> list[str]:
    """Queues `count` e-mails through the API (each issued client login mails the client)."""
    addresses = []
    for i in range(count):
        client = await make_client(core, tenant, f"C{i}")
        address = f"hr{i}@{tenant.slug}.example.com"
        response = await core.post(
            f"/v1/clients/{client['id']}/credentials", json={"email": address}, headers=tenant.admin
        )
        assert response.status_code == 201, response.text
        addresses.append(address)
    return addresses


async def rows(tenant: TenantCtx) -> dict[str, dict[str, Any]]:
    async with superuser() as conn:
        result = await conn.execute(
            text(
                "select to_address, sent_at, attempts, last_error, next_attempt_at"
                " from email_outbox where tenant_id = :t"
            ),
            {"t": tenant.id},
        )
        return {row.to_address: dict(row._mapping) for row in result}


@dataclass
class Recorder:
    """A transport that remembers what it sent, slowly enough for workers to overlap."""

    sent: list[str] = field(default_factory=list)
    refuse: str | None = None

    async def send(self, message: MimeMessage) -> None:
        await asyncio.sleep(0.005)
        if message["To"] == self.refuse:
            raise ConnectionRefusedError("mail server said no")
        self.sent.append(message["To"])


class TestDelivery:
    async def test_log_sink_logs_and_marks_sent(
        self, core: httpx.AsyncClient, core_app: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        tenant = await make_tenant(core)
        [address] = await queue(core, tenant, 1)
        caplog.set_level(logging.INFO, logger="vetra.mail")
        report = await deliver_due(factory_of(core_app), LogTransport(), SETTINGS)
        assert report.sent >= 2  # the client's login and the HMO's copy, at least
        logged = [r for r in caplog.records if getattr(r, "fields", {}).get("to") == address]
        assert len(logged) == 1
        assert "/set-password?" in logged[0].fields["body"]  # type: ignore[attr-defined]
        assert all(row["sent_at"] is not None for row in (await rows(tenant)).values())

    async def test_production_log_sink_leaves_bodies_out(self) -> None:
        sink = transport_for(Settings(env="test"))
        assert sink == LogTransport(include_body=True)
        quiet = Settings.model_construct(env="production", smtp_url=None)
        assert transport_for(quiet) == LogTransport(include_body=False)

    async def test_sent_messages_are_not_sent_again(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        tenant = await make_tenant(core)
        await queue(core, tenant, 2)
        first, second = Recorder(), Recorder()
        await deliver_due(factory_of(core_app), first, SETTINGS)
        await deliver_due(factory_of(core_app), second, SETTINGS)
        assert tenant.admin_email in first.sent
        assert second.sent == []

    async def test_two_concurrent_runs_send_each_message_once(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        tenant = await make_tenant(core)
        addresses = await queue(core, tenant, 6)
        settings = Settings(mail_batch_size=2)
        workers = [Recorder(), Recorder()]
        for _ in range(5):  # passes until the outbox is drained
            await asyncio.gather(*(deliver_due(factory_of(core_app), w, settings) for w in workers))
        sent = workers[0].sent + workers[1].sent
        for address in addresses:
            assert sent.count(address) == 1
        assert sent.count(tenant.admin_email) == 6
        assert all(w.sent for w in workers), "both workers should have taken a share"

    async def test_a_failure_is_recorded_retried_later_and_does_not_block(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        tenant = await make_tenant(core)
        bad, good = await queue(core, tenant, 2)
        failing = Recorder(refuse=bad)
        report = await deliver_due(factory_of(core_app), failing, SETTINGS)
        assert report.failed >= 1
        assert good in failing.sent
        state = (await rows(tenant))[bad]
        assert state["sent_at"] is None
        assert state["attempts"] == 1
        assert "mail server said no" in state["last_error"]
        assert state["next_attempt_at"] is not None

        not_yet = Recorder()
        await deliver_due(factory_of(core_app), not_yet, SETTINGS)
        assert bad not in not_yet.sent
        async with superuser() as conn:
            await conn.execute(
                text("update email_outbox set next_attempt_at = now() where to_address = :a"),
                {"a": bad},
            )
        retry = Recorder()
        await deliver_due(factory_of(core_app), retry, SETTINGS)
        assert retry.sent.count(bad) == 1
        assert (await rows(tenant))[bad]["attempts"] == 2

    async def test_gives_up_after_the_last_attempt(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        tenant = await make_tenant(core)
        [bad] = await queue(core, tenant, 1)
        async with superuser() as conn:
            await conn.execute(
                text("update email_outbox set attempts = :n where to_address = :a"),
                {"n": MAX_ATTEMPTS - 1, "a": bad},
            )
        await deliver_due(factory_of(core_app), Recorder(refuse=bad), SETTINGS)
        state = (await rows(tenant))[bad]
        assert (state["attempts"], state["next_attempt_at"]) == (MAX_ATTEMPTS, None)


# --- A real SMTP conversation ---------------------------------------------------------------


@dataclass
class FakeSmtp:
    """A minimal SMTP server: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""

    refuse: str | None = None
    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        sender, recipients = "", []
        await reply("220 fake ESMTP")
        while line := (await reader.readline()).decode().rstrip("\r\n"):
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                await reply("250-fake\r\n250 AUTH PLAIN")
            elif verb == "AUTH":
                self.logins.append(base64.b64decode(line.split()[2]).decode())
                await reply("235 ok")
            elif verb == "MAIL":
                sender, recipients = line.split(":", 1)[1].strip(), []
                await reply("250 ok")
            elif verb == "RCPT":
                recipient = line.split(":", 1)[1].strip().strip("<>")
                if recipient == self.refuse:
                    await reply("550 no such mailbox")
                else:
                    recipients.append(recipient)
                    await reply("250 ok")
            elif verb == "DATA":
                await reply("354 go on")
                data = await reader.readuntil(b"\r\n.\r\n")
                self.messages.append((sender, recipients, data))
                await reply("250 queued")
            elif verb == "QUIT":
                await reply("221 bye")
                break
            else:
                await reply("250 ok")
        writer.close()


@asynccontextmanager
async def fake_smtp(**options: Any) -> AsyncIterator[tuple[FakeSmtp, int]]:
    server = FakeSmtp(**options)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield server, port
    finally:
        listener.close()
        await listener.wait_closed()


class TestSmtp:
    def test_url_forms(self) -> None:
        plain = SmtpTransport.from_url("smtp://mailer:s%40cret@mail.example.com:2525")
        assert (plain.host, plain.port, plain.username, plain.password) == (
            "mail.example.com",
            2525,
            "mailer",
            "s@cret",
        )
        assert SmtpTransport.from_url("smtp+starttls://mail.example.com").starttls
        assert SmtpTransport.from_url("smtp://mail.example.com", starttls=True).port == 587
        assert SmtpTransport.from_url("smtps://mail.example.com").ssl
        with pytest.raises(ValueError, match="VETRA_SMTP_URL"):
            SmtpTransport.from_url("http://mail.example.com")

    async def test_delivers_over_smtp(self, core: httpx.AsyncClient, core_app: Any) -> None:
        tenant = await make_tenant(core)
        [address] = await queue(core, tenant, 1)
        async with fake_smtp() as (server, port):
            settings = Settings(
                smtp_url=f"smtp://mailer:secret@127.0.0.1:{port}", mail_from=SETTINGS.mail_from
            )
            await deliver_due(factory_of(core_app), transport_for(settings), settings)
        delivered = {tuple(rcpts): data for _, rcpts, data in server.messages}
        message = email.message_from_bytes(delivered[(address,)])
        assert message["From"] == "Vetra <no-reply@vetra.test>"
        assert "client portal login" in message["Subject"]
        assert "/set-password?" in message.get_payload(decode=True).decode()
        assert server.logins[0] == "\0mailer\0secret"
        assert (await rows(tenant))[address]["sent_at"] is not None

    async def test_a_refused_recipient_does_not_block_the_rest(
        self, core: httpx.AsyncClient, core_app: Any
    ) -> None:
        tenant = await make_tenant(core)
        bad, good = await queue(core, tenant, 2)
        async with fake_smtp(refuse=bad) as (server, port):
            settings = Settings(smtp_url=f"smtp://127.0.0.1:{port}")
            await deliver_due(factory_of(core_app), transport_for(settings), settings)
        assert [good] in [rcpts for _, rcpts, _ in server.messages]
        state = await rows(tenant)
        assert state[good]["sent_at"] is not None
        assert state[bad]["sent_at"] is None
        assert "SMTPRecipientsRefused" in state[bad]["last_error"]


class TestBackgroundLoop:
    async def test_the_core_lifespan_runs_the_mailer(self, core: httpx.AsyncClient) -> None:
        tenant = await make_tenant(core)
        [address] = await queue(core, tenant, 1)
        app = create_app(Settings(mail_interval_seconds=0.05))
        async with app.router.lifespan_context(app):
            for _ in range(100):
                if (await rows(tenant))[address]["sent_at"] is not None:
                    break
                await asyncio.sleep(0.05)
        assert (await rows(tenant))[address]["sent_at"] is not None
