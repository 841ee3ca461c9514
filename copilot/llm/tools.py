"""The read tools the model may call, scoped to the call's caller.

Only tools whose metadata says READ are offered; write (action) tools are never offered nor run. The caller's
number is removed from every schema and filled in from the call context, so a number the model writes is
ignored. A broadband account the model names must be bound to the caller's number (the caller's only or
first account when it names none). Results go back to the model as tagged facts, masked.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.tools import BaseTool
from pydantic import ValidationError

from copilot.llm.grounds import SourceBook
from copilot.llm.results import LlmFailure, ToolCallRecord
from copilot.pii import mask
from copilot.prompts import ToolTexts
from tools.base.toolkit import ToolType
from tools.base.values import ToolResult

CALLER = "msisdn"
SUBJECT = "subject"  # AAA: the MSISDN (mobile_data) or a broadband account (broadband)
ACCOUNT = "account_id"
FIND_ACCOUNTS = "pon_find_broadband_accounts"
_HIDDEN = (CALLER, SUBJECT)


@dataclass(frozen=True)
class ToolCall:
    """A tool call the model asked for, its arguments parsed."""

    id: str
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class ToolOutcome:
    """What running one tool call gave: the message for the model and the record for the card."""

    call: ToolCall
    content: str
    record: ToolCallRecord


class ReadToolbox:
    """The read tools offered to the model, with the caller's number filled in from the call context."""

    def __init__(self, tools: Sequence[BaseTool], texts: ToolTexts) -> None:
        """Keep the READ tools among `tools`.

        Args:
            tools: Every tool (write tools are recognised and refused).
            texts: What the tools tell the model (from the prompts file).
        """
        self.texts = texts
        self._tools = {t.name: t for t in tools if (t.metadata or {}).get("tool_type") == ToolType.READ.value}
        self._refused = {t.name for t in tools} - set(self._tools)
        self._schemas = [self._schema(t) for t in self._tools.values()]

    @property
    def names(self) -> list[str]:
        """The tools offered."""
        return list(self._tools)

    def schemas(self) -> list[dict[str, Any]]:
        """OpenAI function schemas of the tools offered, without the caller's number."""
        return copy.deepcopy(self._schemas)

    def _schema(self, tool: BaseTool) -> dict[str, Any]:
        from langchain_core.utils.function_calling import convert_to_openai_tool

        spec = convert_to_openai_tool(tool)
        function = spec["function"]
        params = function.setdefault("parameters", {"type": "object", "properties": {}})
        props: dict[str, Any] = params.setdefault("properties", {})
        required = [r for r in params.get("required", []) if r not in (*_HIDDEN, ACCOUNT)]
        hidden = [h for h in _HIDDEN if h in props]
        for name in hidden:
            del props[name]
        if SUBJECT in tool.args:
            props["service"] = {"type": "string", "enum": ["mobile_data", "broadband"], "default": "mobile_data"}
            props[ACCOUNT] = {"type": "string", "description": self.texts.account_param}
        if ACCOUNT in tool.args:
            props[ACCOUNT] = {"type": "string", "description": self.texts.account_param}
        params["required"] = required
        description = function.get("description") or tool.name
        if hidden:  # drop the docstring's lines about the hidden parameters; say who fills them in
            pattern = re.compile(rf"\s*({'|'.join(hidden)}):")
            kept = [line for line in description.splitlines() if not pattern.match(line)]
            description = "\n".join(kept) + f"\n{self.texts.caller_filled}"
        function["description"] = description
        return spec

    def parse(self, name: str, raw_args: str | None, call_id: str | None) -> ToolCall | LlmFailure:
        """Check a tool call before anything runs.

        Args:
            name: The tool the model named.
            raw_args: Its arguments as the model wrote them (a JSON object).
            call_id: The call's id, if the model gave one.

        Returns:
            The parsed call, or an ``invalid_tool_call`` failure: unknown tool, a tool that is not a read tool,
            arguments that are not a JSON object.
        """
        if name in self._refused:
            return LlmFailure(kind="invalid_tool_call", reason=f"invalid tool call: {name} is not a read tool")
        if name not in self._tools:
            return LlmFailure(kind="invalid_tool_call", reason=f"invalid tool call: unknown tool {name or '(none)'}")
        try:
            args = json.loads(raw_args) if raw_args and raw_args.strip() else {}
        except json.JSONDecodeError:
            return LlmFailure(kind="invalid_tool_call", reason=f"invalid tool call: bad JSON arguments for {name}")
        if not isinstance(args, dict):
            return LlmFailure(kind="invalid_tool_call", reason=f"invalid tool call: arguments of {name} not an object")
        return ToolCall(id=call_id or f"call_{name}", name=name, args=args)

    def run(self, call: ToolCall, msisdn: str, book: SourceBook) -> ToolOutcome | LlmFailure:
        """Run a parsed call for the caller `msisdn`.

        Args:
            call: The call; a caller's number in its arguments is ignored.
            msisdn: The caller's number, from the call context.
            book: Receives a ``T`` tag per fact returned.

        Returns:
            The masked tagged facts (or why the query failed or was refused) and the record, or an
            ``invalid_tool_call`` failure when the arguments do not fit the tool.
        """
        tool = self._tools[call.name]
        args, refusal = self._arguments(tool, call.args, msisdn)
        if refusal is not None:
            return self._outcome(call, args, mask(refusal), ok=False)
        try:
            result = tool.invoke(args)
        except ValidationError as exc:
            fields = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")}))
            return LlmFailure(kind="invalid_tool_call", reason=f"invalid tool call: bad arguments for {call.name}"
                                                               + (f" ({fields})" if fields else ""))
        if not isinstance(result, ToolResult):
            return self._outcome(call, args, self.texts.failed, ok=False)
        if not result.ok:
            return self._outcome(call, args, mask(f"{self.texts.failed}: {result.summary()}"), ok=False)
        lines = []
        for fact in result.facts:
            label = mask(str(fact))
            lines.append(f"[{book.add('T', 'tool', mask(fact.ref), label)}] {label}")
        return self._outcome(call, args, "\n".join(lines) or self.texts.no_facts, ok=True)

    def _outcome(self, call: ToolCall, args: dict[str, Any], content: str, *, ok: bool) -> ToolOutcome:
        used = {k: mask(v) if isinstance(v, str) else v for k, v in args.items()}
        return ToolOutcome(call=call, content=content, record=ToolCallRecord(tool=call.name, args=used, ok=ok))

    def _arguments(self, tool: BaseTool, given: dict[str, Any], msisdn: str) -> tuple[dict[str, Any], str | None]:
        """The arguments to run `tool` with: the model's own, the caller's number and account from the context."""
        params = set(tool.args)
        args = {k: v for k, v in given.items() if k in params and k not in _HIDDEN}
        if CALLER in params:
            args[CALLER] = msisdn
        if SUBJECT in params:
            if args.get("service", "mobile_data") == "broadband":
                account, refusal = self._account(given.get(ACCOUNT), msisdn)
                if refusal is not None:
                    return args, refusal
                args[SUBJECT] = account
            else:
                args[SUBJECT] = msisdn
        if ACCOUNT in params:
            account, refusal = self._account(args.get(ACCOUNT), msisdn)
            if refusal is not None:
                return args, refusal
            args[ACCOUNT] = account
        return args, None

    def _account(self, given: Any, msisdn: str) -> tuple[str | None, str | None]:
        """The broadband account to query: the one named if it is the caller's, else the caller's first."""
        finder = self._tools.get(FIND_ACCOUNTS)
        if finder is None:
            return None, self.texts.no_broadband
        found = finder.invoke({CALLER: msisdn})
        if not isinstance(found, ToolResult) or not found.ok:
            return None, self.texts.failed
        ids = [str(a.get(ACCOUNT)) for a in found.data or [] if isinstance(a, dict) and a.get(ACCOUNT)]
        if given not in (None, ""):
            wanted = str(given).strip()
            return (wanted, None) if wanted in ids else (None, self.texts.not_callers_account)
        return (ids[0], None) if ids else (None, self.texts.no_broadband)
