"""The copilot's graph: understand → retrieve → diagnose → compose; ask; act only after confirmation; wrap up.

`build_graph` returns the uncompiled builder, so that callers (the API, tests, evals) compile it with their
own checkpointer. Heavy dependencies come in as `CopilotServices`; per-call settings as `CallContext`.
Retrieval runs first and its knowledge card goes out before any back-office system is asked, so it never
waits for a slow one; then diagnosis runs the playbook's reads concurrently (its own pool, per-tool timeouts).
Retrieval is a few milliseconds of in-process CPU: beside the diagnosis, in a thread of its own, it only took
turns with the reads on the GIL, and the step cost a thread pool of its own each turn (measured on the turn
bench's calls: 8.0-8.3 ms of CPU a turn side by side, 6.5-6.8 ms in this order).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from langchain_core.tools import BaseTool
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from copilot.aftercare import Aftercare, basis_of, changed_a_system
from copilot.ask import answer_question
from copilot.compose import compose_reply, concerns, knowledge_card, script_card, scripts_ruled_out
from copilot.context import CallContext
from copilot.followup import answer_follow_up, said_before, trip_of, with_destination
from copilot.guides import GuidedKnowledge, guide_queries, merge_cards
from copilot.llm import DraftedReply, GroundedAnswer, Grounds, LlmAdvisor, Understanding
from copilot.lookups import Lookups
from copilot.pii import about_someone_else, without_number
from copilot.playbooks.engine import PlaybookEngine
from copilot.playbooks.schema import Playbook
from copilot.register import Register, script_again
from copilot.state import CallInput, CallOutput, CallState
from copilot.understand.acknowledgements import Acknowledgements
from copilot.understand.calls import INTENT_UTTERANCES, read_call, same_need
from copilot.understand.classifier import IntentClassifier
from copilot.understand.risk import RiskLexicon
from copilot.understand.slots import Places, extract_slots, merge_slots
from copilot.understand.statements import Statements
from copilot.wrapup import with_callers_words, wrap_up
from knowledge.search import Searcher
from knowledge.vocabulary import Vocabulary

CONTEXT_UTTERANCES = INTENT_UTTERANCES
"""The caller's last utterances that retrieval reads: the ones the intent is read from, so they are embedded once."""
PLAYBOOK_SLOTS = frozenset({"months", "addresses", "numbers", "destinations"})
"""Slots the playbooks read, with the statements' (`CopilotServices.statements`: what the caller has said of the
fault, ``symptoms`` and ``lights``, whether they ordered it, ``ordered`` ...): a new one re-runs the diagnosis;
others (amounts, dates) only show on the card. Statements and destinations decide what is still to be asked.
An action confirmed on the call that wrote to a system (``slots.written``) re-runs it too.
The playbooks also see the call's risks (``slots.risks``: every risk raised so far in the call) and the caller's
emotion (``slots.emotion``: the strongest shown so far, calm < anxious < angry), so that a rule can escalate a
threatening or furious caller. Both only grow during a call, so they re-run the diagnosis at most a few times.
``slots.carried_out`` names every action carried out on the call, writes or not (an escalation to the duty manager).
``slots.still_failing`` is true on a turn that says what was done on the call for its need has not fixed it
("开关了一下，还是上不去"); ``slots.not_fixed`` on a turn that says it is still not right, whatever was done
("设好了，还是不行" after the steps the caller was told)."""
EMOTION_LEVELS = ("calm", "anxious", "angry")
ANGER = "anger"
"""The risk lexicon's words that say the caller is angry: they set the emotion, and are no risk of their own."""
TURN_RISKS = frozenset({"third_party_number"})
"""Risks about one request, not the caller: they do not carry over to later turns."""
FOLLOW_UP_TURNS = 4
"""A turn this close after one that named someone else's number, speaking of a third person (她欠了多少), is about
that number too. 2 until a trial asked "那她欠了多少钱啊" a second time, three turns after the mother's number, and
heard the caller's own arrears: a refusal too many costs the agent a look, a lookup too many tells the caller
another line's figures."""
LLM_OVERRIDES_BELOW = 0.5
"""The model's intent replaces the classifier's only when the classifier is less sure than this."""
Region = tuple[str | None, str | None, str | None]


@dataclass
class CopilotServices:
    """What the graph's nodes use; built once per process."""

    classifier: IntentClassifier
    vocabulary: Vocabulary
    risks: RiskLexicon
    engine: PlaybookEngine
    playbooks: dict[str, Playbook]
    write_tools: dict[str, BaseTool]
    searcher: Searcher | None
    clock: Callable[[], datetime]
    locate: Callable[[str], Region]
    """The caller's (province, city, district) from BOSS; all None when it cannot be read."""
    llm: LlmAdvisor | None = None
    """The optional model: refines understanding, drafts the reply, answers the agent. None: rules only."""
    guides: GuidedKnowledge = field(default_factory=GuidedKnowledge)
    """The playbooks' guided searches, remembered per index version, region and day."""
    places: Places = field(default_factory=Places)
    """The roaming destinations a caller may name (the lexicon's places); none finds none."""
    acknowledgements: Acknowledgements = field(default_factory=Acknowledgements)
    """Words of a caller turn that asks for nothing new ("好的谢谢"); none: every turn is read and searched."""
    aftercare: Aftercare = field(default_factory=Aftercare)
    """The replies after a write done on the call (`copilot.aftercare`); the default has no still-failing words."""
    statements: Statements = field(default_factory=Statements)
    """What callers say of their situation ("一直上不去"), read into slots the playbooks see; none finds none."""
    register: Register = field(default_factory=Register)
    """How a reply is said mid-call and to an angry caller (`copilot.register`); the default changes nothing."""
    lookups: Lookups = field(default_factory=Lookups)
    """The system query points agents ask ("几星级？"); none: their questions go to findings and knowledge."""


def build_graph(services: CopilotServices) -> StateGraph[CallState, CallContext, CallInput, CallOutput]:
    """The uncompiled graph."""

    def route(state: CallState) -> str:
        if state.requested_action:
            return "act"
        if state.question:
            return "ask"
        return "wrapup" if state.ending else "understand"

    def understand(state: CallState, runtime: Runtime[CallContext]) -> dict[str, Any]:
        update: dict[str, Any] = {}
        if state.region is None:
            update["region"] = list(services.locate(runtime.context.msisdn))
        said = [u for u in state.transcript if u["speaker"] == "caller"]
        if not said:
            return update
        texts = [u["text"] for u in said]
        intents, prediction = read_call(services.classifier, texts, state.intents,
                                        acknowledgements=services.acknowledgements)
        if prediction is None:
            # "好的谢谢" (it holds no number, no cue): what the call is about stands, the risks of the turn it
            # answers included (a request about someone else's number is still the one being answered)
            return update
        if still_failing(state, texts[-1]) and intents[0][0] != state.intents[0][0]:
            intents = state.intents  # "还是上不去" after the 光猫 was rebooted: the need acted on, not a new one
        risks = services.risks.detect(texts[-1])
        said_now = extract_slots(texts[-1], services.clock().date(), services.places, services.statements)
        if escalated_only(state, intents, risks, said_now):
            intents = state.intents  # "我要投诉你们！" on a data-fault call: the same need, escalated
        slots = merge_slots(state.slots, said_now, services.statements.latest_last)
        if said[-1].get("other_number") or (any(u.get("other_number") for u in said[-1 - FOLLOW_UP_TURNS:-1])
                                            and about_someone_else(texts[-1])):
            risks.append("third_party_number")  # "她欠了多少钱" just after the caller named their mother's number
        if same_need(state.intents, intents, slots, texts[-1], said_now):
            intents = state.intents  # "流量贵不贵" on a trip's call: the roaming need, not a fee dispute
        emotion = "angry" if ANGER in risks else prediction.emotion  # "气死我了" read as anxious
        kept = [r for r in dict.fromkeys(risks) if r != ANGER]
        return {**update, "intents": intents, "emotion": emotion, "risks": kept, "call_risks": kept, "slots": slots}

    def diagnose(state: CallState, runtime: Runtime[CallContext]) -> dict[str, Any]:
        if not state.intents:
            return {"diagnosis": state.diagnosis}
        intent = state.intents[0][0]
        slots = {k: v for k, v in state.slots.items() if k in PLAYBOOK_SLOTS or k in services.statements.names}
        last = last_words(state)
        slots |= {"risks": call_risks(state), "emotion": call_emotion(state), "written": written(state),
                  "carried_out": carried_out(state), "still_failing": still_failing(state, last),
                  "not_fixed": services.aftercare.still_not_right(last)}
        if intent == state.diagnosed_intent and slots == state.diagnosed_slots and state.diagnosis is not None:
            return {"diagnosis": state.diagnosis}  # same intent, nothing new said: the fresh results stand
        book = services.playbooks.get(intent)
        if book is None:
            return {"diagnosed_intent": intent, "diagnosed_slots": slots, "diagnosis": None}
        d = services.engine.run(book, {"msisdn": runtime.context.msisdn}, services.clock(), slots).model_dump()
        for action in d["actions"]:  # kept in the checkpoints and the audit trail: `act` takes the caller's
            action["params"] = without_number(action["params"], runtime.context.msisdn)  # number from the context
        # a need the call was worked on: its playbook found something on the line (a passing misreading that
        # found nothing does not stay in the wrap-up's 诉求)
        needs = [intent] if intent != "other" and d["findings"] else []
        return {"diagnosed_intent": intent, "diagnosed_slots": slots, "diagnosis": d, "needs": needs}

    def written(state: CallState) -> list[str]:
        """The actions that changed a system during the call (a ticket, a refund).

        The systems answer differently after one, so the diagnosis is run again rather than re-used.
        """
        return sorted(key for key, result in state.results.items() if changed_a_system(result))

    def offered(state: CallState, actions: list[dict[str, Any]]) -> bool:
        """The last reply asked the caller whether to carry out a change that still waits on the card.

        A ticket is no such offer (the caller who says "给我办吧" wants the service, not a record of the request).
        """
        asked = (state.reply or "").rstrip().endswith(("吗？", "吗?")) and "为您" in (state.reply or "")
        kinds = services.vocabulary.action_by_id
        return asked and any(a.get("needs_confirmation") and a["key"] not in state.results
                             and a["action"] in kinds and kinds[a["action"]].kind != "ticket" for a in actions)

    def last_words(state: CallState) -> str:
        """The caller's last turn that says something ("还是上不去"), not one that only acknowledges ("好的")."""
        said = (u["text"] for u in reversed(state.transcript) if u["speaker"] == "caller")
        return next((text for text in said if not services.acknowledgements.covers(text)), "")

    def carried_out(state: CallState) -> list[str]:
        """Every action the agent carried out on the call (a write, a guidance, an escalation to the duty manager)."""
        return sorted({r.get("action") or key for key, r in state.results.items() if r.get("ok")})

    def call_risks(state: CallState) -> list[str]:
        """The risks raised anywhere in the call so far (a threat made once still stands), with this turn's.

        The last diagnosis holds the call's risks up to the turn before, so no earlier line is read again; a
        request about someone else's number stands for the turn that makes it only.
        """
        earlier = [r for r in state.diagnosed_slots.get("risks", []) if r not in TURN_RISKS]
        return sorted(set(earlier) | set(state.risks))

    def call_emotion(state: CallState) -> str:
        """The strongest emotion of the call so far (a caller who was angry is still to be handled as one)."""
        shown = [e for e in (state.emotion, state.diagnosed_slots.get("emotion")) if e in EMOTION_LEVELS]
        return max(shown, key=EMOTION_LEVELS.index, default="calm")

    def still_failing(state: CallState, said: str) -> bool:
        """The caller says what was done on the call for its need has not fixed it ("还是上不去啊，灯也在闪")."""
        if not state.intents or not services.aftercare.still_not_right(said):
            return False
        need = state.intents[0][0]
        return any(changed_a_system(r) and r.get("intent") == need for r in state.results.values())

    def escalated_only(state: CallState, intents: list[tuple[str, float]], risks: list[str],
                       said_now: dict[str, Any]) -> bool:
        """The turn threatens a complaint about the call's need without naming a service failing.

        The classifier reads "我要投诉你们！" as a service complaint; on a call about a fault or a fee it is the same
        need, escalated (the risk card and the playbook's escalation rules take it from there). A complaint that
        names whom or what it is about (营业厅, 工作人员, 态度: ``slots.complaint_about``) is a new need.
        """
        return (bool(state.intents) and intents[0][0] == "service_complaint"
                and state.intents[0][0] not in ("service_complaint", "other")
                and bool({"complaint_escalation", "escalation_threat"} & set(risks))
                and "complaint_about" not in said_now)

    def acknowledged(state: CallState) -> bool:
        """The caller's latest turn only acknowledges ("好的谢谢"), in a call whose intent is known."""
        said = [u["text"] for u in state.transcript if u["speaker"] == "caller"]
        return bool(state.intents) and len(said) > 1 and services.acknowledgements.covers(said[-1])

    def retrieve(state: CallState) -> dict[str, Any]:
        searcher = services.searcher
        said = [u["text"] for u in state.transcript if u["speaker"] == "caller"]
        if searcher is None or not said:  # no knowledge base: an empty card (not sent again for "好的")
            return {} if acknowledged(state) else {"knowledge": [], "scripts": []}
        province, city, district = state.region or (None, None, None)
        now = services.clock()
        outage = [s for s in searcher.active_scripts(province, city, now, district) if s.outage_script]
        intent = state.intents[0][0] if state.intents else None
        scripts = [s for s in script_card(searcher, outage) if concerns(s, intent)][:3]
        if acknowledged(state):
            # nothing new asked: the knowledge shown stands; only today's outage scripts may have changed (unless
            # the diagnosis ruled the area's outages out for this line)
            if scripts == state.scripts or scripts_ruled_out(state.diagnosis):
                return {}
            return {"knowledge": state.knowledge, "scripts": scripts}
        query = with_destination("，".join(said[-CONTEXT_UTTERANCES:]), trip_of(state))  # its place, said once
        hits = searcher.search(query, province=province, city=city, district=district, at=now, k=5)
        guides = guide_queries(services.playbooks.get(intent or ""), state.diagnosis)
        knowledge = merge_cards(services.guides.card(searcher, guides, state.region, now),
                                knowledge_card(searcher, hits))
        return {"knowledge": knowledge, "scripts": scripts, "knowledge_guides": guides}

    def compose(state: CallState, runtime: Runtime[CallContext]) -> dict[str, Any]:
        intent = state.intents[0][0] if state.intents else None
        update: dict[str, Any] = {}
        found = (state.diagnosis or {}).get("knowledge_queries") or []
        missing = [q for q in found if q not in state.knowledge_guides]
        if missing and services.searcher is not None:  # a new diagnosis: its findings' know-how heads the card
            guided = [k for k in state.knowledge if "guide" in k.get("why", {})]
            rest = [k for k in state.knowledge if "guide" not in k.get("why", {})]
            new = services.guides.card(services.searcher, missing, state.region, services.clock())
            merged = merge_cards([*new, *guided], rest)
            update = {"knowledge_guides": [*state.knowledge_guides, *missing]}
            if [k["id"] for k in merged] != [k["id"] for k in state.knowledge]:
                update["knowledge"] = merged
        scripts = state.scripts
        if scripts and scripts_ruled_out(state.diagnosis):
            # the diagnosis ruled the area's outages out for this line (another OLT's, or after the line failed):
            # their scripts (retrieval, not waiting for it, put them first) would tell the caller to wait
            ruled_out = {s["id"] for s in scripts}
            update["knowledge"] = [k for k in update.get("knowledge", state.knowledge) if k["id"] not in ruled_out]
            update["scripts"] = scripts = []
        knowledge = update.get("knowledge", state.knowledge)
        said = [u["text"] for u in state.transcript if u["speaker"] == "caller"]
        book = services.playbooks.get(intent or "")
        suggestion = services.aftercare.follow_up(compose_reply(intent, state.diagnosis, knowledge, scripts), intent,
                                                  state.results, said[-1] if said else "", services.vocabulary,
                                                  book.fallback_reply if book else None)
        shown = [state.emotion, *call_risks(state)]  # an elderly caller stays one for the whole call
        if said and offered(state, suggestion["actions"]) and "go_ahead" in services.statements.find(said[-1]).get(
                "consent", []):
            # "那行吧，给我办吧" to "…请问现在为您办理吗？": the agent confirms the offer on the card, not read again
            suggestion["reply"] = services.register.agreed
        elif suggestion["reply"] in {s.get("wording") for s in scripts}:  # a script is read word for word, once
            update["rules_replies"] = [suggestion["reply"]]
            if suggestion["reply"] in state.rules_replies:  # "那什么时候能修好？": that it still holds, its estimate
                again = script_again(services.register, suggestion["reply"])  # said as the call goes, not read
                suggestion["reply"] = services.register.adapt(again, 2, shown, intent)
        else:
            update["rules_replies"] = [suggestion["reply"]]
            if said_before(suggestion["reply"], state.rules_replies) and not acknowledged(state):
                # "那一天多少钱？": the same reply again would not answer it
                answered = answer_follow_up(services, state, said[-1], runtime.context.msisdn, services.clock())
                if answered:
                    suggestion["reply"], suggestion["reply_sources"] = answered
            # turns that only acknowledge ("好的谢谢") do not count: their reply card is the one before, unchanged
            asked = sum(1 for text in said if not services.acknowledgements.covers(text))
            suggestion["reply"] = services.register.adapt(suggestion["reply"], max(asked, 1), shown, intent)
        return {**update, **suggestion}

    def draft(state: CallState, runtime: Runtime[CallContext]) -> dict[str, Any]:
        """LLM mode: the model's reading of the call and its reply; the rules' reply stands if it fails."""
        assert services.llm is not None
        llm = services.llm
        said = [u["text"] for u in state.transcript if u["speaker"] == "caller"][-CONTEXT_UTTERANCES:]
        labels = {i.id: i.label for i in services.vocabulary.intents}
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="llm") as pool:
            # an acknowledgement is not read again by the model either: the call's reading stands
            read = None if acknowledged(state) else pool.submit(llm.understand, said, labels,
                                                                  list(services.risks.risks))
            drafted = pool.submit(llm.draft_reply, Grounds.from_state(state), runtime.context)
            understood, reply = read.result() if read else None, drafted.result()
        update: dict[str, Any] = {}
        if isinstance(understood, Understanding):
            update["risks"] = list(dict.fromkeys([*state.risks, *understood.risks]))
            update["call_risks"] = update["risks"]
            update["emotion"] = understood.emotion
            pairs = understood.as_pairs()
            if pairs and state.intents and pairs[0][0] != state.intents[0][0] and \
                    state.intents[0][1] < LLM_OVERRIDES_BELOW:
                update["intents"] = pairs  # the classifier was unsure: the next turn diagnoses the model's intent
        if isinstance(reply, DraftedReply):
            return {**update, "reply": reply.text, "reply_origin": "llm", "reply_notice": None,
                    "reply_sources": [src.ref for src in reply.sources] or state.reply_sources}
        return {**update, "reply_origin": "rules", "reply_notice": reply.notice}

    def ask(state: CallState, runtime: Runtime[CallContext]) -> dict[str, Any]:
        question = state.question or ""
        update: dict[str, Any] = {}
        if state.region is None:  # asked before the caller said anything
            update["region"] = list(services.locate(runtime.context.msisdn))
            state = replace(state, region=update["region"])  # a copy: nodes return updates, never mutate
        answer = answer_question(services, state, question, runtime.context.msisdn)
        if services.llm is not None:
            said = services.llm.answer(question, Grounds.from_state(state), runtime.context)
            if isinstance(said, GroundedAnswer):
                answer = {"question": question, "answer": said.text, "sources": [x.ref for x in said.sources],
                          "grounded": said.grounded, "origin": "llm"}
            else:
                answer["notice"] = said.notice
        return {**update, "question": None, "questions": [{"text": question}], "answers": [answer]}

    def wrapup(state: CallState, runtime: Runtime[CallContext]) -> dict[str, Any]:
        last = last_words(state)
        return {"wrapup": wrap_up(state, services.vocabulary, runtime.context.agent_id, still_failing(state, last),
                                  last)}

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
        args["msisdn"] = runtime.context.msisdn
        if "description" in tool.args and isinstance(args.get("description"), str):
            args["description"] = with_callers_words(args["description"], state.transcript)
        args.update(actor=runtime.context.agent_id, idempotency_key=f"{runtime.context.call_id}:{key}")
        fields = set(tool.args)
        result = tool.invoke({k: v for k, v in args.items() if k in fields})
        # what it was, for which need, and on what grounds: the next turns and the wrap-up say what was done
        done = {"action": action["action"], "label": action["label"], "tool": tool.name,
                "intent": state.intents[0][0] if state.intents else None, "basis": basis_of(state.diagnosis)}
        caller = runtime.context.msisdn  # the outcome names the line ("target"): kept masked, as the parameters
        return {"requested_action": None, "results": {key: {"ok": result.ok,
                                                             "message": without_number(result.summary(), caller),
                                                             "data": without_number(result.data, caller), **done}}}

    graph = StateGraph(CallState, context_schema=CallContext, input_schema=CallInput, output_schema=CallOutput)
    for name, node in (("understand", understand), ("diagnose", diagnose), ("retrieve", retrieve),
                       ("compose", compose), ("ask", ask), ("wrapup", wrapup), ("act", act)):
        graph.add_node(name, node)
    if services.llm is not None:
        graph.add_node("draft", draft)
    graph.add_conditional_edges(START, route, ["understand", "act", "ask", "wrapup"])
    graph.add_edge("understand", "retrieve")
    graph.add_edge("retrieve", "diagnose")
    graph.add_edge("diagnose", "compose")
    if services.llm is not None:
        graph.add_edge("compose", "draft")
    for last in ("draft" if services.llm else "compose", "ask", "wrapup", "act"):
        graph.add_edge(last, END)
    return graph
