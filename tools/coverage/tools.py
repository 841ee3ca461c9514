"""LangChain tools over coverage and fault notices."""

from __future__ import annotations

from tools.base.toolkit import Toolkit, ToolType, is_tool
from tools.base.values import Fact, FactMaker, System, ToolResult
from tools.coverage.client import CoverageClient

SYS = System.COVERAGE
SERVICE_LABELS = {"mobile_data": "手机上网", "voice": "语音通话", "broadband": "家庭宽带", "all": "全业务"}
SEVERITY_LABELS = {"mild": "轻度", "moderate": "中度", "severe": "严重"}


_fact = FactMaker(SYS, "coverage")


class CoverageToolkit(Toolkit):
    """Coverage tools."""

    system = SYS

    def __init__(self, client: CoverageClient) -> None:
        self.client = client

    @is_tool(ToolType.READ)
    def coverage_check_area(
        self, province: str, city: str, district: str | None = None, cell_id: str | None = None
    ) -> ToolResult:
        """Check for an area outage, planned works or weak coverage where the caller is, and until when.

        Args:
            province: Province, e.g. 江西省.
            city: City, e.g. 南昌市.
            district: District, e.g. 东湖区.
            cell_id: The serving cell, when known (from the line's home cell or recent sessions).

        Returns:
            Facts per active outage (cause, since, estimated recovery), works, and weak-coverage grid.
        """
        a = self.client.check_area(province, city, district, cell_id)
        facts: list[Fact] = []
        if a.cell:
            state = {"ok": "正常", "fault": "故障", "maintenance": "维护中"}[a.cell.state]
            facts.append(_fact("服务小区", f"{a.cell.name}（{a.cell.tech}，{state}）", f"cell.{a.cell.cell_id}"))
        for o in a.outages:
            facts.append(_fact(
                "区域故障",
                f"{o.outage_id} {o.district or o.city}{SERVICE_LABELS[o.service]}故障：{o.cause}，"
                f"{o.start_ts}起，预计{o.est_recovery_ts or '待定'}恢复",
                f"outage.{o.outage_id}",
            ))
        for m in a.maintenance:
            facts.append(_fact("计划施工", f"{m.description}（{m.start_ts} 至 {m.end_ts}）",
                               f"maintenance.{m.maintenance_id}"))
        for w in a.weak_coverage:
            due = f"，计划{w.planned_fix_date}前完成" if w.planned_fix_date else ""
            facts.append(_fact("弱覆盖", f"{w.place}（{SEVERITY_LABELS[w.severity]}，{w.cause}；{w.plan}{due}）",
                               f"weak.{w.grid_id}"))
        if not (a.outages or a.maintenance or a.weak_coverage):
            facts.append(_fact("区域网络", "当前无故障、施工或弱覆盖记录", "area.clear"))
        return ToolResult(tool="coverage_check_area", system=SYS, ok=True, facts=facts, data=a.model_dump())

    @is_tool(ToolType.READ)
    def coverage_get_outage(self, outage_id: str) -> ToolResult:
        """Get one outage notice: area, service, cause, start and estimated recovery.

        Args:
            outage_id: The outage id (as cited by an emergency script).

        Returns:
            Facts for the outage.
        """
        o = self.client.get_outage(outage_id)
        facts = [
            _fact("故障范围", f"{o.province}{o.city}{o.district or ''} {SERVICE_LABELS[o.service]}",
                  f"outage.{o.outage_id}.area"),
            _fact("故障原因", o.cause, f"outage.{o.outage_id}.cause"),
            _fact("故障开始", o.start_ts, f"outage.{o.outage_id}.start"),
            _fact("预计恢复", o.est_recovery_ts or "待定", f"outage.{o.outage_id}.eta"),
            _fact("是否已恢复", o.recovered_ts or "未恢复", f"outage.{o.outage_id}.recovered"),
        ]
        return ToolResult(tool="coverage_get_outage", system=SYS, ok=True, facts=facts, data=o.model_dump())
