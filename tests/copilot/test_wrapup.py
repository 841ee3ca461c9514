"""The wrap-up: the call's disposition is the playbook's, whatever scripts the card showed."""

from __future__ import annotations

from copilot.state import CallState
from copilot.wrapup import wrap_up
from knowledge.vocabulary import load_vocabulary

OUTAGE_ELSEWHERE = {"id": "ES-20261124-006", "title": "某区宽带故障应急口径", "outage_id": "OUT-1"}


def _state(disposition: str, results: dict[str, dict[str, object]]) -> CallState:
    diagnosis = {"disposition": disposition, "findings": [
        {"id": "low_rx_power", "text": "光功率过低（-28 dBm），需上门", "evidence": ["pon.rx_power_dbm=-28.0"]}]}
    return CallState(
        transcript=[{"speaker": "caller", "text": "宽带断了，光猫红灯一直闪"}], intents=[("broadband_fault", 0.99)],
        diagnosis=diagnosis, scripts=[OUTAGE_ELSEWHERE], results=results,
        actions=[{"key": "create_repair_ticket", "action": "create_repair_ticket", "label": "创建报修工单",
                  "params": {}}])


def test_a_dispatched_call_stays_dispatched_beside_another_lines_outage_script() -> None:
    done = {"create_repair_ticket": {"ok": True, "message": "已创建报修工单 T2026112400069"}}
    wrap = wrap_up(_state("dispatch", done), load_vocabulary(), "A1001")
    assert wrap["disposition"] == "dispatch" and wrap["summary"]["结果"] == "需派单上门维修"
    assert wrap["ticket"] is None  # the repair ticket was created during the call
    pending = wrap_up(_state("dispatch", {}), load_vocabulary(), "A1001")
    assert pending["ticket"]["kind"] == "repair"


def test_an_intercepted_call_is_recorded_as_handled_online() -> None:
    wrap = wrap_up(_state("intercept", {}), load_vocabulary(), "A1001")
    assert wrap["disposition"] == "intercept" and wrap["ticket"] is None
