"""The in-process harness: fixtures reach the copilot, faults switch on mid-call, failures and kills are survivable."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from copilot.settings import Settings
from evals.harness import LOG, HarnessError, RunOutcome, run_suite
from evals.records import MANIFEST, RESULTS, CaseResult, read_manifest, read_results
from evals.scenario import ScenarioError
from evals.world import World, WorldSpec
from knowledge.embedding import Embedder
from tests.conftest import ServerThread
from tests.copilot.llm.scripted_server import ScriptedModel, say
from tests.evals.conftest import SAMPLE, case, write_suite

SPEC = WorldSpec(kb_sample=SAMPLE)
ID_CARD = "360102199001011234"
OTHER_PHONE = "13912345678"
WORDING = "您好，您所在区域宽带因光缆中断正在抢修，预计{today}18点前恢复，无需报修，给您带来不便深表歉意。"


def _run(suite: Path, out: Path, world: World, settings: Settings, embedder: Embedder, **options: Any) -> RunOutcome:
    return run_suite(suite, out, world_dir=world.root, world_spec=SPEC, settings=settings, embedder=embedder,
                     **options)


MIXED = [
    case("gprs-fixture", ["喂，我手机从早上开始就上不了网了，4G图标都没有",
                          ("agent", "您好，我帮您查一下号码状态"),
                          f"我身份证号是{ID_CARD}，你帮我看看，我老婆的号{OTHER_PHONE}也这样"],
         intents=["mobile_data_fault"], gold={"findings": ["gprs_off"], "pii": [ID_CARD, OTHER_PHONE]},
         fixture={"situation": "healthy", "tables": {"aaa_profiles": {"gprs_enabled": 0}}}),
    case("broken-fixture", ["喂"], intents=["other"],
         fixture={"situation": "healthy", "tables": {"subscribers": {"status": "on_holiday"}}}),
    case("boss-mid-call", ["我这个月流量费怎么扣了这么多，我根本没用那么多", "不对，我说的是上个月的账单"],
         intents=["data_fee_dispute"], fixture={"situation": "big_overage_elastic_eligible"},
         faults=[{"system": "BOSS", "from_turn": 2}]),
    case("script-case", ["我家宽带断了，一直上不了网，你们派人来修一下"], intents=["broadband_fault"],
         fixture={"situation": "bb_healthy"}, gold={"knowledge": ["ES-20261120-951"]},
         scripts=[{"id": "ES-20261120-951", "title": "宽带中断应急口径", "topic": "outage", "region": "全国",
                   "outage_id": "EV-OUTAGE-1", "services": ["broadband"], "keywords": ["宽带断了", "上不了网"],
                   "wording": WORDING, "valid_from": "{now-2h}", "valid_to": "{now+6h}", "source": "评测口径〔2026〕1号"}]),
]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, eval_world: World, eval_embedder: Embedder,
          models_dir: Path) -> Iterator[tuple[RunOutcome, dict[str, CaseResult]]]:
    root = tmp_path_factory.mktemp("mixed")
    settings = Settings(data_dir=root / "data", models_dir=models_dir, llm_base_url=None)
    outcome = _run(write_suite(root / "mixed.yaml", MIXED), root / "run", eval_world, settings, eval_embedder)
    yield outcome, {r.id: r for r in outcome.results}


def test_a_fixture_changes_what_the_copilot_finds(mixed: tuple[RunOutcome, dict[str, CaseResult]]) -> None:
    result = mixed[1]["gprs-fixture"]
    assert result.ok, result.error
    first = result.turns[0].suggestion
    assert first.intents[0][0] == "mobile_data_fault" and "gprs_off" in first.findings
    assert "open_gprs_function" in first.actions and first.reads and all(r["ok"] for r in first.reads)
    assert first.facts and first.knowledge
    assert len(first.knowledge_text) == len(first.knowledge) + len(first.scripts)
    assert [t.speaker for t in result.turns] == ["caller", "agent", "caller"]
    assert all(t.latency_ms > 0 for t in result.turns) and result.turns[0].first_card_ms is not None
    assert result.wrapup is not None and result.wrapup["disposition_intent"] == "mobile_data_fault"
    assert result.msisdn_masked and "****" in result.msisdn_masked and result.call_id


def test_utterances_are_masked_as_the_api_masks_them(mixed: tuple[RunOutcome, dict[str, CaseResult]]) -> None:
    outcome, results = mixed
    said = results["gprs-fixture"].turns[2].text
    assert ID_CARD not in said and "360102********1234" in said and "139****5678" in said
    stored = [outcome.run_dir / LOG, *outcome.run_dir.glob("*.sqlite*")]
    assert len(stored) >= 3, "log, checkpoints and audit trail"
    for path in stored:
        data = path.read_bytes()
        assert ID_CARD.encode() not in data and OTHER_PHONE.encode() not in data, path.name


def test_a_mid_call_fault_fails_the_reads_from_its_turn(mixed: tuple[RunOutcome, dict[str, CaseResult]]) -> None:
    result = mixed[1]["boss-mid-call"]
    assert result.ok, result.error
    before, after = (t.suggestion for t in result.turns)
    boss_before = [r for r in before.reads if r["system"] == "BOSS"]
    boss_after = [r for r in after.reads if r["system"] == "BOSS"]
    assert boss_before and all(r["ok"] for r in boss_before)
    assert boss_after and not any(r["ok"] for r in boss_after) and all(r["error"] for r in boss_after)


def test_one_failing_case_does_not_stop_the_run(mixed: tuple[RunOutcome, dict[str, CaseResult]]) -> None:
    outcome, results = mixed
    assert [r.id for r in outcome.results] == [c["id"] for c in MIXED]
    broken = results["broken-fixture"]
    assert not broken.ok and broken.error is not None
    assert "case 'broken-fixture': fixture.tables.subscribers: IntegrityError: CHECK constraint failed" in broken.error
    assert results["script-case"].ok and results["boss-mid-call"].ok
    manifest = read_manifest(outcome.run_dir)
    assert manifest.finished and manifest.cases == 4 and manifest.world["as_of"] == "2026-11-20T10:00:00"


def test_suite_scripts_are_in_force_for_the_call(mixed: tuple[RunOutcome, dict[str, CaseResult]],
                                                 eval_world: World) -> None:
    suggestion = mixed[1]["script-case"].turns[0].suggestion
    assert suggestion.scripts == ["ES-20261120-951"]
    assert suggestion.reply == WORDING.replace("{today}", "2026-11-20")
    assert "create_repair_ticket" not in suggestion.actions
    assert any("无需报修" in text for text in suggestion.knowledge_text)
    assert not (mixed[0].run_dir / ".work").exists(), "the run's index copy is removed"
    assert not list(eval_world.index_dir.glob("v0002")), "the world's index is untouched"


class Interrupted(RuntimeError):
    pass


def test_an_interrupted_run_resumes_without_duplicates(tmp_path: Path, eval_world: World, eval_embedder: Embedder,
                                                       eval_settings: Settings) -> None:
    cases = [case(f"c{n}", ["你好，我想查一下话费"], intents=["bill_inquiry"]) for n in range(1, 5)]
    suite = write_suite(tmp_path / "resume.yaml", cases)
    out = tmp_path / "run"
    seen: list[str] = []

    def kill_after_two(result: CaseResult) -> None:
        seen.append(result.id)
        if len(seen) == 2:
            raise Interrupted("killed")

    with pytest.raises(Interrupted):
        _run(suite, out, eval_world, eval_settings, eval_embedder, on_case=kill_after_two)
    assert [r.id for r in read_results(out)] == ["c1", "c2"] and read_manifest(out).finished is None
    with (out / RESULTS).open("a", encoding="utf-8") as f:
        f.write('{"id": "c3", "descr')  # killed in the middle of writing c3
    again = _run(suite, out, eval_world, eval_settings, eval_embedder)
    assert again.ran == 2 and [r.id for r in again.results] == ["c1", "c2", "c3", "c4"]
    lines = (out / RESULTS).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and all(json.loads(line)["ok"] for line in lines)
    assert _run(suite, out, eval_world, eval_settings, eval_embedder).ran == 0, "a finished run is not replayed"


def test_a_run_is_not_resumed_on_another_world_or_code(tmp_path: Path, eval_world: World, eval_embedder: Embedder,
                                                      eval_settings: Settings) -> None:
    """Found by an evaluator: a run begun on a 300-point sample was resumed on a 250-point one without a word."""
    suite = write_suite(tmp_path / "s.yaml", [case("s1", ["查话费"], intents=["bill_inquiry"])])
    out = tmp_path / "run"
    _run(suite, out, eval_world, eval_settings, eval_embedder)
    manifest = read_manifest(out)
    for changed, named in ((manifest.model_copy(update={"world": {**manifest.world, "kb_sample": 250}}),
                            "另一个评测世界上开始的（kb_sample: 250 →"),
                           (manifest.model_copy(update={"product": {**manifest.product, "git": "0" * 40}}),
                            f"代码版本 {'0' * 40}")):
        (out / MANIFEST).write_text(changed.model_dump_json(), encoding="utf-8")
        with pytest.raises(HarnessError, match=re.escape(named)):
            _run(suite, out, eval_world, eval_settings, eval_embedder)
    assert [r.id for r in read_results(out)] == ["s1"], "the refused resume changed nothing"


def test_another_suite_in_the_same_directory_is_refused_unless_fresh(tmp_path: Path, eval_world: World,
                                                                      eval_embedder: Embedder,
                                                                      eval_settings: Settings) -> None:
    out = tmp_path / "run"
    first = write_suite(tmp_path / "a.yaml", [case("a1", ["查话费"], intents=["bill_inquiry"])])
    _run(first, out, eval_world, eval_settings, eval_embedder)
    other = write_suite(tmp_path / "b.yaml", [case("b1", ["查话费"], intents=["bill_inquiry"])])
    with pytest.raises(HarnessError, match="另一个套件"):
        _run(other, out, eval_world, eval_settings, eval_embedder)
    fresh = _run(other, out, eval_world, eval_settings, eval_embedder, fresh=True)
    assert [r.id for r in fresh.results] == ["b1"]


def test_a_bad_suite_fails_before_anything_runs(tmp_path: Path, eval_world: World, eval_embedder: Embedder,
                                                eval_settings: Settings) -> None:
    bad = case("bad", ["喂"], intents=["other"])
    bad["gold"]["escalate"] = "maybe"
    suite = write_suite(tmp_path / "bad.yaml", [case("fine", ["喂"], intents=["other"]), bad])
    with pytest.raises(ScenarioError, match=r"bad.yaml: case 'bad': gold.escalate"):
        _run(suite, tmp_path / "run", eval_world, eval_settings, eval_embedder)
    unknown = write_suite(tmp_path / "unknown.yaml", [case("t", ["喂"], intents=["other"],
                                                           fixture={"situation": "healthy",
                                                                    "tables": {"bils": []}})])
    with pytest.raises(ScenarioError, match=r"unknown.yaml: case 't': fixture.tables.bils"):
        _run(unknown, tmp_path / "run", eval_world, eval_settings, eval_embedder)
    assert not (tmp_path / "run").exists()
    fine = write_suite(tmp_path / "ok.yaml", [case("o", ["喂"], intents=["other"])])
    with pytest.raises(HarnessError, match="HOTLINE_LLM_BASE_URL"):
        _run(fine, tmp_path / "run", eval_world, eval_settings, eval_embedder, config="llm")


@pytest.mark.parametrize(("gold", "where", "hint"), [
    ({"intents": ["data_fee_disput"]}, "gold.intents[0]", "是不是 data_fee_dispute"),
    ({"actions": ["refund_via_elastic_pkg"]}, "gold.actions[0]", "是不是 refund_via_elastic_package"),
    ({"read_tools": ["ticketing_list_ticket"]}, "gold.read_tools[0]", "是不是 ticketing_list_tickets"),
    ({"findings": ["dispute_escalatoin"]}, "gold.findings[0]", "剧本的发现"),
    ({"knowledge": ["KP-XX-99999"]}, "gold.knowledge[0]", "评测世界知识库"),
])
def test_a_gold_id_that_does_not_exist_fails_before_anything_runs(
        tmp_path: Path, eval_world: World, eval_embedder: Embedder, eval_settings: Settings, gold: dict[str, Any],
        where: str, hint: str) -> None:
    """Found by an evaluator: a typo in a gold id ran and was scored as the copilot's miss."""
    intents = gold.pop("intents", ["data_fee_dispute"])
    suite = write_suite(tmp_path / "typo.yaml", [case("fine", ["流量费怎么这么多"], intents=["data_fee_dispute"]),
                                                 case("typo", ["流量费怎么这么多"], intents=intents, gold=gold)])
    with pytest.raises(ScenarioError, match=rf"typo.yaml: case 'typo': {re.escape(where)}: .*{hint}"):
        _run(suite, tmp_path / "run", eval_world, eval_settings, eval_embedder)
    assert not (tmp_path / "run").exists()


def test_a_caller_missing_from_the_world_fails_before_anything_runs(tmp_path: Path, eval_world: World,
                                                                   eval_embedder: Embedder,
                                                                   eval_settings: Settings) -> None:
    """Found by an evaluator: it failed when its turn came, and the run scored it as misses."""
    suite = write_suite(tmp_path / "who.yaml", [case("fine", ["喂"], intents=["other"]),
                                                case("nobody", ["喂"], intents=["other"],
                                                     caller={"msisdn": "13900001111"})])
    with pytest.raises(ScenarioError, match=r"who.yaml: case 'nobody': caller.msisdn: .*不存在"):
        _run(suite, tmp_path / "run", eval_world, eval_settings, eval_embedder)
    assert not (tmp_path / "run").exists()


def test_a_bad_targets_file_fails_before_anything_runs(tmp_path: Path, eval_world: World, eval_embedder: Embedder,
                                                      eval_settings: Settings) -> None:
    """Found by an evaluator: a typo in the targets sidecar surfaced as a traceback after the whole run."""
    suite = write_suite(tmp_path / "mine.yaml", [case("o", ["喂"], intents=["other"])])
    (tmp_path / "mine.targets.yaml").write_text("intent_acuracy: 0.9\n", encoding="utf-8")
    with pytest.raises(HarnessError, match=r"mine.targets.yaml: intent_acuracy: 未知指标"):
        _run(suite, tmp_path / "run", eval_world, eval_settings, eval_embedder)
    assert not (tmp_path / "run").exists()


UNDERSTOOD = json.dumps({"intents": [{"intent": "broadband_fault", "confidence": 0.9}], "slots": {},
                         "emotion": "angry", "risks": []}, ensure_ascii=False)


def test_llm_mode_replays_through_the_model(tmp_path: Path, eval_world: World, eval_embedder: Embedder,
                                            models_dir: Path) -> None:
    model = ScriptedModel()
    reply = "您好，系统显示您家光猫收不到光信号[R1]，我马上为您派单报修。"
    model.script(say(reply), plain=(say(UNDERSTOOD),))
    suite = write_suite(tmp_path / "llm.yaml", [case(
        "llm-los", ["宽带断了，光猫红灯一直闪，我号码是{caller}"], intents=["broadband_fault"],
        fixture={"situation": "bb_los_fibre_cut"})])
    with ServerThread(model.app()) as server:
        settings = Settings(data_dir=tmp_path / "data", models_dir=models_dir, llm_base_url=f"{server.url}/v1",
                            llm_model="qwen-scripted", llm_api_key="sk-test", llm_first_token_s=10,
                            llm_timeout_s=30)
        outcome = _run(suite, tmp_path / "run", eval_world, settings, eval_embedder, config="llm")
    result = outcome.results[0]
    assert result.ok, result.error
    suggestion = result.turns[0].suggestion
    assert (suggestion.model_extra or {}).get("reply_origin") == "llm"
    assert suggestion.reply and suggestion.reply.startswith("您好，系统显示您家光猫收不到光信号")
    assert suggestion.emotion == "angry" and read_manifest(outcome.run_dir).config == "llm"
    caller = sqlite3.connect(eval_world.sim_db).execute(
        "SELECT msisdn FROM sim_profiles WHERE situation = 'bb_los_fibre_cut' ORDER BY msisdn").fetchone()[0]
    assert model.bodies and not any(caller in body for body in model.bodies), "the model never sees the number"
