"""Upload routes: one list (shared/uploads.py) that both services' body limits and each
route's own check read; payment proofs take files as large as claim attachments, and their
form fields are read as strictly as JSON bodies."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, get_args

import httpx
import pytest
from fastapi import FastAPI

from core_api.config import get_settings
from shared.http import BodySizeLimitMiddleware
from shared.uploads import MULTIPART_OVERHEAD, UPLOADS, UploadName
from tests.test_remittances import approved_run

FILE_BODIES = ("multipart/form-data", "text/csv", "application/octet-stream")


def _middleware(app: FastAPI) -> BodySizeLimitMiddleware:
    found = next(m for m in app.user_middleware if m.cls is BodySizeLimitMiddleware)
    limit = BodySizeLimitMiddleware(lambda *a: None, **found.kwargs)  # type: ignore[arg-type]
    return limit


class TestTheList:
    def test_names_agree(self) -> None:
        assert set(get_args(UploadName)) == set(UPLOADS)

    def test_every_route_taking_a_file_is_listed(self, core_app: FastAPI) -> None:
        listed = {"/v1" + u.path for u in UPLOADS.values()}
        taking_files = {
            path
            for path, ops in core_app.openapi()["paths"].items()
            for op in ops.values()
            if set(op.get("requestBody", {}).get("content", {})) & set(FILE_BODIES)
        }
        assert taking_files == listed

    @pytest.mark.parametrize("name", sorted(UPLOADS))
    def test_both_services_allow_each_upload_its_limit(
        self, core_app: FastAPI, name: UploadName
    ) -> None:
        from bff.main import create_app as create_bff

        upload = UPLOADS[name]
        file_limit = get_settings().upload_limit(name)
        body = file_limit + (MULTIPART_OVERHEAD if upload.multipart else 0)
        path = upload.path.replace("{", "").replace("}", "")  # any segment will do
        for app, prefix in ((core_app, "/v1"), (create_bff(), "/api")):
            assert _middleware(app).limit_for(prefix + path) == body, (prefix, name)
        # other routes keep the default
        assert _middleware(core_app).limit_for("/v1/claims/x/queries") < body


async def pay(
    core: httpx.AsyncClient,
    headers: dict[str, str],
    remittance: dict[str, Any],
    size: int = 10,
    **fields: str,
) -> httpx.Response:
    form = {"reference": "TRF-9", "amount": "1", "paid_on": date.today().isoformat(), **fields}
    return await core.post(
        f"/v1/remittances/{remittance['id']}/payment-proofs",
        data=form,
        files={"file": ("proof.pdf", b"%PDF-1.4" + b"0" * (size - 8), "application/pdf")},
        headers=headers,
    )


def field_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["field"] for e in response.json()["errors"]]


class TestPaymentProofs:
    async def test_take_files_up_to_the_attachment_limit(self, core: httpx.AsyncClient) -> None:
        """They were refused above 1 MiB while claim attachments took 5 MiB."""
        w, _, _, mine, _ = await approved_run(core)
        limit = get_settings().upload_limit("payment-proof")
        assert limit == get_settings().upload_limit("claim-attachment") > 2 * 1024 * 1024
        accepted = await pay(core, w.hmo.admin, mine, size=2 * 1024 * 1024)
        assert accepted.status_code == 201, accepted.text
        too_large = await pay(core, w.hmo.admin, mine, size=limit + 1)
        assert too_large.status_code == 413, too_large.text
        assert too_large.headers["content-type"].startswith("application/problem+json")

    @pytest.mark.parametrize(
        "amount", ["1500.50", "1500.0", "1e3", "1_000", "-5", "0", "", "12a", str(10**13 + 1)]
    )
    async def test_amount_is_whole_minor_units(self, core: httpx.AsyncClient, amount: str) -> None:
        w, _, _, mine, _ = await approved_run(core)
        response = await pay(core, w.hmo.admin, mine, amount=amount)
        assert "amount" in field_of(response)
        remittance = await core.get(f"/v1/remittances/{mine['id']}", headers=w.hmo.admin)
        assert remittance.json()["payment_proofs"] == []

    async def test_payment_date_in_the_future_is_refused(self, core: httpx.AsyncClient) -> None:
        w, _, _, mine, _ = await approved_run(core)
        tomorrow = (date.today() + timedelta(days=1)).isoformat()
        assert field_of(await pay(core, w.hmo.admin, mine, paid_on=tomorrow)) == ["paid_on"]
        today = await pay(core, w.hmo.admin, mine, paid_on=date.today().isoformat())
        assert today.status_code == 201, today.text

    async def test_payment_date_before_1900_is_refused(self, core: httpx.AsyncClient) -> None:
        w, _, _, mine, _ = await approved_run(core)
        assert field_of(await pay(core, w.hmo.admin, mine, paid_on="0001-01-01")) == ["paid_on"]

    async def test_nul_in_the_reference_is_a_validation_error_on_it(
        self, core: httpx.AsyncClient
    ) -> None:
        """As in any JSON body: the field is named, not a database backstop's invalid-text."""
        w, _, _, mine, _ = await approved_run(core)
        response = await pay(core, w.hmo.admin, mine, reference="TRF\x009")
        assert field_of(response) == ["reference"]
        assert response.json()["type"].endswith("/validation")
