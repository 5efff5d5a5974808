from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from core_api.deps import ConnectedActor, require_on_connection
from core_api.eligibility import service
from core_api.eligibility.schemas import EligibilityCheck, EligibilityRead
from core_api.kit.direct_route import DirectRoute
from core_api.kit.responses import serialized

router = APIRouter(tags=["eligibility"], route_class=DirectRoute)


@router.post("/eligibility", response_model=EligibilityRead)
async def check_eligibility(
    body: EligibilityCheck,
    caller: Annotated[ConnectedActor, require_on_connection("eligibility:check")],
) -> Response:
    """Whether the member may be served on `service_date`, with every reason if not, and the
    balance of each benefit for its period.

    HMO staff and integration keys check their own members (and may name a `provider_id`
    to check the network). A provider checks for itself, only with HMOs it is actively
    linked to (the HMO comes from the Member ID's prefix, or `tenant`); otherwise 403
    `not-in-network`. An unknown member is 404."""
    return serialized(await service.check(caller.connection, caller.actor, body))
