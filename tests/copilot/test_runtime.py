"""The served runtime's heap: what is loaded at start-up, and after an ingest, stays out of the collector's way."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.settings import Settings
from knowledge.bulletins import write_bulletin
from tests.knowledge.test_ingest import bulletin


def _walked(obj: object) -> bool:
    """Whether a collection would walk `obj` (frozen objects are in no generation)."""
    return any(o is obj for o in gc.get_objects())


def test_the_loaded_index_is_frozen_and_a_replaced_one_is_freed(sim_path: Path, kb_dir: Path,
                                                                 tmp_path: Path) -> None:
    own_kb = tmp_path / "kb"
    shutil.copytree(kb_dir, own_kb)
    doc = tmp_path / "公告.docx"
    write_bulletin(bulletin(), doc)
    with TestClient(create_app(Settings(sim_db=sim_path, kb_dir=own_kb, data_dir=tmp_path / "d"))) as client:
        runtime = client.app.state.runtime  # type: ignore[attr-defined]
        old = runtime.services.searcher
        assert old is not None and not _walked(old.rows) and not _walked(old.lexical)
        gone = weakref.ref(old)
        del old
        files = {"files": ("公告.docx", doc.read_bytes())}
        assert client.post("/v1/kb/ingest", params={"dry_run": False}, files=files).json()["index"]
        new = runtime.services.searcher
        assert gone() is None, "the replaced index is still alive"
        assert not _walked(new.rows) and not _walked(new.lexical)
        hits = client.get("/v1/kb/search", params={"q": "光猫红灯", "region": "江西省南昌市"}).json()["hits"]
        assert hits
    assert gc.get_freeze_count() == 0  # a stopped app hands its heap back
