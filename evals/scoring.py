"""One case, scored: which gold expectation it met, with what was expected and what the copilot suggested.

`score_case` turns a `CaseResult` into a `CaseScore`: the per-case checks that reports list and that
`evals.compare` diffs between runs, plus the counts that `evals.metrics` adds up over cases. Every definition
here is documented in evals/README.md (section 指标定义).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from evals.grounding import mentions, normalize, ungrounded
from evals.records import CaseResult, Suggestion, TurnResult

SHOWN_INTENT_MIN_CONFIDENCE = 0.05  # the sidebar shows the top intent and any other at >= 5% (copilot/web/cards.js)
REPAIR_ACTION = "create_repair_ticket"
ESCALATE_ACTION = "escalate_supervisor"

CHECK_LABELS = {
    "replay": "回放完成", "intent": "主意图", "secondary_intents": "次要意图", "read_tools": "必查工具",
    "findings": "诊断结论", "actions": "建议动作", "must_not_actions": "禁止动作", "disposition": "处置结论",
    "knowledge": "知识命中(前5)", "grounded": "数字有据", "must_mention": "必提事实", "must_not_say": "禁语",
    "escalate": "升级主管", "pii": "个人信息不外泄",
}


@dataclass
class Check:
    """One expectation of one case."""

    name: str
    ok: bool
    expected: Any
    suggested: Any
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the Chinese label."""
        return {"name": self.name, "label": CHECK_LABELS.get(self.name, self.name), "ok": self.ok,
                "expected": self.expected, "suggested": self.suggested, "note": self.note}


@dataclass
class CaseScore:
    """A scored case: its checks, and the counts the run's metrics add up."""

    result: CaseResult
    checks: dict[str, Check] = field(default_factory=dict)
    predicted: str | None = None
    turn_hits: list[bool] = field(default_factory=list)
    first_right: int | None = None
    secondary: tuple[int, int] = (0, 0)
    reads: tuple[int, int] = (0, 0)
    findings: tuple[int, int] = (0, 0)
    actions_union: tuple[int, int, int] = (0, 0, 0)
    actions_final: tuple[int, int, int] = (0, 0, 0)
    must_not_violated: bool | None = None
    intercepted: bool | None = None
    disposition: str | None = None
    rank_best: int | None = None
    rank_last: int | None = None
    mentions: int = 0
    ungrounded: list[dict[str, Any]] = field(default_factory=list)
    has_reply: bool = False
    must_mention: tuple[int, int] = (0, 0)
    must_not_said: bool | None = None
    escalated: bool = False
    tools: set[str] = field(default_factory=set)
    systems: set[str] = field(default_factory=set)
    leaks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def main(self) -> str:
        """The gold main intent."""
        return self.result.gold.intents[0]

    def failed(self) -> list[str]:
        """The names of the checks the case failed."""
        return [name for name, check in self.checks.items() if not check.ok]


def shown_intents(suggestion: Suggestion) -> list[str]:
    """The intents the sidebar shows: the top one, and the others at >= `SHOWN_INTENT_MIN_CONFIDENCE`."""
    return [intent for n, (intent, confidence) in enumerate(suggestion.intents)
            if n == 0 or confidence >= SHOWN_INTENT_MIN_CONFIDENCE]


def knowledge_rank(suggestion: Suggestion, gold: list[str]) -> int | None:
    """Rank of the best gold item shown: an emergency script (pinned banner) is rank 1, else its knowledge rank."""
    if any(item in gold for item in suggestion.scripts):
        return 1
    ranks = [n for n, item in enumerate(suggestion.knowledge, 1) if item in gold]
    return min(ranks) if ranks else None


def said_texts(suggestion: Suggestion) -> list[str]:
    """What the copilot wrote for the agent to say: the reply, and its answer to the agent when recorded."""
    extra = suggestion.model_extra or {}
    return [text for text in (suggestion.reply, extra.get("answer")) if isinstance(text, str) and text.strip()]


def _squash(text: str) -> str:
    return "".join(normalize(text).split()).lower()


def said_in(phrase: str, text: str) -> bool:
    """Whether `phrase` is in `text`, ignoring spaces and width; a number in it is a whole number there.

    ``0元`` is not in "60元", nor ``480`` in "1480元", "4800" or "1,480": a phrase that starts or ends with a digit
    matches only where the text's number starts or ends there too.
    """
    wanted, said = _squash(phrase), _squash(text)
    if not wanted:
        return False
    before = r"(?<![\d.])(?<!\d,)" if wanted[0].isdigit() else ""
    after = r"(?![.,]?\d)" if wanted[-1].isdigit() else ""
    return re.search(before + re.escape(wanted) + after, said) is not None


def mentioned(phrase: str, texts: list[str]) -> bool:
    """Whether `phrase` is in one of `texts` (`said_in`).

    A phrase that is a lone value (``480元``) also matches the same value written otherwise (``四百八十元``).
    """
    if any(said_in(phrase, text) for text in texts):
        return True
    wanted = mentions(phrase)
    if len(wanted) != 1 or len(_squash(wanted[0].text)) < len(_squash(phrase)) - 1:
        return False
    return not ungrounded(phrase, texts)


def _caller_turns(result: CaseResult) -> list[TurnResult]:
    return [turn for turn in result.turns if turn.speaker == "caller"]


def _top(suggestion: Suggestion) -> str | None:
    return suggestion.intents[0][0] if suggestion.intents else None


def _score_intent(score: CaseScore) -> None:
    result, gold = score.result, score.result.gold
    callers = _caller_turns(result)
    score.predicted = _top(callers[-1].suggestion) if callers else None
    tops = [_top(turn.suggestion) for turn in callers]
    score.turn_hits = [top == score.main for top in tops[gold.intent_clear_at - 1:]]
    score.first_right = next((n for n, top in enumerate(tops, 1) if top == score.main), None)
    score.checks["intent"] = Check("intent", score.predicted == score.main, score.main, score.predicted,
                                   f"首次识别正确：第{score.first_right}句来电" if score.first_right else "始终未识别")
    secondary = gold.intents[1:]
    if secondary:
        shown = {i for turn in result.turns for i in shown_intents(turn.suggestion)}
        found = [i for i in secondary if i in shown]
        score.secondary = (len(found), len(secondary))
        score.checks["secondary_intents"] = Check("secondary_intents", len(found) == len(secondary), secondary,
                                                  sorted(shown))


def _score_lists(score: CaseScore, suggestions: list[Suggestion]) -> None:
    gold = score.result.gold
    for read in (r for s in suggestions for r in s.reads):
        if read.get("ok") and read.get("tool"):
            score.tools.add(str(read["tool"]))
            if read.get("system"):
                score.systems.add(str(read["system"]))
    if gold.read_tools:
        ran = {str(r.get("tool")) for s in suggestions for r in s.reads}
        score.reads = (sum(t in ran for t in gold.read_tools), len(gold.read_tools))
        missing = [t for t in gold.read_tools if t not in ran]
        score.checks["read_tools"] = Check("read_tools", not missing, gold.read_tools, sorted(ran),
                                           "未运行：" + "、".join(missing) if missing else "")
    if gold.findings:
        found = {f for s in suggestions for f in s.findings}
        score.findings = (sum(f in found for f in gold.findings), len(gold.findings))
        score.checks["findings"] = Check("findings", score.findings[0] == score.findings[1], gold.findings,
                                         sorted(found))
    union = {a for s in suggestions for a in s.actions}
    final = set(suggestions[-1].actions) if suggestions else set()
    if gold.actions:
        wanted = set(gold.actions)
        score.actions_union = (len(union & wanted), len(union), len(wanted))
        score.actions_final = (len(final & wanted), len(final), len(wanted))
        missing = [a for a in gold.actions if a not in union]
        score.checks["actions"] = Check("actions", not missing, gold.actions, sorted(union),
                                        "未建议：" + "、".join(missing) if missing else "")
    if gold.must_not_actions:
        hits = [(turn.index, a) for turn in score.result.turns for a in turn.suggestion.actions
                if a in gold.must_not_actions]
        score.must_not_violated = bool(hits)
        score.checks["must_not_actions"] = Check(
            "must_not_actions", not hits, {"不得建议": gold.must_not_actions}, sorted(union),
            "；".join(f"第{i}句后建议了 {a}" for i, a in dict.fromkeys(hits)))
    score.escalated = ESCALATE_ACTION in union or any(s.disposition == "escalate" for s in suggestions)
    if gold.escalate is not None:
        score.checks["escalate"] = Check("escalate", score.escalated == gold.escalate, gold.escalate, score.escalated)


def _score_disposition(score: CaseScore, suggestions: list[Suggestion]) -> None:
    gold = score.result.gold
    score.disposition = next((s.disposition for s in reversed(suggestions) if s.disposition), None)
    repair = any(REPAIR_ACTION in s.actions for s in suggestions)
    if gold.disposition in ("intercept", "dispatch"):
        score.intercepted = score.disposition == "intercept" and not repair
        ok = score.intercepted == (gold.disposition == "intercept")
        note = "通话中建议过派修单 create_repair_ticket" if repair else ""
        score.checks["disposition"] = Check("disposition", ok, gold.disposition,
                                            "intercept" if score.intercepted else score.disposition, note)
    elif gold.disposition is not None:
        score.checks["disposition"] = Check("disposition", score.disposition == gold.disposition, gold.disposition,
                                            score.disposition)


def _score_knowledge(score: CaseScore, suggestions: list[Suggestion]) -> None:
    gold = score.result.gold.knowledge
    if not gold:
        return
    ranks = [r for r in (knowledge_rank(s, gold) for s in suggestions) if r is not None]
    score.rank_best = min(ranks) if ranks else None
    callers = _caller_turns(score.result)
    score.rank_last = knowledge_rank(callers[-1].suggestion, gold) if callers else None
    shown = list(dict.fromkeys(i for s in suggestions for i in [*s.scripts, *s.knowledge[:5]]))
    score.checks["knowledge"] = Check("knowledge", score.rank_best is not None and score.rank_best <= 5, gold, shown,
                                      f"最好名次 {score.rank_best}" if score.rank_best else "未出现")


def _score_said(score: CaseScore) -> None:
    gold = score.result.gold
    said: list[str] = []
    seen: set[str] = set()
    for turn in score.result.turns:
        s = turn.suggestion
        sources = [*s.facts, *s.knowledge_text, *s.reply_sources]
        for text in said_texts(s):
            said.append(text)
            if text in seen:
                continue
            seen.add(text)
            score.mentions += len(mentions(text))
            for m in ungrounded(text, sources):
                score.ungrounded.append({"case": score.result.id, "turn": turn.index, "kind": m.kind,
                                         "text": m.text, "reply": text})
    score.has_reply = bool(said)
    if said:
        score.checks["grounded"] = Check("grounded", not score.ungrounded, "回复中的金额/日期/流量/时间均有出处",
                                         [u["text"] for u in score.ungrounded],
                                         "无出处：" + "、".join(u["text"] for u in score.ungrounded))
    if gold.must_mention:
        found = [p for p in gold.must_mention if mentioned(p, said)]
        score.must_mention = (len(found), len(gold.must_mention))
        score.checks["must_mention"] = Check("must_mention", len(found) == len(gold.must_mention), gold.must_mention,
                                             said[-1] if said else None,
                                             "未提到：" + "、".join(p for p in gold.must_mention if p not in found))
    if gold.must_not_say:
        bad = [p for p in gold.must_not_say if any(said_in(p, t) for t in said)]
        score.must_not_said = bool(bad)
        score.checks["must_not_say"] = Check("must_not_say", not bad, {"不得说": gold.must_not_say}, bad,
                                             "说了：" + "、".join(bad) if bad else "")


def score_case(result: CaseResult, leaks: list[dict[str, Any]] | None = None) -> CaseScore:
    """Score one replayed case against its gold labels.

    Args:
        result: The case as the harness stored it.
        leaks: Personal-data leaks found for this case's gold PII (see `evals.leaks`).

    Returns:
        The case's checks (only those its gold labels ask for) and counts.
    """
    score = CaseScore(result=result, leaks=list(leaks or []))
    suggestions = [turn.suggestion for turn in result.turns]
    score.checks["replay"] = Check("replay", result.ok, "回放成功", result.error or "成功")
    _score_intent(score)
    _score_lists(score, suggestions)
    _score_disposition(score, suggestions)
    _score_knowledge(score, suggestions)
    _score_said(score)
    if result.gold.pii:
        files = sorted({leak["file"] for leak in score.leaks})
        score.checks["pii"] = Check("pii", not score.leaks, "运行目录中找不到任何原始个人信息", files,
                                    f"{len(score.leaks)} 处泄露" if score.leaks else "")
    return score
