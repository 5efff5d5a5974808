"""Portal logins for clients and enrollees, and the one-time links that set their passwords.

A client's login is sent as a set-password link (one-time, stored hashed, expiring after
`VETRA_INVITE_VALID_HOURS`): the client gets the link, the HMO gets the login details
without the secret. Issuing again for the same login resets it: the password and every
session end, earlier links stop working, and a new link is sent.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core_api.access.service import normalise_email, revoke_sessions
from core_api.audit import service as audit
from core_api.auth.actor import Actor
from core_api.config import Settings
from core_api.db import set_auth_lookup, set_tenant
from core_api.errors import Conflict
from core_api.membership.clients import get_client
from core_api.membership.enrollees import get_enrollee
from core_api.models import EnrolleeStatus, PasswordToken, Tenant, User, UserKind
from core_api.models.base import utcnow
from core_api.notifications.service import notify_permission_holders, queue_email
from core_api.portal.schemas import AccountCreate, PasswordSetup
from core_api.security import hash_password, new_token, token_digest
from shared.problems import ProblemError


@dataclass(frozen=True, slots=True)
class IssuedLogin:
    user: User
    tenant: Tenant
    portal_url: str
    emailed_to: list[str]
    token: str | None = None  # the set-password secret: emailed, never answered over the API
    expires_at: datetime | None = None


async def issue_client_credentials(
    db: AsyncSession, actor: Actor, settings: Settings, client_id: uuid.UUID, email: str
) -> IssuedLogin:
    client = await get_client(db, client_id)
    user = await _portal_user(
        db, actor, normalise_email(email), UserKind.CLIENT, client_id=client.id
    )
    login = await _with_setup_link(db, actor, settings, user)
    queue_email(
        db,
        user.tenant_id,
        user.email,
        f"Your {login.tenant.name} client portal login",
        f"{login.tenant.name} has opened the client portal for {client.name}.\n\n"
        f"{_login_lines(login)}\n{_setup_paragraph(login, settings)}",
    )
    sent_to = [user.email]
    if login.tenant.contact_email:
        queue_email(
            db,
            user.tenant_id,
            login.tenant.contact_email,
            f"Client portal login sent to {client.name}",
            f"The client portal login for {client.name} was sent to {user.email}.\n\n"
            f"{_login_lines(login)}Issued by: {actor.label}\n\n"
            "The client chooses the password through the one-time link in their email.\n",
        )
        sent_to.append(login.tenant.contact_email)
    await notify_permission_holders(
        db,
        user.tenant_id,
        "clients:credentials",
        "client.credentials_issued",
        f"Client portal login sent to {client.name}",
        f"{actor.label} sent a portal login to {user.email}.",
        {"client_id": client.id, "user_id": user.id},
    )
    await audit.record(
        db,
        actor,
        "client.credentials_issued",
        "client",
        client.id,
        details={"user_id": str(user.id), "email": user.email},
    )
    return dataclasses.replace(login, emailed_to=sent_to)


async def create_enrollee_account(
    db: AsyncSession,
    actor: Actor,
    settings: Settings,
    enrollee_id: uuid.UUID,
    data: AccountCreate,
    *,
    password_hash: str | None = None,
) -> IssuedLogin:
    """With a password the account is ready; without one, a set-password link is emailed.
    `password_hash` is `data.password` already hashed (by a caller that did so holding no
    connection); otherwise it is hashed here."""
    enrollee = await get_enrollee(db, enrollee_id)
    if enrollee.status is EnrolleeStatus.TERMINATED:
        raise Conflict("The enrollee is terminated.", type="enrollee-terminated")
    email = normalise_email(str(data.email))
    if await db.scalar(
        select(User.email).where(User.enrollee_id == enrollee.id, User.email != email)
    ):
        raise Conflict("The enrollee already has a portal login.", type="account-exists")
    user = await _portal_user(db, actor, email, UserKind.ENROLLEE, enrollee_id=enrollee.id)
    user.first_name, user.last_name = enrollee.first_name, enrollee.last_name
    if data.password:
        set_password_hash(user, password_hash or await hash_password(data.password))
        login = IssuedLogin(user, await _tenant(db, user), settings.portal_url, [user.email])
        body = "An HMO staff member set your first password; change it after you log in.\n"
    else:
        login = await _with_setup_link(db, actor, settings, user)
        body = _setup_paragraph(login, settings)
    queue_email(
        db,
        user.tenant_id,
        user.email,
        f"Your {login.tenant.name} enrollee portal account",
        f"Hello {enrollee.first_name},\n\nYour card, coverage and claims are on the enrollee "
        f"portal.\n\n{_login_lines(login)}\n{body}",
    )
    await audit.record(
        db,
        actor,
        "enrollee.account_created",
        "enrollee",
        enrollee.id,
        details={"user_id": str(user.id), "email": user.email, "invited": not data.password},
    )
    return login


async def _portal_user(
    db: AsyncSession,
    actor: Actor,
    email: str,
    kind: UserKind,
    *,
    client_id: uuid.UUID | None = None,
    enrollee_id: uuid.UUID | None = None,
) -> User:
    """The login for this email, created, or reset when it already belongs to the same party."""
    user = await db.scalar(select(User).where(User.email == email).with_for_update())
    if user is None:
        user = User(
            tenant_id=actor.require_tenant(),
            email=email,
            kind=kind,
            client_id=client_id,
            enrollee_id=enrollee_id,
        )
        db.add(user)
        await db.flush()
        return user
    if (user.kind, user.client_id, user.enrollee_id) != (kind, client_id, enrollee_id):
        raise Conflict("This email already belongs to another login.", type="user-exists")
    user.password_hash = None
    user.is_active = True
    user.version += 1
    await revoke_sessions(db, user.id)
    return user


async def _tenant(db: AsyncSession, user: User) -> Tenant:
    tenant = await db.get(Tenant, user.tenant_id)
    assert tenant is not None
    return tenant


async def _with_setup_link(
    db: AsyncSession, actor: Actor, settings: Settings, user: User
) -> IssuedLogin:
    """A fresh one-time link; the user's earlier links stop working."""
    now = utcnow()
    await db.execute(
        update(PasswordToken)
        .where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    token = new_token()
    expires_at = now + timedelta(hours=settings.invite_valid_hours)
    db.add(
        PasswordToken(
            tenant_id=user.tenant_id,
            user_id=user.id,
            token_hash=token_digest(token),
            created_by=actor.user_id,
            expires_at=expires_at,
        )
    )
    await db.flush()
    tenant = await _tenant(db, user)
    return IssuedLogin(user, tenant, settings.portal_url, [user.email], token, expires_at)


def _login_lines(login: IssuedLogin) -> str:
    return (
        f"Portal: {login.portal_url}\nOrganisation: {login.tenant.slug}\n"
        f"Login: {login.user.email}\n"
    )


def _setup_paragraph(login: IssuedLogin, settings: Settings) -> str:
    link = f"{login.portal_url}/set-password?tenant={login.tenant.slug}&token={login.token}"
    return (
        f"Choose your password here (the link works once, for "
        f"{settings.invite_valid_hours} hours):\n{link}\n"
    )


async def set_password(user: User, password: str) -> None:
    set_password_hash(user, await hash_password(password))


def set_password_hash(user: User, password_hash: str) -> None:
    user.password_hash = password_hash
    user.password_changed_at = utcnow()


async def accept_password_setup(db: AsyncSession, actor: Actor, data: PasswordSetup) -> User:
    """Spends a set-password link: the password is set and any other session ends."""
    # Hashed first, before the request takes a connection (the BFF key needs none).
    password_hash = await hash_password(data.password)
    digest = token_digest(data.token)
    await set_auth_lookup(db, digest)
    token = await db.scalar(
        select(PasswordToken)
        .join(Tenant, Tenant.id == PasswordToken.tenant_id)
        .where(PasswordToken.token_hash == digest, Tenant.slug == data.tenant.lower())
        .with_for_update(of=PasswordToken)
    )
    await set_auth_lookup(db, "")
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        raise ProblemError(
            "The link is not valid or has expired.",
            status=400,
            type="password-link-invalid",
            title="Invalid link",
        )
    await set_tenant(db, token.tenant_id)
    token.used_at = utcnow()
    user = await db.get(User, token.user_id)
    assert user is not None
    set_password_hash(user, password_hash)
    await revoke_sessions(db, user.id)
    user_actor = dataclasses.replace(actor, label=user.email, user_id=user.id)
    await audit.record(
        db, user_actor, "auth.password_set", "user", user.id, tenant_id=user.tenant_id
    )
    return user
