"""The scripted model server (one per module), an advisor over it, and the check that nothing personal was sent."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from langchain_core.tools import BaseTool

from copilot.llm import LlmAdvisor, open_llm
from copilot.settings import Settings
from tests.conftest import AS_OF, ServerThread
from tests.copilot.llm.scripted_server import ScriptedModel
from tools.backends import build_backends
from tools.sim.db import SimDatabase

UNMASKED_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
UNMASKED_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])")
UNMASKED_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")


@pytest.fixture(scope="module")
def model_server() -> Iterator[tuple[ScriptedModel, str]]:
    scripted = ScriptedModel()
    with ServerThread(scripted.app()) as server:
        yield scripted, f"{server.url}/v1"


@pytest.fixture
def model(model_server: tuple[ScriptedModel, str]) -> Iterator[ScriptedModel]:
    """The scripted model, its script empty; after the test, no request may carry an unmasked number."""
    scripted, _ = model_server
    scripted.script()
    yield scripted
    for body in scripted.bodies:
        for pattern in (UNMASKED_PHONE, UNMASKED_ID, UNMASKED_CARD):
            assert not pattern.search(body), f"the model was sent an unmasked number: {pattern.search(body)}"


@pytest.fixture
def llm_env(model_server: tuple[ScriptedModel, str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """Settings pointing at the scripted server; keyword overrides go in as HOTLINE_LLM_* variables."""

    def make(**overrides: Any) -> Settings:
        values = {"base_url": model_server[1], "model": "qwen-scripted", "api_key": "sk-test",
                  "first_token_s": 10, "timeout_s": 30, "max_tool_rounds": 2, **overrides}
        for key, value in values.items():
            monkeypatch.setenv(f"HOTLINE_LLM_{key.upper()}", str(value))
        return Settings()

    return make


@pytest.fixture
def tools(sim_db: SimDatabase) -> list[BaseTool]:
    return build_backends(sim_db=sim_db).tools(lambda: AS_OF)


@pytest.fixture
def make_advisor(llm_env: Callable[..., Settings], tools: list[BaseTool]) -> Callable[..., LlmAdvisor]:
    def make(extra_tools: list[BaseTool] | None = None, **overrides: Any) -> LlmAdvisor:
        advisor = open_llm(llm_env(**overrides), [*tools, *(extra_tools or [])], lambda: AS_OF)
        assert advisor is not None
        return advisor

    return make


@pytest.fixture
def advisor(make_advisor: Callable[..., LlmAdvisor]) -> LlmAdvisor:
    return make_advisor()
