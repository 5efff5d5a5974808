from __future__ import annotations

from fastapi import APIRouter

checkins_router = APIRouter(prefix="/check-ins", tags=["check-ins"])
member_router = APIRouter(prefix="/me", tags=["enrollee portal"])
