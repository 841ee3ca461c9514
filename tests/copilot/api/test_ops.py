"""Readiness of each dependency, Prometheus metrics, and the knowledge manager's endpoints."""

from __future__ import annotations

import shutil
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.knowledge import open_knowledge
from copilot.settings import Settings
from knowledge.bulletins import write_bulletin
from knowledge.schema import Bulletin, EmergencyScript, Retirement
from tests.conftest import profile
from tests.copilot.api.conftest import start
from tests.knowledge.test_ingest import bulletin
from tools.base.faults import FaultConfig
from tools.sim.db import SimDatabase


def test_readyz_checks_each_dependency(client: TestClient) -> None:
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert {"boss", "aaa", "pon", "coverage", "ticketing", "knowledge", "classifier", "checkpoints"} <= set(
        body["checks"])


def test_readyz_names_a_system_that_is_down(sim_path: Path, kb_dir: Path, tmp_path: Path) -> None:
    settings = Settings(sim_db=sim_path, kb_dir=kb_dir, data_dir=tmp_path / "d",
                        sim_faults={"AAA": FaultConfig(error_rate=1.0)})
    with TestClient(create_app(settings)) as client:
        r = client.get("/readyz")
    assert r.status_code == 503 and not r.json()["checks"]["aaa"]["ok"] and r.json()["checks"]["boss"]["ok"]


def test_metrics_count_turns_cards_and_failed_reads(sim_path: Path, kb_dir: Path, tmp_path: Path) -> None:
    settings = Settings(sim_db=sim_path, kb_dir=kb_dir, data_dir=tmp_path / "d",
                        sim_faults={"AAA": FaultConfig(error_rate=1.0)})
    with TestClient(create_app(settings)) as client:
        start(client, sim_path, "bb_los_fibre_cut")
        client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "家里宽带断了，光猫红灯一直闪"})
        text = client.get("/metrics").text
    assert 'hotline_turns_total{kind="utterance"} 1.0' in text
    assert "hotline_first_card_seconds_count 1.0" in text
    assert 'hotline_cards_total{type="knowledge"} 1.0' in text
    assert 'hotline_read_failures_total{system="AAA"}' in text


def test_kb_search_and_status(client: TestClient) -> None:
    body = client.get("/v1/kb/search", params={"q": "光毛红灯一直闪", "region": "江西省南昌市",
                                               "at": "2026-11-23T10:00:00"}).json()
    assert body["hits"][0]["id"] == "KP-KD-00001" and body["hits"][0]["why"]["matched_terms"]
    assert client.get("/v1/kb/search", params={"q": "宽带", "region": "南昌"}).status_code == 422
    assert client.get("/v1/kb/status").json()["counts"]["point"] == 12


def test_kb_ingest_dry_run_then_apply_switches_the_copilot(sim_path: Path, kb_dir: Path, tmp_path: Path) -> None:
    own_kb = tmp_path / "kb"
    shutil.copytree(kb_dir, own_kb)
    doc = tmp_path / "公告.docx"
    write_bulletin(bulletin(), doc)
    with TestClient(create_app(Settings(sim_db=sim_path, kb_dir=own_kb, data_dir=tmp_path / "d"))) as client:
        files = {"files": ("公告.docx", doc.read_bytes())}
        dry = client.post("/v1/kb/ingest", files=files).json()
        assert dry["dry_run"] and dry["plan"]["summary"]["point_new"] == 1 and dry["plan"]["files"] == ["公告.docx"]
        before = client.get("/v1/kb/status").json()["index"]
        applied = client.post("/v1/kb/ingest", params={"dry_run": False}, files=files).json()
        assert applied["index"] and applied["index"] != before
        assert {c["file"] for c in applied["plan"]["changes"]} == {"公告.docx"}
        note = client.get("/v1/kb/status").json()["last_change"]  # the upload's name, not where it was saved
        assert "公告.docx" in note and "hotline-upload" not in note
        assert client.get("/readyz").json()["checks"]["knowledge"]["index"] == applied["index"]
        again = client.post("/v1/kb/ingest", data={"dry_run": "false"}, files=files).json()  # as curl -F sends it
        assert again["dry_run"] is False and again["index"] is None  # applied, and nothing changed
        both = client.post("/v1/kb/ingest", params={"dry_run": True}, data={"dry_run": "false"}, files=files)
        assert both.status_code == 422 and both.json()["error"]["code"] == "conflicting_dry_run"


def test_a_version_the_cli_switched_on_disk_is_served_without_a_restart(sim_path: Path, kb_dir: Path,
                                                                        tmp_path: Path) -> None:
    """Found by a knowledge manager: after `hotline kb ingest` the server answered from the old version, while
    /v1/kb/status (read from disk) named the new one."""
    own_kb = tmp_path / "kb"
    shutil.copytree(kb_dir, own_kb)
    doc = tmp_path / "公告.md"
    write_bulletin(bulletin(), doc)
    settings = Settings(sim_db=sim_path, kb_dir=own_kb, data_dir=tmp_path / "d", kb_watch_s=0.05)
    with TestClient(create_app(settings)) as client:
        def search() -> dict[str, Any]:
            return client.get("/v1/kb/search", params={"q": "5G消息怎么收费", "region": "江西省南昌市",
                                                       "at": "2026-11-23T10:00:00"}).json()

        served = search()["index"]
        assert "KP-5G-00001" not in [h["id"] for h in search()["hits"]]
        # what `hotline kb ingest` does, in its own process: build the version and switch CURRENT
        _, info = open_knowledge(settings, lambda: datetime(2026, 11, 23, 10)).ingest([doc])
        assert info is not None and info.name != served
        deadline = time.monotonic() + 60
        while search()["index"] != info.name and time.monotonic() < deadline:
            time.sleep(0.05)
        found = search()
        assert found["index"] == info.name and found["hits"][0]["id"] == "KP-5G-00001"
        status = client.get("/v1/kb/status").json()
        assert status["index"] == status["serving"] == info.name and status["watch"]["error"] is None
        assert client.get("/readyz").json()["checks"]["knowledge"]["index"] == info.name
        (own_kb / "index" / "CURRENT").write_text("v9999", encoding="utf-8")  # a version that is not there
        while client.get("/v1/kb/status").json()["watch"]["error"] is None and time.monotonic() < deadline:
            time.sleep(0.05)
        ready = client.get("/readyz").json()["checks"]["knowledge"]
        assert "v9999" in ready["watch_error"] and ready["index"] == info.name, "the good version goes on serving"


def test_a_published_outage_script_for_the_callers_district_is_read_without_an_outage_notice(
        sim_path: Path, kb_dir: Path, tmp_path: Path) -> None:
    """Found by a knowledge manager: a district's outage script with no 关联故障 never reached a fault call, whose
    reply said there was no fault nearby; it is on the card of a call of its service, and read."""
    own_kb = tmp_path / "kb"
    shutil.copytree(kb_dir, own_kb)
    db = SimDatabase(sim_path)
    msisdn = profile(db, "healthy")
    province, city, district = db.one("SELECT province, city, district FROM subscribers WHERE msisdn = ?", (msisdn,))
    wording = f"您好，非常抱歉！{district}南京东路周边今天凌晨因强降雨导致基站退服，影响4G/5G上网，预计今晚18点前恢复，您无需报修。"
    script = EmergencyScript(id="ES-20261120-201", title=f"{district}4G/5G业务故障口径", topic="outage",
                             region=f"{province}{city}", district=district, services=["mobile_data", "voice"],
                             keywords=["上不了网", "没信号"], wording=wording, valid_from=datetime(2026, 11, 20, 7, 30),
                             valid_to=datetime(2026, 11, 21, 12, 0), source="赣移网〔2026〕9号")
    doc = tmp_path / "口径.md"
    write_bulletin(Bulletin(bulletin_id="赣移网〔2026〕9号", title="故障口径", published=date(2026, 11, 20),
                            scripts=[script]), doc)
    settings = Settings(sim_db=sim_path, kb_dir=own_kb, data_dir=tmp_path / "d")
    with TestClient(create_app(settings)) as client:
        client.post("/v1/kb/ingest", params={"dry_run": False}, files={"files": ("口径.md", doc.read_bytes())})
        client.post("/v1/calls", json={"call_id": "c1", "msisdn": msisdn, "agent_id": "A1"})
        data = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "我手机从早上起来就上不了网"}).json()
        assert [s["id"] for s in data["scripts"]] == ["ES-20261120-201"]
        assert data["reply"] == wording and data["reply_sources"][0] == "ES-20261120-201"
        client.post("/v1/calls", json={"call_id": "c2", "msisdn": msisdn, "agent_id": "A1"})
        fee = client.post("/v1/calls/c2/utterances", json={"speaker": "caller", "text": "我宽带怎么断了"}).json()
        assert fee["scripts"] == [], "a mobile outage does not explain the broadband"
        answer = client.post("/v1/calls/c1/ask", json={"text": "今天这边有没有故障口径？"}).json()
        assert "故障口径1条" in answer["answer"] and "ES-20261120-201" in answer["sources"]


def test_retiring_a_playbooks_know_how_names_the_call_types_that_lose_it(sim_path: Path, kb_dir: Path,
                                                                         tmp_path: Path) -> None:
    own_kb = tmp_path / "kb"
    shutil.copytree(kb_dir, own_kb)
    retiring = bulletin().model_copy(update={"retirements": [
        Retirement(id="KP-KD-00001", effective_to=date(2026, 11, 30), reason="流程调整")]})
    doc = tmp_path / "下线公告.md"
    write_bulletin(retiring, doc)
    with TestClient(create_app(Settings(sim_db=sim_path, kb_dir=own_kb, data_dir=tmp_path / "d"))) as client:
        files = {"files": ("下线公告.md", doc.read_bytes())}
        dry = client.post("/v1/kb/ingest", files=files).json()
        assert {"intent": "broadband_fault", "guide": "宽带光猫LOS红灯排查步骤", "id": "KP-KD-00001",
                "title": "光猫LOS红灯闪烁处理"} in dry["guides_losing"]
        assert all(g["id"] == "KP-KD-00001" for g in dry["guides_losing"])
        applied = client.post("/v1/kb/ingest", params={"dry_run": False}, files=files).json()
        assert applied["index"] and applied["guides_losing"] == dry["guides_losing"]
        plain = tmp_path / "公告.md"
        unchanged = bulletin().model_copy(update={"retirements": []})
        write_bulletin(unchanged, plain)  # retires nothing: nothing to check
        assert client.post("/v1/kb/ingest", files={"files": ("公告.md", plain.read_bytes())}).json()[
            "guides_losing"] == []


def test_kb_ingest_rejects_bad_files_whole(client: TestClient) -> None:
    before = client.get("/v1/kb/status").json()["index"]
    r = client.post("/v1/kb/ingest", params={"dry_run": False}, files={"files": ("坏.docx", b"not a docx")})
    assert r.status_code == 422 and "坏.docx" in r.json()["error"]["problems"]
    r = client.post("/v1/kb/ingest", files={"files": ("x.exe", b"MZ")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_file_type"
    assert client.get("/v1/kb/status").json()["index"] == before
