"""The copilot's graph: understand → diagnose (playbook) → retrieve → compose; act only after confirmation.

`build_graph` returns the uncompiled builder, so that callers (the API, tests, evals) compile it with their
own checkpointer. Heavy dependencies come in as `CopilotServices`; per-call settings as `CallContext`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from langchain_core.tools import BaseTool
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from copilot.context import CallContext
from copilot.playbooks.engine import PlaybookEngine
from copilot.playbooks.schema import Playbook
from copilot.state import CallInput, CallOutput, CallState
from copilot.understand.classifier import IntentClassifier
from copilot.understand.risk import RiskLexicon
from knowledge.search import Searcher

CONTEXT_UTTERANCES = 3
Region = tuple[str | None, str | None, str | None]


@dataclass
class CopilotServices:
    """What the graph's nodes use; built once per process."""

    classifier: IntentClassifier
    risks: RiskLexicon
    engine: PlaybookEngine
    playbooks: dict[str, Playbook]
    write_tools: dict[str, BaseTool]
    searcher: Searcher | None
    clock: Callable[[], datetime]
    locate: Callable[[str], Region]
    """The caller's (province, city, district) from BOSS; all None when it cannot be read."""


def build_graph(services: CopilotServices) -> StateGraph[CallState, CallContext, CallInput, CallOutput]:
    """The uncompiled graph."""

    def route(state: CallState) -> str:
        return "act" if state.requested_action else "understand"

    def understand(state: CallState) -> dict[str, Any]:
        said = [u["text"] for u in state.transcript if u["speaker"] == "caller"][-CONTEXT_UTTERANCES:]
        if not said:
            return {}
        prediction = services.classifier.predict("，".join(said))
        return {"intents": prediction.intents, "emotion": prediction.emotion,
                "risks": services.risks.detect(said[-1])}

    def diagnose(state: CallState, runtime: Runtime[CallContext]) -> dict[str, Any]:
        located = {} if state.region is not None else {"region": list(services.locate(runtime.context.msisdn))}
        if not state.intents:
            return located
        intent = state.intents[0][0]
        if intent == state.diagnosed_intent and state.diagnosis is not None:
            return located  # same intent: the fresh results stand
        book = services.playbooks.get(intent)
        if book is None:
            return {**located, "diagnosed_intent": intent, "diagnosis": None}
        d = services.engine.run(book, {"msisdn": runtime.context.msisdn}, services.clock())
        return {**located, "diagnosed_intent": intent, "diagnosis": d.model_dump()}

    def retrieve(state: CallState) -> dict[str, Any]:
        if services.searcher is None or not state.transcript:
            return {}
        province, city, district = state.region or (None, None, None)
        query = [u["text"] for u in state.transcript if u["speaker"] == "caller"][-1:] or [""]
        hits = services.searcher.search(query[0], province=province, city=city, district=district,
                                        at=services.clock(), k=5)
        scripts = services.searcher.active_scripts(province, city, services.clock(), district)
        outage = [s for s in scripts if s.outage_id]
        return {"knowledge": [asdict(h) for h in hits],
                "scripts": [{"id": s.id, "title": s.title, "outage_id": s.outage_id,
                             "wording": getattr(s.doc(), "wording", "")} for s in outage[:3]]}

    def compose(state: CallState) -> dict[str, Any]:
        d = state.diagnosis or {}
        actions = [a | {"key": f"{a['action']}"} for a in d.get("actions", [])]
        reply = d.get("reply")
        if state.scripts and d.get("disposition") != "dispatch":
            reply = state.scripts[0]["wording"]
        if state.scripts:
            actions = [a for a in actions if a["action"] != "create_repair_ticket"]
        return {"reply": reply or "您好，请问有什么可以帮您？", "actions": actions}

    def act(state: CallState, runtime: Runtime[CallContext]) -> dict[str, Any]:
        key = state.requested_action
        action = next((a for a in state.actions if a["key"] == key), None)
        if action is None:
            return {"requested_action": None, "results": {str(key): {"ok": False, "message": "没有这个建议动作"}}}
        if key in state.results and state.results[key].get("ok"):
            return {"requested_action": None, "results": {key: state.results[key]}}  # done already: never twice
        decision = interrupt({"confirm": action})
        if not (isinstance(decision, dict) and decision.get("confirm")):
            return {"requested_action": None, "results": {key: {"ok": False, "message": "坐席已取消"}}}
        tool = services.write_tools.get(action.get("tool") or "")
        if tool is None:
            return {"requested_action": None, "results": {key: {"ok": True, "message": "已记录，按指引处理"}}}
        args = {k: v for k, v in action["params"].items() if v is not None}
        args.setdefault("msisdn", runtime.context.msisdn)
        args.update(actor=runtime.context.agent_id, idempotency_key=f"{runtime.context.call_id}:{key}")
        fields = set(tool.args)
        result = tool.invoke({k: v for k, v in args.items() if k in fields})
        return {"requested_action": None,
                "results": {key: {"ok": result.ok, "message": result.summary(), "data": result.data}}}

    graph = StateGraph(CallState, context_schema=CallContext, input_schema=CallInput, output_schema=CallOutput)
    for name, node in (("understand", understand), ("diagnose", diagnose), ("retrieve", retrieve),
                       ("compose", compose), ("act", act)):
        graph.add_node(name, node)
    graph.add_conditional_edges(START, route, ["understand", "act"])
    graph.add_edge("understand", "diagnose")
    graph.add_edge("diagnose", "retrieve")
    graph.add_edge("retrieve", "compose")
    graph.add_edge("compose", END)
    graph.add_edge("act", END)
    return graph

