from __future__ import annotations

from fastapi import APIRouter

reports_router = APIRouter(prefix="/reports", tags=["reports"])
dashboard_router = APIRouter(prefix="/dashboard", tags=["reports"])
