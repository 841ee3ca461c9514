"""Coverage and fault notices over the simulator database."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from tools.base.errors import InvalidInput, RecordNotFound
from tools.base.faults import FaultInjector
from tools.base.values import System
from tools.coverage.data_model import AreaStatus, Cell, Maintenance, Outage, WeakCoverage
from tools.sim.db import SimDatabase

SYS = System.COVERAGE
ACTIVE = "o.start_ts <= :now AND (o.recovered_ts IS NULL OR o.recovered_ts > :now)"


class SimCoverageClient:
    """Coverage backed by the simulator (see `CoverageClient`)."""

    def __init__(self, db: SimDatabase, faults: FaultInjector | None = None) -> None:
        self.db = db
        self.faults = faults or FaultInjector(SYS)

    def _outage(self, r: sqlite3.Row) -> Outage:
        cells = [c["cell_id"] for c in self.db.query(
            "SELECT cell_id FROM outage_cells WHERE outage_id = ? ORDER BY cell_id", (r["outage_id"],))]
        return Outage(
            outage_id=r["outage_id"], province=r["province"], city=r["city"], district=r["district"],
            service=r["service"], cause=r["cause"], description=r["description"], start_ts=r["start_ts"],
            est_recovery_ts=r["est_recovery_ts"], recovered_ts=r["recovered_ts"], olt_id=r["olt_id"],
            cell_ids=cells,
        )

    def _cell(self, cell_id: str) -> Cell:
        r = self.db.one("SELECT * FROM cells WHERE cell_id = ?", (cell_id,))
        if r is None:
            raise RecordNotFound(SYS, f"没有小区 {cell_id}")
        return Cell(cell_id=r["cell_id"], name=r["name"], province=r["province"], city=r["city"],
                    district=r["district"], tech=r["tech"], state=r["state"])

    def get_cell(self, cell_id: str) -> Cell:
        """See `CoverageClient.get_cell`."""
        self.faults.apply("get_cell")
        return self._cell(cell_id)

    def get_outage(self, outage_id: str) -> Outage:
        """See `CoverageClient.get_outage`."""
        self.faults.apply("get_outage")
        r = self.db.one("SELECT * FROM outages o WHERE outage_id = ?", (outage_id,))
        if r is None:
            raise RecordNotFound(SYS, f"没有故障通告 {outage_id}")
        return self._outage(r)

    def list_outages(self, since: str, until: str) -> list[Outage]:
        """See `CoverageClient.list_outages`."""
        for label, value in (("since", since), ("until", until)):
            try:
                datetime.fromisoformat(value)
            except (TypeError, ValueError):
                raise InvalidInput(SYS, f"{label} 时间格式不正确: {value!r}") from None
        self.faults.apply("list_outages")
        rows = self.db.query(
            "SELECT * FROM outages o WHERE o.start_ts < :until"
            " AND COALESCE(o.recovered_ts, o.est_recovery_ts, '9999') >= :since ORDER BY start_ts, outage_id",
            {"since": since, "until": until},
        )
        return [self._outage(r) for r in rows]

    def list_active_outages(self, province: str | None = None, city: str | None = None) -> list[Outage]:
        """See `CoverageClient.list_active_outages`."""
        self.faults.apply("list_active_outages")
        rows = self.db.query(
            f"SELECT * FROM outages o WHERE {ACTIVE} AND (:province IS NULL OR province = :province)"
            " AND (:city IS NULL OR city = :city) ORDER BY start_ts, outage_id",
            {"now": self._now(), "province": province, "city": city},
        )
        return [self._outage(r) for r in rows]

    def _now(self) -> str:
        return self.db.now().isoformat(timespec="seconds")

    def check_area(
        self, province: str, city: str, district: str | None = None, cell_id: str | None = None
    ) -> AreaStatus:
        """See `CoverageClient.check_area`."""
        if not province or not city:
            raise InvalidInput(SYS, "查询区域至少需要省和市")
        self.faults.apply("check_area")
        cell = self._cell(cell_id) if cell_id else None
        now = self.db.now()
        params = {"now": now.isoformat(timespec="seconds"), "province": province, "city": city,
                  "district": district, "cell": cell_id,
                  "soon": (now + timedelta(hours=24)).isoformat(timespec="seconds")}
        outages = self.db.query(
            f"SELECT * FROM outages o WHERE {ACTIVE} AND ("
            " (o.province = :province AND o.city = :city"
            "  AND (o.district IS NULL OR :district IS NULL OR o.district = :district))"
            " OR EXISTS (SELECT 1 FROM outage_cells c WHERE c.outage_id = o.outage_id AND c.cell_id = :cell))"
            " ORDER BY o.start_ts, o.outage_id",
            params,
        )
        works = self.db.query(
            "SELECT * FROM maintenance WHERE province = :province AND city = :city"
            " AND (district IS NULL OR :district IS NULL OR district = :district)"
            " AND start_ts <= :soon AND end_ts > :now ORDER BY start_ts, maintenance_id",
            params,
        )
        weak = self.db.query(
            "SELECT * FROM weak_coverage WHERE (province = :province AND city = :city AND district = :district)"
            " OR cell_id = :cell ORDER BY grid_id",
            params,
        )
        return AreaStatus(
            at=params["now"], province=province, city=city, district=district, cell=cell,
            outages=[self._outage(r) for r in outages],
            maintenance=[Maintenance(**dict(r)) for r in works],
            weak_coverage=[WeakCoverage(**dict(r)) for r in weak],
        )
