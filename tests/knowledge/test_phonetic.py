"""Sound-alike matching: what speech recognition wrote with the wrong characters still finds its title."""

from __future__ import annotations

import numpy as np

from knowledge.phonetic import PhoneticIndex, sound_tokens, title_text
from tests.knowledge.conftest import NOW, small_corpus
from tests.knowledge.test_store import Make

TITLES = ["收不到短信验证码处理指引", "宽带网速慢处理流程", "停机保号办理条件", "5G套餐128元档资费"]


def test_sound_tokens_are_toneless_syllables_and_pairs() -> None:
    assert sound_tokens("宽带网速慢") == ["kuan", "dai", "wang", "su", "man",
                                     "kuan_dai", "dai_wang", "wang_su", "su_man"]
    assert sound_tokens("宽待王速慢") == sound_tokens("宽带网速慢")
    assert sound_tokens("5G套餐") == ["5g", "tao", "can", "tao_can"]
    assert title_text("停机保号办理条件（江西）") == "停机保号办理条件"


def test_misheard_words_meet_the_title_they_sound_like() -> None:
    index = PhoneticIndex(TITLES)
    assert int(np.argmax(index.scores("验正码一直收不到"))) == 0
    assert int(np.argmax(index.scores("我想办个听机报号"))) == 2
    masked = index.scores("验正码一直收不到", mask=np.array([False, True, True, True]))
    assert masked[0] == 0.0
    assert not index.scores("hello").any()


def test_hybrid_search_finds_a_misheard_question_by_its_sound(make_store: Make) -> None:
    store, _ = make_store()
    store.build(small_corpus(), note="t")
    s = store.open()
    hits = s.search("鞋好转往要什么条件", province="江西省", city="南昌市", at=NOW, k=3)
    assert hits[0].id == "KP-XH-00001", [h.title for h in hits]
    assert hits[0].why.get("sound_rank") == 1
