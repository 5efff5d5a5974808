"""Settings shared by both services, validated once at start.

With `VETRA_ENV=production` a service refuses to start on a development default or a
short secret, naming the variable to fix.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.uploads import UPLOADS, UploadName, body_limit

DEV_PLATFORM_API_KEY = "dev-platform-key-change-me-0123456789"
DEV_BFF_API_KEY = "dev-bff-key-change-me-0123456789abcdef"
DEV_ENCRYPTION_KEYS = "dev1:4DxkdxNvI0g14dPybBvEyOsPPRFYRAuKEjSeXZB00ZU="
MIN_SECRET_LENGTH = 32


class InsecureSettingsError(ValueError):
    pass


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VETRA_", extra="ignore", frozen=True)

    env: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    max_import_bytes: int = Field(default=64 * 1024 * 1024, gt=0)
    max_attachment_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_logo_bytes: int = Field(default=1024 * 1024, gt=0)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def upload_limit(self, name: UploadName) -> int:
        """The largest file (in bytes) the upload route `name` takes (see shared/uploads.py)."""
        limit: int = getattr(self, UPLOADS[name].limit)
        return limit

    def larger_bodies(self) -> dict[str, int]:
        """The upload routes' path templates and their body limits, which may exceed
        `max_body_bytes` (both services' BodySizeLimitMiddleware apply them)."""
        return {
            upload.path: body_limit(getattr(self, upload.limit), upload)
            for upload in UPLOADS.values()
        }

    def secrets_to_check(self) -> dict[str, tuple[str, str]]:
        """Maps env variable name to (value, development default)."""
        return {}

    @model_validator(mode="after")
    def _refuse_weak_secrets_in_production(self) -> ServiceSettings:
        if not self.is_production:
            return self
        problems = []
        for name, (value, default) in self.secrets_to_check().items():
            if value == default:
                problems.append(f"{name} is the development default")
            elif len(value) < MIN_SECRET_LENGTH:
                problems.append(f"{name} is shorter than {MIN_SECRET_LENGTH} characters")
        if problems:
            raise InsecureSettingsError("refusing to start in production: " + "; ".join(problems))
        return self
