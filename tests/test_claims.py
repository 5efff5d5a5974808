"""Claims: intake, idempotency, the state machine, fees, visibility, queries, attachments."""

from __future__ import annotations

import asyncio
import base64
import os
from datetime import timedelta
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text

from core_api.kit.crypto import KeyRing, KeyRingError
from tests.claims_world import (
    PATHS,
    TODAY,
    World,
    claim_count,
    claim_in,
    count_rows,
    get_claim,
    in_review,
    item,
    move,
    new_claim,
    settle,
    submit,
    transition,
    world,
)
from tests.db import superuser
from tests.factories import (
    PASSWORD,
    link_provider,
    login,
    make_client_user,
    make_provider,
    make_tenant,
    session_headers,
)

STATUSES = list(PATHS)
LEGAL = {
    ("SUBMITTED", "RECEIVED"),
    ("SUBMITTED", "REJECTED"),
    ("RECEIVED", "IN_REVIEW"),
    ("RECEIVED", "REJECTED"),
    ("IN_REVIEW", "QUERIED"),
    ("IN_REVIEW", "APPROVED"),
    ("IN_REVIEW", "REJECTED"),
    ("QUERIED", "RESUBMITTED"),
    ("RESUBMITTED", "IN_REVIEW"),
    ("APPROVED", "SETTLED"),  # legal, but only by paying the remittance (below)
}


async def provider_key(core: httpx.AsyncClient, w: World) -> dict[str, str]:
    response = await core.post(
        "/v1/api-keys",
        json={"name": "HIS", "scope": "provider_integration"},
        headers=w.provider.user,
    )
    assert response.status_code == 201, response.text
    return {"x-api-key": response.json()["key"]}


class TestIntake:
    async def test_provider_user_files_a_claim(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await new_claim(core, w)
        assert claim["status"] == "SUBMITTED"
        assert claim["number"] == "CLM-000001"
        assert claim["version"] == 1
        assert "risk_score" not in claim  # the provider's view: see test_provider_views
        assert claim["member_id"] == w.member["member_id"]
        assert claim["total_billed"] == 15_000_00 + 2 * 2_500_00
        assert [(i["line_no"], i["category"], i["billed_amount"]) for i in claim["items"]] == [
            (1, "outpatient", 15_000_00),
            (2, "drugs", 5_000_00),
        ]
        second = await new_claim(
            core,
            w,
            admission_date=TODAY - timedelta(days=3),
            discharge_date=TODAY,
            items=[item("WARD", 20_000_00, 3)],
        )
        assert second["number"] == "CLM-000002"
        assert second["items"][0]["category"] == "inpatient"
        # Numbers are per HMO: another HMO starts at 1 again.
        other = await world(core)
        assert (await new_claim(core, other))["number"] == "CLM-000001"

    async def test_provider_integration_key(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        key = await provider_key(core, w)
        response = await submit(core, w, headers=key)
        assert response.status_code == 201, response.text
        claim = response.json()
        assert claim["provider_id"] == w.provider.id
        listed = await core.get("/v1/claims", headers=key)
        assert listed.status_code == 200, listed.text
        assert [c["id"] for c in listed.json()["items"]] == [claim["id"]]
        assert (await core.get(f"/v1/claims/{claim['id']}", headers=key)).status_code == 200

    async def test_numbers_are_gapless_under_concurrency(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        responses = await asyncio.gather(*(submit(core, w) for _ in range(8)))
        assert all(r.status_code == 201 for r in responses), [r.text for r in responses]
        numbers = sorted(r.json()["number"] for r in responses)
        assert numbers == [f"CLM-{n:06d}" for n in range(1, 9)]

    async def test_hmo_staff_cannot_submit(self, core: httpx.AsyncClient) -> None:
        w = await world(core, roles=("Claims Manager",))
        for headers in (w.hmo.admin, w.staff["Claims Manager"]):
            response = await submit(core, w, headers=headers)
            assert response.status_code == 403, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
        assert await claim_count(w) == 0

    async def test_validation_problems_write_nothing(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        other_provider = await make_provider(core, name="Elsewhere Clinic")
        good = item("CONS-01", 1_000_00)
        cases: list[tuple[dict[str, Any], int, str]] = [
            ({"member_id": f"{w.hmo.code}-ACME-99999-P"}, 422, "member_id"),
            ({"provider_id": other_provider.id}, 422, "provider_id"),
            ({"service_date": (TODAY + timedelta(days=30)).isoformat()}, 422, "future"),
            (
                {
                    "admission_date": (TODAY - timedelta(days=1)).isoformat(),
                    "discharge_date": (TODAY - timedelta(days=2)).isoformat(),
                },
                422,
                "discharge",
            ),
            ({"items": []}, 422, "items"),
            ({"items": [good | {"quantity": 0}]}, 422, "quantity"),
            ({"items": [good | {"quantity": -1}]}, 422, "quantity"),
            ({"items": [good | {"unit_price": 0}]}, 422, "unit_price"),
            ({"items": [good | {"unit_price": -5}]}, 422, "unit_price"),
            ({"items": [good | {"category": "spa"}]}, 422, "category"),
            ({"service_date": "not-a-date"}, 422, "service_date"),
            ({"service_date": "0001-01-02"}, 422, "service_date"),
        ]
        for overrides, status, hint in cases:
            response = await submit(core, w, **overrides)
            assert response.status_code == status, (overrides, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert hint in response.text, (hint, response.text)
        # A provider with no link to this HMO.
        response = await submit(core, w, headers=other_provider.user, provider_id=other_provider.id)
        assert response.status_code == 403, response.text
        assert response.json()["type"].endswith("not-in-network")
        assert await claim_count(w) == 0
        # Nothing was numbered either: the next claim is the first.
        assert (await new_claim(core, w))["number"] == "CLM-000001"


class TestIdempotency:
    async def test_retry_returns_the_first_answer(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        first = await submit(core, w, key="visit-1")
        again = await submit(core, w, key="visit-1")
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert await claim_count(w) == 1
        # Another key is another claim.
        assert (await submit(core, w, key="visit-2")).json()["number"] == "CLM-000002"

    async def test_same_key_other_body_is_422(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        assert (await submit(core, w, key="k")).status_code == 201
        reused = await submit(core, w, key="k", diagnosis_codes=["A09"])
        assert reused.status_code == 422, reused.text
        assert reused.headers["content-type"].startswith("application/problem+json")
        assert reused.json()["type"].endswith("idempotency-key-reused")
        assert await claim_count(w) == 1

    async def test_concurrent_requests_with_one_key(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        responses = await asyncio.gather(*(submit(core, w, key="same") for _ in range(4)))
        assert [r.status_code for r in responses] == [201] * 4, [r.text for r in responses]
        assert len({r.json()["id"] for r in responses}) == 1
        assert await claim_count(w) == 1

    async def test_keys_are_per_provider(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        second = await make_provider(core, name="Second Clinic")
        await link_provider(core, w.hmo, second)
        a = await submit(core, w, key="shared")
        b = await submit(core, w, headers=second.user, key="shared", provider_id=second.id)
        assert a.status_code == b.status_code == 201
        assert a.json()["id"] != b.json()["id"]


class TestStateMachine:
    async def test_every_pair(self, core: httpx.AsyncClient) -> None:
        """Each status is reached through the legal moves; every other move is a 409 that
        changes nothing."""
        w = await world(core)
        for source in STATUSES:
            claim = await claim_in(core, w, source)
            before = await get_claim(core, w, claim["id"])
            assert before["status"] == source
            for target in STATUSES:
                if (source, target) in LEGAL:
                    continue
                for headers in (w.hmo.admin, w.provider.user):
                    response = await transition(
                        core, w, claim["id"], target, headers, version=before["version"]
                    )
                    assert response.status_code == 409, (source, target, response.text)
                    assert response.json()["type"].endswith("illegal-transition")
            after = await get_claim(core, w, claim["id"])
            assert (after["status"], after["version"], len(after["history"])) == (
                source,
                before["version"],
                len(before["history"]),
            )
        # The rejections not walked above.
        for source in ("RECEIVED", "IN_REVIEW"):
            claim = await claim_in(core, w, source)
            rejected = await move(core, w, claim["id"], "REJECTED", reason="Not our member")
            assert rejected["status"] == "REJECTED"
            assert rejected["total_approved"] == 0
            assert all(i["approved_amount"] == 0 and i["reason_code"] for i in rejected["items"])

    async def test_each_side_makes_only_its_moves(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await new_claim(core, w)
        moved = await transition(core, w, claim["id"], "RECEIVED", w.provider.user)
        assert moved.status_code == 403, moved.text
        queried = await claim_in(core, w, "QUERIED")
        assert (await transition(core, w, queried["id"], "RESUBMITTED")).status_code == 403
        finance = await w.as_role(core, "Finance")
        assert (await transition(core, w, claim["id"], "RECEIVED", finance)).status_code == 403
        assert (await get_claim(core, w, claim["id"]))["status"] == "SUBMITTED"

    async def test_settled_only_through_a_paid_remittance(self, core: httpx.AsyncClient) -> None:
        """No transition request reaches SETTLED, not even with `payments:record`: a claim
        settles when its remittance is paid, and that path moves it through the same state
        machine (history, audit)."""
        w = await world(core, roles=("Finance",))
        claim = await claim_in(core, w, "APPROVED")
        before = await get_claim(core, w, claim["id"])
        for headers in (w.hmo.admin, w.staff["Finance"], w.provider.user):
            refused = await transition(core, w, claim["id"], "SETTLED", headers)
            assert refused.status_code == 409, refused.text
            assert refused.json()["type"].endswith("settled-by-payment")
            assert "remittance is paid" in refused.json()["detail"]
        after = await get_claim(core, w, claim["id"])
        assert (after["status"], after["version"]) == ("APPROVED", before["version"])
        settled = await settle(core, w, claim)
        assert settled["status"] == "SETTLED"
        assert settled["settled_at"]
        assert (settled["history"][-1]["from_status"], settled["history"][-1]["to_status"]) == (
            "APPROVED",
            "SETTLED",
        )

    async def test_stale_version_is_409(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await new_claim(core, w)
        await move(core, w, claim["id"], "RECEIVED")
        stale = await transition(core, w, claim["id"], "IN_REVIEW", version=claim["version"])
        assert stale.status_code == 409, stale.text
        assert stale.json()["type"].endswith("stale-version")
        current = await get_claim(core, w, claim["id"])
        assert (current["status"], current["version"]) == ("RECEIVED", 2)

    async def test_two_concurrent_approvals(self, core: httpx.AsyncClient) -> None:
        w = await world(core, roles=("Adjudicator", "Claims Manager"))
        claim = await in_review(core, w)
        responses = await asyncio.gather(
            transition(core, w, claim["id"], "APPROVED", w.staff["Adjudicator"], version=3),
            transition(core, w, claim["id"], "APPROVED", w.staff["Claims Manager"], version=3),
        )
        assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
        detail = await get_claim(core, w, claim["id"])
        assert [h["to_status"] for h in detail["history"]].count("APPROVED") == 1
        # The benefit was spent once.
        outpatient = next(b for b in detail["benefits"] if b["category"] == "outpatient")
        assert outpatient["used_amount"] == 13_500_00
        assert outpatient["used_visits"] == 1

    async def test_history_audit_and_notifications(self, core: httpx.AsyncClient) -> None:
        w = await world(core, roles=("Adjudicator", "Finance"))
        claim = await new_claim(core, w)
        path = ["RECEIVED", "IN_REVIEW", "QUERIED", "RESUBMITTED", "IN_REVIEW", "APPROVED"]
        for to in path:
            approved = await move(core, w, claim["id"], to)
        detail = await settle(core, w, approved)
        assert [(h["from_status"], h["to_status"]) for h in detail["history"]] == [
            (None, "SUBMITTED"),
            ("SUBMITTED", "RECEIVED"),
            ("RECEIVED", "IN_REVIEW"),
            ("IN_REVIEW", "QUERIED"),
            ("QUERIED", "RESUBMITTED"),
            ("RESUBMITTED", "IN_REVIEW"),
            ("IN_REVIEW", "APPROVED"),
            ("APPROVED", "SETTLED"),
        ]
        assert detail["version"] == 8
        assert detail["received_at"]
        assert detail["decided_at"]
        assert detail["settled_at"]
        audit = await core.get(
            "/v1/audit-events", params={"object_type": "claim", "limit": 100}, headers=w.hmo.admin
        )
        assert audit.status_code == 200, audit.text
        actions = [e["action"] for e in audit.json()["items"] if e["object_id"] == claim["id"]]
        assert sorted(actions) == sorted(f"claim.{to.lower()}" for to in [*path, "SETTLED"])

        rejected = await new_claim(core, w)
        await move(core, w, rejected["id"], "REJECTED")

        def types(response: httpx.Response) -> list[str]:
            assert response.status_code == 200, response.text
            return sorted(n["type"] for n in response.json()["items"] if "claim" in n["type"])

        # Settling is announced per remittance (`remittance.paid`), not per claim.
        provider_seen = types(await core.get("/v1/notifications", headers=w.provider.user))
        assert provider_seen == sorted(["claim.queried", "claim.approved", "claim.rejected"])
        adjudicator = await core.get("/v1/notifications", headers=w.staff["Adjudicator"])
        assert types(adjudicator) == ["claim.resubmitted", "claim.submitted", "claim.submitted"]
        assert types(await core.get("/v1/notifications", headers=w.staff["Finance"])) == []


class TestPlatformFee:
    async def fees(self, claim_id: str) -> int:
        return await count_rows(
            "select count(*) from platform_fees where claim_id = :c", c=claim_id
        )

    async def test_charged_once_at_received(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await new_claim(core, w)
        assert await self.fees(claim["id"]) == 0
        await move(core, w, claim["id"], "RECEIVED")
        assert await self.fees(claim["id"]) == 1
        again = await transition(core, w, claim["id"], "RECEIVED")
        assert again.status_code == 409
        for to in ("IN_REVIEW", "APPROVED"):
            claim = await move(core, w, claim["id"], to)
        await settle(core, w, claim)
        assert await self.fees(claim["id"]) == 1
        async with superuser() as conn:
            fee = (
                await conn.execute(
                    text("select tenant_id, amount from platform_fees where claim_id = :c"),
                    {"c": claim["id"]},
                )
            ).one()
        assert str(fee.tenant_id) == w.hmo.id
        assert fee.amount > 0
        # A claim rejected straight from SUBMITTED is never charged.
        rejected = await new_claim(core, w)
        await move(core, w, rejected["id"], "REJECTED")
        assert await self.fees(rejected["id"]) == 0

    async def test_concurrent_received(self, core: httpx.AsyncClient) -> None:
        w = await world(core, roles=("Adjudicator",))
        claim = await new_claim(core, w)
        responses = await asyncio.gather(
            *(
                transition(core, w, claim["id"], "RECEIVED", headers, version=1)
                for headers in (w.hmo.admin, w.staff["Adjudicator"], w.hmo.admin)
            )
        )
        assert sorted(r.status_code for r in responses) == [200, 409, 409]
        assert await self.fees(claim["id"]) == 1


class TestVisibility:
    async def test_provider_sees_only_its_own_claims(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        other = await make_provider(core, name="Other Hospital")
        await link_provider(core, w.hmo, other)
        mine = await new_claim(core, w)
        response = await submit(core, w, headers=other.user, provider_id=other.id)
        assert response.status_code == 201
        theirs = response.json()

        listed = (await core.get("/v1/claims", headers=other.user)).json()["items"]
        assert [c["id"] for c in listed] == [theirs["id"]]
        assert (await core.get(f"/v1/claims/{mine['id']}", headers=other.user)).status_code == 404
        for path in ("transitions", "queries"):
            response = await core.post(
                f"/v1/claims/{mine['id']}/{path}",
                json={"to": "RESUBMITTED", "version": 1, "message": "x"},
                headers=other.user,
            )
            assert response.status_code == 404, response.text
        staff_list = (await core.get("/v1/claims", headers=w.hmo.admin)).json()["items"]
        assert {c["id"] for c in staff_list} == {mine["id"], theirs["id"]}
        filtered = await core.get(
            "/v1/claims", params={"provider_id": other.id}, headers=w.hmo.admin
        )
        assert [c["id"] for c in filtered.json()["items"]] == [theirs["id"]]

    async def test_a_provider_lists_its_claims_with_one_hmo(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await new_claim(core, w)
        stranger = await make_tenant(core)

        async def ids(hmo_id: str) -> list[str]:
            response = await core.get(
                "/v1/claims", params={"hmo_id": hmo_id}, headers=w.provider.user
            )
            assert response.status_code == 200, response.text
            return [c["id"] for c in response.json()["items"]]

        assert await ids(w.hmo.id) == [claim["id"]]
        assert await ids(stranger.id) == []

    async def test_another_hmo_gets_404(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await new_claim(core, w)
        stranger = await make_tenant(core)
        assert (
            await core.get(f"/v1/claims/{claim['id']}", headers=stranger.admin)
        ).status_code == 404
        moved = await core.post(
            f"/v1/claims/{claim['id']}/transitions",
            json={"to": "RECEIVED", "version": 1},
            headers=stranger.admin,
        )
        assert moved.status_code == 404
        assert (await core.get("/v1/claims", headers=stranger.admin)).json()["items"] == []

    async def test_clients_and_enrollees_cannot_see_claims(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await new_claim(core, w)
        _, client_headers = await make_client_user(core, w.hmo, w.client)
        email = f"member@{w.hmo.slug}.example.com"
        account = await core.post(
            f"/v1/enrollees/{w.member['id']}/account",
            json={"email": email, "password": PASSWORD},
            headers=w.hmo.admin,
        )
        assert account.status_code in (200, 201), account.text
        enrollee_headers = session_headers(await login(core, w.hmo.slug, email))
        for headers in (client_headers, enrollee_headers):
            assert (await core.get("/v1/claims", headers=headers)).status_code == 403
            got = await core.get(f"/v1/claims/{claim['id']}", headers=headers)
            assert got.status_code == 403

    async def test_list_filters(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        old = await new_claim(core, w, service_date=TODAY - timedelta(days=20))
        new = await new_claim(core, w)
        await move(core, w, new["id"], "RECEIVED")

        async def ids(**params: Any) -> list[str]:
            response = await core.get("/v1/claims", params=params, headers=w.hmo.admin)
            assert response.status_code == 200, response.text
            return [c["id"] for c in response.json()["items"]]

        assert await ids() == [new["id"], old["id"]]
        assert await ids(status="RECEIVED") == [new["id"]]
        assert await ids(member_id=w.member["member_id"].lower()) == [new["id"], old["id"]]
        assert await ids(to=(TODAY - timedelta(days=10)).isoformat()) == [old["id"]]
        assert await ids(**{"from": (TODAY - timedelta(days=10)).isoformat()}) == [new["id"]]
        first = await core.get("/v1/claims", params={"limit": 1}, headers=w.hmo.admin)
        cursor = first.json()["next_cursor"]
        assert await ids(limit=1, cursor=cursor) == [old["id"]]


class TestQueries:
    async def test_thread_both_sides_encrypted(self, core: httpx.AsyncClient) -> None:
        w = await world(core, roles=("Adjudicator", "Finance"))
        claim = await in_review(core, w)
        url = f"/v1/claims/{claim['id']}/queries"
        secret = "Please send the malaria smear result for the patient"
        asked = await core.post(url, json={"message": secret}, headers=w.staff["Adjudicator"])
        assert asked.status_code == 201, asked.text
        assert asked.json()["side"] == "HMO"
        await move(core, w, claim["id"], "QUERIED", w.staff["Adjudicator"])
        answer = "Smear attached: positive for P. falciparum"
        answered = await core.post(url, json={"message": answer}, headers=w.provider.user)
        assert answered.status_code == 201, answered.text
        assert answered.json()["side"] == "PROVIDER"
        for headers in (w.hmo.admin, w.provider.user):
            thread = await core.get(url, headers=headers)
            assert thread.status_code == 200, thread.text
            assert [(m["side"], m["message"]) for m in thread.json()["items"]] == [
                ("HMO", secret),
                ("PROVIDER", answer),
            ]
        first = (await core.get(url, params={"limit": 1}, headers=w.hmo.admin)).json()
        rest = await core.get(
            url, params={"limit": 1, "cursor": first["next_cursor"]}, headers=w.hmo.admin
        )
        assert [m["message"] for m in first["items"] + rest.json()["items"]] == [secret, answer]
        assert rest.json()["next_cursor"] is not None or len(rest.json()["items"]) == 1
        denied = await core.post(url, json={"message": "?"}, headers=w.staff["Finance"])
        assert denied.status_code == 403
        assert (await core.post(url, json={"message": " "}, headers=w.hmo.admin)).status_code == 422
        async with superuser() as conn:
            stored = (
                await conn.execute(
                    text("select message_enc from claim_queries where claim_id = :c"),
                    {"c": claim["id"]},
                )
            ).scalars()
            blobs = [bytes(b) for b in stored]
        assert len(blobs) == 2
        for blob in blobs:
            assert b"malaria" not in blob
            assert b"falciparum" not in blob
            assert KeyRing.key_id_of(blob)


PDF = b"%PDF-1.4\n% lab result: haemoglobin 7.2 g/dL, transfuse\n%%EOF\n"


class TestAttachments:
    async def test_upload_list_download(self, core: httpx.AsyncClient) -> None:
        w = await world(core, roles=("Adjudicator",))
        claim = await new_claim(core, w)
        url = f"/v1/claims/{claim['id']}/attachments"
        uploaded = await core.post(
            url, files={"file": ("lab.pdf", PDF, "application/pdf")}, headers=w.provider.user
        )
        assert uploaded.status_code == 201, uploaded.text
        body = uploaded.json()
        assert (body["filename"], body["content_type"], body["size"]) == (
            "lab.pdf",
            "application/pdf",
            len(PDF),
        )
        assert body["key_id"]
        listed = await core.get(url, headers=w.staff["Adjudicator"])
        assert listed.json() == {"items": [body], "next_cursor": None}
        for headers in (w.staff["Adjudicator"], w.provider.user):
            download = await core.get(f"{url}/{body['id']}", headers=headers)
            assert download.status_code == 200, download.text
            assert download.content == PDF
            assert download.headers["content-type"].startswith("application/pdf")
        async with superuser() as conn:
            row = (
                await conn.execute(
                    text("select key_id, content_enc, filename_enc from attachments where id = :i"),
                    {"i": body["id"]},
                )
            ).one()
        assert row.key_id == body["key_id"]
        assert b"haemoglobin" not in bytes(row.content_enc)
        assert b"lab.pdf" not in bytes(row.filename_enc)
        for kind, data in (("image/png", b"\x89PNG\r\n"), ("text/plain", b"note")):
            ok = await core.post(url, files={"file": ("f", data, kind)}, headers=w.hmo.admin)
            assert ok.status_code == 201, ok.text
        missing = await core.get(f"{url}/{claim['id']}", headers=w.hmo.admin)
        assert missing.status_code == 404

    async def test_limits_and_types(self, core: httpx.AsyncClient) -> None:
        w = await world(core)
        claim = await new_claim(core, w)
        url = f"/v1/claims/{claim['id']}/attachments"
        big = os.urandom(5 * 1024 * 1024 + 1)
        too_large = await core.post(
            url, files={"file": ("scan.pdf", big, "application/pdf")}, headers=w.provider.user
        )
        assert too_large.status_code == 413, too_large.text
        assert too_large.headers["content-type"].startswith("application/problem+json")
        just_fits = os.urandom(5 * 1024 * 1024)
        fits = await core.post(
            url, files={"file": ("scan.pdf", just_fits, "application/pdf")}, headers=w.provider.user
        )
        assert fits.status_code == 201, fits.text
        wrong = await core.post(
            url,
            files={"file": ("run.exe", b"MZ\x90\x00", "application/x-msdownload")},
            headers=w.provider.user,
        )
        assert wrong.status_code == 422, wrong.text
        assert wrong.headers["content-type"].startswith("application/problem+json")
        count = await count_rows(
            "select count(*) from attachments where owner_id = :c", c=claim["id"]
        )
        assert count == 1


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


class TestKeyRing:
    def test_rotation_keeps_old_values_readable(self) -> None:
        old_key, new_key = _key(), _key()
        old = KeyRing.parse(f"k1:{old_key}")
        sealed = old.seal(b"diagnosis: malaria", context=b"claim-1")
        assert KeyRing.key_id_of(sealed) == "k1"
        rotated = KeyRing.parse(f"k1:{old_key},k2:{new_key}")
        assert rotated.current == "k2"
        assert rotated.open(sealed, context=b"claim-1") == b"diagnosis: malaria"
        resealed = rotated.seal(b"diagnosis: malaria", context=b"claim-1")
        assert KeyRing.key_id_of(resealed) == "k2"
        assert b"malaria" not in resealed
        pinned = KeyRing.parse(f"k1:{old_key},k2:{new_key}", current="k1")
        assert KeyRing.key_id_of(pinned.seal(b"x")) == "k1"
        with pytest.raises(KeyRingError):
            old.open(resealed, context=b"claim-1")

    def test_tampering_and_wrong_context_fail(self) -> None:
        ring = KeyRing.parse(f"k1:{_key()}")
        sealed = bytearray(ring.seal(b"secret", context=b"a"))
        with pytest.raises(InvalidTag):
            ring.open(bytes(sealed), context=b"b")
        sealed[-1] ^= 1
        with pytest.raises(InvalidTag):
            ring.open(bytes(sealed), context=b"a")

    @pytest.mark.parametrize(
        "spec",
        [
            "",
            "k1:not-base64!",
            f"k1:{base64.b64encode(b'short').decode()}",
            f":{base64.b64encode(bytes(32)).decode()}",
        ],
    )
    def test_bad_specs(self, spec: str) -> None:
        with pytest.raises(KeyRingError):
            KeyRing.parse(spec)

    def test_unknown_current(self) -> None:
        with pytest.raises(KeyRingError):
            KeyRing.parse(f"k1:{_key()}", current="k9")

    def test_garbage_blob(self) -> None:
        ring = KeyRing.parse(f"k1:{_key()}")
        with pytest.raises(KeyRingError):
            ring.open(b"")
