"""The agent's questions: knowledge answers only a question it is about, not one that shares its words."""

from __future__ import annotations

import pytest

from copilot.ask import _knowledge_part
from knowledge.search import Searcher
from tests.knowledge.conftest import NOW

NANCHANG: list[str | None] = ["江西省", "南昌市", None]


@pytest.mark.parametrize(("question", "cited"), [
    ("光猫LOS红灯一直闪怎么处理", "KP-KD-00001"),
    ("这个客户办携号转网有什么条件", "KP-XH-00001"),
    ("客户的宽带欠费停机了，缴费后多久恢复", "KP-KD-00002"),
])
def test_a_question_the_knowledge_base_answers_is_answered_and_cited(searcher: Searcher, question: str,
                                                                      cited: str) -> None:
    text, sources = _knowledge_part(searcher, question, NANCHANG, NOW)
    assert text and sources == [cited]


@pytest.mark.parametrize("question", [
    "客户问宽带光猫的快递寄到哪了",  # shares 宽带 and 光猫 with the LOS procedure; asks about a delivery
    "客户问全球通套餐的发票抬头能不能写公司名",  # shares 全球通 and 套餐 with a tier's price; asks about invoices
    "客户问能不能借点钱给他",
])
def test_a_question_that_only_shares_words_with_a_point_gets_no_knowledge_answer(searcher: Searcher,
                                                                                  question: str) -> None:
    assert _knowledge_part(searcher, question, NANCHANG, NOW) == (None, [])
