"""A dropped event stream reconnects and resumes: no card lost, none shown twice."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.copilot.api.conftest import start
from tests.copilot.web.conftest import Served


def say(server: Served, text: str) -> None:
    r = server.http.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": text})
    assert r.status_code == 200, r.text


def test_a_dropped_stream_resumes_without_losing_or_duplicating_cards(server: Served, page: Page,
                                                                        sim_path: Path) -> None:
    start(server.http, sim_path, "gprs_off")  # the telephony side starts the call; the sidebar follows it
    page.goto(f"{server.url}/?call=c1")
    conn = page.locator("#conn")
    expect(conn).to_have_attribute("data-state", "open")
    say(server, "手机突然用不了流量了，微信发不出去")
    expect(page.locator("#reply")).to_have_attribute("data-turn", "1")

    # the server drops the stream; the browser reconnects with Last-Event-ID while the call goes on
    server.app.state.hub.close_call("c1")
    expect(conn).to_have_attribute("data-reconnects", "1")
    say(server, "信号是满的，就是4G标志没有了")
    expect(page.locator("#reply")).to_have_attribute("data-turn", "2")
    expect(conn).to_have_attribute("data-state", "open")

    # a new stream replaying the whole call: every card already shown stays single
    page.evaluate("window.hotline.stream.restart(0)")
    say(server, "那要怎么弄才能恢复")
    expect(page.locator("#reply")).to_have_attribute("data-turn", "3")
    expect(page.locator("#transcript li")).to_have_count(3)
    audit = server.http.get("/v1/calls/c1/audit").json()["events"]
    seqs = [e["seq"] for e in page.evaluate("window.hotline.state.rendered")]
    assert seqs == [e["seq"] for e in audit], "each event rendered exactly once, in order"


def test_following_an_ended_call_replays_it_once_and_stops(server: Served, page: Page, sim_path: Path) -> None:
    start(server.http, sim_path, "bb_onu_hung")
    say(server, "家里宽带打不开网页，光猫的灯都是亮的")
    assert server.http.post("/v1/calls/c1/end").status_code == 200
    page.goto(server.url)
    page.locator("#follow-id").fill("c1")
    page.locator("#follow-id").press("Enter")
    expect(page.locator("#wrapup")).to_be_visible()
    expect(page.locator("#call-status")).to_have_text("通话已结束")
    expect(page.locator("#conn")).to_have_attribute("data-state", "closed")
    expect(page.locator("#reply li.action").first.locator("[data-role=go]")).to_be_disabled()
    seqs = [e["seq"] for e in page.evaluate("window.hotline.state.rendered")]
    assert seqs == [e["seq"] for e in server.http.get("/v1/calls/c1/audit").json()["events"]]
