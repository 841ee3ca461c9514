"""The index against a real `chroma run` server (HOTLINE_CHROMA_URL mode)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.bench import CountingEmbedder
from knowledge.store import IndexStore
from tests.conftest import free_port
from tests.knowledge.conftest import NOW, point, small_corpus


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert exe, "the chroma CLI ships with the chromadb package"
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("chroma server did not start")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_build_search_and_apply_through_a_chroma_server(
    chroma_server: str, make_store: Callable[..., tuple[IndexStore, CountingEmbedder]]
) -> None:
    store, counting = make_store(chroma_url=chroma_server)
    first = store.build(small_corpus(), note="server")
    assert first.manifest["chroma"] == chroma_server
    assert not (first.path / "chroma").exists(), "vectors live on the server"
    hits = store.open().search("光猫红灯闪", province="江西省", city="南昌市", at=NOW, mode="dense", k=3)
    assert hits[0].id == "KP-KD-00001"
    changed = point("KP-KD-00001", "光猫LOS红灯闪烁处理", "光猫LOS红灯说明入户光纤断了，请直接派单，无需用户重启。",
                    business="家庭宽带", version=2)
    before = counting.embedded
    second = store.apply([changed], reembed={changed.id}, note="server apply")
    assert counting.embedded - before == 1
    searcher = store.open()
    assert searcher.version == second.name and searcher.get("KP-KD-00001").version == 2  # type: ignore[union-attr]
    assert len(searcher.rows) == len(small_corpus())
