"""Metrics: each definition checked on small hand-built runs with known answers."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest

from evals.grounding import mentions, ungrounded
from evals.metrics import check_targets, compute, percentile
from evals.scoring import mentioned
from tests.evals.cases import FEE_FACTS, FEE_REPLY, ONU_FACTS, ONU_READS, case, sug, turns, write_run

FEE = "data_fee_dispute"
BB = "broadband_fault"


def _summary(tmp_path: Path, results: list, suite: str = "evals/suites/core.yaml") -> dict:
    run = write_run(tmp_path / "run", results, suite)
    return compute(results, run)


def _value(summary: dict, metric: str) -> float | None:
    return summary["metrics"][metric]["value"]


def _case(summary: dict, case_id: str) -> dict:
    return next(c for c in summary["cases"] if c["id"] == case_id)


# --- groundedness: the Chinese number extractor ----------------------------------------------------------------


@pytest.mark.parametrize(("reply", "sources"), [
    ("上个月套餐外流量费四百八十元", ["2026-10 套餐外流量费 = 480.00元 (BOSS)"]),
    ("套餐外流量费480元", ["2026-10 套餐外流量费 = 480.00元 (BOSS)"]),
    ("欠费26.14元，缴清后自动恢复", ["账户余额 = -26.14元 (BOSS)"]),
    ("超出了3.5GB", ["2026-11套餐外流量 = 3584.0MB (BOSS)"]),
    ("本月已用0.6GB", ["2026-11国内已用流量 = 603.35MB (BOSS)"]),
    ("套餐内有3个G", ["2026-11国内流量额度 = 3072MB (BOSS)"]),
    ("套餐内有3G流量", ["2026-11国内流量额度 = 3072MB (BOSS)"]),
    ("从11月20日起停机", ["停机时间 = 2026-11-20T10:00:00 (BOSS)"]),
    ("20号扣的月费", ["扣费记录 = 2026-11-20 月租 58.0元 (BOSS)"]),
    ("承诺的处理时间是11-24 08:33之前", ["故障报修工单 = 承诺2026-11-24T08:33:00前 (TICKETING)"]),
    ("预计下午4点恢复", ["区域故障 = 预计2026-11-23T16:01:00恢复 (COVERAGE)"]),
    ("预计10点30分恢复", ["区域故障 = 预计2026-11-23T10:30:00恢复 (COVERAGE)"]),
    ("十点半以后再试", ["计划施工 = 2026-11-24T10:30:00 至 2026-11-24T12:00:00 (COVERAGE)"]),
    ("流量包可以打八折", ["折扣 = 80% (BOSS)"]),
    ("超出部分按百分之五十收取", ["乐享包说明：超出部分按50%计费"]),
    ("每月1日扣取月租", ["月租扣费规则\n每月1日从话费账户扣取当月月租。"]),
    ("您的4G信号正常，以下3点请注意，住在3号楼的邻居也一样，48小时内回复", []),
    ("您早一点到营业厅，我们一块去办，大约5到10分钟恢复，有问题再拨10086", []),
])
def test_grounded_replies(reply: str, sources: list[str]) -> None:
    assert ungrounded(reply, sources) == []


@pytest.mark.parametrize(("reply", "sources", "flagged"), [
    ("套餐外流量费五百元", ["2026-10 套餐外流量费 = 480.00元 (BOSS)"], ["五百元"]),
    ("套餐外流量5GB", ["2026-11套餐外流量 = 3072.0MB (BOSS)"], ["5GB"]),
    ("从11月21日起停机", ["停机时间 = 2026-11-20T10:00:00 (BOSS)"], ["11月21日"]),
    ("预计10点45分恢复", ["区域故障 = 预计2026-11-23T10:30:00恢复 (COVERAGE)"], ["10点45分"]),
    ("可以退您百分之三十", ["折扣 = 80% (BOSS)"], ["百分之三十"]),
    ("欠费四十七元，2026年12月1日前缴清", ["账户余额 = -47.41元 (BOSS)"], ["2026年12月1日"]),
])
def test_ungrounded_replies(reply: str, sources: list[str], flagged: list[str]) -> None:
    assert [m.text for m in ungrounded(reply, sources)] == flagged


def test_extractor_normalizes_chinese_numerals_and_units() -> None:
    found = {m.text: m for m in mentions("四百八十元、3个G、十一月二十号、下午三点半、百分之五十")}
    assert found["四百八十元"].values[0][0] == 480
    assert found["3个G"].values[0][0] == 3072
    assert found["十一月二十号"].date == (None, 11, 20)
    assert found["下午三点半"].values == ((15 * 60 + 30, 0),)
    assert found["百分之五十"].values[0][0] == 50


# --- intent ------------------------------------------------------------------------------------------------------


def test_intent_accuracy_turn_accuracy_and_first_right_turn(tmp_path: Path) -> None:
    late = case("late_clear", {"intents": [FEE], "intent_clear_at": 2}, turns(
        ("caller", "喂，你好，我想问一下", sug("other", 0.6)),
        ("agent", "您好，请问有什么可以帮您？", sug("other", 0.6)),
        ("caller", "我上个月流量费怎么扣了四百多", sug(FEE)),
        ("caller", "我平时就刷刷微信", sug(FEE))))
    slow = case("slow", {"intents": [FEE]}, turns(
        ("caller", "帮我看下账单", sug("bill_inquiry")),
        ("caller", "就是话费怎么这么多", sug("bill_inquiry")),
        ("caller", "流量费四百八我没用那么多", sug(FEE))))
    wrong = case("wrong", {"intents": [BB]}, turns(("caller", "家里网又断了", sug("mobile_data_fault"))))
    summary = _summary(tmp_path, [late, slow, wrong])
    assert _value(summary, "intent_accuracy") == pytest.approx(2 / 3)
    assert _value(summary, "intent_turn_accuracy") == pytest.approx(3 / 6)  # late 2/2, slow 1/3, wrong 0/1
    assert _value(summary, "intent_first_right_turn") == pytest.approx(2.5)  # late: caller turn 2, slow: 3
    assert _value(summary, "intent_delay_turns") == pytest.approx(1.0)  # (2-2 + 3-1) / 2
    assert _value(summary, "intent_never_right_rate") == pytest.approx(1 / 3)
    assert summary["confusion"]["matrix"][BB] == {"mobile_data_fault": 1}
    wrong_check = next(c for c in _case(summary, "wrong")["checks"] if c["name"] == "intent")
    assert (wrong_check["expected"], wrong_check["suggested"], wrong_check["ok"]) == (BB, "mobile_data_fault", False)


def test_failed_replay_counts_as_a_miss(tmp_path: Path) -> None:
    broken = case("broken", {"intents": [BB]}, [], ok=False, error="TimeoutError: graph")
    fine = case("fine", {"intents": [BB]}, turns(("caller", "宽带断了", sug(BB))))
    summary = _summary(tmp_path, [broken, fine])
    assert _value(summary, "intent_accuracy") == 0.5
    assert _value(summary, "replay_errors") == 1
    assert set(_case(summary, "broken")["failed"]) == {"replay", "intent"}


def test_secondary_intents_count_only_when_shown(tmp_path: Path) -> None:
    shown = case("two_needs", {"intents": [FEE, "plan_change"]}, turns(
        ("caller", "流量费太多了，顺便想换个大流量套餐", sug(FEE, 0.7, others=(("plan_change", 0.2),)))))
    hidden = case("hidden", {"intents": [FEE, "vas_unsubscribe"]}, turns(
        ("caller", "流量费太多了，还有个什么会员也给我退了", sug(FEE, 0.9, others=(("vas_unsubscribe", 0.04),)))))
    summary = _summary(tmp_path, [shown, hidden])
    assert _value(summary, "secondary_intent_recall") == 0.5
    assert "secondary_intents" in _case(summary, "hidden")["failed"]


# --- actions, must-not, escalation ------------------------------------------------------------------------------


def test_actions_micro_over_the_call_union_and_final(tmp_path: Path) -> None:
    fee = case("fee", {"intents": [FEE], "actions": ["refund_via_elastic_package", "create_fee_dispute_ticket"],
                       "must_not_actions": ["create_repair_ticket"]}, turns(
        ("caller", "流量费扣了四百八", sug(FEE, actions=["explain_bill", "refund_via_elastic_package"])),
        ("caller", "我不认，我要投诉", sug(FEE, actions=["refund_via_elastic_package"]))))
    onu = case("onu", {"intents": [BB], "actions": ["remote_onu_reboot"], "must_not_actions": ["create_repair_ticket"]},
               turns(("caller", "光猫灯都亮着就是上不了网", sug(BB, actions=["create_repair_ticket"])),
                     ("caller", "灯是绿的", sug(BB, actions=["remote_onu_reboot", "guide_device_restart"]))))
    summary = _summary(tmp_path, [fee, onu])
    # union: fee {explain_bill, refund} hits 1 of 2; onu {repair, reboot, restart} hits 1 of 1
    assert _value(summary, "action_recall") == pytest.approx(2 / 3)
    assert _value(summary, "action_precision") == pytest.approx(2 / 5)
    # final: fee {refund}, onu {reboot, restart}
    assert _value(summary, "action_recall_final") == pytest.approx(2 / 3)
    assert _value(summary, "action_precision_final") == pytest.approx(2 / 3)
    assert _value(summary, "must_not_violation_rate") == 0.5
    violation = next(c for c in _case(summary, "onu")["checks"] if c["name"] == "must_not_actions")
    assert not violation["ok"] and "第1句后建议了 create_repair_ticket" in violation["note"]


def test_escalation_recall_and_false_positives(tmp_path: Path) -> None:
    angry = case("angry", {"intents": [FEE], "escalate": True}, turns(
        ("caller", "你们再不退钱我就去工信部投诉", sug(FEE, actions=["escalate_supervisor"]))))
    angry_missed = case("angry_missed", {"intents": [FEE], "escalate": True}, turns(
        ("caller", "我要找你们领导", sug(FEE, actions=["explain_bill"]))))
    calm = case("calm", {"intents": [BB], "escalate": False}, turns(
        ("caller", "宽带有点慢", sug(BB, disposition="escalate"))))
    summary = _summary(tmp_path, [angry, angry_missed, calm])
    assert _value(summary, "escalation_recall") == 0.5
    assert _value(summary, "escalation_false_positive_rate") == 1.0
    assert _value(summary, "escalation_false_positives") == 1


# --- broadband interception ------------------------------------------------------------------------------------


def test_interception_edge_cases(tmp_path: Path) -> None:
    def bb(case_id: str, gold: str, *steps: tuple[str | None, list[str]]) -> object:
        return case(case_id, {"intents": [BB], "disposition": gold}, turns(
            *[("caller", "家里宽带上不了网", sug(BB, disposition=d, actions=a)) for d, a in steps]))

    results = [
        bb("clean", "intercept", ("intercept", ["remote_onu_reboot"])),
        bb("repair_offered", "intercept", ("dispatch", ["create_repair_ticket"]), ("intercept", ["remote_onu_reboot"])),
        bb("kept_on_screen", "intercept", ("intercept", ["remote_onu_reboot"]), (None, [])),
        bb("dispatched", "intercept", ("dispatch", ["create_repair_ticket"])),
        bb("false_intercept", "dispatch", ("intercept", ["guide_device_restart"])),
        bb("right_dispatch", "dispatch", ("dispatch", ["create_repair_ticket"])),
        bb("escalated", "dispatch", ("escalate", ["escalate_supervisor"])),
    ]
    summary = _summary(tmp_path, results)
    assert _value(summary, "interception_rate") == pytest.approx(2 / 4)  # clean, kept_on_screen
    assert _value(summary, "false_interception_rate") == pytest.approx(1 / 3)
    assert summary["metrics"]["interception_rate"]["n"] == 4
    assert "disposition" in _case(summary, "repair_offered")["failed"]
    assert "disposition" not in _case(summary, "escalated")["failed"]


# --- retrieval ---------------------------------------------------------------------------------------------------


def test_retrieval_hit_at_k_and_mrr_best_over_turns(tmp_path: Path) -> None:
    def kb(case_id: str, *shown: tuple[list[str], list[str]]) -> object:
        return case(case_id, {"intents": [BB], "knowledge": ["KP-KD-00106", "SCRIPT-OUTAGE-1"]}, turns(
            *[("caller", "宽带断网了", sug(BB, knowledge=k, scripts=s)) for k, s in shown]))

    results = [
        kb("script", (["KP-1"], []), (["KP-2"], ["SCRIPT-OUTAGE-1"])),  # banner: rank 1
        kb("third", (["KP-1", "KP-2", "KP-KD-00106"], []), (["KP-1"], [])),  # best rank 3, gone at the end
        kb("sixth", (["KP-1", "KP-2", "KP-3", "KP-4", "KP-5", "KP-KD-00106"], [])),
        kb("never", (["KP-1"], [])),
        case("no_gold", {"intents": [BB]}, turns(("caller", "宽带断网了", sug(BB, knowledge=["KP-1"])))),
    ]
    summary = _summary(tmp_path, results)
    assert summary["metrics"]["retrieval_hit@5"]["n"] == 4
    assert _value(summary, "retrieval_hit@1") == 0.25
    assert _value(summary, "retrieval_hit@3") == 0.5
    assert _value(summary, "retrieval_hit@5") == 0.5
    assert _value(summary, "retrieval_mrr") == pytest.approx((1 + 1 / 3 + 1 / 6) / 4)
    assert _value(summary, "retrieval_hit@5_last") == 0.25


# --- replies: groundedness, must-mention, must-not-say --------------------------------------------------------


def test_groundedness_must_mention_and_must_not_say(tmp_path: Path) -> None:
    good = case("fee_grounded", {"intents": [FEE], "must_mention": ["480元", "弹性计费包"],
                                 "must_not_say": ["免费"]},
                turns(("caller", "流量费扣了四百八", sug(FEE, reply=FEE_REPLY, facts=FEE_FACTS))))
    bad = case("fee_invented", {"intents": [FEE], "must_mention": ["6.5GB"], "must_not_say": ["免费", "全部退还"]},
               turns(("caller", "流量费扣了四百八", sug(FEE, reply="这笔500元我们可以全部退还给您", facts=FEE_FACTS))))
    silent = case("no_reply", {"intents": [BB]}, turns(("caller", "宽带断了", sug(BB))))
    summary = _summary(tmp_path, [good, bad, silent])
    assert summary["metrics"]["groundedness"]["n"] == 2
    assert _value(summary, "groundedness") == 0.5
    assert summary["ungrounded"] == [{"case": "fee_invented", "turn": 1, "kind": "money", "text": "500元",
                                      "reply": "这笔500元我们可以全部退还给您"}]
    assert _value(summary, "must_mention_coverage") == pytest.approx(2 / 3)
    assert _value(summary, "must_not_say_violation_rate") == 0.5
    said = next(c for c in _case(summary, "fee_invented")["checks"] if c["name"] == "must_not_say")
    assert said["suggested"] == ["全部退还"]


@pytest.mark.parametrize(("phrase", "reply", "found"), [
    ("0元", "退您60元，另外10元", False),
    ("480", "一共1480元", False),
    ("480", "超出部分4800KB", False),
    ("480", "一共1,480元", False),
    ("480", "480,000", False),
    ("480", "流量费480元", True),
    ("480元", "流量费480.00元", True),
    ("3.5", "余额13.5元", False),
    ("弹性计费包", "可以办弹性计费包50元档", True),
])
def test_a_number_is_mentioned_only_as_a_whole_number(phrase: str, reply: str, found: bool) -> None:
    """Found by an evaluator: must_mention "0元" passed on a reply saying 60元, and must_not_say failed on it."""
    assert mentioned(phrase, [reply]) is found


def test_knowledge_text_grounds_a_reply(tmp_path: Path) -> None:
    reply = "您好，宽带包年用户每月1日不再扣月租，包年费用是1200元。"
    text = ["家庭宽带包年资费说明\n宽带包年一次性收取1200元，包年期间每月1日不再扣取月租。"]
    grounded = case("kb", {"intents": ["plan_inquiry"]},
                    turns(("caller", "我宽带包年的还扣月租吗", sug("plan_inquiry", reply=reply, knowledge_text=text))))
    assert _value(_summary(tmp_path, [grounded]), "groundedness") == 1.0


# --- personal data ----------------------------------------------------------------------------------------------


def test_pii_found_in_sqlite_and_logs_but_not_in_gold_labels(tmp_path: Path) -> None:
    pii = ["13907910001", "360102199001011234"]
    results = [case("id_card", {"intents": ["real_name"], "pii": pii}, turns(
        ("caller", "我身份证是360102********1234，号码139****0001", sug("real_name"))))]
    run = write_run(tmp_path / "run", results)
    db = sqlite3.connect(run / "checkpoints.sqlite")
    db.execute("CREATE TABLE writes (thread TEXT, value TEXT, blob BLOB)")
    db.execute("INSERT INTO writes VALUES ('t1', '{\"text\": \"身份证360102199001011234\"}', ?)", (b"\x00\x01",))
    db.commit()
    db.close()
    (run / "logs").mkdir()
    (run / "logs" / "graph.log").write_text("caller said 139 0791 0001 then hung up\n", encoding="utf-8")
    summary = compute(results, run)
    files = {(leak["file"], leak["pii"]) for leak in summary["leaks"]}
    assert ("checkpoints.sqlite", "360*************34") in files
    assert ("logs/graph.log", "139******01") in files
    assert not any(leak["file"] == "results.jsonl" for leak in summary["leaks"])
    assert _value(summary, "pii_leak_cases") == 1
    assert "pii" in _case(summary, "id_card")["failed"]
    assert any("pii_leaks" in failure for failure in check_targets(summary))


@pytest.mark.parametrize("written", ["138.0791.2345", "138/0791/2345", "138，0791，2345", "138～0791～2345"])
def test_a_number_written_with_dots_or_slashes_is_still_found(tmp_path: Path, written: str) -> None:
    """Found by an evaluator: 138.0791.2345 sat unmasked in the stored files while the scan counted 0 leaks."""
    results = [case("dots", {"intents": ["fraud_report"], "pii": ["13807912345"]}, turns(
        ("caller", f"帮我查一下{written}这个号码", sug("fraud_report"))))]
    summary = _summary(tmp_path, results)
    assert _value(summary, "pii_leaks") >= 1 and "pii" in _case(summary, "dots")["failed"]


def test_masked_transcripts_are_not_leaks(tmp_path: Path) -> None:
    results = [case("masked", {"intents": ["real_name"], "pii": ["13907910001"]}, turns(
        ("caller", "号码是139****0001", sug("real_name"))))]
    summary = _summary(tmp_path, results)
    assert summary["leaks"] == [] and _value(summary, "pii_leaks") == 0


# --- latency, lookups --------------------------------------------------------------------------------------------


def test_percentiles_and_latency_metrics(tmp_path: Path) -> None:
    assert percentile([100, 200, 300, 400], 50) == 250
    assert percentile([100, 200, 300, 400], 95) == pytest.approx(385)
    assert percentile([], 95) is None
    results = [case("a", {"intents": [BB]}, turns(("caller", "宽带断了", sug(BB)), ("caller", "还是不行", sug(BB)),
                                                   latency=100.0))]
    summary = _summary(tmp_path, results)
    assert _value(summary, "latency_p50_ms") == pytest.approx(101.5)
    assert _value(summary, "first_card_p95_ms") is None


def test_latency_is_the_callers_turns_only(tmp_path: Path) -> None:
    """Found by an evaluator: agent turns (only appended, ~2 ms) pulled the percentiles down."""
    said = turns(("caller", "宽带断了", sug(BB)), ("agent", "您好，我查一下", sug(BB)), ("caller", "还是不行", sug(BB)),
                 latency=100.0)
    said[1] = said[1].model_copy(update={"latency_ms": 2.0})
    summary = _summary(tmp_path, [case("a", {"intents": [BB]}, said)])
    assert _value(summary, "latency_p50_ms") == pytest.approx(102.0)


def test_lookups_saved_counts_distinct_successful_tools_and_systems(tmp_path: Path) -> None:
    onu = case("onu", {"intents": [BB]}, turns(("caller", "宽带断了", sug(BB, reads=ONU_READS, facts=ONU_FACTS)),
                                               ("caller", "灯是绿的", sug(BB, reads=ONU_READS[:1]))))
    fee = case("fee", {"intents": [FEE]}, turns(("caller", "流量费扣多了", sug(FEE))))
    summary = _summary(tmp_path, [onu, fee])
    assert _value(summary, "lookups_per_call") == 1.0  # onu: PON + AAA tools (BOSS timed out); fee: none
    assert _value(summary, "lookups_total") == 2
    assert _value(summary, "systems_per_call") == 1.0
    assert summary["lookups"]["seconds_saved"] is None


# --- targets and slices -------------------------------------------------------------------------------------------


def _mixed() -> list:
    return [case("fee_ok", {"intents": [FEE], "actions": ["refund_via_elastic_package"]},
                 turns(("caller", "流量费扣了四百八", sug(FEE, actions=["refund_via_elastic_package"]))),
                 tags=["pilot:fee_dispute", "emotion:angry"]),
            case("bb_wrong", {"intents": [BB], "actions": ["remote_onu_reboot"]},
                 turns(("caller", "宽带断了", sug("mobile_data_fault"))), tags=["pilot:broadband", "noise:asr"])]


def test_default_targets_and_failures(tmp_path: Path) -> None:
    summary = _summary(tmp_path, _mixed())
    failures = check_targets(summary)
    assert any(f.startswith("intent_accuracy") and "50.0%" in f and ">= 95.0%" in f for f in failures)
    assert any(f.startswith("action_recall") for f in failures)
    assert not any(f.startswith("interception_rate") for f in failures)  # no broadband gold disposition: skipped
    assert summary["target_failures"] == failures


def test_sidecar_overrides_targets(tmp_path: Path) -> None:
    suite = tmp_path / "suites" / "smoke.yaml"
    suite.parent.mkdir()
    suite.write_text("[]\n", encoding="utf-8")
    (suite.parent / "smoke.targets.yaml").write_text("intent_accuracy: 0.5\naction_recall: null\n",
                                                     encoding="utf-8")
    summary = _summary(tmp_path, _mixed(), suite=str(suite))
    assert summary["targets"]["intent_accuracy"] == {"op": ">=", "value": 0.5}
    assert "action_recall" not in summary["targets"]
    assert summary["targets_source"].endswith("smoke.targets.yaml")
    assert check_targets(summary) == []


def test_sidecar_with_unknown_metric_is_rejected(tmp_path: Path) -> None:
    suite = tmp_path / "smoke.yaml"
    (tmp_path / "smoke.targets.yaml").write_text("intent_acuracy: 0.9\n", encoding="utf-8")
    with pytest.raises(ValueError, match="intent_acuracy"):
        _summary(tmp_path, _mixed(), suite=str(suite))


def test_empty_run_fails_its_targets(tmp_path: Path) -> None:
    assert check_targets(_summary(tmp_path, [])) != []


def test_an_unfinished_run_fails_its_targets_however_good_its_cases(tmp_path: Path) -> None:
    """Found by an evaluator: a run stopped after 8 of 42 cases reported every target met."""
    fine = [case("fee_ok", {"intents": [FEE]}, turns(("caller", "流量费扣了四百八", sug(FEE))))]
    assert check_targets(compute(fine, write_run(tmp_path / "whole", fine))) == []
    failures = check_targets(compute(fine, write_run(tmp_path / "part", fine, cases=42)))
    assert failures == ["运行未完成：42 个用例只完成 1 个（用同一个 --out 再运行即可续跑）"]


@pytest.mark.parametrize("loosened", ["pii_leaks: null\n", "pii_leaks: 3\n", "targets:\n  pii_leaks: null\n"])
def test_no_sidecar_may_drop_or_loosen_the_personal_data_target(tmp_path: Path, loosened: str) -> None:
    """Found by an evaluator: a sidecar with pii_leaks: null let a run with 20 leaks meet every target."""
    suite = tmp_path / "mine.yaml"
    (tmp_path / "mine.targets.yaml").write_text(loosened, encoding="utf-8")
    with pytest.raises(ValueError, match=r"mine\.targets\.yaml: pii_leaks: 这个目标固定为 0"):
        _summary(tmp_path, _mixed(), suite=str(suite))


def test_slices_by_tag_and_by_gold_main_intent(tmp_path: Path) -> None:
    summary = _summary(tmp_path, _mixed())
    tags = summary["slices"]["tag"]
    assert set(tags) == {"pilot:fee_dispute", "emotion:angry", "pilot:broadband", "noise:asr"}
    assert tags["noise:asr"]["cases"] == 1
    assert tags["noise:asr"]["metrics"]["intent_accuracy"]["value"] == 0.0
    assert summary["slices"]["intent"][FEE]["metrics"]["intent_accuracy"]["value"] == 1.0


def test_skipped_cases_are_listed_not_scored(tmp_path: Path) -> None:
    skipped = case("faults_over_http", {"intents": [BB]}, [], ok=False,
                   error="skipped: HTTP 模式不能注入后台故障（faults），请用进程内模式")
    fine = case("fine", {"intents": [BB]}, turns(("caller", "宽带断了", sug(BB))))
    summary = _summary(tmp_path, [skipped, fine])
    assert _value(summary, "intent_accuracy") == 1.0
    assert summary["run"]["skipped"] == 1
    assert summary["skipped"] == [{"id": "faults_over_http", "reason": "HTTP 模式不能注入后台故障（faults），请用进程内模式"}]


def test_short_pii_and_gzip_and_utf16_sqlite(tmp_path: Path) -> None:
    pii = ["738291", "张秀英"]  # a service password the caller read out, a name
    results = [case("password", {"intents": ["password_reset"], "pii": pii}, turns(
        ("caller", "我服务密码是******，机主张**", sug("password_reset"))))]
    run = write_run(tmp_path / "run", results)
    (run / "harness.log.gz").write_bytes(gzip.compress("密码 738291\n".encode()))
    db = sqlite3.connect(run / "audit.sqlite")
    db.execute("PRAGMA encoding = 'UTF-16le'")
    db.execute("CREATE TABLE audit (detail TEXT)")
    db.execute("INSERT INTO audit VALUES ('机主张秀英来电')")
    db.commit()
    db.close()
    leaks = {(leak["file"], leak["pii"]) for leak in compute(results, run)["leaks"]}
    assert leaks == {("harness.log.gz", "7****1"), ("audit.sqlite", "张**")}
