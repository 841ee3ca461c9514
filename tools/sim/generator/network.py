"""The radio network and its troubles: cells, outages, planned works and weak-coverage grids.

Cells have a role: ``normal`` cells are homes for ordinary lines, each district has one
``weak`` cell inside a weak-coverage grid, and the cells of an active mobile-data outage
have the ``outage`` role (and state ``fault``). Only the lines staged for
``weak_coverage`` / ``area_outage_mobile`` live in those cells, so an ordinary line never
looks affected. Planned works are all in the past or the future, never in progress.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tools.sim.generator.model import Cell, Tables, between, day, ts
from tools.sim.generator.regions import DISTRICTS, PILOT_PROVINCE, District

_OUTAGE_CAUSES = ("基站停电", "传输光缆中断", "基站设备故障", "核心网设备故障", "市政施工挖断光缆")
_WEAK_SPOTS = ("地下车库", "地下商场", "电梯间", "高层住宅18层以上", "城中村巷道", "地铁站站厅", "老旧小区楼道")
_WEAK_CAUSES = ("高层建筑遮挡", "地下空间无室分覆盖", "基站站址缺失", "新建小区未建室分系统", "周边基站距离较远")
_WEAK_PLANS = (
    ("已列入{y}年一季度建站计划", 120), ("室分系统建设中，预计{y}年春节前完工", 75),
    ("已协调物业，待进场施工", 45), ("暂无建设计划，建议用户开启VoWiFi", None),
)
_MAINT_TEXT = {
    "mobile_data": "{place}基站设备升级割接，期间周边4G/5G数据业务可能短时中断",
    "voice": "{place}核心网语音设备例行维护，期间可能出现呼叫失败，请重拨",
    "broadband": "{place}OLT设备板卡升级，期间下挂家庭宽带短时中断约30分钟",
    "all": "{place}传输线路迁改割接，期间移动业务及家庭宽带可能中断",
}


@dataclass
class ActiveOutage:
    """An active mobile-data outage: its district, cells and times."""

    district: District
    cells: list[Cell]
    start: datetime
    est_recovery: datetime


@dataclass
class Network:
    """The generated cells, by district, and the outage id counters."""

    cells: list[Cell] = field(default_factory=list)
    by_district: dict[str, list[Cell]] = field(default_factory=dict)
    normal: dict[str, list[Cell]] = field(default_factory=dict)
    weak: dict[str, Cell] = field(default_factory=dict)
    outages: list[ActiveOutage] = field(default_factory=list)
    _ids: Counter[str] = field(default_factory=Counter)

    def outage_id(self, district: District, start: datetime) -> str:
        """A fresh outage id such as ``NC-20261123-001``."""
        prefix = f"{district.city_abbr}-{start:%Y%m%d}"
        self._ids[prefix] += 1
        return f"{prefix}-{self._ids[prefix]:03d}"


def build_cells(rng: random.Random, n_lines: int, as_of: datetime) -> Network:
    """Cells for every district, one weak cell each, and the cells of the active mobile outages."""
    net = Network()
    sites: Counter[str] = Counter()
    for district in DISTRICTS:
        count = min(60, max(5, round(n_lines * district.weight / 60)))
        cells: list[Cell] = []
        per_landmark: Counter[str] = Counter()
        for i in range(count):
            landmark = district.landmarks[i % len(district.landmarks)]
            per_landmark[landmark] += 1
            sites[district.city] += 1
            cell_id = f"460-00-{district.area_code.lstrip('0')}{sites[district.city]:03d}-{rng.randint(1, 3)}"
            tech = "5G" if rng.random() < 0.45 else "4G"
            name = f"{district.district}{landmark}{per_landmark[landmark]}小区"
            cells.append(Cell(cell_id, name, district, tech, landmark))
        weak = cells[-1]
        weak.role = "weak"
        net.weak[district.key] = weak
        net.cells.extend(cells)
        net.by_district[district.key] = cells
    n_outages = min(6, 1 + n_lines // 8000)
    pilot = [d for d in DISTRICTS if d.province == PILOT_PROVINCE]
    others = [d for d in DISTRICTS if d.province != PILOT_PROVINCE]
    chosen = [rng.choice(pilot), *rng.sample(others, n_outages - 1)]
    for district in chosen:
        cells = net.by_district[district.key][:2]
        for cell in cells:
            cell.role, cell.state = "outage", "fault"
        start = as_of - timedelta(minutes=rng.randint(40, 360))
        net.outages.append(ActiveOutage(district, cells, start, as_of + timedelta(minutes=rng.randint(60, 480))))
    for key, cells in net.by_district.items():
        net.normal[key] = [c for c in cells if c.role == "normal"]
    return net


def network_rows(rng: random.Random, net: Network, tables: Tables, n_lines: int, as_of: datetime) -> None:
    """Fill ``cells``, ``outages`` (mobile side), ``outage_cells``, ``maintenance`` and ``weak_coverage``."""
    for cell in net.cells:
        d = cell.district
        tables["cells"].append((cell.cell_id, cell.name, d.province, d.city, d.district, cell.tech, cell.state))
    for outage in net.outages:
        district, cells, start = outage.district, outage.cells, outage.start
        cause = rng.choice(_OUTAGE_CAUSES[:3])
        oid = net.outage_id(district, start)
        place = f"{district.district}{cells[0].landmark}"
        tables["outages"].append((
            oid, district.province, district.city, district.district, "mobile_data", cause,
            f"{place}附近{len(cells)}个基站因{cause}退服，周边4G/5G数据业务中断，抢修人员已到场处理",
            ts(start), ts(outage.est_recovery), None, None,
        ))
        tables["outage_cells"].extend((oid, c.cell_id) for c in cells)
    for _ in range(6 + n_lines // 1500):
        district = rng.choice(DISTRICTS)
        start = between(rng, as_of - timedelta(days=60), as_of - timedelta(days=1))
        end = start + timedelta(minutes=rng.randint(45, 600))
        service = rng.choice(("mobile_data", "mobile_data", "voice", "all"))
        cause = rng.choice(_OUTAGE_CAUSES)
        oid = net.outage_id(district, start)
        cells = rng.sample(net.by_district[district.key], rng.randint(1, 3))
        label = {"mobile_data": "数据业务", "voice": "语音业务", "all": "移动业务"}[service]
        tables["outages"].append((
            oid, district.province, district.city, district.district, service, cause,
            f"{district.district}{rng.choice(district.landmarks)}区域因{cause}导致{label}中断，已恢复",
            ts(start), ts(end), ts(end - timedelta(minutes=rng.randint(0, 40))), None,
        ))
        tables["outage_cells"].extend((oid, c.cell_id) for c in sorted(cells, key=lambda c: c.cell_id))
    _maintenance(rng, tables, n_lines, as_of)
    _weak_coverage(rng, net, tables, as_of)


def _maintenance(rng: random.Random, tables: Tables, n_lines: int, as_of: datetime) -> None:
    seq: Counter[str] = Counter()
    for _ in range(8 + n_lines // 2000):
        district = rng.choice(DISTRICTS)
        if rng.random() < 0.5:
            night = (as_of + timedelta(days=rng.randint(1, 14))).replace(hour=0, minute=0, second=0)
        else:
            night = (as_of - timedelta(days=rng.randint(2, 30))).replace(hour=0, minute=0, second=0)
        start = night + timedelta(hours=rng.choice((0, 1, 2)))
        service = rng.choice(tuple(_MAINT_TEXT))
        prefix = f"MT-{district.city_abbr}-{start:%Y%m%d}"
        seq[prefix] += 1
        place = f"{district.district}{rng.choice(district.landmarks)}"
        whole_city = rng.random() < 0.15
        tables["maintenance"].append((
            f"{prefix}-{seq[prefix]:02d}", district.province, district.city, None if whole_city else district.district,
            service, _MAINT_TEXT[service].format(place=district.city if whole_city else place),
            ts(start), ts(start + timedelta(hours=rng.choice((2, 3, 4)))),
        ))


def _weak_coverage(rng: random.Random, net: Network, tables: Tables, as_of: datetime) -> None:
    for district in DISTRICTS:
        weak = net.weak[district.key]
        grids: list[tuple[str, Cell | None]] = [(weak.landmark, weak)]
        if rng.random() < 0.6:
            grids.append((rng.choice(district.landmarks), None))
        for k, (landmark, cell) in enumerate(grids, start=1):
            plan, days = rng.choice(_WEAK_PLANS)
            fix = as_of + timedelta(days=days + rng.randint(0, 30)) if days is not None else None
            tables["weak_coverage"].append((
                f"WC-{district.admin_code}-{k:02d}", district.province, district.city, district.district,
                f"{district.district}{landmark}{rng.choice(_WEAK_SPOTS)}", cell.cell_id if cell else None,
                "severe" if cell is not None and rng.random() < 0.5 else rng.choice(("mild", "moderate", "severe")),
                rng.choice(_WEAK_CAUSES), plan.format(y=as_of.year + 1), day(fix) if fix else None,
            ))
