"""`hotline classifier dev` as an evaluator runs it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from copilot.cli import app
from copilot.understand.classifier import DATA_DIR

runner = CliRunner()
INTENTS = ("broadband_fault", "roaming", "password_reset")


def _lines(count: int) -> list[str]:
    """The first `count` training lines of each of three intents."""
    rows = [json.loads(line) for line in (DATA_DIR / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    return [json.dumps(r, ensure_ascii=False) for intent in INTENTS
            for r in [r for r in rows if r["intents"][0] == intent][:count]]


def test_scores_the_lines_it_was_trained_on_as_right(tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    train.write_text("\n".join(_lines(12)) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["classifier", "dev", "--train", str(train), "--dev", str(train), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["lines"] == 36 and set(report["per_intent"]) == set(INTENTS)
    assert report["intent_accuracy"] == 1.0 and report["confusions"] == []
    text = runner.invoke(app, ["classifier", "dev", "--train", str(train), "--dev", str(train)])
    assert text.exit_code == 0 and "主意图准确率 100.0%" in text.output


def test_a_bad_line_is_named_with_its_file_and_number(tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    train.write_text("\n".join(_lines(12)) + "\n", encoding="utf-8")
    dev = tmp_path / "dev.jsonl"
    dev.write_text(_lines(1)[0] + "\n" + '{"text": "宽带断了", "emotion": "calm"}\n', encoding="utf-8")
    result = runner.invoke(app, ["classifier", "dev", "--train", str(train), "--dev", str(dev)])
    assert result.exit_code == 1 and f"{dev}:2" in result.output and "intents" in result.output


def test_calls_replays_each_call_turn_by_turn(tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        '{"turns": ["家里宽带断了光猫红灯一直闪", "好的谢谢"], "intents": ["broadband_fault"], "clear_at": 1,'
        ' "pattern": "filler_end"}\n'
        '{"turns": ["喂你好", "我想问一下我的服务密码忘了怎么办"], "intents": ["password_reset"], "clear_at": 2,'
        ' "pattern": "late"}\n', encoding="utf-8")
    result = runner.invoke(app, ["classifier", "calls", "--calls", str(calls), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["calls"] == 2 and report["end_accuracy"] == 1.0
    assert set(report["by_pattern"]) == {"filler_end", "late"}
    calls.write_text('{"turns": [], "intents": ["other"], "clear_at": 1, "pattern": "direct"}\n', encoding="utf-8")
    bad = runner.invoke(app, ["classifier", "calls", "--calls", str(calls)])
    assert bad.exit_code == 1 and f"{calls}:1" in bad.output
