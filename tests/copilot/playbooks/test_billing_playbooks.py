"""Bill inquiry, balance and arrears, VAS unsubscribe and roaming decide on simulator lines."""

from __future__ import annotations

import pytest

from tests.conftest import profile
from tests.copilot.playbooks.conftest import (
    action,
    actions,
    assert_complete,
    assert_partial,
    diagnose,
    diagnose_line,
    line_where,
    read_tool,
    rules,
    said_date,
    spoken,
)
from tools.backends import build_backends
from tools.base.faults import FaultConfig
from tools.base.values import System
from tools.sim.db import SimDatabase
from tools.ticketing.data_model import TicketRequest

MONTH, LAST_MONTH = "2026-11", "2026-10"
BOSS_DOWN = {System.BOSS: FaultConfig(error_rate=1.0)}


# --- bill inquiry -------------------------------------------------------------------------------------------


def test_bill_summary_states_the_total_and_each_category_from_the_bill(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "healthy")
    bill = read_tool(sim_db, "boss_get_bill", msisdn=msisdn, month=LAST_MONTH)
    d = diagnose_line(sim_db, "bill_inquiry", msisdn)
    assert_complete(d)
    summary = d.findings[0]
    assert summary.rule == "bill_summary" and f"账单合计{spoken(bill['total_yuan'])}元" in summary.text
    for category in {i["category"] for i in bill["items"]}:
        total = round(sum(i["amount_yuan"] for i in bill["items"] if i["category"] == category), 2)
        assert f"{category}{spoken(total)}元" in summary.text and f"{category}{spoken(total)}元" in d.reply
    assert d.actions[0].action == "explain_bill" and d.actions[0].params == {"msisdn": msisdn, "month": LAST_MONTH}


def test_a_partner_billed_vas_on_the_bill_is_offered_for_unsubscribe_and_refund(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "unknown_vas")
    subs = read_tool(sim_db, "boss_get_subscriptions", msisdn=msisdn)
    vas = next(s for s in subs if s["channel"] == "第三方合作渠道")
    bill = read_tool(sim_db, "boss_get_bill", msisdn=msisdn, month=LAST_MONTH)
    if not any(i["product_id"] == vas["product_id"] for i in bill["items"]):
        pytest.skip("this line's partner VAS started this month")
    d = diagnose_line(sim_db, "bill_inquiry", msisdn)
    assert_complete(d)
    assert "partner_vas_fee" in rules(d) and d.disposition == "resolve"
    assert action(d, "unsubscribe_vas").params == {"msisdn": msisdn, "product_id": vas["product_id"]}
    assert action(d, "create_fee_dispute_ticket").needs_confirmation
    assert vas["product_name"] in d.reply and said_date(vas["start_date"]) in d.reply


def test_an_eligible_overage_in_the_month_asked_offers_the_elastic_pack(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "big_overage_elastic_eligible")
    month = next(m for m in (MONTH, LAST_MONTH)
                 if read_tool(sim_db, "boss_check_elastic_eligibility", msisdn=msisdn, month=m)["eligible"])
    check = read_tool(sim_db, "boss_check_elastic_eligibility", msisdn=msisdn, month=month)
    d = diagnose_line(sim_db, "bill_inquiry", msisdn, slots={"months": [month]})
    assert_complete(d)
    assert "overage_elastic" in rules(d)
    refund = action(d, "refund_via_elastic_package")
    assert refund.params == {"msisdn": msisdn, "month": month} and refund.tool == "boss_apply_elastic_package"
    assert f"节省{spoken(check['saving_yuan'])}元" in d.reply and check["tier"]["name"] in d.reply
    assert not d.questions, "the caller named the month"


def test_an_unpaid_bill_guides_payment_of_what_is_owed(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "arrears_suspended")
    account = read_tool(sim_db, "boss_get_account", msisdn=msisdn)
    d = diagnose_line(sim_db, "bill_inquiry", msisdn)
    assert_complete(d)
    assert rules(d)[:2] == ["bill_summary", "unpaid_bill"]
    assert action(d, "payment_guide").params["amount_yuan"] == pytest.approx(-account["balance_yuan"])
    assert f"欠费{spoken(-account['balance_yuan'])}元" in d.reply and "停机" in d.reply


def test_this_months_roaming_is_raised_when_last_months_bill_is_asked(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "roaming_charges")
    now_bill = read_tool(sim_db, "boss_get_bill", msisdn=msisdn, month=MONTH)
    item = next((i for i in now_bill["items"] if i["category"] == "国际及港澳台漫游费"), None)
    if item is None:
        pytest.skip("this line's trip was last month")
    d = diagnose_line(sim_db, "bill_inquiry", msisdn)
    assert "running_month_charges" in rules(d)
    assert item["item_name"] in d.reply and f"{spoken(now_bill['total_yuan'])}元" in d.reply


def test_bill_inquiry_with_boss_down_says_nothing_it_cannot_know(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "bill_inquiry", "unknown_vas", faults=BOSS_DOWN)
    assert_partial(d, {r.id for r in d.reads}, "BOSS")
    assert not d.findings and not d.actions
    assert "bill_summary" in d.unknown and "稍等" in d.reply


# --- balance and arrears ------------------------------------------------------------------------------------

ACTIVE_WITH_PLAN = ("SELECT s.msisdn FROM subscribers s JOIN products p ON p.product_id = s.plan_id"
                    " WHERE s.status = 'active' AND {cond} ORDER BY s.msisdn LIMIT 1")


@pytest.mark.parametrize(("case", "rule", "first_action"), [
    ("arrears_suspended", "arrears_suspended", "payment_guide"),
    ("request_suspended", "request_suspended", "resume_service"),
    ("cancelled", "cancelled", "verify_identity"),
    ("s.balance_fen < 0", "overdrawn_within_credit", "payment_guide"),
    ("s.balance_fen >= 0 AND s.balance_fen < p.monthly_fee_fen", "low_balance", "payment_guide"),
    ("s.balance_fen >= p.monthly_fee_fen", "balance_ok", "no_action"),
])
def test_balance_decides(sim_db: SimDatabase, case: str, rule: str, first_action: str) -> None:
    msisdn = (line_where(sim_db, ACTIVE_WITH_PLAN.format(cond=case)) if " " in case else profile(sim_db, case))
    account = read_tool(sim_db, "boss_get_account", msisdn=msisdn)
    d = diagnose_line(sim_db, "balance_arrears", msisdn)
    assert_complete(d)
    assert rules(d) == [rule] and actions(d)[0] == first_action
    balance = account["balance_yuan"]
    assert spoken(abs(balance)) + "元" in d.reply, d.reply
    if balance < 0:
        assert d.actions[0].params["amount_yuan"] == pytest.approx(-balance)


def test_arrears_reply_states_the_amount_and_offers_payment(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "balance_arrears", "arrears_suspended")
    assert actions(d) == ["payment_guide"]
    assert "自动复机" in d.reply and d.questions


def test_a_suspension_on_request_cites_the_keep_number_fee_from_the_bill(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "request_suspended")
    bill = read_tool(sim_db, "boss_get_bill", msisdn=msisdn, month=LAST_MONTH)
    fee = next(i["amount_yuan"] for i in bill["items"] if i["item_name"] == "停机保号费")
    d = diagnose_line(sim_db, "balance_arrears", msisdn)
    assert f"停机保号费{spoken(fee)}元" in d.reply and "不是欠费" in d.reply


def test_balance_with_boss_down_is_partial(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "balance_arrears", "arrears_suspended", faults=BOSS_DOWN)
    assert_partial(d, {"account", "payments", "subs", "bill_last"}, "BOSS")
    assert not d.actions and "欠费" not in d.reply


# --- VAS unsubscribe ----------------------------------------------------------------------------------------


def test_a_partner_vas_is_flagged_unsubscribed_and_refund_offered_with_what_it_cost(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "unknown_vas")
    vas = next(s for s in read_tool(sim_db, "boss_get_subscriptions", msisdn=msisdn) if s["channel"] == "第三方合作渠道")
    bills = [read_tool(sim_db, "boss_get_bill", msisdn=msisdn, month=m) for m in (LAST_MONTH, MONTH)]
    charged = round(sum(i["amount_yuan"] for b in bills for i in b["items"] if i["product_id"] == vas["product_id"]), 2)
    d = diagnose_line(sim_db, "vas_unsubscribe", msisdn)
    assert_complete(d)
    assert rules(d) == ["vas_list", "likely_unknowing", "refund_request"]
    assert actions(d) == ["unsubscribe_vas", "create_fee_dispute_ticket"]
    assert d.actions[0].params == {"msisdn": msisdn, "product_id": vas["product_id"]}
    assert d.actions[0].needs_confirmation and d.actions[0].tool == "boss_unsubscribe_vas"
    assert vas["product_id"] in d.actions[1].params["description"]
    assert f"一共扣了{spoken(charged)}元" in d.reply and vas["channel"] in d.reply
    parts = [round(sum(i["amount_yuan"] for i in b["items"] if i["product_id"] == vas["product_id"]), 2) for b in bills]
    figure = (f"近两月扣费合计 = {spoken(charged)}元（{vas['product_name']}：{LAST_MONTH}账单{spoken(parts[0])}元+"
              f"{MONTH}账单{spoken(parts[1])}元）")
    assert figure in d.figures and f"核算: {figure}" in d.findings[1].evidence
    assert any(vas["product_name"] in q for q in d.questions)


def test_an_open_refund_request_is_urged_not_duplicated(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "unknown_vas")
    request = TicketRequest(kind="fee_dispute", msisdn=msisdn, title="增值业务退费", description="用户称未订购")
    created = build_backends(sim_db=sim_db).ticketing.create_ticket(request, actor="A1", idempotency_key="vas-t")
    d = diagnose_line(sim_db, "vas_unsubscribe", msisdn)
    assert "create_fee_dispute_ticket" in d.forbidden and "create_fee_dispute_ticket" not in actions(d)
    assert actions(d)[:2] == ["urge_ticket", "unsubscribe_vas"]
    assert created.details["ticket_id"] in d.reply


def test_several_own_vas_ask_which_one_and_prefill_nothing(sim_db: SimDatabase) -> None:
    msisdn = line_where(sim_db, (
        "SELECT s.msisdn FROM subscriptions s JOIN products p USING (product_id) WHERE s.status = 'active'"
        " AND p.kind = 'vas' GROUP BY s.msisdn HAVING COUNT(*) > 1 AND SUM(s.channel IN ('第三方合作渠道', '短信')) = 0"
        " AND SUM(p.product_id LIKE 'SP-%') = 0 ORDER BY s.msisdn LIMIT 1"))
    d = diagnose_line(sim_db, "vas_unsubscribe", msisdn)
    assert_complete(d)
    assert rules(d) == ["vas_list", "several_vas"] and "unsubscribe_vas" not in actions(d)
    assert "哪一项" in d.reply and d.questions == ["请问您要退订的是哪一项业务？"]


def test_no_vas_says_so(sim_db: SimDatabase) -> None:
    msisdn = line_where(sim_db, "SELECT msisdn FROM subscribers s WHERE status = 'active' AND NOT EXISTS (SELECT 1"
                                " FROM subscriptions x JOIN products p USING (product_id) WHERE x.msisdn = s.msisdn"
                                " AND p.kind = 'vas' AND x.status = 'active') ORDER BY msisdn LIMIT 1")
    d = diagnose_line(sim_db, "vas_unsubscribe", msisdn)
    assert rules(d) == ["no_vas"] and "没有在用的增值业务" in d.reply


def test_vas_with_ticketing_down_still_unsubscribes_but_does_not_guess_the_refund(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "vas_unsubscribe", "unknown_vas", faults={System.TICKETING: FaultConfig(error_rate=1.0)})
    assert_partial(d, {"tickets"}, "TICKETING")
    assert {"open_refund_request", "refund_request"} <= set(d.unknown)
    assert actions(d) == ["unsubscribe_vas"]


# --- roaming ------------------------------------------------------------------------------------------------


def test_roaming_charges_are_explained_from_usage_and_the_bill_item(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "roaming_charges")
    usage = next(u for u in (read_tool(sim_db, "boss_get_data_usage", msisdn=msisdn, month=m) for m in (MONTH, LAST_MONTH))
                 if u["roaming_fee_yuan"] > 0)
    item = next(i for i in read_tool(sim_db, "boss_get_bill", msisdn=msisdn, month=usage["month"])["items"]
                if i["category"] == "国际及港澳台漫游费")
    d = diagnose_line(sim_db, "roaming", msisdn)
    assert_complete(d)
    assert rules(d)[0] == "roaming_charges" and d.disposition == "inform"
    assert d.actions[0].params == {"msisdn": msisdn, "month": usage["month"]}
    # found trying the demo: "2731.81MB" read aloud; a GB or more is said in GB
    said = (f"{round(usage['roaming_mb'] / 1024, 1)}GB" if usage["roaming_mb"] >= 1024
            else f"{spoken(usage['roaming_mb'])}MB")
    assert said in d.reply and f"{spoken(usage['roaming_fee_yuan'])}元" in d.reply
    assert item["item_name"] in d.reply and "enable_roaming" in d.forbidden
    fee = diagnose_line(sim_db, "data_fee_dispute", msisdn)
    assert "roaming_charges" in rules(fee) and f"{said}漫游流量" in fee.reply and "更划算" not in fee.reply


def test_roaming_is_turned_on_after_confirmation_for_an_eligible_line(sim_db: SimDatabase) -> None:
    msisdn = line_where(sim_db, "SELECT s.msisdn FROM subscribers s JOIN aaa_profiles a USING (msisdn) WHERE"
                                " s.status = 'active' AND s.real_name_verified = 1 AND a.roaming_enabled = 0"
                                " ORDER BY s.msisdn LIMIT 1")
    d = diagnose_line(sim_db, "roaming", msisdn)
    assert_complete(d)
    assert rules(d) == ["roaming_off"] and d.disposition == "resolve"
    enable = d.actions[0]
    assert enable.action == "enable_roaming" and enable.params == {"msisdn": msisdn}
    assert enable.needs_confirmation and enable.tool == "boss_enable_roaming"
    assert "国际漫游功能 = 未开通" in " ".join(d.findings[0].evidence)


@pytest.mark.parametrize(("slots", "asked"), [
    ({}, "请问您要去哪个国家或地区？大概什么时候出发、去几天？"),
    ({"destinations": ["泰国"]}, "请问您大概什么时候出发、去几天？"),
])
def test_a_trip_question_asks_only_what_the_caller_has_not_said(sim_db: SimDatabase, slots: dict[str, list[str]],
                                                               asked: str) -> None:
    msisdn = line_where(sim_db, "SELECT s.msisdn FROM subscribers s JOIN aaa_profiles a USING (msisdn) WHERE"
                                " s.status = 'active' AND s.real_name_verified = 1 AND a.roaming_enabled = 0"
                                " ORDER BY s.msisdn LIMIT 1")
    assert diagnose_line(sim_db, "roaming", msisdn, slots=slots).questions == [asked]


@pytest.mark.parametrize(("situation", "rule", "first_action"), [
    ("not_real_name", "not_real_name", "guide_real_name"),
    ("arrears_suspended", "line_not_active", "payment_guide"),
])
def test_roaming_is_refused_with_the_reason(sim_db: SimDatabase, situation: str, rule: str, first_action: str) -> None:
    d = diagnose(sim_db, "roaming", situation)
    assert_complete(d)
    assert rules(d) == [rule] and actions(d) == [first_action]
    assert "enable_roaming" in d.forbidden and not d.questions, "no trip questions for a line that cannot roam"


def test_roaming_with_aaa_down_explains_charges_but_does_not_offer_to_enable(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "roaming", "roaming_charges", faults={System.AAA: FaultConfig(error_rate=1.0)})
    assert_partial(d, {"profile"}, "AAA")
    assert {"roaming_off", "roaming_on"} <= set(d.unknown)
    assert rules(d) == ["roaming_charges"] and "enable_roaming" not in actions(d)
