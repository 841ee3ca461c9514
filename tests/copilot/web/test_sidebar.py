"""The agent's sidebar in a real browser: demo calls end to end, the outage banner, a failing system, the keyboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from copilot.api.routers.demo import load_demo_calls
from tests.copilot.api.conftest import start
from tests.copilot.conftest import outage_script
from tests.copilot.web.conftest import Served, own_settings, serve
from tools.base.faults import FaultConfig
from tools.sim.db import SimDatabase


def rendered(page: Page) -> list[dict[str, Any]]:
    """The events the page rendered, in the order it rendered them."""
    return list(page.evaluate("window.hotline.state.rendered"))


def check_order(events: list[dict[str, Any]]) -> None:
    """Each event once, in sequence order; within a turn the cards come in the order the copilot makes them."""
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(set(seqs)), f"duplicated or out of order: {seqs}"
    order = {"utterance": 0, "understanding": 1, "knowledge": 2, "diagnosis": 2, "reply": 3}
    for turn in {e["turn"] for e in events}:
        kinds = [order[e["type"]] for e in events
                 if e["turn"] == turn and e["type"] in order and e.get("speaker") != "agent"]
        assert kinds == sorted(kinds), f"turn {turn} out of order: {events}"


def start_demo(page: Page, url: str, demo: str, mode: str = "replay") -> None:
    page.goto(f"{url}/?pace=0")
    if mode == "type":
        page.get_by_label("我来扮演客户").check()
    page.locator(f'button[data-demo="{demo}"]').click()
    expect(page.locator("#call")).to_be_visible()


def test_demo_list_resolves_each_sample_call_to_a_line(server: Served) -> None:
    calls = server.http.get("/v1/demo/calls").json()["calls"]
    ids = [c["id"] for c in calls]
    assert {"fee_dispute", "mobile_data", "broadband_onu", "broadband_outage"} <= set(ids)
    assert len(ids) == len(load_demo_calls().calls), "every situation has a line in the test world"
    assert all(re.fullmatch(r"1\d{2}\*{4}\d{4}", c["msisdn_masked"]) for c in calls)


def test_a_demo_call_end_to_end(server: Served, page: Page) -> None:
    confirms: list[str] = []
    page.on("request", lambda r: confirms.append(r.url) if r.method == "POST" and r.url.endswith("/confirm") else None)
    start_demo(page, server.url, "fee_dispute")

    # the caller card, then the cards of each turn as the replay goes
    expect(page.locator("#caller-number")).to_have_text(re.compile(r"^1\d{2}\*{4}\d{4}$"))
    expect(page.locator("#caller-badges .badge").first).to_be_visible()
    expect(page.locator("body[data-demo=done]")).to_have_count(1)
    steps = load_demo_calls().calls[0].steps
    said = [s for s in steps if s.speaker != "ask"]
    expect(page.locator("#transcript li")).to_have_count(len(said))
    expect(page.locator("#understanding .chip.top")).to_contain_text("流量费争议")
    expect(page.locator("#understanding .alert[data-level=red]").first).to_be_visible()  # angry, threatens 12300
    expect(page.locator('#diagnosis .sys[data-system="BOSS"]')).not_to_have_attribute("data-state", "none")
    expect(page.locator("#answers li[data-seq]")).to_have_count(1)  # the demo's own question, typed in the chat box

    # a question of the agent's own, typed into the chat box: answered apart from the transcript
    page.locator("#ask-input").fill("客户上个月的套餐外流量费是多少？")
    page.locator("#ask-form button").click()
    expect(page.locator("#answers li[data-seq]")).to_have_count(2)
    expect(page.locator("#answers li[data-seq]").last.locator(".a")).not_to_be_empty()
    expect(page.locator("#transcript li")).to_have_count(len(said))
    check_order(rendered(page))

    # the reply copies in one click
    reply = page.locator("#reply-text").inner_text()
    assert reply
    page.locator("#copy-reply").click()
    expect(page.locator("#toast")).to_have_text("话术已复制")
    assert page.evaluate("navigator.clipboard.readText()") == reply

    # an action needs confirmation, acts once on a double click, then shows its result
    action = page.locator('#reply li.action[data-confirm="true"]').first
    action.locator('[data-role="go"]').click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    assert confirms == [], "nothing runs before the agent confirms"
    page.locator("#confirm-go").dblclick()
    expect(dialog).to_be_hidden()
    expect(action.locator(".result")).to_have_attribute("data-ok", "true")
    expect(action.locator(".result")).to_contain_text("✓")
    assert len(confirms) == 1

    # feedback on a card, then the editable wrap-up at call end
    page.locator('#diagnosis .feedback button[aria-label="没用"]').click()
    page.locator("#diagnosis .feedback .reasons button", has_text="信息过时").click()
    expect(page.locator("#diagnosis .feedback")).to_contain_text("已反馈")
    page.locator("#end-call").click()
    expect(page.locator("#wrapup")).to_be_visible()
    expect(page.locator('#wrapup textarea[data-field="处理"]')).not_to_be_empty()
    page.locator('#wrapup textarea[data-field="结果"]').fill("客户认可，已办理")
    page.locator("#wrap-confirm").click()
    expect(page.locator("#wrap-confirm")).to_have_text("小结已确认")
    expect(page.locator("#call-status")).to_have_text("通话已结束")
    call_id = page.url.split("call=")[1]
    audit = server.http.get(f"/v1/calls/{call_id}/audit").json()
    feedback = [e["data"] for e in audit["events"] if e["type"] == "feedback"]
    assert {"card": "diagnosis", "event": "thumbs_down", "reason": "信息过时"} in [
        {k: f.get(k) for k in ("card", "event", "reason")} for f in feedback]
    assert any(f["card"] == "wrapup" and f.get("ref", "").startswith("edited:") for f in feedback)
    confirmed = [e["data"] for e in audit["events"] if e["type"] == "wrapup_confirmed"]
    assert len(confirmed) == 1 and confirmed[0]["summary"]["结果"] == "客户认可，已办理"
    assert confirmed[0]["edited"] == ["结果"]
    assert sum(e["type"] == "action_result" for e in audit["events"]) == 1


def test_outage_area_caller_gets_the_red_script_and_no_repair_action(server: Served, page: Page,
                                                                       sim_path: Path) -> None:
    script = outage_script(SimDatabase(sim_path))
    start_demo(page, server.url, "broadband_outage")
    expect(page.locator("body[data-demo=done]")).to_have_count(1)
    banner = page.locator("#banner")
    expect(banner).to_be_visible()
    expect(banner.locator(f'[data-script="{script.id}"] .wording')).to_have_text(script.wording)
    expect(page.locator('#diagnosis .sys[data-system="COVERAGE"]')).to_have_attribute("data-state", "red")
    expect(page.locator("#reply li.action").first).to_be_visible()
    assert page.locator('#reply li.action[data-action^="create_repair_ticket"]').count() == 0
    expect(page.locator("#diagnosis .forbidden")).to_contain_text("派发报修工单")
    # a municipality is its own city: the script's scope reads 上海市, not 上海市上海市
    names = page.evaluate("""import('/static/labels.js').then((m) =>
        ['上海市上海市浦东新区', '江西省南昌市', '北京市北京市'].map(m.placeName))""")
    assert names == ["上海市浦东新区", "江西省南昌市", "北京市"]
    assert "市上海市" not in (banner.text_content() or "") and "市北京市" not in (banner.text_content() or "")


def test_a_worked_out_amount_is_shown_with_its_arithmetic(server: Served, page: Page) -> None:
    start_demo(page, server.url, "vas_unknown")
    expect(page.locator("body[data-demo=done]")).to_have_count(1)
    figures = page.locator("#diagnosis details.figures")
    expect(figures.locator("summary")).to_contain_text("核算")
    figures.locator("summary").click()
    total = figures.locator("li", has_text="近两月扣费合计")
    expect(total).to_be_visible()
    amount = re.search(r"近两月扣费合计 = ([\d.]+)元（.+账单[\d.]+元\+.+账单[\d.]+元）", total.inner_text())
    assert amount, total.inner_text()
    expect(page.locator("#reply")).to_contain_text(f"一共扣了{amount.group(1)}元")
    expect(page.locator('#reply li.action[data-action^="unsubscribe_vas"]')).to_be_visible()


def test_words_the_recogniser_misheard_show_as_the_search_read_them(server: Served, page: Page,
                                                                   sim_path: Path) -> None:
    start(server.http, sim_path, "gprs_off")
    page.goto(f"{server.url}/?call=c1")
    expect(page.locator("#conn")).to_have_attribute("data-state", "open")
    said = server.http.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "我的收机流量用不了"})
    assert said.status_code == 200, said.text
    expect(page.locator("#knowledge .heard")).to_have_text("按读音理解：收机 → 手机")
    expect(page.locator("#knowledge li.hit").first).to_be_visible()


@pytest.fixture
def pon_down(sim_path: Path, kb_dir: Path, tmp_path: Path, trained: Path) -> Iterator[Served]:
    yield from serve(own_settings(sim_path, kb_dir, tmp_path, sim_faults={"PON": FaultConfig(error_rate=1.0)}))


def test_a_failing_system_is_named_on_the_diagnosis(pon_down: Served, page: Page) -> None:
    start_demo(page, pon_down.url, "broadband_onu", mode="type")
    expect(page.locator("#caller-badges")).to_contain_text("PON网管查询失败")
    page.locator("#caller-input").fill("家里宽带用不了，光猫灯都亮着就是打不开网页")
    page.locator("#caller-say button").click()
    pon = page.locator('#diagnosis .sys[data-system="PON"]')
    expect(pon).to_have_attribute("data-state", "failed")
    expect(pon).to_contain_text("查询失败")
    expect(page.locator("#diagnosis .unknown")).to_contain_text("PON")
    expect(page.locator('#diagnosis .sys[data-system="BOSS"]')).not_to_have_attribute("data-state", "failed")
    expect(page.locator("#reply-text")).not_to_be_empty()


def test_keyboard_only(server: Served, page: Page) -> None:
    page.goto(f"{server.url}/?pace=0")
    expect(page.locator("button[data-demo=broadband_onu]")).to_be_visible()
    for _ in range(20):  # tab to the broadband sample call
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.demo") == "broadband_onu":
            break
    else:
        pytest.fail("the sample call cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.locator("body[data-demo=done]")).to_have_count(1)
    expect(page.locator('#reply li.action[data-confirm="true"]').first).to_be_visible()

    page.keyboard.press("j")  # next card
    expect(page.locator("#call .card:focus, #call .banner:focus")).to_have_count(1)
    first = page.evaluate("document.activeElement.id")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") != first

    page.keyboard.press("c")  # copy the reply
    expect(page.locator("#toast")).to_have_text("话术已复制")
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#reply-text").inner_text()

    page.keyboard.press("a")  # confirm the top action: dialog, Enter
    expect(page.locator("#confirm-dialog")).to_be_visible()
    expect(page.locator("#confirm-go")).to_be_focused()
    page.keyboard.press("Enter")
    top = page.locator("#reply li.action").first
    expect(top.locator(".result")).to_have_attribute("data-ok", "true")
    expect(page.locator("#confirm-dialog")).to_be_hidden()

    page.keyboard.press("/")  # ask
    expect(page.locator("#ask-input")).to_be_focused()
    page.keyboard.type("光猫重启后多久能恢复？")
    page.keyboard.press("Enter")
    expect(page.locator("#answers li[data-seq]")).to_have_count(1)
    page.keyboard.press("Escape")
    for _ in range(30):  # tab to the end of the call
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "end-call":
            break
    else:
        pytest.fail("ending the call cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#wrapup")).to_be_visible()


def test_a_system_that_fails_mid_call_is_named_while_the_others_stand(server: Served, page: Page) -> None:
    start_demo(page, server.url, "broadband_onu", mode="type")
    page.locator("#caller-input").fill("家里宽带用不了，光猫灯都亮着没有红灯，就是打不开网页")
    page.locator("#caller-say button").click()
    expect(page.locator('#diagnosis .sys[data-system="PON"]')).not_to_have_attribute("data-state", "failed")
    # what the caller said of the fault, in the agent's words rather than the copilot's codes
    expect(page.locator("#understanding")).to_contain_text("故障现象：完全上不了网")
    expect(page.locator("#understanding")).to_contain_text("光猫红灯：没有红灯")
    expect(page.locator("#understanding")).not_to_contain_text("no_")
    server.app.state.backends.aaa.faults.config = FaultConfig(error_rate=1.0)  # AAA goes down mid-call
    for line in ("另外我手机流量也用不了", "手机显示4G信号满格，就是上不了网"):  # a new topic: a new diagnosis
        page.locator("#caller-input").fill(line)
        page.locator("#caller-say button").click()
    expect(page.locator("#understanding")).to_contain_text("手机上网故障")
    aaa = page.locator('#diagnosis .sys[data-system="AAA"]')
    expect(aaa).to_have_attribute("data-state", "failed")
    expect(aaa).to_contain_text("查询失败")
    expect(page.locator('#diagnosis .sys[data-system="BOSS"]')).not_to_have_attribute("data-state", "failed")
    expect(page.locator("#reply-text")).not_to_be_empty()
