"""The second search stage: the business the caller means, and the kind of answer the question asks for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.bench import CountingEmbedder
from knowledge.lexical import Lexicon, LexiconError, Tokenizer, load_lexicon
from knowledge.rerank import FEATURES, RerankError, aspect_of, load_model
from knowledge.search import Searcher
from knowledge.store import IndexStore
from tests.knowledge.conftest import NOW, business_corpus

Make = Callable[..., tuple[IndexStore, CountingEmbedder]]


@pytest.fixture
def searcher(make_store: Make) -> Searcher:
    store, _ = make_store()
    store.build(business_corpus(), note="t")
    return store.open()


def first(searcher: Searcher, query: str, mode: str = "hybrid") -> str:
    return searcher.search(query, province="江西省", city="南昌市", at=NOW, mode=mode)[0].id  # type: ignore[arg-type]


def test_an_unsubscribe_cue_ranks_the_businesss_unsubscribe_point_first(searcher: Searcher) -> None:
    assert first(searcher, "帮我把来电提醒退了，要怎么弄") == "KP-ZZ-00004"
    hit = searcher.search("来电提醒不想用了怎么取消", province="江西省", city="南昌市", at=NOW)[0]
    assert hit.id == "KP-ZZ-00004" and hit.why["question_type"] == "退订规则"


def test_each_kind_of_question_gets_its_kind_of_answer(searcher: Searcher) -> None:
    assert first(searcher, "来电提醒一个月多少钱") == "KP-ZZ-00002"
    assert first(searcher, "来电提醒在哪里开通，发短信能办吗") == "KP-ZZ-00003"
    assert first(searcher, "来电提醒开了以后啥时候开始收钱") == "KP-ZZ-00005"


def test_a_cue_inside_a_longer_cue_asks_nothing_of_its_own(searcher: Searcher) -> None:
    kinds = searcher.reranker.question_types
    assert kinds("来电提醒开了以后什么时候开始收钱") == {"生效规则"}, "收钱 inside 开始收钱 is no question of price"
    assert kinds("我这个情况能不能用弹性包") == {"办理条件"}, "不能用 inside 能不能用 is no fault"
    assert kinds("来电提醒不能用了，多少钱一个月") == {"故障处理", "资费"}
    assert kinds("扣费是什么时候") == {"业务介绍", "生效规则"}, "cues that only overlap both count"


def test_an_faq_is_found_by_its_own_question_in_the_callers_words(searcher: Searcher) -> None:
    assert first(searcher, "账单上来电提醒的钱算在哪一项") == "KP-ZZ-00006"


def test_the_tier_the_caller_names_wins_over_its_near_identical_sibling(searcher: Searcher) -> None:
    assert first(searcher, "一百五十八的全球通怎么取消") == "KP-QQT-15803"
    assert first(searcher, "128的全球通一个月多少钱") == "KP-QQT-12801"


def test_a_tier_the_question_does_not_name_is_marked_unasked(searcher: Searcher) -> None:
    def unasked(query: str) -> dict[str, float]:
        found = searcher.candidates(query, province="江西省", city="南昌市", at=NOW)
        assert found is not None
        column = found.features[:, FEATURES.index("price_unasked")]
        return {searcher.rows[r].business: float(v) for r, v in zip(found.rows, column, strict=True)}

    vague = unasked("全球通套餐和来电提醒怎么取消")
    assert vague["全球通畅享套餐158元档"] == 1.0 and vague["来电提醒"] == 0.0
    assert set(unasked("158的全球通和来电提醒怎么取消").values()) == {0.0}


def test_dialect_words_read_as_mandarin(searcher: Searcher) -> None:
    assert first(searcher, "来电提醒么样开通咯") == "KP-ZZ-00003"


def test_an_opened_version_embeds_nothing_again(make_store: Make) -> None:
    store, counting = make_store()
    store.build(business_corpus(), note="t")
    built = counting.embedded
    assert built > len(business_corpus()), "each distinct title aspect and business name is embedded once, beside the documents"
    store.open()
    assert counting.embedded == built


def test_aspect_drops_the_business_and_the_region_suffix() -> None:
    assert aspect_of("全球通畅享套餐158元档月费什么时候扣？（江西）", "全球通畅享套餐158元档", True) == "月费什么时候扣？"
    assert aspect_of("在日本接电话收费吗？", "国际漫游日套餐（日本）", False) == "在 接电话收费吗？"
    assert aspect_of("弹性计费包80元档（20GB）资费", "弹性计费包80元档（20GB）", False) == "资费"


def test_a_model_without_every_weight_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "rerank.yaml"
    path.write_text("version: 1\nfitted_on: x\nbusinesses: 3\nweights: {lex: 1.0}\n", encoding="utf-8")
    with pytest.raises(RerankError, match=r"rerank\.yaml: 重排模型不合法: weights"):
        load_model(path)
    assert load_model().weights.keys() >= {"lex", "question_type"}


def test_question_types_need_cue_words(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text("version: 1\nquestion_types:\n  退订规则: []\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="question_types"):
        load_lexicon(path)


def test_a_city_is_searched_as_the_place_its_documents_name() -> None:
    lexicon = Lexicon(version=1, places={"泰国": ["曼谷"], "中国台湾": ["台湾", "台北"], "中国香港": ["香港"]})
    assert lexicon.search_groups() == [["泰国", "曼谷"], ["台湾", "台北"]], "香港 alone is what 中国香港 is cut to"
    tokenizer = Tokenizer(lexicon)
    assert "泰国" in tokenizer.tokens("下周去曼谷") and "台湾" in tokenizer.tokens("去台北出差")
    assert tokenizer.places["曼谷"] == "泰国" and tokenizer.places["泰国"] == "泰国"


def test_dialect_and_asr_are_fixed_before_numbers_and_cues() -> None:
    tokenizer = Tokenizer(Lexicon(version=1, asr_confusions={"留量": "流量"}, dialect={"怎么样": "怎么样", "么样": "怎么"}))
    assert tokenizer.normalize("二十块的留量包么样退") == "20元的流量包怎么退"
    assert tokenizer.normalize("会怎么样") == "会怎么样"


def test_cantonese_callers_are_read_as_mandarin() -> None:
    """Guangdong callers' words meet the knowledge's Mandarin (and the classifier reads them the same way)."""
    tokenizer = Tokenizer(load_lexicon())
    assert tokenizer.normalize("系唔系我欠费咗？我部手机上唔到网") == "是不是我欠费了？我手机上不了网"
    assert tokenizer.normalize("我个仔话帮我充咗，仲有冇钱？") == "我儿子话帮我充了，还有没有钱？"
    assert tokenizer.normalize("去完香港返来多咗二百几蚊，几时退返俾我") == "去完香港回来多了200几块，什么时候退回给我"
    assert tokenizer.normalize("部手机收唔到短信") == "部手机收不到短信", "not 收不了"
    assert tokenizer.normalize("我屋企宽带连唔上，係唔係你哋搞错咗") == "我家里宽带连不上，是不是你们搞错了"
    assert "没网" in tokenizer.tokens("屋头的宽带冇网了"), "冇网 is 没网, one of the no-internet words"
    assert tokenizer.normalize("唔该晒") == "谢谢晒", "唔该 is thanks, not 不该"
    assert tokenizer.normalize("我的花费怎么扣了这么多") == "我的话费怎么扣了这么多", "花费 is how 话费 is heard"
    assert tokenizer.normalize("我唔知道") == "我不知道", "not 不知道道"
    for mandarin in ("我有点搞不懂", "还没得到回复", "然而家里的宽带", "周边度假", "差点算错", "在打劳动仲裁", "这个仔细看看",
                     "被蚊子咬了", "我们这边个人信息", "请拨打机主本人电话", "账单生成日", "合约完成日期", "往返去香港",
                     "老豆腐", "这几时段", "那边个别地区", "装维师傅返工了三次"):
        assert tokenizer.normalize(mandarin) == mandarin, "a dialect word inside a Mandarin one is no dialect word"
    assert tokenizer.normalize("唔，我想想") == "嗯，我想想", "a hesitation, not a 不"
