"""The coverage client interface. Implementations: `SimCoverageClient` and `HttpCoverageClient`."""

from __future__ import annotations

from typing import Protocol

from tools.coverage.data_model import AreaStatus, Cell, Outage


class CoverageClient(Protocol):
    """Coverage and fault notices. Reads raise `RecordNotFound` for a missing record."""

    def get_cell(self, cell_id: str) -> Cell:
        """One cell."""
        ...

    def get_outage(self, outage_id: str) -> Outage:
        """One outage."""
        ...

    def list_outages(self, since: str, until: str) -> list[Outage]:
        """Outages whose window overlaps [since, until) (ISO times), recovered ones included."""
        ...

    def list_active_outages(self, province: str | None = None, city: str | None = None) -> list[Outage]:
        """Outages active now, optionally within a province/city."""
        ...

    def check_area(
        self, province: str, city: str, district: str | None = None, cell_id: str | None = None
    ) -> AreaStatus:
        """Active outages, works and weak coverage for an area and (optionally) the serving cell."""
        ...
