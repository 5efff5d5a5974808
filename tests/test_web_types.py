"""The web app's API types are generated from the services' OpenAPI; stale types fail."""

from __future__ import annotations

import pytest

from scripts import web_api


def test_the_web_apps_api_types_match_the_services() -> None:
    if not web_api.GENERATOR.exists():
        pytest.fail("web/node_modules is missing: `make web-types` (or `make test`) installs it")
    assert web_api.main(["web_api", "--check"]) == 0, "run `make web-types` and commit the file"
