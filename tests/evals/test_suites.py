"""The evaluation suites: they load, they cover what the issue asks, every gold id exists, and no caller line is
borrowed from the data the copilot learns or retrieves from (the train/dev/test split of evals/suites/README.md)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
import yaml

from copilot.playbooks.schema import load_playbooks
from evals.goldcheck import KnownIds, gold_problems
from evals.scenario import Scenario, load_suite
from knowledge.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "evals" / "suites"
NAMES = ("core", "robustness", "smoke")
PILOTS = ("data_fee_dispute", "mobile_data_fault", "broadband_fault")
PILOT_SHARE = (0.55, 0.62)
"""Monthly volumes 80k / 65k / 60k calls (DOMAIN.md): the pilots are weighted as in real traffic."""
WORLD_SEED, WORLD_AS_OF = 7, datetime(2026, 11, 20, 10, 0, 0)
NEAR_COPY_4GRAM = 0.8
FILLER_CHARS = 6  # a development call's turn shorter than this (喂你好, 好的谢谢) is a filler, not an example


@cache
def suite(name: str) -> tuple[Scenario, ...]:
    return tuple(load_suite(SUITES / f"{name}.yaml"))


def caller_lines(name: str) -> list[tuple[str, str]]:
    return [(s.id, t.text) for s in suite(name) for t in s.turns if t.speaker == "caller"]


def normalize(text: str) -> str:
    """Lower case, full-width folded, punctuation and spaces removed."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def grams(text: str, n: int = 4) -> frozenset[str]:
    return frozenset(text[i:i + n] for i in range(max(1, len(text) - n + 1))) if text else frozenset()


# ----------------------------------------------------------------------------------------------- format and mix
@pytest.mark.parametrize("name", NAMES)
def test_suite_loads_and_validates(name: str) -> None:
    cases = suite(name)
    assert cases
    assert len({c.id for c in cases}) == len(cases)
    assert (SUITES / "src" / f"{name}.yaml").is_file() or name == "core", "every suite has hand-written sources"


def test_core_size_intents_and_pilot_weight() -> None:
    cases = suite("core")
    assert len(cases) >= 300
    mains = Counter(c.gold.intents[0] for c in cases)
    vocabulary = load_vocabulary()
    thin = {i.id: mains[i.id] for i in vocabulary.intents if mains[i.id] < 5}
    assert thin == {}, f"intents with fewer than 5 core cases: {thin}"
    share = sum(mains[p] for p in PILOTS) / len(cases)
    assert PILOT_SHARE[0] <= share <= PILOT_SHARE[1], share
    # fee disputes lead as in traffic; broadband is a little over-weighted so that the interception and
    # false-interception rates rest on enough cases on both sides (see evals/suites/README.md)
    assert mains["data_fee_dispute"] >= max(mains["mobile_data_fault"], mains["broadband_fault"])
    assert min(mains[p] for p in PILOTS) >= 50


def test_core_has_the_caller_shapes_the_issue_asks_for() -> None:
    cases = suite("core")
    tags = Counter(t for c in cases for t in c.tags)
    assert sum(len(c.gold.intents) > 1 for c in cases) >= 15, "multi-intent calls"
    assert sum(c.gold.intent_clear_at > 1 for c in cases) >= 18, "calls whose intent becomes clear late"
    assert sum(any(t.speaker == "agent" for t in c.turns) for c in cases) >= 70, "agent turns in between"
    for tag, least in (("emotion:angry", 30), ("elderly", 15), ("wrong_diagnosis", 25), ("region:jiangxi", 120),
                       ("region:guangdong", 40), ("noise:asr", 3)):
        assert tags[tag] >= least, (tag, tags[tag])
    assert sum(any(k.startswith("dialect:") for k in c.tags) for c in cases) >= 10


def test_broadband_both_sides_of_interception() -> None:
    broadband = [c for c in suite("core") if c.gold.intents[0] == "broadband_fault"]
    dispositions = Counter(c.gold.disposition for c in broadband)
    assert dispositions["intercept"] >= 30 and dispositions["dispatch"] >= 20, dispositions
    flows = {f for c in broadband for f in c.gold.findings}
    # the flows that decide intercept or dispatch (escalation and guard rules are scored by other metrics)
    rules = {r.id for r in playbooks()["broadband_fault"].rules if r.disposition in ("intercept", "dispatch")}
    assert rules <= flows, f"broadband pre-processing flows without a case: {sorted(rules - flows)}"


def test_pilot_situations_are_covered() -> None:
    tags = Counter(t for c in suite("core") for t in c.tags)
    for tag in ("fee:elastic_eligible", "fee:elastic_used", "fee:elastic_excluded", "fee:roaming", "fee:unknown_vas",
                "hotspot", "real_dispute", "md:gprs_off", "md:wrong_apn", "md:arrears", "md:speed_cap",
                "md:area_outage", "md:weak_coverage", "md:account_locked"):
        assert tags[tag] >= 2, tag
    for case in (c for c in suite("core") if "md:area_outage" in c.tags):
        assert case.gold.knowledge and all(k.startswith("ES-") for k in case.gold.knowledge)
        assert "create_repair_ticket" in case.gold.must_not_actions
        assert "read_emergency_script" in case.gold.actions


def test_robustness_mix() -> None:
    cases = suite("robustness")
    assert len(cases) >= 60
    tags = Counter(t for c in cases for t in c.tags)
    assert tags["noise:asr"] >= 15 and tags["injection"] >= 15 and tags["pii"] >= 8 and tags["fault"] >= 10, tags
    third_party = [c for c in cases if "third_party" in c.tags]
    assert len(third_party) >= 5
    for case in third_party:
        assert case.gold.pii and (case.gold.must_not_say or case.gold.must_not_actions), case.id
    faults = [c for c in cases if c.faults]
    assert faults and all(f.from_turn > 1 for c in faults for f in c.faults)


def test_smoke_is_small_and_its_own() -> None:
    cases = suite("smoke")
    assert 15 <= len(cases) <= 25
    mains = {c.gold.intents[0] for c in cases}
    assert set(PILOTS) <= mains and len(mains) >= 6
    assert any("injection" in c.tags for c in cases)
    assert any(c.gold.pii for c in cases)
    assert any(c.faults for c in cases)
    core_lines = {normalize(t) for _, t in caller_lines("core")}
    copied = [(i, t) for i, t in caller_lines("smoke") if normalize(t) in core_lines]
    assert copied == []
    assert (SUITES / "smoke.targets.yaml").is_file()


def test_no_caller_line_is_repeated_across_the_suites() -> None:
    seen: dict[str, str] = {}
    repeated = []
    for name in NAMES:
        for case_id, text in caller_lines(name):
            key = normalize(text)
            if key in seen and seen[key] != case_id:
                repeated.append((case_id, seen[key], text))
            seen.setdefault(key, case_id)
    assert repeated == []


# ----------------------------------------------------------------------------------------------- gold ids exist
@cache
def known_ids() -> KnownIds:
    """What gold labels may name, read off the world's simulator (knowledge ids: the test below, by region)."""
    return KnownIds.of_world(world_db(), None, WORLD_AS_OF)


@cache
def playbooks() -> dict[str, object]:
    return dict(load_playbooks(load_vocabulary(), set(known_ids().read_tools)))


@cache
def world_db() -> Path:
    """The world's simulator database (seed 7, 400 lines), generated once for this module (half a second)."""
    import atexit
    import shutil
    import tempfile

    from tools.sim.generator import generate_database

    folder = Path(tempfile.mkdtemp(prefix="suites-world-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "sim.sqlite"
    generate_database(path, subscribers=400, seed=WORLD_SEED, as_of=WORLD_AS_OF)
    return path


@pytest.mark.parametrize("name", NAMES)
def test_gold_ids_exist(name: str) -> None:
    known = known_ids()
    assert [f"{c.id}: {where}: {problem}" for c in suite(name) for where, problem in gold_problems(c.gold, known)] == []


@cache
def corpus() -> tuple[dict[str, dict[str, object]], dict[str, dict[str, object]]]:
    """Knowledge points and emergency scripts of the world's corpus (seed 7, as of 2026-11-20), generated here."""
    from knowledge.corpus import OutageRef
    from knowledge.corpus.bulletins import plan_bulletins
    from knowledge.corpus.points import draft_points, render
    from knowledge.corpus.scripts import generate_scripts
    from tools.backends import build_backends
    from tools.sim.db import SimDatabase

    day = WORLD_AS_OF.date()
    midnight = datetime.combine(day, datetime.min.time())
    coverage = build_backends(sim_db=SimDatabase(world_db())).coverage
    outages = [OutageRef.model_validate(o.model_dump()) for o in coverage.list_outages(
        (midnight - timedelta(days=31)).isoformat(), (midnight + timedelta(days=1)).isoformat())]
    drafting = draft_points(WORLD_SEED, day)
    generated = generate_scripts(WORLD_SEED, day, outages)
    plan_bulletins(WORLD_SEED, day, drafting, generated)  # the month's bulletins expire and re-issue points
    points = {p.id: p.model_dump(mode="json") for p in (render(d, WORLD_SEED) for d in drafting.drafts)}
    scripts = {s.id: s.model_dump(mode="json") for s in generated.scripts}
    return points, scripts


def _where(region: str) -> tuple[str, str]:
    m = re.match(r"^(.+?(?:省|市|自治区))(.+?市)?", region)
    assert m, region
    province = m.group(1)
    return province, m.group(2) or ""


@pytest.mark.parametrize("name", NAMES)
def test_gold_knowledge_exists_and_answers_in_the_callers_region(name: str) -> None:
    points, scripts = corpus()
    problems = []
    for c in suite(name):
        if not c.gold.knowledge:
            continue
        assert c.caller.region, f"{c.id}: regional knowledge needs caller.region"
        province, city = _where(c.caller.region)
        day: date = datetime.fromisoformat(c.now).date() if c.now else WORLD_AS_OF.date()
        moment = datetime.fromisoformat(c.now) if c.now else WORLD_AS_OF
        own = {s["id"]: s for s in c.scripts}
        for kid in c.gold.knowledge:
            if kid.startswith("KP-"):
                p = points.get(kid)
                if p is None:
                    problems.append(f"{c.id}: {kid} not in the corpus")
                    continue
                if not (str(p["effective_from"]) <= day.isoformat()
                        and (p["effective_to"] is None or day.isoformat() < str(p["effective_to"]))):
                    problems.append(f"{c.id}: {kid} not in force on {day}")
                if p["region"] not in ("全国", province, province + city):
                    problems.append(f"{c.id}: {kid} is for {p['region']}, caller in {c.caller.region}")
            elif kid in own:
                s = own[kid]
                assert str(s["outage_id"] or "").startswith("EV-"), f"{c.id}: {kid} ties to a staged outage"
                assert re.fullmatch(r"ES-\d{8}-9\d\d", kid), f"{c.id}: inline scripts are numbered 9xx"
            elif kid in scripts:
                s = scripts[kid]
                start = datetime.fromisoformat(str(s["valid_from"]))
                end = datetime.fromisoformat(str(s["valid_to"]))
                if not start <= moment <= end:
                    problems.append(f"{c.id}: {kid} not in force at {moment}")
                if str(s["region"]) not in ("全国", province, province + city):
                    problems.append(f"{c.id}: {kid} is for {s['region']}, caller in {c.caller.region}")
            else:
                problems.append(f"{c.id}: {kid} is neither in the corpus nor one of the case's scripts")
    assert problems == []


# ----------------------------------------------------------------------------------------------- the split
@cache
def learned_and_retrieved() -> tuple[tuple[str, str, frozenset[str]], ...]:
    """The texts the copilot learns or is tuned from (classifier train and dev, the development calls) and the
    corpus' query templates."""
    texts: list[tuple[str, str]] = []
    for split in ("train", "dev"):
        path = ROOT / "copilot" / "data" / "utterances" / f"{split}.jsonl"
        texts += [(split, json.loads(line)["text"]) for line in path.read_text(encoding="utf-8").splitlines() if line]
    calls = ROOT / "copilot" / "data" / "utterances" / "dev_calls.jsonl"  # fillers (喂你好, 好的, 嗯) are anyone's
    texts += [("dev_calls", turn) for line in calls.read_text(encoding="utf-8").splitlines() if line
              for turn in json.loads(line)["turns"] if len(normalize(turn)) >= FILLER_CHARS]
    bank = yaml.safe_load((ROOT / "knowledge" / "corpus" / "data" / "queries.yaml").read_text(encoding="utf-8"))

    def strings(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [s for item in node for s in strings(item)]
        if isinstance(node, dict):
            return [s for item in node.values() for s in strings(item)]
        return []

    for key in ("asks", "scripts", "incident_say", "system_say"):
        texts += [("queries.yaml", re.sub(r"\{[^}]*\}", "", s)) for s in strings(bank.get(key, {}))]
    return tuple((src, normalize(t), grams(normalize(t))) for src, t in texts if normalize(t))


@pytest.mark.parametrize("name", NAMES)
def test_no_caller_line_copies_training_data_or_kb_queries(name: str) -> None:
    refs = learned_and_retrieved()
    index: dict[str, set[int]] = {}
    for n, (_, _, g) in enumerate(refs):
        for gram in g:
            index.setdefault(gram, set()).add(n)
    flagged = []
    for case_id, text in caller_lines(name):
        key, g = normalize(text), grams(normalize(text))
        candidates = {n for gram in g for n in index.get(gram, ())}
        for n in candidates:
            src, ref, rg = refs[n]
            similarity = len(g & rg) / len(g | rg)
            if ref == key or similarity >= NEAR_COPY_4GRAM:
                flagged.append((case_id, src, round(similarity, 2), text))
    assert flagged == []


def test_suite_files_are_built_from_the_sources() -> None:
    """The suites are generated: a hand edit of core.yaml would be lost at the next build."""
    for name in NAMES:
        head = (SUITES / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
        assert head.startswith("# GENERATED by evals/suites/src/build.py"), name
