"""A small hand-written knowledge base, and stores built from it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from knowledge.bench import CountingEmbedder
from knowledge.catalog import Doc
from knowledge.embedding import UseM3Embedder
from knowledge.lexical import Tokenizer, load_lexicon
from knowledge.schema import EmergencyScript, KnowledgePoint
from knowledge.store import IndexStore

SRC = "测试公告〔2026〕1号"
NOW = datetime(2026, 11, 23, 10, 0)


def point(pid: str, title: str, body: str, region: str = "全国", business: str = "手机上网",
          category: str = "故障处理", start: date = date(2025, 1, 1), end: date | None = None,
          version: int = 1, variant_of: str | None = None) -> KnowledgePoint:
    return KnowledgePoint(id=pid, title=title, business=business, category=category, body=body, region=region,
                          effective_from=start, effective_to=end, version=version, source=SRC,
                          channels=["10086", "中国移动APP"], variant_of=variant_of)


def small_corpus() -> list[Doc]:
    return [
        point("KP-GPRS-00001", "手机无法上网的排查步骤",
              "用户反映手机上不了网时，先确认号码状态与数据功能，再检查APN是否为cmnet，最后重启手机。"),
        point("KP-GPRS-00002", "手机无法上网的排查步骤（江西省）",
              "江西用户手机上不了网时，先确认号码状态与数据功能，可发送短信KTGPRS到10086开通数据功能。",
              region="江西省", variant_of="KP-GPRS-00001"),
        point("KP-GPRS-00003", "手机无法上网的排查步骤（广东省）",
              "广东用户手机上不了网时，可在广东移动APP自助开通数据功能，或发送KTSJ到10086。", region="广东省",
              variant_of="KP-GPRS-00001"),
        point("KP-KD-00001", "光猫LOS红灯闪烁处理", "光猫LOS红灯闪烁表示光信号丢失，请检查光纤是否弯折；收光功率低于-27dBm需派单维修。",
              business="家庭宽带"),
        point("KP-KD-00002", "宽带账号欠费停机的处理", "宽带账号欠费后Radius认证拒绝，缴清欠费后约5分钟自动恢复上网，无需报修。",
              business="家庭宽带"),
        point("KP-TX-00001", "弹性计费包办理规则", "套餐外流量费可转为弹性计费包：10元1GB、20元3GB、30元6GB，每6个月限办1次，"
              "不限量套餐和物联网卡不可办理。", business="弹性计费包", category="办理条件"),
        point("KP-QQT-00128", "全球通畅享套餐128元档资费", "月费128元，含国内通用流量30GB、国内主叫500分钟，套餐外流量0.29元/MB。",
              business="全球通畅享套餐", category="资费"),
        point("KP-QQT-00158", "全球通畅享套餐158元档资费", "月费158元，含国内通用流量40GB、国内主叫700分钟，套餐外流量0.29元/MB。",
              business="全球通畅享套餐", category="资费"),
        point("KP-YX-00001", "双十一流量半价活动", "2026年11月1日至11日，流量月包半价，每人限订1次。", business="营销活动",
              category="营销活动", start=date(2026, 11, 1), end=date(2026, 11, 11)),
        point("KP-YX-00002", "元旦流量礼包活动", "2027年1月1日起，登录APP可领取元旦流量礼包5GB。", business="营销活动",
              category="营销活动", start=date(2027, 1, 1)),
        point("KP-XH-00001", "携号转网办理条件", "办理携号转网需号码已实名、无欠费、不在合约期，先发送CXXZ到10086查询授权码。",
              business="携号转网", category="办理条件"),
        point("KP-GPRS-00009", "南昌地区手机上网自助开通", "南昌用户可到八一大道营业厅或发送KTGPRS开通数据功能。",
              region="江西省南昌市"),
        EmergencyScript(id="ES-20261123-001", title="南昌西湖区基站故障影响上网", topic="outage", region="江西省南昌市",
                        district="西湖区", outage_id="NC-20261123-001", services=["mobile_data"],
                        keywords=["上不了网", "没信号"], wording="您好，西湖区部分基站因设备故障影响手机上网，预计11:50恢复，"
                        "无需报修，给您带来不便深表歉意。", valid_from=datetime(2026, 11, 23, 8, 50),
                        valid_to=datetime(2026, 11, 23, 14, 0), source=SRC),
        EmergencyScript(id="ES-20261123-002", title="广州番禺区光缆中断", topic="outage", region="广东省广州市",
                        district="番禺区", outage_id="GZ-20261123-001", services=["broadband"],
                        keywords=["宽带断了"], wording="您好，番禺区因光缆中断影响宽带使用，抢修中，预计16:00恢复，无需报修。",
                        valid_from=datetime(2026, 11, 23, 5, 30), valid_to=datetime(2026, 11, 23, 18, 0), source=SRC),
        EmergencyScript(id="ES-20261120-001", title="冒充客服退费诈骗提醒", topic="fraud_alert", region="全国",
                        keywords=["退费", "诈骗"], wording="近期有不法分子冒充10086客服以退费为由索要验证码，请勿透露。",
                        valid_from=datetime(2026, 11, 20, 0, 0), valid_to=datetime(2026, 11, 21, 0, 0), source=SRC),
    ]


@pytest.fixture(scope="session")
def embedder() -> UseM3Embedder:
    return UseM3Embedder()


@pytest.fixture(scope="session")
def tokenizer() -> Tokenizer:
    return Tokenizer(load_lexicon())


@pytest.fixture
def make_store(tmp_path: Path, embedder: UseM3Embedder, tokenizer: Tokenizer
               ) -> Callable[..., tuple[IndexStore, CountingEmbedder]]:
    def make(chroma_url: str | None = None, name: str = "index") -> tuple[IndexStore, CountingEmbedder]:
        counting = CountingEmbedder(embedder)
        return IndexStore(tmp_path / name, lambda: counting, lambda: tokenizer, chroma_url=chroma_url), counting

    return make


def business_corpus() -> list[Doc]:
    """One VAS and two plan tiers, each with near-identical points of several categories and FAQs."""
    vas = "来电提醒"
    docs: list[Doc] = [
        point("KP-ZZ-00001", "来电提醒功能说明", "来电提醒：关机或无信号时的来电，开机后以短信告知来电号码和时间，每月3元。",
              business=vas, category="业务介绍"),
        point("KP-ZZ-00002", "来电提醒收费标准", "来电提醒3元/月，按自然月收取，首次开通当月免费。", business=vas, category="资费"),
        point("KP-ZZ-00003", "来电提醒订购渠道", "可通过中国移动APP、10086或发送短信KTLDTX到10086开通来电提醒。", business=vas,
              category="办理渠道"),
        point("KP-ZZ-00004", "来电提醒如何取消", "发送QXLDTX到10086或在中国移动APP中退订来电提醒，次月起不再收费。",
              business=vas, category="退订规则"),
        point("KP-ZZ-00005", "来电提醒体验期及扣费时间", "来电提醒开通当月免费体验，次月1日起按月扣费。", business=vas,
              category="生效规则"),
        point("KP-ZZ-00006", "来电提醒的费用在账单哪一项？", "来电提醒的月费列在账单的增值业务费一项中。", business=vas,
              category="常见问题"),
        point("KP-ZZ-00007", "换了手机来电提醒还在吗？", "来电提醒开在号码上，换手机不影响使用。", business=vas,
              category="常见问题"),
    ]
    for fee, data_gb in ((128, 30), (158, 40)):
        biz = f"全球通畅享套餐{fee}元档"
        docs += [
            point(f"KP-QQT-{fee}01", f"{biz}资费标准", f"月费{fee}元，含国内通用流量{data_gb}GB，套餐外流量0.29元/MB。",
                  business=biz, category="资费"),
            point(f"KP-QQT-{fee}02", f"{biz}受理渠道及操作路径", f"{biz}可在营业厅、中国移动APP或10086办理，次月生效。",
                  business=biz, category="办理渠道"),
            point(f"KP-QQT-{fee}03", f"{biz}取消与降档规则", f"{biz}取消或降档次月生效，合约期内不可降档。", business=biz,
                  category="退订规则"),
            point(f"KP-QQT-{fee}04", f"{biz}未用完的流量能否留到下个月？", f"{biz}当月未用完的通用流量可结转至次月。",
                  business=biz, category="常见问题"),
        ]
    return [*small_corpus(), *docs]
