"""Who is calling: the resolved actor every service function receives."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from core_api.models import ApiKeyScope, UserKind


class ActorKind(enum.StrEnum):
    PLATFORM = "platform"
    USER = "user"
    INTEGRATION = "integration"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    label: str
    permissions: frozenset[str]
    tenant_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    user_kind: UserKind | None = None
    session_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None
    enrollee_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    key_scope: ApiKeyScope | None = None
    request_id: str | None = None
    ip: str | None = None

    @property
    def id(self) -> uuid.UUID | None:
        return self.user_id or self.api_key_id

    @property
    def speaks_for_provider(self) -> bool:
        """A provider organisation's user or integration key (not an HMO's)."""
        return (
            self.user_kind is UserKind.PROVIDER
            or self.key_scope is ApiKeyScope.PROVIDER_INTEGRATION
        )

    def require_tenant(self) -> uuid.UUID:
        if self.tenant_id is None:
            raise RuntimeError("actor has no tenant")
        return self.tenant_id
