"""Sound-alike matching: what speech recognition wrote with the wrong characters still finds its title."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.lexical import Tokenizer
from knowledge.phonetic import PhoneticIndex, Respeller, sound_tokens, title_text
from knowledge.search import Searcher
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


@pytest.fixture
def searcher(make_store: Make) -> Searcher:
    store, _ = make_store()
    store.build(small_corpus(), note="t")
    return store.open()


def test_hybrid_search_finds_a_misheard_question_by_its_sound(searcher: Searcher) -> None:
    hits = searcher.search("鞋好转往要什么条件", province="江西省", city="南昌市", at=NOW, k=3)
    assert hits[0].id == "KP-XH-00001", [h.title for h in hits]
    assert hits[0].why.get("sound_rank") == 1


def test_a_misheard_word_is_respelled_into_the_corpus_word_of_its_sound(tokenizer: Tokenizer) -> None:
    respeller = Respeller({"套餐": 900, "停机": 40, "扣钱": 12, "网速": 30, "信号": 25, "掏": 90, "稀有": 2})
    text, changes = respeller.respell(tokenizer.pieces(tokenizer.normalize("我那个淘餐怎么又口钱了")))
    assert text == "我那个套餐怎么又扣钱了" and changes == {"淘餐": "套餐", "口钱": "扣钱"}
    text, _ = respeller.respell(tokenizer.pieces("手机听机了王速好慢"))
    assert text == "手机停机了网速好慢"


def test_words_the_dictionary_knows_and_rare_sounds_are_left_alone(tokenizer: Tokenizer) -> None:
    respeller = Respeller({"信号": 25, "稀有": 4, "阿拉伯": 8})
    assert respeller.respell(tokenizer.pieces("新号码怎么激活")) == ("新号码怎么激活", {})  # 号码 is a word
    assert respeller.respell(tokenizer.pieces("稀友号码"))[1] == {}  # 稀有 is in 4 documents only
    assert Respeller({"稀有": 5}).respell(tokenizer.pieces("稀友号码"))[1] == {"稀友": "稀有"}
    assert respeller.respell(tokenizer.pieces(tokenizer.normalize("阿拉去阿拉伯漫游")))[0] == "我们去阿拉伯漫游"


def test_a_caller_phrase_in_the_lexicon_is_not_respelled_but_a_misheard_word_is(tokenizer: Tokenizer) -> None:
    respeller = Respeller({"每人": 600, "信号": 25})
    said = "以前没人提醒我，家里新号不好"
    assert respeller.respell(tokenizer.pieces(said)) == ("以前没人提醒我，家里信号不好", {"新号": "信号"})


def test_search_says_what_it_heard_a_misspelled_word_as(searcher: Searcher) -> None:
    hits = searcher.search("收机上不了网怎么办", province="广东省", city="广州市", at=NOW, k=3)
    assert hits[0].id == "KP-GPRS-00003", [h.title for h in hits]
    assert hits[0].why["heard_as"] == {"收机": "手机"}


def test_written_words_are_searched_as_written(searcher: Searcher) -> None:
    hits = searcher.search("收机上不了网怎么办", province="广东省", city="广州市", at=NOW, k=3, heard=False)
    assert hits and all("heard_as" not in h.why for h in hits)
