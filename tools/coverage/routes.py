"""The coverage half of the HTTP contract."""

from __future__ import annotations

from fastapi import APIRouter

from tools.coverage.client import CoverageClient
from tools.coverage.data_model import AreaStatus, Cell, Outage


def build_router(client: CoverageClient) -> APIRouter:
    """Routes under /coverage that delegate to `client`."""
    r = APIRouter(prefix="/coverage", tags=["Coverage"])

    @r.get("/cells/{cell_id}", response_model=Cell)
    def get_cell(cell_id: str) -> Cell:
        return client.get_cell(cell_id)

    @r.get("/outages", response_model=list[Outage])
    def list_active_outages(province: str | None = None, city: str | None = None) -> list[Outage]:
        return client.list_active_outages(province, city)

    @r.get("/outages/history", response_model=list[Outage])
    def list_outages(since: str, until: str) -> list[Outage]:
        return client.list_outages(since, until)

    @r.get("/outages/{outage_id}", response_model=Outage)
    def get_outage(outage_id: str) -> Outage:
        return client.get_outage(outage_id)

    @r.get("/area", response_model=AreaStatus)
    def check_area(province: str, city: str, district: str | None = None, cell_id: str | None = None) -> AreaStatus:
        return client.check_area(province, city, district, cell_id)

    return r
