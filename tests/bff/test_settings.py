"""BFF settings: production refuses weak secrets; the CORS list comes from one variable."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bff.config import Settings

STRONG = "s" * 40


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bff_secret": STRONG}, "VETRA_BFF_API_KEY is the development default"),
        ({"bff_api_key": STRONG}, "VETRA_BFF_SECRET is the development default"),
        ({"bff_api_key": STRONG, "bff_secret": "short"}, "VETRA_BFF_SECRET is shorter"),
    ],
)
def test_production_refuses_weak_secrets(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(env="production", **overrides)


def test_production_starts_with_strong_secrets() -> None:
    assert Settings(env="production", bff_api_key=STRONG, bff_secret=STRONG + "x").is_production


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VETRA_CORS_ORIGINS", "https://a.example.com, https://b.example.com/,")
    monkeypatch.setenv("VETRA_CORE_URL", "http://core:9000")
    monkeypatch.setenv("VETRA_BFF_PORT", "9100")
    settings = Settings()
    assert settings.cors_origins == ["https://a.example.com", "https://b.example.com"]
    assert settings.core_url == "http://core:9000"
    assert settings.bff_port == 9100


def test_defaults_allow_no_cross_origin_caller() -> None:
    assert Settings().cors_origins == []
