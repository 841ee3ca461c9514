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
    assert wrap["disposition"] == "dispatch" and wrap["summary"]["结果"] == "已派单上门维修"
    assert wrap["ticket"] is None  # the repair ticket was created during the call
    pending = wrap_up(_state("dispatch", {}), load_vocabulary(), "A1001")
    assert pending["ticket"]["kind"] == "repair" and pending["summary"]["结果"] == "需派单上门维修"


def test_an_intercepted_call_is_recorded_as_handled_online() -> None:
    wrap = wrap_up(_state("intercept", {}), load_vocabulary(), "A1001")
    assert wrap["disposition"] == "intercept" and wrap["ticket"] is None


def _call(disposition: str, results: dict[str, dict[str, object]], **fields: object) -> CallState:
    fields.setdefault("transcript", [{"speaker": "caller", "text": "我想把服务密码重置一下"}])
    return CallState(intents=[("password_reset", 0.97)], diagnosis={"disposition": disposition, "findings": []},
                     results=results, **fields)  # type: ignore[arg-type]


def test_a_resolve_nobody_carried_out_is_not_recorded_as_solved() -> None:
    """Found by a new user: 结果 said 已当场解决 where no action was confirmed on the call."""
    offered = wrap_up(_call("resolve", {}), load_vocabulary(), "A1")
    assert offered["summary"]["结果"] == "已告知处理办法，未在通话中办理"
    reset = {"reset_password": {"ok": True, "message": "服务密码已重置", "data": {}, "action": "reset_password",
                                "intent": "password_reset"}}
    assert wrap_up(_call("resolve", reset), load_vocabulary(), "A1")["summary"]["结果"] == "已当场解决"
    still = wrap_up(_call("resolve", reset), load_vocabulary(), "A1", unsolved=True)
    assert still["summary"]["结果"] == "已办理，但客户反映问题仍未解决"
    assert still["ticket"]["kind"] == "complaint", "found trying the demo: still failing, and no ticket to follow it up"
    assert wrap_up(_call("resolve", reset), load_vocabulary(), "A1")["ticket"] is None


def test_the_summary_names_every_need_of_the_call_and_an_unanswered_threat() -> None:
    """Found by a new user: a call that went from arrears to a plan change was summarised as the plan change
    alone, and a caller who threatened 工信部 was recorded as solved."""
    call = _call("inform", {}, needs=["balance_arrears", "password_reset"], call_risks=["escalation_threat"])
    summary = wrap_up(call, load_vocabulary(), "A1")["summary"]
    assert summary["诉求"].startswith("余额与欠费、服务密码：")
    assert summary["结果"] == "已向客户解释说明；客户表示要越级或向媒体投诉，未升级处理"
    assert summary["处理"] == "解释说明", "no script was read on this call"


def test_a_threat_handed_to_the_supervisor_is_recorded_as_escalated() -> None:
    """Reviewed: 转值班长 (guidance, no write tool) is recorded without an action id, and was not recognised."""
    handed = {"escalate_supervisor": {"ok": True, "message": "已记录，按指引处理"}}
    call = _call("inform", handed, call_risks=["escalation_threat"])
    assert wrap_up(call, load_vocabulary(), "A1")["summary"]["结果"] == "已向客户解释说明；已转值班长处理"


def test_the_ask_keeps_the_callers_last_words_and_an_unregistered_complaint_is_named() -> None:
    """Found trying the demo: 诉求 was the first two turns cut at 60 characters ("我要投诉" at the end was lost)."""
    call = _call("intercept", {}, call_risks=["complaint_escalation"], transcript=[
        {"speaker": "caller", "text": "我家宽带从早上就上不了网了，光猫上有个灯一直红的"},
        {"speaker": "agent", "text": "您所在区域有故障，预计下午三点恢复"},
        {"speaker": "caller", "text": "那要到下午三点多啊？我在家上班的，耽误事你们赔吗？我要投诉！"}])
    summary = wrap_up(call, load_vocabulary(), "A1")["summary"]
    assert summary["诉求"].endswith("我要投诉！") and "光猫上有个灯一直红的" in summary["诉求"]
    assert summary["结果"].endswith("客户表示要投诉，未登记投诉")
    done = {"create_complaint_ticket": {"ok": True, "message": "已登记投诉工单", "data": {},
                                        "action": "create_complaint_ticket", "intent": "password_reset"}}
    registered = _call("intercept", done, call_risks=["complaint_escalation"])
    assert "未登记投诉" not in wrap_up(registered, load_vocabulary(), "A1")["summary"]["结果"]
