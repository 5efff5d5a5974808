"""Delivering the email outbox: SMTP when `VETRA_SMTP_URL` is set, else a log sink.

Any number of core processes run the loop. Each claims due rows of one tenant with
`FOR UPDATE SKIP LOCKED` and keeps the lock until the rows are marked, so a message is
handed to the transport by one worker only. A failure is recorded on its row
(`attempts`, `last_error`) and retried later with a growing delay; the other messages
go on. Delivery is at least once: a crash between the SMTP answer and the commit sends
that message again on the next run.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import uuid
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage as MimeMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core_api.config import Settings
from core_api.db import tenant_transaction
from core_api.kit.jobs import periodic
from core_api.models import EmailMessage
from core_api.models.base import utcnow

log = logging.getLogger("vetra.mail")

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
SMTP_TIMEOUT_SECONDS = 30.0
SMTP_SCHEMES = {"smtp": (False, False), "smtp+starttls": (False, True), "smtps": (True, False)}


class Transport(Protocol):
    async def send(self, message: MimeMessage) -> None: ...


@dataclass(frozen=True, slots=True)
class LogTransport:
    """Development mail: one structured log line per message (the body too, outside
    production, so a local run can follow set-password links)."""

    include_body: bool = True

    async def send(self, message: MimeMessage) -> None:
        fields = {"to": message["To"], "subject": message["Subject"]}
        if self.include_body:
            fields["body"] = message.get_content()
        log.info("email (log sink)", extra={"fields": fields})


@dataclass(frozen=True, slots=True)
class SmtpTransport:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    ssl: bool = False
    starttls: bool = False

    @classmethod
    def from_url(cls, url: str, *, starttls: bool = False) -> SmtpTransport:
        """`smtp://user:pass@host:port`; `smtp+starttls://` upgrades, `smtps://` is TLS."""
        parts = urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
            raise ValueError("VETRA_SMTP_URL must look like smtp://user:pass@host:port")
        ssl, scheme_starttls = SMTP_SCHEMES[parts.scheme]
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if ssl else 587 if scheme_starttls or starttls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            ssl=ssl,
            starttls=scheme_starttls or starttls,
        )

    async def send(self, message: MimeMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: MimeMessage) -> None:
        smtp_class = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def transport_for(settings: Settings) -> Transport:
    if settings.smtp_url:
        return SmtpTransport.from_url(settings.smtp_url, starttls=settings.smtp_starttls)
    return LogTransport(include_body=not settings.is_production)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def mime_message(row: EmailMessage, sender: str) -> MimeMessage:
    message = MimeMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = f"<{row.id}@vetra>"
    message.set_content(row.body)
    return message


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (1 << min(attempts - 1, 10)), LONGEST_RETRY)


async def deliver_due(
    factory: async_sessionmaker[AsyncSession],
    transport: Transport,
    settings: Settings,
) -> DeliveryReport:
    """One pass: every tenant's due messages, a batch per tenant. Safe to run concurrently."""
    report = DeliveryReport()
    async with factory() as db, db.begin():
        tenants = list(
            (await db.scalars(text("select vetra_mail_due_tenants(:now)"), {"now": utcnow()})).all()
        )
    for tenant_id in tenants:
        async with tenant_transaction(factory, tenant_id) as db:
            await _deliver_batch(db, tenant_id, transport, settings, report)
    return report


async def _deliver_batch(
    db: AsyncSession,
    tenant_id: uuid.UUID,
    transport: Transport,
    settings: Settings,
    report: DeliveryReport,
) -> None:
    now = utcnow()
    rows = await db.scalars(
        select(EmailMessage)
        .where(
            EmailMessage.tenant_id == tenant_id,
            EmailMessage.sent_at.is_(None),
            EmailMessage.next_attempt_at <= now,
        )
        .order_by(EmailMessage.next_attempt_at, EmailMessage.id)
        .limit(settings.mail_batch_size)
        .with_for_update(skip_locked=True)
    )
    for row in rows.all():
        row.attempts += 1
        try:
            await transport.send(mime_message(row, settings.mail_from))
        except Exception as exc:  # whatever went wrong stays on this row only
            _record_failure(row, exc, now)
            report.failed += 1
        else:
            row.sent_at = utcnow()
            row.next_attempt_at = None
            row.last_error = None
            report.sent += 1


def _record_failure(row: EmailMessage, exc: Exception, now: datetime) -> None:
    row.last_error = f"{type(exc).__name__}: {exc}"[:500]
    give_up = row.attempts >= MAX_ATTEMPTS
    row.next_attempt_at = None if give_up else now + retry_delay(row.attempts)
    log.warning(
        "email not delivered",
        extra={
            "fields": {
                "email_id": str(row.id),
                "attempts": row.attempts,
                "error": row.last_error,
                "given_up": give_up,
            }
        },
    )


def mailer_running(
    factory: async_sessionmaker[AsyncSession], settings: Settings
) -> AbstractAsyncContextManager[None]:
    """Delivers what is due every `mail_interval_seconds` while the block runs (0: never).

    The transport is built at once, so a malformed `VETRA_SMTP_URL` stops the start."""
    transport = transport_for(settings)
    interval = settings.mail_interval_seconds
    return periodic(
        "mail delivery", lambda: deliver_due(factory, transport, settings), interval, log
    )
