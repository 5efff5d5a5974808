"""Settings are validated at start; production refuses weak secrets."""

from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from core_api.config import Settings
from shared.settings import DEV_BFF_API_KEY

STRONG = "s" * 40


def test_development_accepts_the_defaults() -> None:
    assert Settings(env="development").bff_api_key == DEV_BFF_API_KEY


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "VETRA_PLATFORM_API_KEY is the development default"),
        ({"platform_api_key": STRONG}, "VETRA_BFF_API_KEY is the development default"),
        ({"platform_api_key": "short", "bff_api_key": STRONG}, "shorter than 32"),
    ],
)
def test_production_refuses_weak_keys(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(env="production", **overrides)


def test_production_accepts_strong_keys() -> None:
    settings = Settings(
        env="production",
        platform_api_key=STRONG,
        bff_api_key=STRONG + "b",
        encryption_keys="prod1:" + base64.b64encode(b"k" * 32).decode(),
    )
    assert settings.is_production


def test_wrong_types_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETRA_SESSION_IDLE_MINUTES", "soon")
    with pytest.raises(ValidationError, match="session_idle_minutes"):
        Settings()
