"""The system query points: which agent questions reach which lookup; a bad lookups file is refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.lookups import Lookups, LookupsError, load_lookups
from copilot.playbooks.engine import PlaybookEngine
from knowledge.vocabulary import load_vocabulary
from tests.conftest import AS_OF
from tests.copilot.conftest import refused
from tools.backends import build_backends
from tools.sim.db import SimDatabase


@pytest.fixture
def read_tools(sim_db: SimDatabase) -> set[str]:
    engine = PlaybookEngine(build_backends(sim_db=sim_db).tools(lambda: AS_OF), load_vocabulary())
    return set(engine.read_tools)


@pytest.fixture
def lookups(read_tools: set[str]) -> Lookups:
    return load_lookups(read_tools)


@pytest.mark.parametrize(("question", "asked"), [
    ("这个客户几星级？", ["star_level"]),
    ("他是什么级别的客户", ["star_level"]),
    ("客户余额还有多少", ["balance"]),
    ("他欠了多少钱", ["balance"]),
    ("这个号码实名了吗", ["real_name"]),
    ("客户现在用的什么套餐", ["plan"]),
    ("套餐包含多少流量", ["plan"]),
    ("合约期到什么时候，提前走有没有违约金", ["contract"]),
    ("本月流量还剩多少", ["data_left"]),
    ("客户是不是被限速了", ["data_left"]),
    ("他家宽带是多少兆的", ["broadband"]),
    ("上次报修的工单进度怎么样了", ["tickets"]),
    ("客户最近什么时候交的费", ["payments"]),
    ("他开了哪些增值业务", ["vas"]),
    ("退的钱多久能到账", ["refund"]),
    ("余额还有多少，几星级", ["star_level", "balance"]),
    ("这个号码是什么时候开户的", ["open_date"]),
    ("光猫什么状态", ["onu"]),
    ("光功率多少", ["onu"]),
    # a new user's trial: each was answered with the line's records (another plan, how long, what to bring)
    ("138元套餐月租多少", []),
    ("欠费停机以后多久能恢复", []),
    ("实名制补登记要带什么证件", []),
    ("交的话费多久能到账", []),
    ("光猫LOS灯亮了怎么处理", []),
    # the third trial
    ("全球通128套餐月租多少", []),
    ("补登记实名要什么材料", []),
    ("退回的款什么时候到账", ["refund"]),
    ("这号啥时候开的", ["open_date"]),
    # the fourth trial: on a call that is no fee dispute, the findings hold no eligibility to answer it from
    ("这个客户能办弹性计费包吗？", ["elastic"]),
    ("弹性计费包怎么收费", []),
    # not about the line's records: the findings and the knowledge base answer these
    ("光猫LOS红灯一直闪怎么处理", []),
    ("携号转网有什么条件", []),
    ("需要派师傅上门吗？", []),
])
def test_an_agent_question_reaches_the_lookups_it_asks(lookups: Lookups, question: str, asked: list[str]) -> None:
    assert [lookup.id for lookup in lookups.asked(question)] == asked


def test_each_lookup_names_what_it_looks_up_and_cites_a_read(lookups: Lookups) -> None:
    for lookup in lookups.lookups:
        reads = {step.id for step in lookup.reads}
        assert lookup.label and all(e.split(":")[0] in reads for a in lookup.answers for e in a.evidence)


GOOD_READ = "    reads: [{id: account, tool: boss_get_account, args: {msisdn: caller.msisdn}}]\n"


@pytest.mark.parametrize(("text", "named"), [
    ("lookups:\n  - id: stars\n    label: 星级\n    cues: '星级('\n" + GOOD_READ
     + "    answers: [{text: '{account.star_level}星', evidence: [account]}]\n", "lookups.0.cues"),
    ("lookups:\n  - id: stars\n    label: 星级\n    cues: '(星级)?'\n" + GOOD_READ
     + "    answers: [{text: '{account.star_level}星', evidence: [account]}]\n", "能匹配空串"),
    ("lookups:\n  - id: stars\n    label: 星级\n    cues: 星级\n" + GOOD_READ
     + "    answers: [{text: '{account.star_level +}星', evidence: [account]}]\n", "lookups.0"),
    ("lookups:\n  - id: stars\n    label: 星级\n    cues: 星级\n" + GOOD_READ
     + "    answers: [{text: '{account.star_level}星', evidence: [bill]}]\n", "evidence 引用了不存在的读取步骤"),
    ("lookups:\n  - id: stars\n    label: 星级\n    cues: 星级\n" + GOOD_READ
     + "    answers: [{text: '{account.star_level}星', evidence: []}]\n", "lookups.0.answers.0.evidence"),
    ("lookups:\n  - id: stars\n    label: 星级\n    cues: 星级\n"
     + "    reads: [{id: account, tool: boss_get_everything, args: {msisdn: caller.msisdn}}]\n"
     + "    answers: [{text: '{account.star_level}星', evidence: [account]}]\n", "未知的只读工具 boss_get_everything"),
    ("lookups:\n  - id: stars\n    label: 星级\n    cues: 星级\n" + GOOD_READ
     + "    answers: [{text: '{account.star_level}星', evidence: [account]}]\n"
     + "  - id: stars\n    label: 星级\n    cues: 几星\n" + GOOD_READ
     + "    answers: [{text: '{account.star_level}星', evidence: [account]}]\n", "查询点 id 重复"),
])
def test_a_bad_lookups_file_is_refused_naming_the_entry(tmp_path: Path, read_tools: set[str], text: str,
                                                        named: str) -> None:
    message = refused(lambda path: load_lookups(read_tools, path), LookupsError, tmp_path, "lookups.yaml", text)
    assert named in message, message
