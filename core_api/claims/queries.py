"""The query thread of a claim and its attachments, both encrypted at rest. Attachments
serve pre-authorizations and payment proofs too."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from fastapi import Response, UploadFile
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.auth.actor import Actor
from core_api.claims.schemas import AttachmentRead
from core_api.config import get_settings
from core_api.errors import Forbidden, Invalid, NotFound
from core_api.kit.crypto import KeyRing
from core_api.kit.pagination import By, Keyset, PageParams
from core_api.models.authorization import Authorization
from core_api.models.claim import Attachment, Claim, ClaimQuery
from core_api.models.finance import PaymentProof
from shared.problems import ProblemError
from shared.uploads import UploadName

ALLOWED_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/tiff", "text/plain"}
)
HMO_SIDE, PROVIDER_SIDE = "HMO", "PROVIDER"
# Attachments belong to a claim, a pre-authorization or a payment proof
# (`Attachment.owner_type`); each is sealed with its owner's id.
Owner = Claim | Authorization | PaymentProof


def owner_type(owner: Owner) -> str:
    if isinstance(owner, Claim):
        return "claim"
    return "authorization" if isinstance(owner, Authorization) else "payment_proof"


# The upload route (shared/uploads.py) each owner's files arrive by, and so their limit.
UPLOAD_OF: dict[type[Owner], UploadName] = {
    Claim: "claim-attachment",
    Authorization: "authorization-attachment",
    PaymentProof: "payment-proof",
}


def upload_limit(upload: UploadName) -> int:
    return get_settings().upload_limit(upload)


def keyring() -> KeyRing:
    settings = get_settings()
    return KeyRing.parse(settings.encryption_keys, settings.encryption_key_id)


def side_of(actor: Actor, claim: Claim) -> str:
    return HMO_SIDE if actor.tenant_id == claim.tenant_id else PROVIDER_SIDE


@dataclass(frozen=True, slots=True)
class Message:
    id: uuid.UUID
    side: str
    author_id: uuid.UUID | None
    message: str
    created_at: datetime


async def ask(db: AsyncSession, actor: Actor, claim: Claim, message: str) -> Message:
    """The HMO asks (claims:query) or the provider answers; the status moves separately."""
    side = side_of(actor, claim)
    if side == HMO_SIDE and "claims:query" not in actor.permissions:
        raise Forbidden("Asking a provider needs the 'claims:query' permission.")
    query = ClaimQuery(
        tenant_id=claim.tenant_id,
        claim_id=claim.id,
        author_id=actor.id,
        author_side=side,
        message_enc=keyring().seal(message.encode(), context=claim.id.bytes),
    )
    db.add(query)
    await db.flush()
    return _message(query, claim)


THREAD = Keyset(By(ClaimQuery.created_at, datetime), By(ClaimQuery.id, uuid.UUID))
ATTACHMENTS = Keyset(By(Attachment.created_at, datetime), By(Attachment.id, uuid.UUID))


async def thread(
    db: AsyncSession, claim: Claim, page: PageParams
) -> tuple[list[Message], str | None]:
    """The claim's query thread, oldest first, a page at a time."""
    query = select(ClaimQuery).where(ClaimQuery.claim_id == claim.id)
    rows = (await db.scalars(THREAD.apply(query, page))).all()
    found, cursor = THREAD.page(rows, page.limit)
    return [_message(q, claim) for q in found], cursor


def _message(query: ClaimQuery, claim: Claim) -> Message:
    text = keyring().open(query.message_enc, context=claim.id.bytes).decode()
    return Message(query.id, query.author_side, query.author_id, text, query.created_at)


class TooLarge(ProblemError):
    status = 413
    type = "attachment-too-large"
    title = "Attachment too large"


async def attach(
    db: AsyncSession, actor: Actor, owner: Owner, filename: str, content_type: str, data: bytes
) -> Attachment:
    """Stores a file of a claim, a pre-authorization or a payment proof, sealed with its
    owner's id, within its upload route's limit."""
    limit = upload_limit(UPLOAD_OF[type(owner)])
    if len(data) > limit:
        raise TooLarge(f"Attachments are limited to {limit} bytes.")
    if content_type not in ALLOWED_TYPES:
        raise Invalid("file", f"Allowed types: {', '.join(sorted(ALLOWED_TYPES))}.")
    if not data:
        raise Invalid("file", "The file is empty.")
    ring = keyring()
    attachment = Attachment(
        tenant_id=owner.tenant_id,
        owner_type=owner_type(owner),
        owner_id=owner.id,
        filename_enc=ring.seal(filename.encode(), context=owner.id.bytes),
        content_type=content_type,
        size=len(data),
        key_id=ring.current,
        content_enc=ring.seal(data, context=owner.id.bytes),
        uploaded_by=actor.id,
    )
    db.add(attachment)
    await db.flush()
    return attachment


def _attachments_of(owner: Owner) -> Select[Attachment]:
    return select(Attachment).where(
        Attachment.owner_type == owner_type(owner), Attachment.owner_id == owner.id
    )


async def attachments(
    db: AsyncSession, owner: Owner, page: PageParams
) -> tuple[list[Attachment], str | None]:
    """A claim's or a pre-authorization's files, oldest first, a page at a time."""
    rows = (await db.scalars(ATTACHMENTS.apply(_attachments_of(owner), page))).all()
    return ATTACHMENTS.page(rows, page.limit)


def filename(attachment: Attachment, owner: Owner) -> str:
    return keyring().open(attachment.filename_enc, context=owner.id.bytes).decode()


def content(attachment: Attachment, owner: Owner) -> bytes:
    return keyring().open(attachment.content_enc, context=owner.id.bytes)


async def read_upload(file: UploadFile, upload: UploadName) -> bytes:
    """The upload's bytes, reading one past the route's limit so `attach` can refuse it."""
    return await file.read(upload_limit(upload) + 1)


def attachment_read(attachment: Attachment, owner: Owner) -> AttachmentRead:
    return AttachmentRead(
        id=attachment.id,
        filename=filename(attachment, owner),
        content_type=attachment.content_type,
        size=attachment.size,
        key_id=attachment.key_id,
        created_at=attachment.created_at,
    )


async def download(db: AsyncSession, owner: Owner, attachment_id: uuid.UUID) -> Response:
    found = await db.scalar(_attachments_of(owner).where(Attachment.id == attachment_id))
    if found is None:
        raise NotFound("No such attachment.")
    return Response(
        content(found, owner),
        media_type=found.content_type,
        headers={"content-disposition": content_disposition(filename(found, owner))},
    )


def content_disposition(name: str) -> str:
    """`attachment` with the original name: an ASCII fallback (quotes and controls
    replaced) plus the exact UTF-8 name (RFC 6266), so any uploaded name is a safe header."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
