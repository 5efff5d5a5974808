"""BFF settings (environment variables with the `VETRA_` prefix, validated at start)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from shared.settings import DEV_BFF_API_KEY, ServiceSettings

DEV_BFF_SECRET = "dev-bff-csrf-secret-change-me-0123456789"  # noqa: S105 (refused in production)


class Settings(ServiceSettings):
    core_url: str = "http://127.0.0.1:8001"
    bff_api_key: str = DEV_BFF_API_KEY
    bff_secret: str = Field(default=DEV_BFF_SECRET, description="HMAC key for CSRF tokens")
    bff_host: str = "127.0.0.1"
    bff_port: int = 8000
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins allowed to call with cookies"
    )
    bff_cookie_name: str = "vetra_session"
    web_dist: Path = Field(
        default=Path(__file__).resolve().parent.parent / "web" / "dist",
        description="The built web app (`npm run build` in web/) served at /",
    )
    upstream_connect_timeout: float = Field(default=3.0, gt=0)
    upstream_read_timeout: float = Field(default=30.0, gt=0)
    upstream_max_connections: int = Field(default=1000, gt=0)
    events_read_timeout: float = Field(
        default=60.0, gt=0, description="Longer than the core's SSE ping interval"
    )
    events_max_streams: int | None = Field(
        default=None,
        gt=0,
        description="Event streams one process relays at once; unset: (open-file limit - 200) "
        "// 2, each stream holding the browser's socket and one to the core (bff/events.py)",
    )
    events_send_timeout: float = Field(
        default=10.0,
        gt=0,
        description="A browser that takes in nothing of its event stream for this long, "
        "its buffer full, is dropped (it reconnects and resumes)",
    )
    login_limit_per_account: int = Field(default=10, gt=0)
    login_limit_per_ip: int = Field(default=100, gt=0)
    login_window_seconds: float = Field(default=300.0, gt=0)
    throttle_max_keys: int = Field(default=10_000, gt=0)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    def secrets_to_check(self) -> dict[str, tuple[str, str]]:
        return {
            "VETRA_BFF_API_KEY": (self.bff_api_key, DEV_BFF_API_KEY),
            "VETRA_BFF_SECRET": (self.bff_secret, DEV_BFF_SECRET),
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
