"""Caller turns that ask for nothing new, from the editable acknowledgements file."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.understand.acknowledgements import Acknowledgements, AcknowledgementsError, load_acknowledgements
from tests.copilot.conftest import refused


@pytest.mark.parametrize("text", ["好的谢谢", "嗯嗯，行吧。", "好了可以了", "OK，谢谢！", "系啊，唔该晒", "喂？", "好的好的好的"])
def test_turns_made_only_of_acknowledgements_ask_nothing(text: str) -> None:
    assert load_acknowledgements().covers(text)


@pytest.mark.parametrize("text", ["", "，。", "好的我试一下", "好的，那多少钱", "可以吗", "不是", "还是不行",
                                  "嗯，你说", "谢谢，那我的宽带什么时候好"])
def test_a_turn_with_anything_else_is_read(text: str) -> None:
    assert not load_acknowledgements().covers(text)


def test_no_words_cover_nothing() -> None:
    assert not Acknowledgements().covers("好的")


@pytest.mark.parametrize(("content", "named"), [
    ("version: 1\nwords: [好的, '好的，谢谢']\n", "words"),
    ("version: 0\nwords: [好的]\n", "version"),
    ("version: 1\nwords: [好的]\nextra: 1\n", "extra"),
    ("version: [1\n", "无法读取"),
])
def test_a_bad_file_is_refused_naming_what_is_wrong(tmp_path: Path, content: str, named: str) -> None:
    assert named in refused(load_acknowledgements, AcknowledgementsError, tmp_path, "acknowledgements.yaml", content)
