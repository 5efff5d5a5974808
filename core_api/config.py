"""Core API settings (environment variables, validated at start)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field

from shared.settings import (
    DEV_BFF_API_KEY,
    DEV_ENCRYPTION_KEYS,
    DEV_PLATFORM_API_KEY,
    ServiceSettings,
)


class Settings(ServiceSettings):
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    platform_api_key: str = DEV_PLATFORM_API_KEY
    bff_api_key: str = DEV_BFF_API_KEY
    core_port: int = 8001
    db_pool_size: int = 10
    password_hash_workers: int | None = Field(
        default=None,
        gt=0,
        description="Threads hashing and verifying passwords (default: half the cores).",
    )
    password_hash_queue: int = Field(
        default=16,
        ge=0,
        description="Hashes that may wait for a thread; beyond that, 503 hasher-busy.",
    )
    password_hash_retry_after_seconds: float = Field(
        default=1.0, gt=0, description="Retry-After of a 503 hasher-busy answer."
    )
    password_hash_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="CPU niceness of the hashing threads (Linux), so logins yield to requests.",
    )
    session_idle_minutes: int = Field(default=30, gt=0)
    session_absolute_hours: int = Field(default=12, gt=0)
    invite_valid_hours: int = Field(default=72, gt=0)
    sse_ping_seconds: float = Field(default=15.0, gt=0)
    sse_max_lifetime_seconds: float = Field(default=1800.0, gt=0)
    sse_lifetime_jitter: float = Field(
        default=0.1,
        ge=0,
        lt=1,
        description="A stream ends after the lifetime less up to this fraction of it, at "
        "random, so streams opened together do not all reconnect together.",
    )
    sse_queue_events: int = Field(
        default=256,
        gt=0,
        description="Events a stream may have waiting to be sent; a stream whose client "
        "falls further behind is closed (it resumes from Last-Event-ID).",
    )
    sse_fanout_window_seconds: float = Field(
        default=0.02,
        ge=0,
        description="How long the hub gathers notifications before reading them in one batch.",
    )
    sse_fanout_max_users: int = Field(
        default=500, gt=0, description="Users woken that make the hub read at once."
    )
    sse_session_check_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often one query checks every session with an open stream for "
        "expiry (revocation ends streams at once).",
    )
    smtp_url: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Vetra <no-reply@vetra.local>"
    mail_interval_seconds: float = Field(default=10.0, ge=0)
    mail_batch_size: int = Field(default=50, gt=0)
    pa_sla_interval_seconds: float = Field(
        default=60.0, ge=0, description="How often the PA SLA job runs; 0 turns it off."
    )
    settlement_cadence_interval_seconds: float = Field(
        default=3600.0,
        ge=0,
        description="How often the settlement cadence job drafts due runs; 0 turns it off.",
    )
    portal_url: str = "http://127.0.0.1:8000"
    encryption_keys: str = Field(
        default=DEV_ENCRYPTION_KEYS,
        description="AES-256 key ring: `id:base64key,…`; values name the key that sealed them.",
    )
    encryption_key_id: str | None = Field(
        default=None, description="The key new values are sealed with (default: the last)."
    )

    def secrets_to_check(self) -> dict[str, tuple[str, str]]:
        return {
            "VETRA_PLATFORM_API_KEY": (self.platform_api_key, DEV_PLATFORM_API_KEY),
            "VETRA_BFF_API_KEY": (self.bff_api_key, DEV_BFF_API_KEY),
            "VETRA_ENCRYPTION_KEYS": (self.encryption_keys, DEV_ENCRYPTION_KEYS),
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
