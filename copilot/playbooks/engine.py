"""Run a playbook: reads in concurrent waves with per-tool timeouts, then rules into a diagnosis."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from typing import Any, Literal

from langchain_core.tools import BaseTool
from pydantic import BaseModel, Field

from copilot.playbooks.expr import Failed, Ok, Unknown, condition, evaluate, render, wrap
from copilot.playbooks.schema import FIGURES, Playbook, ReadStep
from knowledge.vocabulary import Vocabulary
from tools.base.toolkit import call_tool


class ReadOutcome(BaseModel):
    """One read tool's result, or why it is missing."""

    id: str = Field(description="Step id")
    tool: str = Field(description="Tool name")
    system: str | None = Field(default=None, description="System that answered")
    ok: bool = Field(description="False when the system failed, timed out, or an argument was unavailable")
    error: str | None = Field(default=None, description="Why it is missing")
    facts: list[str] = Field(default_factory=list, description="Facts with their source, e.g. 光猫状态 = 离线 (PON)")
    ms: float = Field(description="How long it took")


class Finding(BaseModel):
    """What the systems establish, with the facts it rests on."""

    rule: str = Field(description="Rule id")
    text: str = Field(description="The finding")
    severity: Literal["green", "amber", "red"] = Field(description="State")
    evidence: list[str] = Field(description="Cited facts (tool field and source)")


class SuggestedAction(BaseModel):
    """An action for the agent, with prefilled parameters."""

    action: str = Field(description="Action id")
    label: str = Field(description="Chinese label")
    params: dict[str, Any] = Field(description="Prefilled parameters")
    needs_confirmation: bool = Field(description="Changes records: runs only after the agent confirms")
    tool: str | None = Field(default=None, description="Write tool that carries it out")
    because: str = Field(description="Rule that justifies it")


class Diagnosis(BaseModel):
    """A playbook's outcome for one call."""

    intent: str = Field(description="Intent")
    reads: list[ReadOutcome] = Field(description="Every read and its outcome")
    findings: list[Finding] = Field(description="Findings, in rule order")
    actions: list[SuggestedAction] = Field(description="Actions, best first, forbidden ones removed")
    forbidden: list[str] = Field(description="Actions the findings rule out")
    disposition: str | None = Field(default=None, description="intercept / dispatch / resolve / escalate / inform")
    reply: str = Field(description="Suggested reply")
    questions: list[str] = Field(description="What to ask the caller next")
    unknown: list[str] = Field(description="Rules that could not be judged because a system failed")
    knowledge_queries: list[str] = Field(default_factory=list,
                                         description="Searches for the know-how the findings call for")
    figures: list[str] = Field(default_factory=list,
                               description="Values worked out from the facts, with the arithmetic, e.g. "
                                           "近两月扣费合计 = 30元（2026-10账单15元+2026-11账单15元）")


FIGURE_SOURCE = "核算"  # how evidence names a figure the playbook worked out ("核算: 近两月扣费合计 = 30元（…）")
_MONTH_PREFIX = re.compile(r"^\d{4}-\d{2}\s?")


def _guide(template: str, names: dict[str, Any]) -> str | None:
    """A finding's knowledge search with the reads' values filled in; None when one is not known."""
    try:
        return render(template, names) or None
    except Unknown:
        return None


def _evidence_spec(entry: str) -> tuple[str, set[str]]:
    read, _, labels = entry.partition(":")
    return read, {label for label in labels.split("|") if label}


def _cited(fact: str, labels: set[str]) -> bool:
    """Whether a fact is cited by a label filter; ``账单合计`` also matches ``2026-10账单合计``."""
    if not labels:
        return True
    label = fact.split(" = ")[0]
    return label in labels or _MONTH_PREFIX.sub("", label) in labels


class PlaybookEngine:
    """Runs playbooks over the back-office tools."""

    def __init__(self, tools: list[BaseTool], vocabulary: Vocabulary, timeout_s: float = 2.0,
                 workers: int = 8) -> None:
        self.read_tools = {t.name: t for t in tools if (t.metadata or {}).get("tool_type") == "read"}
        self.write_tool_by_action = {(t.metadata or {}).get("action"): t.name for t in tools
                                     if (t.metadata or {}).get("tool_type") == "write"}
        self.vocabulary = vocabulary
        self.timeout_s = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="read")

    def base_names(self, caller: dict[str, Any], now: datetime, slots: dict[str, Any]) -> dict[str, Any]:
        """What every expression can see besides the reads.

        ``month`` and ``last_month`` are ``YYYY-MM``; ``named_month`` is the last of the two the caller named
        (`slots` keep months in the order said), or None.
        """
        month, last = now.strftime("%Y-%m"), (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        named = [m for m in slots.get("months") or [] if m in (month, last)]
        return {"caller": wrap(caller), "now": now.isoformat(timespec="seconds"), "month": month,
                "last_month": last, "named_month": named[-1] if named else None, "slots": wrap(slots)}

    def read(self, book: Playbook, names: dict[str, Any], reuse: dict[str, ReadOutcome] | None = None,
             results: dict[str, Any] | None = None) -> tuple[list[ReadOutcome], dict[str, Any]]:
        """Run the reads in waves; a read whose inputs are missing or whose system fails yields a partial result."""
        outcomes: dict[str, ReadOutcome] = {}
        values: dict[str, Any] = dict(results or {})
        pending = [s for s in book.reads if not (reuse and s.id in reuse)]
        for s in book.reads:
            if reuse and s.id in reuse:
                outcomes[s.id] = reuse[s.id]
        while pending:
            wave = [s for s in pending if all(a in values for a in s.after)]
            pending = [s for s in pending if s not in wave]
            futures = {}
            for step in wave:
                args, problem = self._args(step, {**names, **values})
                if problem:
                    outcomes[step.id] = ReadOutcome(id=step.id, tool=step.tool, ok=False, error=problem, ms=0.0)
                    values[step.id] = Failed(None)
                    continue
                futures[self._pool.submit(self._call, step, args)] = step
            _, late = wait(futures, timeout=self.timeout_s)
            for future, step in futures.items():
                if future in late:
                    late_error = f"超过 {self.timeout_s:.1f} 秒未返回"
                    outcomes[step.id] = ReadOutcome(id=step.id, tool=step.tool, ok=False, error=late_error,
                                                    ms=self.timeout_s * 1000)
                    values[step.id] = Failed(None)
                    continue
                outcome, data = future.result()
                outcomes[step.id] = outcome
                values[step.id] = Ok(data) if outcome.ok else Failed(None)
        return [outcomes[s.id] for s in book.reads], values

    def _args(self, step: ReadStep, names: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        args = {}
        for key, expression in step.args.items():
            try:
                value = evaluate(expression, names)
            except Unknown:
                return {}, f"参数 {key} 无法取得（上游查询失败或无数据）"
            args[key] = value._data if hasattr(value, "_data") else value
        return args, None

    def _call(self, step: ReadStep, args: dict[str, Any]) -> tuple[ReadOutcome, Any]:
        started = time.perf_counter()
        result = call_tool(self.read_tools[step.tool], args)
        ms = round((time.perf_counter() - started) * 1000, 2)
        if not result.ok:
            message = (result.error or {}).get("message", "查询失败")
            return ReadOutcome(id=step.id, tool=step.tool, system=result.system.value, ok=False, error=message,
                               ms=ms), None
        return ReadOutcome(id=step.id, tool=step.tool, system=result.system.value, ok=True,
                           facts=[str(f) for f in result.facts], ms=ms), result.data

    @staticmethod
    def derive(book: Playbook, names: dict[str, Any]) -> dict[str, Any]:
        """The names plus the playbook's ``let`` values, in order; a value that cannot be computed is failed."""
        names = dict(names)
        for name, expression in book.let.items():
            try:
                value = evaluate(expression, names)
            except Unknown:
                value = Failed(None)
            names[name] = wrap(value) if isinstance(value, dict) else value
        return names

    @staticmethod
    def figures(book: Playbook, names: dict[str, Any]) -> list[str]:
        """The playbook's figures that hold and can be worked out, as facts: ``label = value（how）``."""
        out = []
        for figure in book.figures:
            if not condition(figure.when, names):
                continue
            try:
                out.append(f"{figure.label} = {render(figure.value, names)}（{render(figure.how, names)}）")
            except Unknown:
                continue
        return out

    def decide(self, book: Playbook, reads: list[ReadOutcome], names: dict[str, Any]) -> Diagnosis:
        """Apply the rules to the reads (after the ``let`` values are derived)."""
        names = self.derive(book, names)
        figures = self.figures(book, names)
        by_id = {r.id: r for r in reads}
        by_id[FIGURES] = ReadOutcome(id=FIGURES, tool=FIGURE_SOURCE, ok=True, facts=figures, ms=0.0)
        findings: list[Finding] = []
        queries: list[str] = []
        actions: list[SuggestedAction] = []
        forbidden: list[str] = []
        unknown: list[str] = []
        disposition = reply = None
        stopped = False
        for rule in book.rules:
            holds = condition(rule.when, names)
            if holds is None:
                unknown.append(rule.id)
                continue
            if not holds:
                continue
            text = render(rule.finding, names, strict=False)
            evidence = [f"{by_id[read].tool}: {fact}" for read, labels in map(_evidence_spec, rule.evidence)
                        for fact in by_id[read].facts if _cited(fact, labels)][:8]
            findings.append(Finding(rule=rule.id, text=text, severity=rule.severity, evidence=evidence))
            forbidden += [a for a in rule.forbid if a not in forbidden]
            queries += [q for q in (_guide(k, names) for k in rule.knowledge) if q and q not in queries]
            for spec in rule.actions:
                params: dict[str, Any] = {}
                for key, expression in spec.params.items():
                    try:
                        value = evaluate(expression, names)
                        params[key] = value._data if hasattr(value, "_data") else value
                    except Unknown:
                        params[key] = None
                meta = self.vocabulary.action_by_id[spec.action]
                actions.append(SuggestedAction(action=spec.action, label=meta.label, params=params,
                                               needs_confirmation=meta.needs_confirmation,
                                               tool=self.write_tool_by_action.get(spec.action), because=rule.id))
            if disposition is None and rule.disposition:
                disposition = rule.disposition
            if reply is None and rule.reply:
                try:
                    reply = render(rule.reply, names)
                except Unknown:
                    reply = None
            if rule.stop:
                stopped = True
                break
        seen: set[str] = set()
        ranked = []
        for a in actions:
            if a.action in forbidden or a.action in seen:
                continue
            seen.add(a.action)
            ranked.append(a)
        questions = []
        for q in book.questions:
            if (q.after_stop or not stopped) and condition(q.when, names):
                try:
                    questions.append(render(q.ask, names))
                except Unknown:
                    continue
        failed = [r for r in reads if not r.ok]
        if failed and reply is None:
            reply = "请您稍等，我这边系统正在查询，马上为您核实。"
        return Diagnosis(intent=book.intent, reads=reads, findings=findings, actions=ranked, forbidden=forbidden,
                         disposition=disposition, reply=reply or book.fallback_reply, questions=questions,
                         unknown=unknown, knowledge_queries=queries, figures=figures)

    def run(self, book: Playbook, caller: dict[str, Any], now: datetime, slots: dict[str, Any] | None = None
            ) -> Diagnosis:
        """Reads then rules, for one caller at one moment."""
        names = self.base_names(caller, now, slots or {})
        reads, values = self.read(book, names)
        return self.decide(book, reads, {**names, **values})
