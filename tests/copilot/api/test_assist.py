"""The agent's questions and feedback, the wrap-up, and the audit trail."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.settings import Settings
from tests.copilot.api.conftest import start
from tools.base.faults import FaultConfig
from tools.sim.db import SimDatabase


def test_an_agent_question_is_answered_from_the_calls_facts_and_kept_apart(client: TestClient,
                                                                           sim_path: Path) -> None:
    start(client, sim_path, "big_overage_elastic_eligible")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "我上个月流量费怎么扣了那么多钱"})
    answer = client.post("/v1/calls/c1/ask", json={"text": "这个客户能办弹性计费包吗？"}).json()
    assert answer["grounded"] and "弹性计费包" in answer["answer"]
    assert any("BOSS" in s or s.startswith("KP-") for s in answer["sources"])
    state = client.get("/v1/calls/c1").json()["state"]
    assert [u["text"] for u in state["transcript"]] == ["我上个月流量费怎么扣了那么多钱"]
    assert state["questions"] == [{"text": "这个客户能办弹性计费包吗？"}]


def test_a_question_about_todays_scripts_reads_the_script_library(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "bb_area_outage")
    answer = client.post("/v1/calls/c1/ask", json={"text": "今天这个区域有没有宽带故障口径？"}).json()
    assert answer["grounded"] and "ES-20261120-009" in answer["sources"]


def test_a_question_nothing_supports_says_so(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "healthy")
    answer = client.post("/v1/calls/c1/ask", json={"text": "你们公司今年年会定在哪天"}).json()
    assert answer["grounded"] is False and answer["sources"] == [] and "没有查到" in answer["answer"]


def test_feedback_is_recorded_and_bad_feedback_named(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "healthy")
    r = client.post("/v1/calls/c1/feedback", json={"card": "reply", "event": "thumbs_down",
                                                   "reason": "客户说的是13812345678不是本机"})
    assert r.status_code == 201
    events = client.get("/v1/calls/c1/audit").json()["events"]
    assert events[-1]["type"] == "feedback" and "138****5678" in events[-1]["data"]["reason"]
    bad = client.post("/v1/calls/c1/feedback", json={"card": "reply", "event": "liked"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "event"


def test_wrap_up_summarises_and_prefills_a_ticket_only_when_one_is_still_needed(client: TestClient,
                                                                               sim_path: Path) -> None:
    start(client, sim_path, "bb_los_fibre_cut", "c1")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "家里宽带断了，光猫红灯一直闪"})
    wrap = client.post("/v1/calls/c1/end").json()["wrapup"]
    assert set(wrap["summary"]) == {"诉求", "核查", "处理", "结果"}
    assert wrap["disposition_intent"] == "broadband_fault" and wrap["summary"]["结果"] == "需派单上门维修"
    assert wrap["ticket"]["kind"] == "repair" and wrap["ticket"]["evidence"]

    start(client, sim_path, "bb_los_fibre_cut", "c2")
    client.post("/v1/calls/c2/utterances", json={"speaker": "caller", "text": "家里宽带断了，光猫红灯一直闪"})
    client.post("/v1/calls/c2/actions/create_repair_ticket/confirm")
    wrap = client.post("/v1/calls/c2/end").json()["wrapup"]
    assert (wrap["ticket"] is None and "派单" in wrap["summary"]["处理"]) or "工单" in wrap["summary"]["处理"]


def test_the_audit_trail_keeps_what_the_agent_was_shown_masked(client: TestClient, sim_path: Path) -> None:
    msisdn = start(client, sim_path, "bb_los_fibre_cut")
    client.post("/v1/calls/c1/utterances",
                json={"speaker": "caller", "text": f"我的号码{msisdn}，身份证360102199001011234，宽带断了"})
    client.post("/v1/calls/c1/end")
    audit = client.get("/v1/calls/c1/audit").json()
    assert audit["call"]["msisdn_masked"] == msisdn[:3] + "****" + msisdn[-4:] and audit["call"]["ended_at"]
    types = [e["type"] for e in audit["events"]]
    assert {"utterance", "understanding", "knowledge", "diagnosis", "reply", "wrapup"} <= set(types)
    raw = (Path(client.app.state.settings.data_dir) / "audit.sqlite").read_bytes()  # type: ignore[attr-defined]
    assert msisdn.encode() not in raw and b"360102199001011234" not in raw
    assert SimDatabase(sim_path).one("SELECT 1") is not None


def test_the_agents_confirmed_wrap_up_is_kept_masked_and_only_after_the_call(client: TestClient,
                                                                            sim_path: Path) -> None:
    start(client, sim_path, "healthy")
    body = {"summary": {"诉求": "查话费", "核查": "无异常", "处理": "解释", "结果": "客户留了号码13812345678"},
            "disposition": "inform", "edited": ["结果"]}
    early = client.put("/v1/calls/c1/wrapup", json=body)
    assert early.status_code == 409 and early.json()["error"]["code"] == "call_not_ended"
    suggested = client.post("/v1/calls/c1/end").json()["wrapup"]
    assert client.put("/v1/calls/c1/wrapup", json=body | {"disposition": "teleport"}).status_code == 422
    assert client.put("/v1/calls/c1/wrapup", json=body).status_code == 200
    as_suggested = {"summary": suggested["summary"], "disposition": suggested["disposition"]}
    one_change = {"summary": suggested["summary"] | {"结果": "客户留了号码13812345678"},
                  "disposition": suggested["disposition"], "edited": []}
    for sent in (as_suggested, one_change):
        assert client.put("/v1/calls/c1/wrapup", json=sent).status_code == 200
    kept = [e["data"] for e in client.get("/v1/calls/c1/audit").json()["events"] if e["type"] == "wrapup_confirmed"]
    assert kept[0]["summary"]["结果"] == "客户留了号码138****5678"
    # what was changed is worked out against the suggestion, not taken from the client (which said 结果 only)
    assert kept[0]["edited"] == ["诉求", "核查", "处理", "结果"] + (["处置"] if suggested["disposition"] != "inform"
                                                                   else [])
    assert kept[1]["edited"] == [] and kept[2]["edited"] == ["结果"]


def test_the_suggested_wrap_up_and_ticket_can_be_confirmed_as_they_came(client: TestClient, sim_path: Path) -> None:
    """Found by a new user: the ticket /end suggests (with its evidence list) was refused by PUT /wrapup (422)."""
    start(client, sim_path, "bb_los_fibre_cut")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "家里宽带断了，光猫红灯一直闪，电话13812345678"})
    suggested = client.post("/v1/calls/c1/end").json()["wrapup"]
    assert suggested["ticket"] and isinstance(suggested["ticket"]["evidence"], list)
    body = {"summary": suggested["summary"], "disposition": suggested["disposition"], "ticket": suggested["ticket"]}
    assert client.put("/v1/calls/c1/wrapup", json=body).status_code == 200
    kept = [e["data"] for e in client.get("/v1/calls/c1/audit").json()["events"] if e["type"] == "wrapup_confirmed"]
    assert kept[0]["edited"] == [] and kept[0]["ticket"]["evidence"] == suggested["ticket"]["evidence"]
    assert "13812345678" not in str(kept[0])


def test_asked_whether_a_crew_must_go_the_answer_is_the_diagnosis_own(client: TestClient, sim_path: Path) -> None:
    for call, situation, line, verdict in (
            ("c1", "bb_onu_hung", "家里宽带上不了网，光猫的灯都是绿的，没有红灯", "不需要派单上门"),
            ("c2", "bb_los_fibre_cut", "家里宽带断了，光猫红灯一直闪", "需要派单上门维修"),
            # found by a new user: with a repair already on its way there was no answer at all
            ("c3", "bb_open_repair_ticket", "我家宽带报修了好几天了还没修好", "已有报修工单在处理")):
        start(client, sim_path, situation, call)
        client.post(f"/v1/calls/{call}/utterances", json={"speaker": "caller", "text": line})
        answer = client.post(f"/v1/calls/{call}/ask", json={"text": "需要派师傅上门吗？"}).json()
        assert answer["grounded"] and verdict in answer["answer"] and answer["sources"], answer
        if verdict == "需要派单上门维修":
            assert "不需要" not in answer["answer"]


def test_a_threat_heading_the_findings_does_not_answer_whether_a_crew_must_go(client: TestClient,
                                                                           sim_path: Path) -> None:
    start(client, sim_path, "bb_onu_hung")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "家里宽带又上不了网了，光猫灯都是绿的"})
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "再修不好我就发到抖音上曝光你们"})
    answer = client.post("/v1/calls/c1/ask", json={"text": "需要派师傅上门吗？"}).json()
    assert answer["grounded"] and "不需要派单上门" in answer["answer"] and answer["sources"], answer
    assert "曝光" not in answer["answer"]


def test_a_question_about_the_line_itself_is_answered_by_the_systems(client: TestClient, sim_path: Path) -> None:
    """System query points (copilot/data/lookups.yaml): a found-in-the-demo "几星级" got a promotion's point."""
    msisdn = start(client, sim_path, "bb_onu_hung")
    db = SimDatabase(sim_path)
    brand, stars = db.one("SELECT brand, star_level FROM subscribers WHERE msisdn = ?", (msisdn,)) or ("", 0)
    product = db.one("SELECT p.name FROM broadband_accounts b JOIN products p USING (product_id) WHERE b.msisdn = ?",
                     (msisdn,))
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "家里宽带上不了网"})
    star = client.post("/v1/calls/c1/ask", json={"text": "这个客户几星级？"}).json()
    said = f"{brand}{stars}星级客户" if stars else f"{brand}客户，未评星级（0星）"
    assert star["grounded"] and star["answer"] == f"系统查询：{said}。", star
    assert any(s.startswith("boss_get_account: 星级") for s in star["sources"])
    assert not any(s.startswith("KP-") for s in star["sources"]), "a fact about the line, not a knowledge point"
    bandwidth = client.post("/v1/calls/c1/ask", json={"text": "他家宽带是多少兆的"}).json()
    assert product is not None and str(product[0]) in bandwidth["answer"], bandwidth
    onu = client.post("/v1/calls/c1/ask", json={"text": "光猫什么状态"}).json()
    assert "光猫在线" in onu["answer"] and "疑似假死" in onu["answer"], onu  # what the diagnosis found too
    both = client.post("/v1/calls/c1/ask", json={"text": "余额还有多少，几星级"}).json()
    assert "账户余额" in both["answer"] and "星" in both["answer"]


def test_a_question_about_another_number_or_about_procedure_is_not_answered_from_the_line(
        client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "healthy")
    other = client.post("/v1/calls/c1/ask", json={"text": "帮我查一下13800138000的余额"}).json()
    assert "138****8000" in other["answer"] and "不是本次来电号码" in other["answer"] and "账户余额" not in other["answer"]
    assert "13800138000" not in str(client.get("/v1/calls/c1/audit").json()), "the question is kept masked"
    how = client.post("/v1/calls/c1/ask", json={"text": "实名制补登记要带什么证件"}).json()
    assert "系统查询" not in how["answer"] and "系统核查" not in how["answer"], how


def test_asked_about_the_refund_just_made_the_answer_says_it(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "big_overage_elastic_eligible")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "这个月流量费怎么扣了我这么多，我根本没用那么多"})
    refund = client.post("/v1/calls/c1/actions/refund_via_elastic_package/confirm").json()["result"]
    assert refund["ok"], refund
    answer = client.post("/v1/calls/c1/ask", json={"text": "退的钱到账了没有"}).json()
    assert answer["answer"].startswith("系统查询：本次通话已办理：办理弹性计费包，"), answer
    assert "退回话费账户" in answer["answer"] and "没有在途的费用争议工单" not in answer["answer"]


def test_a_lookup_whose_system_is_down_says_so(sim_path: Path, kb_dir: Path, tmp_path: Path) -> None:
    settings = Settings(sim_db=sim_path, kb_dir=kb_dir, data_dir=tmp_path / "d",
                        sim_faults={"PON": FaultConfig(error_rate=1.0)})
    with TestClient(create_app(settings)) as client:
        start(client, sim_path, "bb_healthy")
        answer = client.post("/v1/calls/c1/ask", json={"text": "客户的宽带是多少兆的？"}).json()
    assert "名下宽带：PON系统未返回，请稍后再查" in answer["answer"] and "没有宽带" not in answer["answer"], answer


def test_a_contract_that_ended_is_said_to_have_ended(client: TestClient, sim_path: Path) -> None:
    """Found trying the demo: "合约到什么时候" read a contract that ended in 2025 as if it still ran."""
    db = SimDatabase(sim_path)
    ended = db.one("SELECT msisdn, contract_until FROM subscribers WHERE contract_until < '2026-01-01' "
                   "AND status = 'active' ORDER BY msisdn LIMIT 1")
    running = db.one("SELECT msisdn, contract_until FROM subscribers WHERE contract_until > '2027-01-01' "
                     "AND status = 'active' ORDER BY msisdn LIMIT 1")
    assert ended is not None and running is not None
    for call_id, row, said in (("c1", ended, "合约已于{}到期"), ("c2", running, "合约期至{}")):
        client.post("/v1/calls", json={"call_id": call_id, "msisdn": row["msisdn"], "agent_id": "A1001"})
        answer = client.post(f"/v1/calls/{call_id}/ask", json={"text": "合约到什么时候"}).json()
        assert said.format(row["contract_until"]) in answer["answer"], answer


def test_whether_the_line_can_have_the_elastic_pack_is_read_from_boss(client: TestClient, sim_path: Path) -> None:
    """Found trying the demo: on a call that was no fee dispute it was answered with the tiers' knowledge point."""
    asked = "这个客户能办弹性计费包吗？"
    answers = {}
    for i, situation in enumerate(("big_overage_elastic_eligible", "big_overage_elastic_used", "overage_excluded_plan",
                                   "healthy")):
        start(client, sim_path, situation, f"c{i}")
        answers[situation] = client.post(f"/v1/calls/c{i}/ask", json={"text": asked}).json()
    assert all(a["grounded"] and any("boss_check_elastic_eligibility" in s for s in a["sources"])
               for a in answers.values())
    assert "可以办理" in answers["big_overage_elastic_eligible"]["answer"]
    assert "节省" in answers["big_overage_elastic_eligible"]["answer"]
    assert "不能办理：" in answers["big_overage_elastic_used"]["answer"]
    assert "不能办理：" in answers["overage_excluded_plan"]["answer"]
    assert "（未查到）" not in " ".join(a["answer"] for a in answers.values())
    client.post("/v1/calls/c0/utterances", json={"speaker": "caller", "text": "我上个月流量费怎么这么多"})
    assert client.post("/v1/calls/c0/actions/refund_via_elastic_package/confirm").status_code == 200
    after = client.post("/v1/calls/c0/ask", json={"text": asked}).json()
    assert after["answer"].startswith("系统查询：本次通话已办理：办理弹性计费包")


def test_a_repair_tickets_commitment_is_to_fix_it_not_to_reply(client: TestClient, sim_path: Path) -> None:
    """Found trying the demo: "师傅什么时候来" was told a repair ticket's deadline as "…前回复"."""
    start(client, sim_path, "bb_open_repair_ticket")
    answer = client.post("/v1/calls/c1/ask", json={"text": "师傅什么时候来"}).json()
    assert answer["grounded"] and "前处理完毕" in answer["answer"] and "前回复" not in answer["answer"]


def test_a_follow_up_about_another_line_is_never_answered_from_the_callers_own(client: TestClient,
                                                                              sim_path: Path) -> None:
    """Found by a trial: "那她欠了多少钱" after the mother's number got the caller's own balance read out."""
    msisdn = start(client, sim_path, "arrears_suspended")
    line = SimDatabase(sim_path).one("SELECT balance_fen FROM subscribers WHERE msisdn = ?", (msisdn,))
    assert line is not None
    own = f"{abs(line['balance_fen']) / 100:.2f}".rstrip("0").rstrip(".")
    for said in ("我妈的号码13912345678停机了，打不通", "她是不是欠费了", "那她欠了多少钱啊", "那她欠了多少钱啊"):
        reply = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": said}).json()["reply"]
        assert own not in reply and "账户余额" not in reply, (said, reply)
    assert "不能替您查" in reply
