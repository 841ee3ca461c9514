"""The calls API: utterances in, suggestions out; actions only after confirmation, once; bad input named."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.settings import Settings
from tests.conftest import profile
from tests.copilot.api.conftest import start
from tools.sim.db import SimDatabase


def test_a_broadband_call_end_to_end(client: TestClient, sim_path: Path) -> None:
    msisdn = start(client, sim_path, "bb_los_fibre_cut")
    r = client.post("/v1/calls/c1/utterances",
                    json={"speaker": "caller", "text": f"我的号码是{msisdn}，家里宽带断了，光猫红灯一直闪"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["intents"][0][0] == "broadband_fault"
    assert body["actions"][0]["action"] == "create_repair_ticket"
    state = client.get("/v1/calls/c1").json()["state"]
    assert msisdn not in state["transcript"][0]["text"] and msisdn[:3] + "****" in state["transcript"][0]["text"]

    first = client.post("/v1/calls/c1/actions/create_repair_ticket/confirm").json()
    second = client.post("/v1/calls/c1/actions/create_repair_ticket/confirm").json()
    assert first["result"]["ok"] and second["result"] == first["result"]
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "好，那师傅大概什么时候能来"})
    assert "create_repair_ticket" not in [a["key"] for a in client.get("/v1/calls/c1").json()["state"]["actions"]]
    later = client.post("/v1/calls/c1/actions/create_repair_ticket/confirm")  # no longer suggested, done before
    assert later.status_code == 200 and later.json()["result"] == first["result"] and later.json()["repeated"]
    tickets = SimDatabase(sim_path).query("SELECT ticket_id FROM tickets WHERE msisdn = ? AND created_by = 'A1001'",
                                          (msisdn,))
    assert len(tickets) == 1


def test_the_callers_number_is_kept_masked_in_the_state_and_the_audit_trail(client: TestClient,
                                                                             sim_path: Path) -> None:
    """Found by an evaluator: each action's parameters held the caller's number as said, in the checkpoints and
    the audit trail (the README's own eval example failed its PII check)."""
    msisdn = start(client, sim_path, "gprs_off")
    body = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "手机突然上不了网了"}).json()
    assert body["actions"][0]["params"]["msisdn"] == msisdn[:3] + "****" + msisdn[-4:]
    done = client.post("/v1/calls/c1/actions/open_gprs_function/confirm").json()
    assert done["result"]["ok"], "the write takes the number from the call, not from the masked parameters"
    assert SimDatabase(sim_path).one("SELECT gprs_enabled FROM aaa_profiles WHERE msisdn = ?", (msisdn,))[0] == 1
    client.post("/v1/calls/c1/end")
    stored = client.get("/v1/calls/c1").text + client.get("/v1/calls/c1/audit").text
    assert msisdn not in stored and msisdn[:3] + "****" + msisdn[-4:] in stored


def test_an_id_number_read_out_over_two_turns_is_stored_masked(client: TestClient, sim_path: Path) -> None:
    """Found by an evaluator: the second piece of a split ID number was stored as said, in 6 files of the run."""
    start(client, sim_path, "healthy")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "我要补卡，身份证前面是360102"})
    client.post("/v1/calls/c1/utterances", json={"speaker": "agent", "text": "好的，后面的号码呢？"})
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "后面是198503121234"})
    stored = client.get("/v1/calls/c1").text + client.get("/v1/calls/c1/audit").text
    assert "198503121234" not in stored and "********1234" in stored
    assert "number_turns" not in client.get("/v1/calls/c1").json()["call"], "the API's bookkeeping stays inside"


def test_a_complaint_ticket_carries_what_the_caller_said_and_it_is_not_asked_again(client: TestClient,
                                                                                   sim_path: Path) -> None:
    """Found by a new user: the ticket said "待补充：涉及的营业厅…" and the reply asked three times which 营业厅."""
    msisdn = start(client, sim_path, "healthy")
    said = "我要投诉！你们青云谱那个营业厅的小姑娘态度太差了，我问话费的事她让我自己去手机上查，我的号码是" + msisdn
    body = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": said}).json()
    assert body["intents"][0][0] == "service_complaint" and "哪个营业厅" not in body["reply"]
    assert body["diagnosis"]["questions"] == ["请问大概是什么时间？您希望我们怎么处理？"]
    assert client.post("/v1/calls/c1/actions/create_complaint_ticket/confirm").json()["result"]["ok"]
    [(description,)] = SimDatabase(sim_path).query("SELECT description FROM tickets WHERE msisdn = ? AND"
                                                   " created_by = 'A1001'", (msisdn,))
    assert "来电人陈述：我要投诉！你们青云谱那个营业厅的小姑娘态度太差了" in description
    assert msisdn not in description and msisdn[:3] + "****" + msisdn[-4:] in description, "masked as stored"


def test_rejected_action_runs_nothing(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "bb_onu_hung")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "宽带连着WiFi但是网页打不开，光猫灯是亮的"})
    r = client.post("/v1/calls/c1/actions/remote_onu_reboot/reject").json()
    assert r["result"]["ok"] is False
    assert not SimDatabase(sim_path).query("SELECT 1 FROM audit_log WHERE operation = 'pon.reboot_onu'")


def test_bad_input_is_named(client: TestClient, sim_path: Path) -> None:
    assert client.post("/v1/calls/nope/utterances", json={"speaker": "caller", "text": "喂"}).status_code == 404
    r = client.post("/v1/calls", json={"call_id": "x", "msisdn": "13000000000", "agent_id": "A1"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.post("/v1/calls", json={"call_id": "x", "msisdn": "1380", "agent_id": "A1"})
    assert r.status_code == 422
    start(client, sim_path, "healthy")
    assert client.post("/v1/calls", json={"call_id": "c1", "msisdn": profile(SimDatabase(sim_path), "healthy"),
                                          "agent_id": "A1"}).status_code == 409
    assert client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": ""}).status_code == 422
    long = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "啊" * 20_000})
    assert long.status_code == 422 and long.json()["error"]["fields"][0]["field"] == "text"
    assert "text: 最多 2000 个字符（收到 20000 个）" in long.json()["error"]["message"]
    unsaid = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "\u0000\u200b\ufeff "})
    assert unsaid.status_code == 422 and unsaid.json()["error"]["code"] == "empty_utterance"
    who = client.post("/v1/calls/c1/utterances", json={"speaker": "坐席", "text": "喂"})
    assert "speaker: 须为 'caller' or 'agent' 之一" in who.json()["error"]["message"], who.json()
    assert client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "   "}).status_code == 422
    assert client.post("/v1/calls/c1/actions/teleport/confirm").status_code == 404
    assert client.post("/v1/calls/c1/end").json()["ended"] is True
    assert client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "还有"}).status_code == 409


def test_an_outage_script_replaces_the_dispatch(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "bb_area_outage")
    body = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "家里宽带断了，上不了网"}).json()
    assert body["scripts"] and body["scripts"][0]["id"] == "ES-20261120-009"
    assert body["reply"] == body["scripts"][0]["wording"] and body["reply_sources"][0] == "ES-20261120-009"
    assert "create_repair_ticket" not in [a["action"] for a in body["actions"]]


def test_a_caller_giving_someone_elses_number_is_flagged_not_looked_up(client: TestClient, sim_path: Path) -> None:
    own = start(client, sim_path, "big_overage_elastic_eligible")
    other = profile(SimDatabase(sim_path), "bb_los_fibre_cut")
    body = client.post("/v1/calls/c1/utterances",
                       json={"speaker": "caller", "text": f"帮我查一下{other}这个号码的流量费为什么这么多"}).json()
    assert "third_party_number" in body["risks"]
    assert body["slots"]["numbers"] == [other[:3] + "****" + other[-4:]]
    reads = [r for r in body["diagnosis"]["reads"] if r["ok"]]
    assert reads and all(other not in " ".join(r["facts"]) for r in reads)
    assert client.get("/v1/calls/c1").json()["call"]["msisdn"] == own[:3] + "****" + own[-4:]


def test_a_follow_up_about_the_same_someone_else_is_not_answered_with_the_callers_own_account(
        client: TestClient, sim_path: Path) -> None:
    """Found trying the demo: "那你帮我看一下她欠了多少钱" after the mother's number got the caller's own balance."""
    start(client, sim_path, "healthy")
    other = profile(SimDatabase(sim_path), "arrears_suspended")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": f"我帮我妈问一下，她那个号码{other}怎么停机了"})
    body = client.post("/v1/calls/c1/utterances",
                       json={"speaker": "caller", "text": "那你就帮我看一下她欠了多少钱嘛，我给她交上"}).json()
    assert "third_party_number" in body["risks"] and "状态正常" not in body["reply"]
    assert "别人号码的余额和欠费金额需要机主本人" in body["reply"] and "输入这个号码就能直接充值" in body["reply"]
    later = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "那我自己还有多少话费"}).json()
    assert "third_party_number" not in later["risks"], "the caller's own line again"


def test_a_caller_on_a_borrowed_phone_gets_nothing_done_on_the_borrowed_line(client: TestClient,
                                                                            sim_path: Path) -> None:
    """Found trying the demo: "我现在用朋友手机打的，赶紧帮我把号停了" was offered the friend's line's 挂失停机, and the
    caller's own number, given next, was refused as someone else's."""
    start(client, sim_path, "healthy")
    first = client.post("/v1/calls/c1/utterances", json={
        "speaker": "caller", "text": "我手机刚才在公交车上被偷了，我现在用朋友手机打的，赶紧帮我把号停了"}).json()
    assert [a["action"] for a in first["actions"]] == ["verify_identity"] and "报一下您自己的手机号码" in first["reply"]
    own = profile(SimDatabase(sim_path), "gprs_off")
    second = client.post("/v1/calls/c1/utterances",
                         json={"speaker": "caller", "text": f"我的号码是{own}，身份证号是3101041988"}).json()
    assert "request_suspension" not in str(second["actions"]) and "不是您本人来电的号码" not in second["reply"]
    assert second["reply"].startswith("好的，您的号码我记下了。核实是机主本人以后，马上为您这个号码办理挂失停机")
    third = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "0512后面是3216"}).json()
    stored = client.get("/v1/calls/c1").text + client.get("/v1/calls/c1/audit").text
    assert third["reply"] and "3101041988" not in stored and "0512" not in stored and "后面是3216" not in stored


def test_still_failing_after_the_data_function_was_opened_offers_a_ticket(client: TestClient, sim_path: Path) -> None:
    """Found trying the demo: "开关了一下，还是上不去" after the opening was promised a 登记 that no action offered."""
    start(client, sim_path, "gprs_off")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "我这个手机怎么上不了网啊"})
    assert client.post("/v1/calls/c1/actions/open_gprs_function/confirm").status_code == 200
    body = client.post("/v1/calls/c1/utterances",
                       json={"speaker": "caller", "text": "嗯我开关了一下，还是上不去啊，怎么回事"}).json()
    assert [a["action"] for a in body["actions"]] == ["guide_device_restart", "create_complaint_ticket"]
    assert "登记工单" in body["reply"]
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "好的"})  # a closing word, no news
    wrap = client.post("/v1/calls/c1/end").json()["wrapup"]
    assert "还是上不去" in wrap["summary"]["诉求"]
    assert wrap["summary"]["结果"] == "已办理，但客户反映问题仍未解决" and wrap["ticket"]["kind"] == "complaint"


def test_mixed_scripts_and_emoji_are_understood(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "bb_los_fibre_cut")
    r = client.post("/v1/calls/c1/utterances",
                    json={"speaker": "caller", "text": "喂😡我家WiFi又挂了!!! 光猫LOS灯red一直闪🔴，今天都第三次了"})
    assert r.status_code == 200 and r.json()["intents"][0][0] == "broadband_fault"


def test_two_utterances_at_once_are_both_kept_in_order_of_arrival(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "bb_onu_hung")
    texts = ["宽带上不了网", "光猫的灯都是亮的", "WiFi连上了打不开网页", "重启过了也不行"]
    codes: list[int] = []

    def say(text: str) -> None:
        codes.append(client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": text}).status_code)

    threads = [threading.Thread(target=say, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    said = [u["text"] for u in client.get("/v1/calls/c1").json()["state"]["transcript"]]
    assert codes == [200] * 4 and sorted(said) == sorted(texts)
    utterances = [e["data"]["text"] for e in client.get("/v1/calls/c1/audit").json()["events"]
                  if e["type"] == "utterance"]
    assert utterances == said  # the audit trail and the state agree on the order


def test_an_action_of_another_call_cannot_be_confirmed(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "bb_los_fibre_cut", "c1")
    start(client, sim_path, "healthy", "c2")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "家里宽带断了，光猫红灯一直闪"})
    client.post("/v1/calls/c2/utterances", json={"speaker": "caller", "text": "我想问一下话费"})
    r = client.post("/v1/calls/c2/actions/create_repair_ticket/confirm")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_action"


def test_what_the_agent_says_is_kept_but_does_not_drive_the_copilot(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "bb_los_fibre_cut")
    first = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "家里宽带断了，光猫红灯一直闪"}).json()
    after = client.post("/v1/calls/c1/utterances", json={"speaker": "agent", "text": "好的我帮您查一下话费套餐"}).json()
    assert after["intents"] == first["intents"] and after["reply"] == first["reply"]
    transcript = client.get("/v1/calls/c1").json()["state"]["transcript"]
    assert [u["speaker"] for u in transcript] == ["caller", "agent"]


def test_a_call_id_used_before_a_restart_is_not_given_again(settings: Settings, sim_path: Path) -> None:
    with TestClient(create_app(settings)) as first:
        start(first, sim_path, "big_overage_elastic_eligible", call_id="dup")
        first.post("/v1/calls/dup/utterances", json={"speaker": "caller", "text": "上个月流量费怎么扣了三百多"})
    with TestClient(create_app(settings)) as again:  # the server restarted: its registry is empty, the store is not
        msisdn = profile(SimDatabase(sim_path), "bb_onu_hung")
        r = again.post("/v1/calls", json={"call_id": "dup", "msisdn": msisdn, "agent_id": "A1002"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "call_exists", r.text
        start(again, sim_path, "bb_onu_hung", call_id="dup-2")
        state = again.get("/v1/calls/dup-2").json()["state"]
        assert not state.get("transcript"), "a new call starts with nothing said"


def test_once_the_duty_manager_has_it_the_fee_itself_is_explained(client: TestClient, sim_path: Path) -> None:
    """Found trying the demo: after 转值班长 was confirmed, "那个流量费到底是怎么回事" got the escalation read again."""
    start(client, sim_path, "big_overage_elastic_eligible")
    first = client.post("/v1/calls/c1/utterances", json={
        "speaker": "caller", "text": "上个月流量费扣了好几百，再不处理我就去工信部投诉，还要发到网上去！"}).json()
    assert "escalate_supervisor" in [a["action"] for a in first["actions"]]
    assert client.post("/v1/calls/c1/actions/escalate_supervisor/confirm").status_code == 200
    body = client.post("/v1/calls/c1/utterances", json={
        "speaker": "caller", "text": "你别光说升级，那个流量费到底是怎么回事，你先给我说清楚"}).json()
    assert "escalate_supervisor" not in [a["action"] for a in body["actions"]]
    assert "已经为您转给值班长" in body["reply"] and "按标准资费是" in body["reply"] and "弹性计费包" in body["reply"]


def test_a_caller_who_agrees_is_not_read_the_offer_again(client: TestClient, sim_path: Path) -> None:
    """Found trying the demo: "那行吧，给我办吧" got the whole elastic-pack offer again, ending "请问现在为您办理吗？"."""
    start(client, sim_path, "big_overage_elastic_eligible")
    first = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "我上个月流量费怎么扣了那么多"}).json()
    assert first["reply"].endswith("请问现在为您办理吗？")
    agreed = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "那行吧，给我办吧"}).json()
    assert agreed["reply"] == "好的，这就为您办理，请您稍等。"
    assert "refund_via_elastic_package" in [a["action"] for a in agreed["actions"]], "one click away on the card"
    asked = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "办理要多久能退回来"}).json()
    assert asked["reply"] != "好的，这就为您办理，请您稍等。", "a question is no agreement"


def test_agreeing_is_no_agreement_to_what_was_not_offered(client: TestClient, sim_path: Path) -> None:
    """Reviewed: "开了" (the data switch is on) and "给我办吧" to a reply that offered only a ticket are no consent."""
    start(client, sim_path, "gprs_off")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "我这个手机怎么上不了网啊"})
    body = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "嗯，开了"}).json()
    assert body["reply"] != "好的，这就为您办理，请您稍等。"
    start(client, sim_path, "cancelled", "c2")
    client.post("/v1/calls/c2/utterances", json={"speaker": "caller", "text": "我根本没去销过户，谁给我销的？"})
    reopen = client.post("/v1/calls/c2/utterances", json={"speaker": "caller", "text": "那你给我开吧"}).json()
    assert reopen["reply"] != "好的，这就为您办理，请您稍等。", "only a ticket waits: nothing to carry out"


def test_once_it_works_again_nothing_more_is_suggested(client: TestClient, sim_path: Path) -> None:
    """Found trying the demo: "好了，现在能上了，谢谢啊" after the remote reboot still offered a restart and an SMS."""
    start(client, sim_path, "bb_onu_hung")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "我家宽带又断了，上不了网"})
    assert client.post("/v1/calls/c1/actions/remote_onu_reboot/confirm").status_code == 200
    body = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "哦，好了，现在能上了，谢谢啊"}).json()
    assert body["actions"] == [] and "刚才已经为您远程重启光猫" in body["reply"]
    start(client, sim_path, "bb_onu_hung", "c2")
    client.post("/v1/calls/c2/utterances", json={"speaker": "caller", "text": "我家宽带又断了，上不了网"})
    client.post("/v1/calls/c2/actions/remote_onu_reboot/confirm")
    asked = client.post("/v1/calls/c2/utterances", json={"speaker": "caller", "text": "好了吗？我这边看灯还在闪"}).json()
    assert asked["actions"], "a question whether it works is no news that it does"
