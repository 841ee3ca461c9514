"""The app's health endpoint and landing page."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from copilot import __version__
from copilot.api.app import create_app
from copilot.settings import Settings


def test_healthz_reports_version_and_backends(sim_path: Path) -> None:
    with TestClient(create_app(Settings(sim_db=sim_path))) as client:
        body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["version"] == __version__
    assert body["backends"] == {"BOSS": "sim", "AAA": "sim", "PON": "sim", "COVERAGE": "sim", "TICKETING": "sim"}


def test_settings_switch_a_system_to_http(sim_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_SIM_DB", str(sim_path))
    monkeypatch.setenv("HOTLINE_BOSS_URL", "http://boss.internal:8080")
    monkeypatch.setenv("HOTLINE_SIM_FAULTS", '{"AAA": {"error_rate": 0.5}}')
    settings = Settings()
    assert settings.sim_faults["AAA"].error_rate == 0.5  # type: ignore[index]
    with TestClient(create_app(settings)) as client:
        body = client.get("/healthz").json()
    assert body["backends"]["BOSS"] == "http" and body["backends"]["PON"] == "sim"


def test_landing_page_is_chinese_html(sim_path: Path) -> None:
    with TestClient(create_app(Settings(sim_db=sim_path))) as client:
        page = client.get("/")
    assert page.status_code == 200 and "热线坐席助手" in page.text


def test_missing_sim_database_fails_start_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="hotline sim generate"), \
            TestClient(create_app(Settings(sim_db=tmp_path / "missing.sqlite"))):
        pass
