"""Fixtures of the copilot's tests: a small knowledge base that knows the private world's outages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from knowledge.embedding import UseM3Embedder
from knowledge.lexical import Tokenizer, load_lexicon
from knowledge.schema import EmergencyScript
from knowledge.search import Searcher
from knowledge.store import IndexStore
from tests.conftest import AS_OF, profile
from tests.knowledge.conftest import SRC, small_corpus
from tools.sim.db import SimDatabase


def refused(load: Callable[[Path], object], error: type[Exception], tmp_path: Path, name: str, text: str) -> str:
    """The message with which `load` refuses a data file named `name` holding `text`; it must name the file."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error) as caught:
        load(path)
    message = str(caught.value)
    assert str(path) in message, message
    return message


def outage_script(db: SimDatabase) -> EmergencyScript:
    """The emergency script for the broadband outage behind the world's bb_area_outage line."""
    msisdn = profile(db, "bb_area_outage")
    sub = db.one("SELECT province, city, district FROM subscribers WHERE msisdn = ?", (msisdn,))
    assert sub is not None
    row = db.one("SELECT * FROM outages WHERE province = ? AND city = ? AND service IN ('broadband', 'all') "
                 "AND recovered_ts IS NULL ORDER BY outage_id LIMIT 1", (sub["province"], sub["city"]))
    assert row is not None
    return EmergencyScript(
        id="ES-20261120-009", title=f"{row['city']}{row['district'] or ''}家庭宽带中断应急口径", topic="outage",
        region=f"{row['province']}{row['city']}", district=row["district"], outage_id=row["outage_id"],
        services=["broadband"], keywords=["宽带断了", "上不了网"],
        wording=f"您好，{row['district'] or row['city']}因{row['cause']}影响家庭宽带使用，抢修人员已在处理，恢复后会自动上网，"
                "无需报修，给您带来不便深表歉意。",
        valid_from=AS_OF - timedelta(hours=3), valid_to=AS_OF + timedelta(hours=6), source=SRC)


@pytest.fixture(scope="session")
def kb_dir(tmp_path_factory: pytest.TempPathFactory, world_file: Path) -> Path:
    """A built index: the hand-written small corpus plus the world's broadband outage script."""
    root = tmp_path_factory.mktemp("kb")
    docs: list[Any] = [*small_corpus(), outage_script(SimDatabase(world_file))]
    store = IndexStore(root / "index", UseM3Embedder, lambda: Tokenizer(load_lexicon()))
    store.build(docs, note="api tests")
    return root


@pytest.fixture(scope="module")
def searcher(kb_dir: Path) -> Searcher:
    """The small knowledge base, opened."""
    return IndexStore(kb_dir / "index", UseM3Embedder, lambda: Tokenizer(load_lexicon())).open()
