"""The agent's own questions in the sidebar, answered from the call's facts, the playbooks and the knowledge base.

Deterministic: the answer is put together from what the systems and the knowledge base say, each part citing
what it rests on; when nothing supports an answer, it says so plainly instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from copilot.aftercare import aloud, changed_a_system
from copilot.compose import snippet
from copilot.pii import mask
from copilot.understand.slots import MASKED_PHONE
from knowledge.catalog import Row
from knowledge.schema import RegionScope
from knowledge.search import Hit, Searcher

if TYPE_CHECKING:
    from copilot.graph import CopilotServices

SCRIPT_CUES = re.compile(r"口径|故障|通知|停电|割接|断网|事件|应急")
DISPATCH_CUES = re.compile(r"派(?:个|名)?(?:师傅|人|单|工单)|上门|装维|维修师傅|要不要修|报修")
PROCEDURE_CUES = re.compile(r"多久|多长时间|怎么办|怎么弄|怎么处理|如何|要带|带什么|需要什么|什么材料|什么条件"
                            r"|流程|规定|步骤|有哪些|\d+元(?:档|套餐)|[一二三四五六七八九十百两]+元(?:档|套餐)")
"""A question about how things are done, or about another product than the line's: the knowledge answers it, not
the line's findings ("实名制补登记要带什么证件" is no question about this line's registration)."""
DISPATCH_ANSWERS = {"intercept": "不需要派单上门，可在本次通话中处理", "dispatch": "需要派单上门维修"}
REPAIR_PENDING = {"open_repair_ticket": "已有报修工单在处理，不需要重复派单",
                  "repair_escalation": "已有报修工单在处理（需催办升级），不需要重复派单"}
"""The broadband rules that find a repair already on its way: their answer to "需要派师傅上门吗？"."""
INTENT_CONFIDENCE = 0.5
KNOWLEDGE_COSINE = 0.45
KNOWLEDGE_COSINE_ALONE = 0.5
"""How close in meaning a point must be when it holds none of the question's telling words (光猫LOS灯红了 → 红灯)."""
GENERIC_SHARE = 0.05
"""A word in more of the knowledge base than this (客户 55%, 套餐 47%, 宽带 14%) says nothing about which point."""
GENERIC_FLOOR = 20
"""...and never fewer documents than this (a small knowledge base cannot tell a generic word)."""
COVERED = 2 / 3
"""Without a close meaning, the best point must hold this share of the question's telling words."""
MAX_LOOKUPS = 2
"""System query points answered for one question at most ("余额和星级" asks two)."""
UNKNOWN = "没有查到能回答这个问题的依据（系统记录和知识库里都没有），请不要凭印象答复客户，可转专席或查询后回电。"


def _cities(searcher: Searcher) -> dict[str, tuple[str, str]]:
    """Short city name (南昌) -> (province, city), from the regions the index covers.

    Worked out per question (about a millisecond): a cache keyed by the searcher kept replaced index versions
    alive after an ingest.
    """
    out: dict[str, tuple[str, str]] = {}
    for region in {r.region for r in searcher.rows}:
        scope = RegionScope.parse(region)
        if scope.level == "city" and scope.province and scope.city:
            out[scope.city.removesuffix("市")] = (scope.province, scope.city)
    return out


def _where(searcher: Searcher, question: str, region: list[str | None]) -> tuple[str | None, str | None, str]:
    for short, (province, city) in _cities(searcher).items():
        if short in question:
            return province, city, city
    return region[0], region[1], region[1] or region[0] or "全国"


def _scripts_part(searcher: Searcher, question: str, region: list[str | None], now: datetime
                  ) -> tuple[str, list[str]]:
    province, city, where = _where(searcher, question, region)
    rows = searcher.active_scripts(province, city, now)
    if not rows:
        return f"{where}目前没有生效的应急口径。", [f"应急口径库({searcher.version})"]
    outage = [r for r in rows if r.outage_script]
    head = f"{where}目前有{len(rows)}条生效的应急口径" + (f"，其中故障口径{len(outage)}条" if outage else "")
    top = (outage or rows)[:3]
    titles = "；".join(f"《{r.title}》" for r in top)
    first = snippet(top[0].text, 80)
    return f"{head}：{titles}。第一条口径：{first}", [r.id for r in top]


def _terms(services: CopilotServices, question: str) -> set[str]:
    """The question's telling words (`_telling_words`): a finding holding one answers it ("计费" would match any)."""
    if services.searcher is None:
        return set()
    return _telling_words(services.searcher, question)


def _dispatch_part(state: Any, question: str) -> tuple[str | None, list[str]]:
    """Whether a crew must go out ("需要派师傅上门吗？"): the diagnosis's own intercept or dispatch, with why."""
    diagnosis = state.diagnosis or {}
    findings = diagnosis.get("findings", [])
    pending = next((f for f in findings if f.get("rule") in REPAIR_PENDING), None)
    verdict = REPAIR_PENDING[pending["rule"]] if pending else DISPATCH_ANSWERS.get(diagnosis.get("disposition") or "")
    if verdict is None or not findings or not DISPATCH_CUES.search(question):
        return None, []
    # the line's own finding, not a risk the caller raised ("我要曝光你们" heads the findings but decides no crew)
    why = pending or next((f for f in findings if f.get("evidence")), findings[0])
    action = next((a.get("label") for a in state.actions or [] if a.get("label")), None)
    text = f"按系统核查，{verdict}：{why['text']}" + (f"。建议先{action}" if action else "")
    return text + "。", list(why.get("evidence", []))[:3]


def done_on_call(state: Any) -> list[str]:
    """What the writes confirmed on this call did, as said aloud ("办理弹性计费包，…差额370元退回话费账户")."""
    return [f"{r.get('label') or r.get('action')}，{aloud(str((r.get('data') or {}).get('message') or r['message']))}"
            for r in (state.results or {}).values() if changed_a_system(r)]


def _lookup_part(services: CopilotServices, state: Any, question: str, msisdn: str, now: datetime
                 ) -> tuple[str | None, list[str]]:
    """What the systems say of the line, when the question asks a system query point ("几星级？", "宽带多少兆？").

    A question about another number than the caller's is not looked up (the systems are read for the caller's
    line only).
    """
    others = sorted({n for n in MASKED_PHONE.findall(question) if n != mask(msisdn)})
    if others and services.lookups.asked(question):
        return (f"问题里的号码（{'、'.join(others)}）不是本次来电号码：系统查询只查来电号码，"
                "他人号码的信息须机主本人来电或持有效证件到营业厅查询。"), []
    said, sources = looked_up(services, state, question, msisdn, now)
    if not said:
        return None, []
    return "系统查询：" + "；".join(said) + "。", sources


def looked_up(services: CopilotServices, state: Any, question: str, msisdn: str, now: datetime
              ) -> tuple[list[str], list[str]]:
    """The answers of the system query points `question` asks, read for the caller's line, and their evidence.

    Args:
        services: The graph's services (the lookups and the playbook engine).
        state: The call's state: its slots, and what was done on the call (seen as ``slots.done``).
        question: The question (masked).
        msisdn: The caller's number, from the call context.
        now: The time the systems are read at.

    Returns:
        (answers, evidence): empty when the question asks no lookup; a system that failed is named
        ("…系统未返回"), not guessed past.
    """
    said: list[str] = []
    sources: list[str] = []
    for lookup in services.lookups.asked(question)[:MAX_LOOKUPS]:
        d = services.engine.run(lookup.playbook, {"msisdn": msisdn}, now, {**state.slots, "done": done_on_call(state)})
        # a system that failed: an answer that holds without its read ("名下没有宽带") would be a guess
        failed = sorted({r.system for r in d.reads if not r.ok and r.system})
        if failed:
            said.append(f"{lookup.label}：{'、'.join(failed)}系统未返回，请稍后再查")
        elif d.findings:
            said.append(d.findings[0].text)
            sources += d.findings[0].evidence[:3]
        elif d.unknown:  # a read that timed out, or one that waited on it
            said.append(f"{lookup.label}：系统未返回，请稍后再查")
    return said, sources


def _facts_part(services: CopilotServices, state: Any, question: str, msisdn: str, now: datetime
                ) -> tuple[str | None, list[str]]:
    terms = _terms(services, question)
    known = (state.diagnosis or {}).get("findings", [])
    findings = [f for f in known if any(t in f["text"] for t in terms)]
    diagnosis = state.diagnosis or {}
    if not findings:
        prediction = services.classifier.predict(question)
        intent, confidence = prediction.intents[0]
        book = services.playbooks.get(intent)
        if book is None or intent == "other" or confidence < INTENT_CONFIDENCE:
            return None, []
        if state.diagnosed_intent != intent or not state.diagnosis:
            diagnosis = services.engine.run(book, {"msisdn": msisdn}, now, state.slots).model_dump()
        findings = diagnosis.get("findings", [])
    if not findings:
        return None, []
    text = "系统核查：" + "；".join(f["text"] for f in findings[:2])
    if diagnosis.get("unknown"):
        text += "（部分系统未返回，结论可能不全）"
    return text + "。", [e for f in findings[:2] for e in f.get("evidence", [])[:2]]


def _knowledge_part(searcher: Searcher, question: str, region: list[str | None], now: datetime
                    ) -> tuple[str | None, list[str]]:
    found = answering_point(searcher, question, region, now)
    if found is None:
        return None, []
    hit, row = found
    return f"知识库《{hit.title}》：{snippet(row.text, 120)}", [hit.id]


def answering_point(searcher: Searcher, question: str, region: Sequence[str | None], now: datetime
                    ) -> tuple[Hit, Row] | None:
    """The knowledge point that answers `question` for the region and day: the best hit, if it is on its topic.

    Args:
        searcher: The knowledge search.
        question: The question.
        region: (province, city, ...) of the caller.
        now: The day the point must be in force.

    Returns:
        (hit, row), or None when no point is on the question's topic (`_on_topic`).
    """
    hits = searcher.search(question, province=region[0], city=region[1], at=now, kinds=("point",), k=3)
    row = searcher.row(hits[0]) if hits else None
    if row is None or not _on_topic(searcher, question, hits[0].why.get("cosine") or 0.0, row):
        return None
    return hits[0], row


def _telling_words(searcher: Searcher, question: str) -> set[str]:
    """The question's own words that tell points apart.

    Not question words or parts of one (多少, 能办, 条件), not words much of the knowledge base holds (客户, 套餐),
    and each once (亲情网, not also 亲情 and 情网).
    """
    tokenizer = searcher.lexical.tokenizer
    said = tokenizer.normalize(question)
    cues = {cue for cues in tokenizer.question_types.values() for cue in cues}
    limit = max(GENERIC_SHARE * len(searcher.rows), GENERIC_FLOOR)
    words = {t for t in tokenizer.tokens(question) if len(t) >= 2 and t in said
             and not any(t in cue for cue in cues) and searcher.lexical.document_frequency(t) <= limit}
    return {w for w in words if not any(w != other and w in other for other in words)}


def _on_topic(searcher: Searcher, question: str, cosine: float, row: Row) -> bool:
    """Whether the best point answers the question.

    It holds one of the question's telling words and is close in meaning, or it holds most of them; with none of
    them (or none to hold), it must be close in meaning, and closer still when it misses every one. Shared words
    alone are not enough: "客户想投诉你们的快递送得慢" shares 客户 and 投诉 with a broadband complaint procedure
    (cosine 0.46), but neither 快递 nor 送得慢.
    """
    words = _telling_words(searcher, question)
    held = set(row.tokens)
    found = {w for w in words if w in held or w in row.title}
    if not found:
        return cosine >= (KNOWLEDGE_COSINE_ALONE if words else KNOWLEDGE_COSINE)
    return cosine >= KNOWLEDGE_COSINE or len(found) >= COVERED * len(words)


def answer_question(services: CopilotServices, state: Any, question: str, msisdn: str) -> dict[str, Any]:
    """Answer the agent's question from the call's grounds.

    Args:
        services: The graph's services.
        state: The call's state (caller's region, facts already fetched, intent).
        question: The agent's question (masked).
        msisdn: The caller's number, from the call context.

    Returns:
        ``{"question", "answer", "sources", "grounded"}``; ``grounded`` is False when nothing supported an
        answer and the text says so.
    """
    now = services.clock()
    region = list(state.region or [None, None, None])
    parts: list[str] = []
    sources: list[str] = []
    if services.searcher is not None and SCRIPT_CUES.search(question):
        text, cited = _scripts_part(services.searcher, question, region, now)
        parts.append(text)
        sources += cited
    dispatch, cited = _dispatch_part(state, question)
    if dispatch:
        parts.append(dispatch)
        sources += cited
    looked_up, cited = (None, []) if dispatch else _lookup_part(services, state, question, msisdn, now)
    if looked_up:  # a question about the line itself: the systems answer it, not a knowledge point
        parts.append(looked_up)
        sources += cited
    procedural = PROCEDURE_CUES.search(question) is not None
    facts, cited = (None, []) if dispatch or looked_up or procedural else _facts_part(services, state, question,
                                                                                       msisdn, now)
    if facts:
        parts.append(facts)
        sources += cited
    if services.searcher is not None and not looked_up:
        known, cited = _knowledge_part(services.searcher, question, region, now)
        if known:
            parts.append(known)
            sources += cited
    return {"question": question, "answer": "\n".join(parts) if parts else UNKNOWN,
            "sources": list(dict.fromkeys(sources)), "grounded": bool(parts), "origin": "rules"}
