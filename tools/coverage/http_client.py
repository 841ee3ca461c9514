"""Coverage and fault notices over HTTP, for a real deployment."""

from __future__ import annotations

from tools.base.http import HttpTransport
from tools.coverage.data_model import AreaStatus, Cell, Outage


class HttpCoverageClient:
    """Coverage over HTTP (see `CoverageClient`)."""

    def __init__(self, transport: HttpTransport) -> None:
        self.http = transport

    def get_cell(self, cell_id: str) -> Cell:
        """See `CoverageClient.get_cell`."""
        return self.http.get_model(f"/coverage/cells/{cell_id}", Cell)

    def get_outage(self, outage_id: str) -> Outage:
        """See `CoverageClient.get_outage`."""
        return self.http.get_model(f"/coverage/outages/{outage_id}", Outage)

    def list_outages(self, since: str, until: str) -> list[Outage]:
        """See `CoverageClient.list_outages`."""
        return self.http.get_list("/coverage/outages/history", Outage, since=since, until=until)

    def list_active_outages(self, province: str | None = None, city: str | None = None) -> list[Outage]:
        """See `CoverageClient.list_active_outages`."""
        return self.http.get_list("/coverage/outages", Outage, province=province, city=city)

    def check_area(
        self, province: str, city: str, district: str | None = None, cell_id: str | None = None
    ) -> AreaStatus:
        """See `CoverageClient.check_area`."""
        return self.http.get_model("/coverage/area", AreaStatus, province=province, city=city, district=district,
                                   cell_id=cell_id)
