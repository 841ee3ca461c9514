"""Bulletins in, diff shown, applied incrementally and atomically; bad bulletins apply nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from knowledge.bench import CountingEmbedder
from knowledge.bulletins import write_bulletin
from knowledge.ingest import IngestError, what_changed
from knowledge.manager import KnowledgeManager
from knowledge.schema import Bulletin, EmergencyScript, KnowledgePoint, Retirement
from knowledge.store import IndexStore
from tests.knowledge.conftest import NOW, SRC, point, small_corpus

Make = Callable[..., tuple[IndexStore, CountingEmbedder]]


def bulletin(number: str = "赣移客〔2026〕201号") -> Bulletin:
    corpus = {d.id: d for d in small_corpus()}
    return Bulletin(
        bulletin_id=number, title="关于宽带复通时限和携号转网规则调整的通知", published=date(2026, 11, 22),
        upserts=[
            point("KP-KD-00002", "宽带账号欠费停机的处理", "宽带欠费停机后，缴费成功约10分钟内自动复通，复通后请重启光猫。",
                  business="家庭宽带", version=2).model_copy(update={"source": number}),
            point("KP-5G-00001", "5G消息业务介绍", "5G消息支持图文、卡片和菜单交互，开通免费，按条收取通信费0.1元/条。",
                  business="5G消息", category="业务介绍", start=date(2026, 11, 22)).model_copy(update={"source": number}),
            corpus["KP-QQT-00128"].model_copy(update={"source": number}),  # unchanged content
        ],
        retirements=[Retirement(id="KP-XH-00001", effective_to=date(2026, 11, 22), reason="规则调整")],
        scripts=[EmergencyScript(id="ES-20261123-009", title="APP夜间系统升级", topic="system_maintenance",
                                 region="江西省", keywords=["APP打不开"], wording="今晚23:00至次日2:00中国移动APP升级，"
                                 "期间暂停缴费和办理业务，请您稍后再试。", valid_from=datetime(2026, 11, 23, 8, 0),
                                 valid_to=datetime(2026, 11, 24, 2, 0), source=number)],
    )


@pytest.fixture
def manager(make_store: Make) -> tuple[KnowledgeManager, CountingEmbedder]:
    store, counting = make_store()
    store.build(small_corpus(), note="t")
    return KnowledgeManager(store, clock=lambda: NOW), counting


@pytest.mark.parametrize("suffix", [".md", ".docx", ".pdf"])
def test_plan_apply_and_reapply(manager: tuple[KnowledgeManager, CountingEmbedder], tmp_path: Path,
                                suffix: str) -> None:
    km, counting = manager
    path = tmp_path / f"bulletin{suffix}"
    write_bulletin(bulletin(), path)
    serving = km.store.current().name  # type: ignore[union-attr]
    plan = km.plan([path])
    assert plan.summary() == {"point_changed": 1, "point_new": 1, "point_unchanged": 1, "point_retired": 1,
                              "script_new": 1}
    assert km.store.current().name == serving, "planning (dry run) writes nothing"
    changed = next(c for c in plan.changes if c.action == "changed")  # what the manager reads before applying
    assert changed.id == "KP-KD-00002" and "约10分钟" in changed.detail and "→" in changed.detail
    before, phrases = counting.embedded, set(km.store.open().reranker.phrases)
    _, info = km.ingest([path])
    assert info is not None and km.store.current().name == info.name
    s = km.store.open()
    new_phrases = len(set(s.reranker.phrases) - phrases)  # a new business name or title aspect, embedded once
    assert counting.embedded - before == 3 + new_phrases, \
        "changed + new point + new script; retirement and unchanged keep vectors"
    assert "KP-XH-00001" not in [h.id for h in s.search("携号转网条件", province="江西省", city="南昌市", at=NOW)]
    assert s.search("复通后请重启光猫", province="江西省", city="南昌市", at=NOW, mode="bm25")[0].id == "KP-KD-00002"
    assert s.search("APP打不开", province="江西省", city="南昌市", at=NOW, kinds=("script",))[0].id == "ES-20261123-009"
    assert km.status()["last_change"] and km.status()["counts"]["point"] == len(small_corpus()) - 3 + 1

    before = counting.embedded
    again, none = km.ingest([path])
    assert none is None and counting.embedded == before
    assert not again.effective and km.store.current().name == info.name


def test_a_bad_file_rejects_the_whole_batch(manager: tuple[KnowledgeManager, CountingEmbedder],
                                            tmp_path: Path) -> None:
    km, _ = manager
    good = tmp_path / "good.md"
    write_bulletin(bulletin(), good)
    bad = tmp_path / "bad.md"
    bad.write_text(good.read_text(encoding="utf-8").replace("生效日期：2026-11-22", "生效日期：2026-13-45", 1),
                   encoding="utf-8")
    serving = km.store.current().name  # type: ignore[union-attr]
    with pytest.raises(IngestError) as exc:
        km.ingest([good, bad])
    assert str(bad) in exc.value.problems and str(good) not in exc.value.problems
    assert "2026-13-45" in str(exc.value)
    said = exc.value.problems[str(bad)][0]  # a sentence for the knowledge manager, not a Python repr
    assert "字段「生效日期」" in said and "记录 KP-" in said and "Problem(" not in said
    assert km.store.current().name == serving


def test_retiring_an_unknown_point_is_rejected(manager: tuple[KnowledgeManager, CountingEmbedder],
                                               tmp_path: Path) -> None:
    km, _ = manager
    b = Bulletin(bulletin_id="赣移客〔2026〕202号", title="下线通知", published=date(2026, 11, 22),
                 retirements=[Retirement(id="KP-NONE-00001", effective_to=date(2026, 11, 30))])
    path = tmp_path / "retire.md"
    write_bulletin(b, path)
    with pytest.raises(IngestError, match="KP-NONE-00001"):
        km.plan([path])


def test_a_retirement_before_the_point_starts_is_refused(manager: tuple[KnowledgeManager, CountingEmbedder],
                                                         tmp_path: Path) -> None:
    """Found by a knowledge manager: 失效日期 before the point's start was silently moved to its start day."""
    km, _ = manager
    start = next(d for d in small_corpus() if d.id == "KP-KD-00002").effective_from
    b = Bulletin(bulletin_id="赣移客〔2026〕204号", title="下线通知", published=date(2026, 11, 22),
                 retirements=[Retirement(id="KP-KD-00002", effective_to=date(2024, 12, 31))])
    path = tmp_path / "early.md"
    write_bulletin(b, path)
    with pytest.raises(IngestError, match=rf"KP-KD-00002\] 失效日期 2024-12-31 早于该知识点的生效日期 {start}"):
        km.plan([path])


def test_an_older_version_is_ignored(manager: tuple[KnowledgeManager, CountingEmbedder], tmp_path: Path) -> None:
    km, _ = manager
    newer = tmp_path / "v2.md"
    write_bulletin(bulletin(), newer)
    km.ingest([newer])
    stale = Bulletin(bulletin_id="赣移客〔2026〕150号", title="旧公告", published=date(2026, 10, 1),
                     upserts=[point("KP-KD-00002", "宽带账号欠费停机的处理", "旧的说法。缴费后30分钟恢复。", business="家庭宽带")
                              .model_copy(update={"source": SRC})])
    old = tmp_path / "v1.md"
    write_bulletin(stale, old)
    plan = km.plan([old])
    assert [c.action for c in plan.changes] == ["older"] and not plan.effective


def _upserting(tmp_path: Path, name: str, *points: KnowledgePoint) -> Path:
    b = Bulletin(bulletin_id=f"赣移客〔2026〕3{len(name)}{name[0]}号", title="调整通知", published=date(2026, 11, 22),
                 upserts=[p.model_copy(update={"source": SRC}) for p in points])
    path = tmp_path / name
    write_bulletin(b, path)
    return path


def test_a_changed_point_without_a_new_version_is_refused(manager: tuple[KnowledgeManager, CountingEmbedder],
                                                          tmp_path: Path) -> None:
    """Found by a knowledge manager: same id, same 版本, other content silently replaced version 1."""
    km, _ = manager
    same = point("KP-KD-00002", "宽带账号欠费停机的处理", "缴清欠费后约10分钟自动恢复上网。", business="家庭宽带")
    with pytest.raises(IngestError) as refused:
        km.plan([_upserting(tmp_path, "same.md", same)])
    [reason] = refused.value.problems[str(tmp_path / "same.md")]
    assert reason.startswith("[KP-KD-00002]") and "版本号相同" in reason and "升为 2" in reason
    km.plan([_upserting(tmp_path, "v2.md", same.model_copy(update={"version": 2}))])  # a new version is fine
    window = next(d for d in small_corpus() if d.id == "KP-KD-00002").model_copy(
        update={"effective_to": date(2027, 1, 1)})
    assert km.plan([_upserting(tmp_path, "end.md", window)]).effective, "the validity window may change"


def test_a_point_id_of_another_business_is_refused(manager: tuple[KnowledgeManager, CountingEmbedder],
                                                   tmp_path: Path) -> None:
    """Found by a knowledge manager: a new product's point under an existing id overwrote another product's."""
    km, _ = manager
    other = point("KP-KD-00002", "5G畅享套餐129元档会员权益", "每月可选一项视频会员。", business="5G畅享套餐129元档",
                  version=2)
    with pytest.raises(IngestError, match=r"KP-KD-00002\] 编号已属于在用的业务「家庭宽带」"):
        km.plan([_upserting(tmp_path, "reuse.md", other)])


def test_one_id_in_two_files_of_a_batch_must_agree(manager: tuple[KnowledgeManager, CountingEmbedder],
                                                   tmp_path: Path) -> None:
    """Found by a knowledge manager: the same id in two files of one ingest, the last file silently won."""
    km, _ = manager
    a = point("KP-NEW-00001", "跨文件A", "甲方的说法：每月10元，次月生效。", business="新业务")
    first = _upserting(tmp_path, "a.md", a)
    second = _upserting(tmp_path, "b.md", a.model_copy(update={"title": "跨文件B", "body": "乙方的说法：每月15元，立即生效。"}))
    with pytest.raises(IngestError) as refused:
        km.plan([first, second])
    assert any(f"本批公告 {first} 中的版本 1" in r for r in refused.value.problems[str(second)])
    assert [c.action for c in km.plan([first, _upserting(tmp_path, "c.md", a)]).effective] == ["new"]


def test_unreadable_files_are_named(manager: tuple[KnowledgeManager, CountingEmbedder], tmp_path: Path) -> None:
    km, _ = manager
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(IngestError) as exc:
        km.plan([empty, tmp_path / "missing.docx"])
    assert set(exc.value.problems) == {str(empty), str(tmp_path / "missing.docx")}


def test_the_diff_names_each_changed_field_and_the_changed_stretch_of_a_text() -> None:
    old = next(p for p in small_corpus() if isinstance(p, KnowledgePoint) and p.effective_to is None
               and p.variant_of is None)
    body = old.body[:-1] + "（港澳台除外）" + old.body[-1]
    said = what_changed(old, old.model_copy(update={"body": body, "effective_to": date(2026, 12, 31),
                                                    "variant_of": "KP-QQT-00128"}))
    assert "（港澳台除外）" in said.split("→", 1)[1] and old.body not in said  # the stretch, not the whole text
    assert "失效日期 长期→2026-12-31" in said and "覆盖全国知识点 无→KP-QQT-00128" in said
