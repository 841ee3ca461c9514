"""The playbook file format (one YAML per intent), validated by schema, editable without code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from copilot.playbooks.expr import PLACEHOLDER, check_syntax
from knowledge.vocabulary import Vocabulary

DATA_DIR = Path(__file__).resolve().parent / "data"
RESERVED = {"caller", "now", "month", "last_month", "named_month", "slots"}
FIGURES = "figures"  # the pseudo-read a rule's evidence names to cite the playbook's figures ("figures:近两月扣费合计")


class PlaybookError(ValueError):
    """A playbook file is invalid; the message names the file, the entry and the field."""


class ReadStep(BaseModel):
    """A read tool to run, its arguments as expressions, and the reads it waits for."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Name of the result in expressions")
    tool: str = Field(description="Read tool name")
    args: dict[str, str] = Field(default_factory=dict, description="Argument -> expression")
    after: list[str] = Field(default_factory=list, description="Reads whose results the arguments use")


class ActionSpec(BaseModel):
    """An action a rule justifies, with parameters prefilled by expressions."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(description="Action id from the vocabulary")
    params: dict[str, str] = Field(default_factory=dict, description="Parameter -> expression")


class Rule(BaseModel):
    """A judgement: when the condition holds, a finding, actions, and what to say."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Rule id")
    when: str = Field(description="Condition over the reads")
    finding: str = Field(min_length=2, description="Finding template, e.g. 光猫离线且有LOS告警")
    severity: Literal["green", "amber", "red"] = Field(default="amber", description="State shown to the agent")
    evidence: list[str] = Field(
        default_factory=list, description="Reads whose facts it rests on: 'line' (all) or 'line:光猫状态|当前告警'"
    )
    actions: list[ActionSpec] = Field(default_factory=list, description="Actions, best first")
    forbid: list[str] = Field(default_factory=list, description="Actions this finding rules out")
    disposition: Literal["intercept", "dispatch", "resolve", "escalate", "inform"] | None = Field(
        default=None, description="intercept: solved in the call without a crew; dispatch: send a repair"
    )
    reply: str | None = Field(default=None, description="Reply template to read aloud")
    knowledge: list[str] = Field(
        default_factory=list,
        description="Searches for the know-how this finding calls for (e.g. 宽带光猫LOS红灯排查步骤, or with the "
                    "reads' values: {vas.name}退订规则); their best hits head the knowledge card once the finding "
                    "holds (a search whose value is not known is left out)")
    stop: bool = Field(default=False, description="Later rules are not applied once this one holds")


class Figure(BaseModel):
    """A value the playbook works out from the reads (a sum, a remainder, a saving), shown with its arithmetic.

    The reply may only state numbers the systems returned; a number it works out (近两个月一共扣了30元) is a
    figure first, so that the card shows it beside the facts it comes from (``近两月扣费合计 = 30元（2026-10账单15元+
    2026-11账单15元）``) and the agent can check it before reading it out.
    """

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=2, description="What the value is, e.g. 近两月扣费合计")
    value: str = Field(min_length=1, description="The value with its unit, a template, e.g. {num(charged)}元")
    how: str = Field(min_length=2, description="The arithmetic over the facts it uses, a template, "
                                               "e.g. {last_month}账单{num(a)}元+{month}账单{num(b)}元")
    when: str = Field(default="True", description="Condition: the figure is worked out only when it holds")


class Question(BaseModel):
    """What to ask the caller when information is missing."""

    model_config = ConfigDict(extra="forbid")

    when: str = Field(description="Condition")
    ask: str = Field(min_length=2, description="The question; may hold {expression} placeholders")
    after_stop: bool = Field(
        default=True, description="Also asked when a rule with stop: true ended the judgement"
    )


class Playbook(BaseModel):
    """The service blueprint of one intent."""

    model_config = ConfigDict(extra="forbid")

    intent: str = Field(description="Intent id")
    title: str = Field(min_length=2, description="Chinese title")
    reads: list[ReadStep] = Field(default_factory=list, description="Read tools, run concurrently in waves")
    let: dict[str, str] = Field(
        default_factory=dict,
        description="Derived values, name -> expression over the reads and earlier names, in order",
    )
    figures: list[Figure] = Field(
        default_factory=list, description="Values worked out from the reads that findings and replies state")
    rules: list[Rule] = Field(default_factory=list, description="Judgements, in order")
    questions: list[Question] = Field(default_factory=list, description="Follow-up questions")
    fallback_reply: str = Field(min_length=2, description="Reply when no rule gives one")
    knowledge: list[str] = Field(
        default_factory=list,
        description="Searches for what an agent needs on every call of this type (its handling procedure, e.g. "
                    "流量费争议投诉处理流程); their best hits join the hits for the caller's own words")

    @model_validator(mode="after")
    def _consistent(self) -> Playbook:
        ids: list[str] = []
        for step in self.reads:
            if step.id in ids or step.id in RESERVED or step.id == FIGURES:
                raise ValueError(f"读取步骤 id 重复或为保留字: {step.id}")
            missing = [a for a in step.after if a not in ids]
            if missing:
                raise ValueError(f"读取步骤 {step.id} 的 after 引用了之前没有的步骤: {', '.join(missing)}")
            ids.append(step.id)
        for name in self.let:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name in ids or name in RESERVED:
                raise ValueError(f"let 名称不合法、与读取步骤重名或为保留字: {name}")
        expressions = [e for s in self.reads for e in s.args.values()] + list(self.let.values())
        labels = [f.label for f in self.figures]
        if len(set(labels)) != len(labels):
            raise ValueError(f"figures 的 label 重复: {', '.join(sorted({x for x in labels if labels.count(x) > 1}))}")
        expressions += [f.when for f in self.figures]
        for rule in self.rules:
            expressions += [rule.when, *[e for a in rule.actions for e in a.params.values()]]
            unknown = [e for e in rule.evidence if e.split(":")[0] not in ids and e.split(":")[0] != FIGURES]
            unknown += [e for e in rule.evidence if e.split(":")[0] == FIGURES
                        and not {x for x in e.partition(":")[2].split("|") if x} <= set(labels)]
            if unknown:
                raise ValueError(f"规则 {rule.id} 的 evidence 引用了不存在的读取步骤或核算项: {', '.join(unknown)}")
        expressions += [q.when for q in self.questions]
        texts = [t for r in self.rules for t in (r.finding, r.reply or "", *r.knowledge)]
        texts += [q.ask for q in self.questions]
        texts += [t for f in self.figures for t in (f.value, f.how)]
        expressions += [m.group(1) for text in texts for m in PLACEHOLDER.finditer(text)]
        for expression in expressions:
            problem = check_syntax(expression)
            if problem:
                raise ValueError(problem)
        return self

    def check_references(self, vocabulary: Vocabulary, read_tools: set[str]) -> list[str]:
        """Problems with ids outside this file: intent, actions, tools."""
        problems = []
        if self.intent not in vocabulary.intent_by_id:
            problems.append(f"未知意图 {self.intent}")
        for step in self.reads:
            if step.tool not in read_tools:
                problems.append(f"读取步骤 {step.id}: 未知的只读工具 {step.tool}")
        for rule in self.rules:
            for action in [*(a.action for a in rule.actions), *rule.forbid]:
                if action not in vocabulary.action_by_id:
                    problems.append(f"规则 {rule.id}: 未知动作 {action}")
        return problems


def load_playbooks(vocabulary: Vocabulary, read_tools: set[str], directory: Path | None = None
                   ) -> dict[str, Playbook]:
    """Load and validate every ``*.yaml`` playbook.

    Raises:
        PlaybookError: Listing every bad file with the entry and field.
    """
    directory = directory or DATA_DIR
    books: dict[str, Playbook] = {}
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            book = Playbook.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(f"{path.name}: 无法读取: {exc}")
            continue
        except ValidationError as exc:
            problems += [f"{path.name}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            continue
        problems += [f"{path.name}: {p}" for p in book.check_references(vocabulary, read_tools)]
        if book.intent in books:
            problems.append(f"{path.name}: 意图 {book.intent} 已有剧本")
        books[book.intent] = book
    if problems:
        raise PlaybookError("剧本不合法:\n  " + "\n  ".join(problems))
    return books
