"""The LLM mode is off unless configured; prompts are validated data; only read tools, without the caller's number."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from langchain_core.tools import BaseTool

from copilot.llm import Grounds, open_llm
from copilot.llm.grounds import GroundSnippet, SourceBook, render_grounds
from copilot.llm.tools import ReadToolbox
from copilot.prompts import DEFAULT_PATH, PromptError, load_prompts
from copilot.settings import Settings
from tests.conftest import AS_OF
from tools.base.toolkit import ToolType


@pytest.mark.parametrize("env", [{}, {"HOTLINE_LLM_BASE_URL": "http://x/v1", "HOTLINE_LLM_MODEL": "m"},
                                 {"HOTLINE_LLM_MODEL": "m", "HOTLINE_LLM_API_KEY": "k"}])
def test_off_unless_url_model_and_key_are_all_set(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert open_llm(Settings(), [], lambda: AS_OF) is None


def test_importing_the_package_connects_nothing_and_leaves_langchain_openai_out() -> None:
    code = "import sys, copilot.llm; assert 'langchain_openai' not in sys.modules and 'openai' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[3])


def test_the_packaged_prompts_load_and_render() -> None:
    prompts = load_prompts()
    system, user = prompts.draft_reply.render(today="2026-11-20", grounds="【核查结论】…")
    assert "10086" in system and str(prompts.draft_reply.max_chars) in system and "【核查结论】…" in user
    system, _ = prompts.understand.render(today="2026-11-20", intents="- a：甲", risks="- r", transcript="- 喂")
    assert '{"intents": [{"intent": "意图id"' in system, "JSON braces are plain text"


@pytest.mark.parametrize(("edit", "problem"), [
    (lambda d: d["answer"].update(user="$grounds $question $caller_phone"), "不认识的占位符 caller_phone"),
    (lambda d: d["draft_reply"].update(user="没有依据"), "缺少必需的占位符 grounds"),
    (lambda d: d["understand"].update(system=d["understand"]["system"] + " 收费$5"), "占位符写法有误"),
    (lambda d: d["tools"].pop("not_callers_account"), "tools.not_callers_account"),
    (lambda d: d["answer"].pop("max_chars"), "没有设置 max_chars"),
])
def test_a_broken_prompts_file_is_refused_with_the_reason(tmp_path: Path, edit: object, problem: str) -> None:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    edit(data)  # type: ignore[operator]
    path = tmp_path / "prompts.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PromptError, match=problem):
        load_prompts(path)


def test_only_read_tools_are_offered_and_none_asks_for_the_callers_number(tools: list[BaseTool]) -> None:
    box = ReadToolbox(tools, load_prompts().tools)
    reads = {t.name for t in tools if (t.metadata or {}).get("tool_type") == ToolType.READ.value}
    assert set(box.names) == reads and len(reads) < len(tools)
    for spec in box.schemas():
        params = spec["function"]["parameters"]
        assert not {"msisdn", "subject"} & set(params["properties"]) and "msisdn" not in params["required"]
        assert "msisdn:" not in spec["function"]["description"]
    auth = next(s for s in box.schemas() if s["function"]["name"] == "aaa_get_auth_log")["function"]
    assert set(auth["parameters"]["properties"]) == {"service", "account_id", "limit"}


def test_citations_resolve_to_grounds_and_leave_the_text_readable() -> None:
    book = SourceBook()
    text = render_grounds(Grounds(facts=["账户状态 = 正常 (BOSS)"],
                                  knowledge=[GroundSnippet(id="KP-TXJF-00012", title="弹性计费包")]),
                          load_prompts().grounds, book)
    assert "[F1] 账户状态 = 正常 (BOSS)" in text and "[K1] KP-TXJF-00012 弹性计费包" in text
    clean, sources, unknown = book.resolve("您的账户正常[F1, K1]，规则见【KP-TXJF-00012】[X9]。")
    assert clean == "您的账户正常，规则见。" and [s.tag for s in sources] == ["F1", "K1"] and unknown == ["X9"]
