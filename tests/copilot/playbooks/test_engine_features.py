"""The engine's smaller features: derived values, month-prefixed evidence labels, questions after a stop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from copilot.playbooks.engine import Diagnosis, PlaybookEngine, ReadOutcome
from copilot.playbooks.expr import Failed, Ok, condition, evaluate
from copilot.playbooks.schema import DATA_DIR, Playbook, PlaybookError, load_playbooks
from knowledge.vocabulary import load_vocabulary
from tests.conftest import AS_OF
from tools.backends import build_backends
from tools.sim.db import SimDatabase

BILL = {"month": "2026-10", "total_yuan": 95.0, "status": "paid",
        "items": [{"category": "套餐及固定费", "item_name": "畅享套餐", "amount_yuan": 58.0, "product_id": "P-1"},
                  {"category": "增值业务费", "item_name": "彩铃", "amount_yuan": 5.0, "product_id": "VAS-CL"},
                  {"category": "增值业务费", "item_name": "手机报", "amount_yuan": 3.0, "product_id": "VAS-SJB"},
                  {"category": "套餐外流量费", "item_name": "国内通用流量套餐外费用", "amount_yuan": 29.0,
                   "product_id": None}]}
BILL_FACTS = ["2026-10账单合计 = 95.0元 (BOSS)", "2026-10 套餐及固定费 = 畅享套餐 58.0元 (BOSS)",
              "2026-10 增值业务费 = 彩铃 5.0元 (BOSS)", "2026-10 增值业务费 = 手机报 3.0元 (BOSS)",
              "2026-10 套餐外流量费 = 国内通用流量套餐外费用 29.0元 (BOSS)"]


def book(**parts: Any) -> Playbook:
    base: dict[str, Any] = {"intent": "bill_inquiry", "title": "测试", "fallback_reply": "请稍等",
                            "reads": [{"id": "bill", "tool": "boss_get_bill", "args": {"msisdn": "caller.msisdn"}}]}
    return Playbook.model_validate(base | parts)


def decide(playbook: Playbook, bill: Any = None) -> Diagnosis:
    engine = PlaybookEngine([], load_vocabulary())
    ok = bill is not None
    reads = [ReadOutcome(id="bill", tool="boss_get_bill", system="BOSS", ok=ok, error=None if ok else "BOSS 不可用",
                         facts=BILL_FACTS if ok else [], ms=1.0)]
    names = engine.base_names({"msisdn": "13800000000"}, AS_OF, {})
    return engine.decide(playbook, reads, {**names, "bill": Ok(bill) if ok else Failed(None)})


def test_let_values_are_derived_in_order_and_feed_rules_params_and_replies() -> None:
    playbook = book(
        let={"vas": "[i for i in bill.items if i.category == '增值业务费']",
             "vas_total": "sum([i.amount_yuan for i in vas])",
             "biggest": "first(sort_by(vas, 'amount_yuan', True))"},
        rules=[{"id": "vas_fee", "when": "vas_total > 0", "finding": "增值业务费{vas_total}元，最贵的是{biggest.item_name}",
                "evidence": ["bill:增值业务费"],
                "actions": [{"action": "unsubscribe_vas", "params": {"product_id": "biggest.product_id"}}],
                "reply": "您{int(bill.month[5:])}月的增值业务费一共{num(vas_total)}元。"}])
    d = decide(playbook, BILL)
    assert d.findings[0].text == "增值业务费8元，最贵的是彩铃"
    assert d.actions[0].params == {"product_id": "VAS-CL"}
    assert d.reply == "您10月的增值业务费一共8元。"


def test_a_let_over_a_failed_read_leaves_the_rule_unknown_not_false() -> None:
    playbook = book(let={"vas": "[i for i in bill.items if i.category == '增值业务费']",
                         "top": "first(vas)"},
                    rules=[{"id": "no_vas", "when": "not vas", "finding": "没有增值业务", "reply": "您没有增值业务。"},
                           {"id": "no_bill", "when": "not bill", "finding": "没有账单"},
                           {"id": "has_top", "when": "top != None", "finding": "有增值业务"},
                           {"id": "same_bill", "when": "bill == None", "finding": "无账单"}])
    d = decide(playbook, None)
    assert d.findings == [] and set(d.unknown) == {"no_vas", "no_bill", "has_top", "same_bill"}
    assert "没有" not in d.reply


def test_evidence_labels_match_month_prefixed_facts() -> None:
    playbook = book(rules=[{"id": "summary", "when": "True", "finding": "账单",
                            "evidence": ["bill:账单合计|增值业务费"]}])
    evidence = decide(playbook, BILL).findings[0].evidence
    assert evidence == ["boss_get_bill: 2026-10账单合计 = 95.0元 (BOSS)",
                        "boss_get_bill: 2026-10 增值业务费 = 彩铃 5.0元 (BOSS)",
                        "boss_get_bill: 2026-10 增值业务费 = 手机报 3.0元 (BOSS)"]


@pytest.mark.parametrize(("total", "asked"), [(95.0, ["还有别的吗？"]), (10.0, ["还有别的吗？", "您是哪个月的账单？"])])
def test_questions_marked_after_stop_false_are_not_asked_once_a_stop_rule_held(total: float,
                                                                              asked: list[str]) -> None:
    playbook = book(
        rules=[{"id": "big", "when": "bill.total_yuan > 50", "finding": "金额较大", "stop": True}],
        questions=[{"when": "True", "ask": "还有别的吗？"},
                   {"when": "True", "ask": "您是哪个月的账单？", "after_stop": False}])
    assert decide(playbook, BILL | {"total_yuan": total}).questions == asked


def test_figures_show_the_arithmetic_and_can_be_cited_as_evidence() -> None:
    playbook = book(
        let={"vas": "[i for i in bill.items if i.category == '增值业务费']",
             "vas_total": "round(sum([i.amount_yuan for i in vas]), 2)"},
        figures=[{"label": "增值业务费合计", "value": "{num(vas_total)}元",
                  "how": "{'+'.join([i.item_name + num(i.amount_yuan) + '元' for i in vas])}"},
                 {"label": "不会出现", "when": "vas_total > 100", "value": "{vas_total}元", "how": "不成立"}],
        rules=[{"id": "vas_fee", "when": "vas_total > 0", "finding": "增值业务费{vas_total}元",
                "evidence": ["figures:增值业务费合计", "bill:增值业务费"], "reply": "一共{num(vas_total)}元。"}])
    d = decide(playbook, BILL)
    assert d.figures == ["增值业务费合计 = 8元（彩铃5元+手机报3元）"]
    assert d.findings[0].evidence[0] == "核算: 增值业务费合计 = 8元（彩铃5元+手机报3元）"
    failed = decide(playbook, None)  # a figure over a read that failed is left out, never guessed
    assert failed.figures == [] and failed.findings == []


def test_schema_rejects_evidence_citing_a_figure_that_is_not_defined() -> None:
    rule = {"id": "r", "when": "True", "finding": "账单", "evidence": ["figures:没有这个核算项"]}
    with pytest.raises(ValueError, match="没有这个核算项"):
        book(rules=[rule])
    with pytest.raises(ValueError, match="label 重复"):
        book(figures=[{"label": "合计", "value": "1元", "how": "1+0"}, {"label": "合计", "value": "2元", "how": "2+0"}])


def test_questions_fill_their_placeholders_and_drop_when_a_value_is_missing() -> None:
    playbook = book(questions=[{"when": "True", "ask": "您问的是{int(bill.month[5:])}月的账单吗？"}])
    assert decide(playbook, BILL).questions == ["您问的是10月的账单吗？"]
    assert decide(playbook, None).questions == []


def test_helpers() -> None:
    names = {"items": Ok([{"d": "2026-11-03", "v": 2}, {"d": "2026-09-01", "v": 7}, {"d": None, "v": 1}])}
    assert evaluate("[x.v for x in sort_by(items, 'd')]", names) == [7, 2, 1]
    assert evaluate("first([x for x in items if x.v > 100], 'none')", names) == "none"
    assert evaluate("unique(['a', 'b', 'a'])", names) == ["a", "b"]
    assert evaluate("days('2026-09-01', '2026-11-20T10:00:00')", names) == 80
    assert evaluate("num(23.50) + '|' + num(30.0) + '|' + num(1.234)", names) == "23.5|30|1.23"
    assert evaluate("cn_date('2026-01-05') + cn_date('2026-11-20T09:30:00', False, True)", names) == "2026年1月5日11月20日09:30"
    assert condition("days('not a date', '2026-11-20') > 1", names) is None


def test_schema_rejects_bad_let_names_and_placeholders(tmp_path: Path) -> None:
    raw = yaml.safe_load((DATA_DIR / "bill_inquiry.yaml").read_text(encoding="utf-8"))
    raw["let"]["bill"] = "1"
    raw["rules"][0]["finding"] = "合计{bill.total_yuan +}元"
    (tmp_path / "bill_inquiry.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PlaybookError) as exc:
        load_playbooks(load_vocabulary(), {"boss_get_bill"}, tmp_path)
    assert "bill_inquiry.yaml" in str(exc.value) and "let" in str(exc.value)
    del raw["let"]["bill"]
    (tmp_path / "bill_inquiry.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PlaybookError) as exc:
        load_playbooks(load_vocabulary(), {"boss_get_bill"}, tmp_path)
    assert "表达式语法错误" in str(exc.value) and "bill.total_yuan +" in str(exc.value)


def test_every_intent_of_the_vocabulary_has_one_valid_playbook(sim_db: SimDatabase) -> None:
    vocabulary = load_vocabulary()
    tools = build_backends(sim_db=sim_db).tools(lambda: AS_OF)
    engine = PlaybookEngine(tools, vocabulary)
    books = load_playbooks(vocabulary, set(engine.read_tools))
    assert set(books) == set(vocabulary.intent_by_id)
    for playbook in books.values():
        assert playbook.reads and playbook.rules and playbook.questions, playbook.intent


def test_a_findings_knowledge_search_names_what_the_reads_found() -> None:
    playbook = book(let={"top": "first(sort_by([i for i in bill.items if i.category == '增值业务费'], 'amount_yuan', True))",
                         "gone": "first([i for i in bill.items if i.category == '违约金'])"},
                    rules=[{"id": "vas", "when": "top != None", "finding": "有增值业务",
                            "knowledge": ["{top.item_name}退订规则", "增值业务误订投诉处理规范", "{gone.item_name}说明"]}])
    assert decide(playbook, BILL).knowledge_queries == ["彩铃退订规则", "增值业务误订投诉处理规范"], \
        "a search over a value the reads did not find is left out, not sent as 「（未查到）」"
    with pytest.raises(ValueError, match="item_name"):  # checked when the playbook loads, like a reply's
        book(rules=[{"id": "x", "when": "True", "finding": "有业务", "knowledge": ["{top.item_name +}退订规则"]}])
