"""Coverage and network-fault records."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Cell(BaseModel):
    """A radio cell."""

    cell_id: str = Field(description="Cell id")
    name: str = Field(description="Cell name")
    province: str = Field(description="Province")
    city: str = Field(description="City")
    district: str = Field(description="District")
    tech: Literal["4G", "5G"] = Field(description="Technology")
    state: Literal["ok", "fault", "maintenance"] = Field(description="Cell state")


class Outage(BaseModel):
    """An area outage (network fault notice)."""

    outage_id: str = Field(description="Outage id, referenced by emergency scripts")
    province: str = Field(description="Province")
    city: str = Field(description="City")
    district: str | None = Field(default=None, description="District; None for the whole city")
    service: Literal["mobile_data", "voice", "broadband", "all"] = Field(description="Affected service")
    cause: str = Field(description="Cause")
    description: str = Field(description="What is affected")
    start_ts: str = Field(description="Started")
    est_recovery_ts: str | None = Field(default=None, description="Estimated recovery")
    recovered_ts: str | None = Field(default=None, description="Recovered; None while active")
    olt_id: str | None = Field(default=None, description="OLT behind a broadband outage")
    cell_ids: list[str] = Field(default_factory=list, description="Cells affected")


class Maintenance(BaseModel):
    """Planned works."""

    maintenance_id: str = Field(description="Id")
    province: str = Field(description="Province")
    city: str = Field(description="City")
    district: str | None = Field(default=None, description="District")
    service: str = Field(description="Affected service")
    description: str = Field(description="What")
    start_ts: str = Field(description="Start")
    end_ts: str = Field(description="End")


class WeakCoverage(BaseModel):
    """A weak-coverage grid."""

    grid_id: str = Field(description="Grid id")
    province: str = Field(description="Province")
    city: str = Field(description="City")
    district: str = Field(description="District")
    place: str = Field(description="Where, e.g. 某小区地下车库")
    cell_id: str | None = Field(default=None, description="Nearest cell")
    severity: Literal["mild", "moderate", "severe"] = Field(description="Severity")
    cause: str = Field(description="Cause")
    plan: str = Field(description="Improvement plan")
    planned_fix_date: str | None = Field(default=None, description="Planned fix date")


class AreaStatus(BaseModel):
    """Network state where the caller is, at a moment."""

    at: str = Field(description="The moment checked")
    province: str = Field(description="Province")
    city: str = Field(description="City")
    district: str | None = Field(default=None, description="District")
    cell: Cell | None = Field(default=None, description="Serving cell, when given")
    outages: list[Outage] = Field(description="Active outages covering the area or cell")
    maintenance: list[Maintenance] = Field(description="Works in progress or starting within 24 h")
    weak_coverage: list[WeakCoverage] = Field(description="Weak-coverage grids in the district or at the cell")
