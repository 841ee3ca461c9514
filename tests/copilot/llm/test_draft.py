"""Drafting the reply over real HTTP against the scripted server: streaming, tool rounds, and every failure."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from langchain_core.tools import BaseTool, StructuredTool

from copilot.context import CallContext
from copilot.llm import DraftedReply, GroundedAnswer, Grounds, LlmAdvisor, LlmFailure
from copilot.pii import mask
from tests.conftest import AS_OF, free_port, profile
from tests.copilot.llm.scripted_server import ScriptedModel, Turn, call, say
from tests.copilot.playbooks.conftest import diagnose
from tools.base.toolkit import ToolType
from tools.base.values import Fact, System, ToolResult
from tools.sim.db import SimDatabase

CALLER_SAYS = "我上个月怎么扣了四百多块流量费，我的号码是13512302702，身份证360102199001011234，我根本没用那么多"


def fee_dispute(sim_db: SimDatabase) -> tuple[Grounds, CallContext]:
    """Real grounds: the fee-dispute playbook on an elastic-eligible simulator line."""
    msisdn = profile(sim_db, "big_overage_elastic_eligible")
    diagnosis = diagnose(sim_db, "data_fee_dispute", "big_overage_elastic_eligible").model_dump()
    state = {"transcript": [{"speaker": "caller", "text": CALLER_SAYS}], "intents": [("data_fee_dispute", 0.99)],
             "diagnosis": diagnosis, "actions": diagnosis["actions"], "reply": diagnosis["reply"],
             "knowledge": [{"id": "KP-TXJF-00012", "title": "弹性计费包办理规则", "text": "次月可申请，按档位计费"}]}
    return Grounds.from_state(state), CallContext(call_id="c1", msisdn=msisdn, agent_id="A1")


def elastic(grounds: Grounds) -> str:
    """A reply that states the elastic-pack finding's figures and cites it."""
    assert grounds.findings[0].rule == "elastic_eligible"
    return f"您好，帮您查到{grounds.findings[0].text}[R1]。请问现在为您办理吗？"


def offered(request: dict) -> list[str]:
    return [t["function"]["name"] for t in request.get("tools", [])]


def test_a_plain_draft_streams_cites_its_grounds_and_is_sent_masked(
    model: ScriptedModel, advisor: LlmAdvisor, sim_db: SimDatabase, tools: list[BaseTool]
) -> None:
    grounds, ctx = fee_dispute(sim_db)
    reply = elastic(grounds)
    model.script(say(reply))
    tokens: list[str] = []
    out = advisor.draft_reply(grounds, ctx, on_token=tokens.append)

    assert isinstance(out, DraftedReply), out
    assert out.text == reply.replace("[R1]", "") and out.cited == reply
    assert [(s.tag, s.kind, s.ref) for s in out.sources] == [("R1", "finding", "elastic_eligible")]
    assert len(tokens) > 1 and "".join(tokens) == reply, "the reply streams in pieces"
    (request,) = model.requests
    assert request["stream"] is True and request["model"] == "qwen-scripted"
    system, user = request["messages"][0]["content"], request["messages"][1]["content"]
    assert "10086" in system and "[R1]" in user and "[K1] KP-TXJF-00012" in user
    assert "135****2702" in user and "360102********1234" in user, "the caller's numbers arrive masked"
    writes = {t.name for t in tools if (t.metadata or {}).get("tool_type") == ToolType.WRITE.value}
    assert offered(request) and not writes & set(offered(request)), "write tools are never offered"
    for spec in request["tools"]:
        assert not {"msisdn", "subject"} & set(spec["function"]["parameters"]["properties"])


def test_a_tool_round_runs_for_the_calls_number_not_the_models(
    model: ScriptedModel, advisor: LlmAdvisor, sim_db: SimDatabase, tools: list[BaseTool]
) -> None:
    grounds, ctx = fee_dispute(sim_db)
    account = next(t for t in tools if t.name == "boss_get_account").invoke({"msisdn": ctx.msisdn})
    status = account.facts[0].value
    model.script(call("boss_get_account", {"msisdn": "13900001111"}), say(f"您好，您的号码目前是{status}状态[T1]。"))
    out = advisor.draft_reply(grounds, ctx)

    assert isinstance(out, DraftedReply), out
    assert [(r.tool, r.args, r.ok) for r in out.tool_calls] == [("boss_get_account", {"msisdn": mask(ctx.msisdn)},
                                                                True)]
    assert out.sources[0].kind == "tool" and out.sources[0].ref == "boss.subscriber.status"
    first, second = model.requests
    assert "boss_get_account" in offered(first)
    assistant, tool_message = second["messages"][2], second["messages"][3]
    assert assistant["tool_calls"][0]["function"]["arguments"] == "{}", "the model's number is not echoed"
    expected = "\n".join(f"[T{n}] {mask(str(f))}" for n, f in enumerate(account.facts, 1))
    assert tool_message["role"] == "tool" and tool_message["content"] == expected
    assert all("13900001111" not in body for body in model.bodies)


def test_tool_results_are_masked_before_the_model_reads_them(
    model: ScriptedModel, make_advisor: Callable[..., LlmAdvisor], sim_db: SimDatabase
) -> None:
    def contact(msisdn: str) -> ToolResult:
        """Look up the contact on file for a line."""
        facts = [Fact(label="联系电话", value=msisdn, source=System.BOSS, ref="boss.contact.phone"),
                 Fact(label="证件号码", value="360102199001011234", source=System.BOSS, ref="boss.contact.id")]
        return ToolResult(tool="boss_get_contact", system=System.BOSS, ok=True, facts=facts)

    extra = StructuredTool.from_function(contact, name="boss_get_contact", metadata={"tool_type": "read"})
    advisor = make_advisor(extra_tools=[extra])
    grounds, ctx = fee_dispute(sim_db)
    model.script(call("boss_get_contact", {}), say("您好，已核实您登记的联系电话[T1]。"))
    out = advisor.draft_reply(grounds, ctx)
    assert isinstance(out, DraftedReply), out
    content = model.requests[1]["messages"][3]["content"]
    assert mask(ctx.msisdn) in content and "360102********1234" in content


@pytest.mark.parametrize(("name", "arguments", "reason"), [
    ("boss_get_account", '{"msisdn": "139', "bad JSON arguments for boss_get_account"),
    ("boss_drop_everything", "{}", "unknown tool boss_drop_everything"),
    ("boss_apply_elastic_package", '{"month": "2026-10"}', "boss_apply_elastic_package is not a read tool"),
    ("boss_get_bill", '{"month": 202610}', "bad arguments for boss_get_bill (month)"),
])
def test_a_malformed_tool_call_fails_the_draft_and_runs_nothing(
    model: ScriptedModel, advisor: LlmAdvisor, sim_db: SimDatabase, name: str, arguments: str, reason: str
) -> None:
    grounds, ctx = fee_dispute(sim_db)
    model.script(Turn(tool_calls=[(name, arguments)]), say("不会走到这里"))
    out = advisor.draft_reply(grounds, ctx)
    assert isinstance(out, LlmFailure) and out.kind == "invalid_tool_call"
    assert reason in out.reason and "规则建议" in out.notice
    assert len(model.requests) == 1
    assert not sim_db.query("SELECT 1 FROM audit_log"), "nothing was written"


def test_tool_rounds_are_capped(model: ScriptedModel, make_advisor: Callable[..., LlmAdvisor],
                                sim_db: SimDatabase) -> None:
    advisor = make_advisor(max_tool_rounds=1)
    grounds, ctx = fee_dispute(sim_db)
    model.script(call("boss_get_account", {}), call("boss_get_payments", {}))
    out = advisor.draft_reply(grounds, ctx)
    assert isinstance(out, LlmFailure) and out.kind == "tool_rounds_exceeded"
    first, last = model.requests
    assert "tools" in first and "tools" not in last, "the turn after the last round offers no tools"


def test_a_broadband_account_must_be_the_callers(model: ScriptedModel, advisor: LlmAdvisor,
                                                 sim_db: SimDatabase, tools: list[BaseTool]) -> None:
    msisdn = profile(sim_db, "bb_los_fibre_cut")
    ctx = CallContext(call_id="c2", msisdn=msisdn, agent_id="A1")
    mine = next(t for t in tools if t.name == "pon_find_broadband_accounts").invoke({"msisdn": msisdn})
    model.script(Turn(tool_calls=[("pon_get_line_status", '{"account_id": "079100000000"}'),
                                  ("pon_get_line_status", "{}")]),
                 say("您好，系统显示您家宽带光猫目前有告警，我帮您进一步处理[T3]。"))
    out = advisor.draft_reply(Grounds(intent="broadband_fault", transcript=["宽带断了"]), ctx)
    assert isinstance(out, DraftedReply), out
    foreign, own = out.tool_calls
    assert not foreign.ok and own.ok and own.args == {"account_id": mine.data[0]["account_id"]}
    messages = model.requests[1]["messages"]
    assert messages[3]["content"] == "该宽带账号不属于本次来电号码，不能查询。"
    assert "光猫状态" in messages[4]["content"]


@pytest.mark.parametrize(("reply", "kind", "reason"), [
    ("您好，预计98765分钟内恢复[R1]。", "ungrounded", "states 98765"),
    ("您好，可以办理弹性计费包[F999]。", "ungrounded", "cites unknown source [F999]"),
    ("您好，" + "请您耐心等待" * 40 + "[R1]。", "invalid_output", "answer too long"),
    ("", "invalid_output", "empty answer"),
])
def test_an_unchecked_draft_is_refused(model: ScriptedModel, advisor: LlmAdvisor, sim_db: SimDatabase,
                                        reply: str, kind: str, reason: str) -> None:
    grounds, ctx = fee_dispute(sim_db)
    model.script(say(reply))
    out = advisor.draft_reply(grounds, ctx)
    assert isinstance(out, LlmFailure) and out.kind == kind and reason in out.reason


@pytest.mark.parametrize(("budgets", "kind"), [
    ({"first_token_s": 0.3}, "first_token_timeout"),
    ({"first_token_s": 10, "timeout_s": 0.3}, "timeout"),
])
def test_a_slow_model_runs_out_of_its_budget(model: ScriptedModel, make_advisor: Callable[..., LlmAdvisor],
                                             sim_db: SimDatabase, budgets: dict[str, float], kind: str) -> None:
    advisor = make_advisor(**budgets)
    grounds, ctx = fee_dispute(sim_db)
    model.script(Turn(content=elastic(grounds), delay_s=3.0))
    tokens: list[str] = []
    out = advisor.draft_reply(grounds, ctx, on_token=tokens.append)
    assert isinstance(out, LlmFailure) and out.kind == kind and not tokens
    if kind == "first_token_timeout":
        assert out.reason == "no first token within 0.3 s"


def test_an_http_500_is_a_failure_not_an_exception(model: ScriptedModel, advisor: LlmAdvisor,
                                                    sim_db: SimDatabase) -> None:
    grounds, ctx = fee_dispute(sim_db)
    model.script(Turn(status=500))
    out = advisor.draft_reply(grounds, ctx)
    assert out == LlmFailure(kind="http_error", reason="HTTP 500")
    assert len(model.requests) == 1, "no retries: the budget is what counts on a live call"


def test_an_unreachable_server(llm_env: Callable[..., object], tools: list[BaseTool], sim_db: SimDatabase) -> None:
    from copilot.llm import open_llm

    advisor = open_llm(llm_env(base_url=f"http://127.0.0.1:{free_port()}/v1"), tools, lambda: AS_OF)  # type: ignore[arg-type]
    assert advisor is not None
    grounds, ctx = fee_dispute(sim_db)
    out = advisor.draft_reply(grounds, ctx)
    assert isinstance(out, LlmFailure) and out.kind == "connection_error"


def test_the_agents_question_is_answered_from_the_grounds(model: ScriptedModel, advisor: LlmAdvisor,
                                                           sim_db: SimDatabase) -> None:
    grounds, ctx = fee_dispute(sim_db)
    model.script(say(f"可以。{grounds.findings[0].text}[R1][K1]。"),
                 say("目前掌握的信息无法确定，需要核实客户是否申请过携号转网。"))
    out = advisor.answer("这个客户能办弹性计费包吗？", grounds, ctx)
    assert isinstance(out, GroundedAnswer) and out.grounded
    assert [s.ref for s in out.sources] == ["elastic_eligible", "KP-TXJF-00012"]
    assert model.requests[0]["messages"][1]["content"].endswith("坐席的问题：这个客户能办弹性计费包吗？\n")

    unknown = advisor.answer("他能携号转网吗？", grounds, ctx)
    assert isinstance(unknown, GroundedAnswer) and not unknown.grounded
    assert unknown.text.startswith("目前掌握的信息无法确定")


def test_a_bug_on_our_side_is_a_failure_too(model: ScriptedModel, advisor: LlmAdvisor, sim_db: SimDatabase) -> None:
    grounds, ctx = fee_dispute(sim_db)
    model.script(say(elastic(grounds)))

    def broken(token: str) -> None:
        raise RuntimeError("sidebar went away")

    out = advisor.draft_reply(grounds, ctx, on_token=broken)
    assert out == LlmFailure(kind="internal_error", reason="internal error (RuntimeError)")
