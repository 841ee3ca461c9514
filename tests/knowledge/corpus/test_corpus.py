from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from knowledge.bulletins import parse_bulletin
from knowledge.corpus import CorpusPaths, OutageRef, generate_corpus
from knowledge.corpus.queries import check_relevance
from knowledge.schema import NATIONWIDE, EmergencyScript, KnowledgePoint, RegionScope

AS_OF = date(2026, 11, 20)
SEED = 7
OUTAGES = [
    OutageRef(outage_id="NC-20261120-001", province="江西省", city="南昌市", district="东湖区", service="mobile_data",
              cause="基站停电", description="东湖区八一广场附近2个基站因基站停电退服，周边4G/5G数据业务中断，抢修人员已到场处理",
              start_ts=datetime(2026, 11, 20, 6, 30), est_recovery_ts=datetime(2026, 11, 20, 15, 0), recovered_ts=None),
    OutageRef(outage_id="GZ-20261105-001", province="广东省", city="广州市", district="天河区", service="broadband",
              cause="OLT设备板卡故障", description="GZ-TH-OLT-03因OLT设备板卡故障导致下挂宽带中断，已恢复",
              start_ts=datetime(2026, 11, 5, 20, 0), est_recovery_ts=datetime(2026, 11, 6, 4, 0),
              recovered_ts=datetime(2026, 11, 6, 3, 10)),
    OutageRef(outage_id="BJ-20261030-002", province="北京市", city="北京市", district="海淀区", service="voice",
              cause="核心网设备故障", description="海淀区中关村区域因核心网设备故障导致语音业务中断，已恢复",
              start_ts=datetime(2026, 10, 30, 23, 15), est_recovery_ts=None, recovered_ts=None),
    OutageRef(outage_id="SH-20260901-001", province="上海市", city="上海市", district="徐汇区", service="all",
              cause="机房停电", description="徐汇区徐家汇区域因机房停电导致移动业务中断，已恢复",
              start_ts=datetime(2026, 9, 1, 8, 0), est_recovery_ts=datetime(2026, 9, 1, 12, 0),
              recovered_ts=datetime(2026, 9, 1, 11, 0)),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[CorpusPaths, dict[str, int]]:
    root = tmp_path_factory.mktemp("kb") / "corpus"
    counts = generate_corpus(root, seed=SEED, as_of=AS_OF, outages=OUTAGES)
    return CorpusPaths.under(root), counts


@pytest.fixture(scope="module")
def paths(corpus: tuple[CorpusPaths, dict[str, int]]) -> CorpusPaths:
    return corpus[0]


@pytest.fixture(scope="module")
def points(paths: CorpusPaths) -> dict[str, KnowledgePoint]:
    out: dict[str, KnowledgePoint] = {}
    for line in paths.points.read_text(encoding="utf-8").splitlines():
        p = KnowledgePoint.model_validate_json(line)
        assert p.id not in out, f"duplicate id {p.id}"
        out[p.id] = p
    return out


@pytest.fixture(scope="module")
def scripts(paths: CorpusPaths) -> dict[str, EmergencyScript]:
    out: dict[str, EmergencyScript] = {}
    for line in paths.scripts.read_text(encoding="utf-8").splitlines():
        s = EmergencyScript.model_validate_json(line)
        assert s.id not in out, f"duplicate id {s.id}"
        out[s.id] = s
    return out


@pytest.fixture(scope="module")
def queries(paths: CorpusPaths) -> list[dict[str, object]]:
    return [json.loads(line) for line in paths.queries.read_text(encoding="utf-8").splitlines()]


def test_layout_and_counts(corpus: tuple[CorpusPaths, dict[str, int]]) -> None:
    paths, counts = corpus
    assert paths == CorpusPaths.under(paths.root)
    for p in (paths.points, paths.scripts, paths.queries, paths.bulletins):
        assert p.exists()
    assert counts["points"] >= 10_000 and counts["businesses"] >= 300
    assert counts["bulletins_md"] == counts["bulletins_docx"] == counts["bulletins_pdf"] == 10
    assert not [p for p in paths.root.parent.iterdir() if p.name.startswith(".corpus.")], "temp dirs left behind"


def test_points_scale_and_schema(points: dict[str, KnowledgePoint]) -> None:
    assert len(points) >= 10_000
    assert len({p.business for p in points.values()}) >= 300
    assert all(p.id.startswith("KP-") and len(p.id.rsplit("-", 1)[1]) == 5 for p in points.values())
    assert all(len(p.body) >= 15 for p in points.values())
    assert len({p.category for p in points.values()}) == 10
    doubled = [p.title for p in points.values() if p.title.startswith(p.business)
               and p.title[len(p.business):].startswith(p.business[-2:])]
    assert not doubled, f"a title says its business's last word twice: {doubled[:3]}"  # 投诉投诉处理流程


def test_points_lifecycle_and_variants(points: dict[str, KnowledgePoint]) -> None:
    values = list(points.values())
    assert sum(p.effective_to is not None and p.effective_to < AS_OF for p in values) >= 20  # expired
    assert sum(p.effective_from > AS_OF for p in values) >= 20  # not yet effective
    assert sum(p.version >= 2 for p in values) >= 100
    assert any(p.version >= 3 for p in values)
    regions: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in values:
        regions[(p.business, p.category)].add(p.region)
    with_variants = [k for k, v in regions.items() if NATIONWIDE in v and {"江西省", "广东省"} <= v]
    assert len(with_variants) >= 50
    assert any(p.region == "江西省南昌市" for p in values)
    for p in values:  # a variant names the nationwide point of the same rule that it overrides
        if p.variant_of is not None:
            base = points[p.variant_of]
            assert base.region == NATIONWIDE and (base.business, base.category) == (p.business, p.category)
    assert sum(p.variant_of is not None for p in values) >= 5000


def test_near_duplicate_tiers_differ_in_numbers(points: dict[str, KnowledgePoint]) -> None:
    fees = {p.business: p for p in points.values() if p.category == "资费" and p.region == NATIONWIDE}
    a, b = fees["全球通畅享套餐128元档"], fees["全球通畅享套餐158元档"]
    assert "128" in a.body and "158" in b.body and "30GB" in a.body and "40GB" in b.body
    assert re.sub(r"\d+", "#", a.body) == re.sub(r"\d+", "#", b.body)  # same words, other numbers


def test_scripts_per_day(scripts: dict[str, EmergencyScript]) -> None:
    per_day = Counter(sid[3:11] for sid in scripts)
    days = [(AS_OF - timedelta(days=i)).strftime("%Y%m%d") for i in range(30)]
    assert sorted(per_day) == sorted(days)
    assert min(per_day.values()) >= 80
    topics = Counter(s.topic for s in scripts.values())
    assert set(topics) == {"outage", "billing_incident", "policy_change", "system_maintenance", "fraud_alert",
                           "service_notice"}
    assert all(60 <= len(s.wording) <= 300 for s in scripts.values())
    invented = [s for s in scripts.values() if s.topic == "outage" and s.outage_id is None]
    assert invented and all(s.district for s in invented)


def test_each_outage_has_covering_scripts(scripts: dict[str, EmergencyScript]) -> None:
    first = datetime.combine(AS_OF - timedelta(days=29), time())
    for o in OUTAGES:
        end = o.recovered_ts or o.est_recovery_ts or o.start_ts + timedelta(hours=24)
        mine = [s for s in scripts.values() if s.outage_id == o.outage_id]
        if end < first:
            assert not mine
            continue
        assert mine, o.outage_id
        for s in mine:
            assert s.topic == "outage" and s.district == o.district and s.services == [o.service]
            assert s.region == f"{o.province}{o.city}"
            assert s.valid_from <= o.start_ts and s.valid_to >= end
            assert o.cause in s.wording and "报修" in s.wording
        days = {s.id[3:11] for s in mine}
        d = max(o.start_ts.date(), first.date())
        while d <= min(end.date(), AS_OF):
            assert d.strftime("%Y%m%d") in days
            d += timedelta(days=1)


def test_queries_labelled_consistently(queries: list[dict[str, object]], points: dict[str, KnowledgePoint],
                                       scripts: dict[str, EmergencyScript]) -> None:
    assert len(queries) >= 600
    assert len({q["id"] for q in queries}) == len(queries)
    kinds = Counter(q["kind"] for q in queries)
    assert 0.1 <= kinds["script"] / len(queries) <= 0.2
    assert Counter(q["split"] for q in queries).keys() == {"dev", "test"}
    assert 0.2 <= sum(q["split"] == "dev" for q in queries) / len(queries) <= 0.4
    assert set(Counter(q["noise"] for q in queries)) == {"clean", "asr", "colloquial"}
    variants: dict[str, list[KnowledgePoint]] = defaultdict(list)
    for p in points.values():
        if p.variant_of:
            variants[p.variant_of].append(p)
    first = AS_OF - timedelta(days=29)
    regional = 0
    for q in queries:
        relevant = [str(r) for r in q["relevant"]]  # type: ignore[attr-defined]
        assert relevant, q
        day = date.fromisoformat(str(q["date"]))
        assert first <= day <= AS_OF
        check_relevance(q, points, scripts)
        if q["kind"] != "point":
            continue
        scope = points[relevant[0]].scope
        caller = RegionScope.parse(str(q["region"]))
        for rid in relevant:  # a variant in force for the caller supersedes the nationwide point it overrides
            assert not [v for v in variants[rid] if v.in_force(day) and v.scope.covers(caller.province, caller.city)]
        assert len({points[r].scope.level for r in relevant}) == 1
        regional += scope.level != "nationwide"
    assert regional >= 100


def test_queries_not_copied_from_points(queries: list[dict[str, object]], points: dict[str, KnowledgePoint]) -> None:
    titles = {p.title for p in points.values()}
    bodies = " ".join(p.body for p in list(points.values())[:2000])
    for q in queries:
        text = str(q["query"])
        assert text not in titles
        assert len(text) < 12 or text not in bodies
        assert "办理条件" not in text


def test_bulletins_match_corpus(paths: CorpusPaths, points: dict[str, KnowledgePoint],
                                scripts: dict[str, EmergencyScript]) -> None:
    files = sorted(p for p in paths.bulletins.iterdir() if p.is_file())
    assert Counter(p.suffix for p in files) == {".md": 10, ".docx": 10, ".pdf": 10}
    latest: dict[str, KnowledgePoint] = {}
    bumped = new = retired = 0
    for f in files:
        b = parse_bulletin(f)
        assert AS_OF - timedelta(days=30) <= b.published < AS_OF
        for u in b.upserts:
            assert u.id in points and u.source == b.bulletin_id
            assert u.version <= points[u.id].version
            latest[u.id] = u
            bumped += u.version >= 2
            new += u.version == 1
        for r in b.retirements:
            assert points[r.id].effective_to == r.effective_to
            retired += 1
        for s in b.scripts:
            assert scripts[s.id] == s
    for pid, u in latest.items():
        assert u == points[pid]
    assert bumped >= 20 and new >= 30 and retired >= 20


def test_bulletin_variant_of_round_trip(paths: CorpusPaths, points: dict[str, KnowledgePoint]) -> None:
    b = parse_bulletin(sorted(paths.bulletins.glob("*.md"))[0])
    variants = [u for u in b.upserts if points[u.id].variant_of and points[u.id].version == u.version]
    assert variants
    for u in variants:
        assert u == points[u.id]


def test_pending_bulletin_not_applied(paths: CorpusPaths, points: dict[str, KnowledgePoint],
                                      scripts: dict[str, EmergencyScript]) -> None:
    b = parse_bulletin(paths.bulletins / "pending" / "next_day.md")
    assert b.published == AS_OF + timedelta(days=1)
    fresh = [u for u in b.upserts if u.id not in points]
    changed = [u for u in b.upserts if u.id in points]
    assert fresh and changed and b.retirements and b.scripts
    for u in changed:
        assert u.version > points[u.id].version and u != points[u.id]
    for r in b.retirements:
        assert points[r.id].effective_to != r.effective_to
    assert all(s.id not in scripts for s in b.scripts)


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_deterministic_and_replaces_existing(paths: CorpusPaths, tmp_path: Path) -> None:
    root = tmp_path / "again"
    root.mkdir()
    (root / "stale.txt").write_text("old corpus")
    generate_corpus(root, seed=SEED, as_of=AS_OF, outages=OUTAGES)
    assert not (root / "stale.txt").exists()
    assert _snapshot(root) == _snapshot(paths.root)
    assert [p.name for p in tmp_path.iterdir()] == ["again"]


def test_failure_leaves_existing_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import knowledge.corpus.build as build

    root = tmp_path / "corpus"
    root.mkdir()
    (root / "knowledge_points.jsonl").write_text("previous\n")

    def boom(*_args: object, **_kwargs: object) -> list[dict[str, object]]:
        raise RuntimeError("injected failure")

    monkeypatch.setattr(build, "build_queries", boom)
    with pytest.raises(RuntimeError, match="injected"):
        generate_corpus(root, seed=SEED, as_of=AS_OF, outages=OUTAGES)
    assert _snapshot(root) == {"knowledge_points.jsonl": b"previous\n"}
    assert [p.name for p in tmp_path.iterdir()] == ["corpus"]


def test_a_fresh_draw_labels_new_questions_over_the_same_corpus(paths: CorpusPaths) -> None:
    from knowledge.corpus.build import CorpusMismatch, draw_queries

    points = {p["id"]: KnowledgePoint.model_validate(p) for p in map(json.loads, paths.points.read_text().splitlines())}
    scripts = {s["id"]: EmergencyScript.model_validate(s)
               for s in map(json.loads, paths.scripts.read_text().splitlines())}
    standard = {json.loads(line)["query"] for line in paths.queries.read_text().splitlines()}
    fresh = draw_queries(paths.root, seed=SEED, draw=SEED + 1000, as_of=AS_OF, outages=OUTAGES)
    assert len(fresh) >= 500
    assert all(q["split"] == "fresh" and q["query"] not in standard for q in fresh)
    for q in fresh:
        check_relevance(q, points, scripts)
    assert fresh == draw_queries(paths.root, seed=SEED, draw=SEED + 1000, as_of=AS_OF, outages=OUTAGES)
    with pytest.raises(CorpusMismatch, match="种子"):
        draw_queries(paths.root, seed=SEED + 1, draw=SEED + 1000, as_of=AS_OF, outages=OUTAGES)
    with pytest.raises(CorpusMismatch, match="相同"):
        draw_queries(paths.root, seed=SEED, draw=SEED, as_of=AS_OF, outages=OUTAGES)
