"""The smoke suite: replayed on the test world in every `make test`, it fails on regression past its targets."""

from __future__ import annotations

import json
from pathlib import Path

from evals.metrics import check_targets, compute
from evals.records import read_manifest, read_results
from evals.scenario import load_suite
from tests.evals.conftest import SMOKE


def test_every_smoke_case_replays(smoke_run: Path) -> None:
    results = read_results(smoke_run)
    assert sorted(r.id for r in results) == sorted(s.id for s in load_suite(SMOKE))
    assert [r.id for r in results if not r.ok] == []
    assert read_manifest(smoke_run).finished is not None


def test_smoke_meets_its_targets(smoke_run: Path) -> None:
    summary = compute(read_results(smoke_run), smoke_run)
    assert summary["targets_source"].endswith("smoke.targets.yaml"), "the smoke suite has its own thresholds"
    assert check_targets(summary) == []


def test_smoke_reports_are_written_and_leak_nothing(smoke_run: Path) -> None:
    report = json.loads((smoke_run / "report.json").read_text(encoding="utf-8"))
    assert report["leaks"] == []
    html = (smoke_run / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "http://" not in html and "https://" not in html
    assert (smoke_run / "report.md").read_text(encoding="utf-8").startswith("# ")
