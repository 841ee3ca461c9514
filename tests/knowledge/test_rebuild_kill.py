"""A rebuild killed midway leaves the serving index untouched and serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from knowledge.embedding import UseM3Embedder
from knowledge.lexical import Tokenizer
from knowledge.store import IndexStore
from tests.knowledge.conftest import NOW, small_corpus

BUILDER = textwrap.dedent("""
    import sys
    from datetime import date
    from pathlib import Path
    from knowledge.embedding import create_embedder
    from knowledge.lexical import Tokenizer, load_lexicon
    from knowledge.schema import KnowledgePoint
    from knowledge.store import IndexStore
    store = IndexStore(Path(sys.argv[1]), create_embedder, lambda: Tokenizer(load_lexicon()))
    docs = [KnowledgePoint(id=f"KP-BIG-{i:05d}", title=f"第{i}条测试知识 流量包说明", business="测试业务",
                           category="常见问题", body="流量包订购后立即生效，当月有效，次月自动续订。" * 20,
                           region="全国", effective_from=date(2025, 1, 1), source="压测公告")
            for i in range(20000)]
    print("building", flush=True)
    store.build(docs, note="big")
""")


def test_killed_rebuild_keeps_serving(tmp_path: Path, embedder: UseM3Embedder, tokenizer: Tokenizer) -> None:
    root = tmp_path / "index"
    store = IndexStore(root, lambda: embedder, lambda: tokenizer)
    serving = store.build(small_corpus(), note="serving")
    proc = subprocess.Popen([sys.executable, "-c", BUILDER, str(root)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path.cwd())})
    assert proc.stdout is not None and proc.stdout.readline().strip() == "building"
    deadline = time.monotonic() + 120
    while not any(p.name != serving.name for p in root.glob("v*")):
        assert time.monotonic() < deadline and proc.poll() is None, "the rebuild never started writing"
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert store.current().name == serving.name  # type: ignore[union-attr]
    hits = IndexStore(root, lambda: embedder, lambda: tokenizer).open().search(
        "光猫红灯", province="江西省", city="南昌市", at=NOW)
    assert hits and hits[0].id == "KP-KD-00001"
    after = store.build(small_corpus(), note="after kill")
    leftovers = [p.name for p in root.glob("v*") if not (p / "manifest.json").exists()]
    assert leftovers == [] and after.name != serving.name
