"""The READ/WRITE tool decorator and the toolkit that turns marked methods into LangChain tools.

A read tool runs automatically while the copilot diagnoses a call; a write tool
changes a customer's line and may run only after the agent confirms it. Both
kinds are marked by one decorator, `is_tool`, on the methods of a system's
toolkit class, whose docstrings are the tools' contracts.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel

from tools.base.errors import BackendError
from tools.base.values import Fact, System, ToolResult, WriteResult

F = TypeVar("F", bound=Callable[..., ToolResult])

TOOL_TYPE_ATTR = "__hotline_tool_type__"
TOOL_ACTION_ATTR = "__hotline_tool_action__"


class ToolType(StrEnum):
    """Whether a tool only reads, or changes the customer's line."""

    READ = "read"
    WRITE = "write"


def is_tool(tool_type: ToolType, *, action: str | None = None) -> Callable[[F], F]:
    """Mark a toolkit method as a tool.

    Args:
        tool_type: READ (runs automatically) or WRITE (runs only after the agent confirms).
        action: For WRITE tools, the action id from the shared vocabulary it carries out.

    Returns:
        The decorator.
    """
    if tool_type is ToolType.WRITE and not action:
        raise ValueError("a WRITE tool must name the vocabulary action it carries out")

    def decorate(func: F) -> F:
        setattr(func, TOOL_TYPE_ATTR, tool_type)
        setattr(func, TOOL_ACTION_ATTR, action)
        return func

    return decorate


class Toolkit:
    """Base of a system's toolkit: collects the `is_tool` methods as LangChain tools."""

    system: ClassVar[System]

    def _methods(self) -> list[tuple[str, Callable[..., ToolResult]]]:
        found = []
        for name, member in inspect.getmembers(type(self), predicate=inspect.isfunction):
            if getattr(member, TOOL_TYPE_ATTR, None) is not None:
                found.append((name, getattr(self, name)))
        return found

    def tools(self, tool_type: ToolType | None = None) -> list[BaseTool]:
        """The toolkit's tools as LangChain `StructuredTool`s.

        Args:
            tool_type: Only tools of this type; all when None.

        Returns:
            Tools whose `metadata` holds `tool_type`, `system` and `action`.
        """
        result: list[BaseTool] = []
        for name, method in self._methods():
            kind: ToolType = getattr(method, TOOL_TYPE_ATTR)
            if tool_type is not None and kind is not tool_type:
                continue
            result.append(
                StructuredTool.from_function(
                    func=_guarded(self.system, name, method),
                    name=name,
                    description=inspect.getdoc(method) or name,
                    parse_docstring=False,
                    infer_schema=True,
                    metadata={
                        "tool_type": kind.value,
                        "system": self.system.value,
                        "action": getattr(method, TOOL_ACTION_ATTR),
                    },
                )
            )
        return result


def call_tool(tool: BaseTool, args: dict[str, Any]) -> ToolResult:
    """Run one of the toolkit's tools directly: its arguments checked against its schema, no callback run.

    The copilot's playbooks call read tools several times a turn; LangChain's `invoke` spends most of a local
    read's time on callbacks, signature inspection and type hints. This keeps the contract (the same schema
    validation, the same guarded function) and drops the rest. Models still call tools through `invoke`.

    Args:
        tool: A tool made by `Toolkit.tools`.
        args: Its arguments by name.

    Returns:
        The tool's result (a backend failure is a result that names the failed system).

    Raises:
        pydantic.ValidationError: An argument does not fit the tool's schema.
        TypeError: The tool was not made by `Toolkit.tools`.
    """
    func = getattr(tool, "func", None)
    schema = tool.args_schema
    if func is None or not isinstance(schema, type) or not issubclass(schema, BaseModel):
        raise TypeError(f"{tool.name} is not a toolkit tool")
    validated = schema.model_validate(args)
    result: ToolResult = func(**{k: getattr(validated, k) for k in args if k in schema.model_fields})
    return result


def _guarded(system: System, name: str, method: Callable[..., ToolResult]) -> Callable[..., ToolResult]:
    """Turn a backend failure into a degraded result that names the failed system."""

    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> ToolResult:
        try:
            return method(*args, **kwargs)
        except BackendError as exc:
            return ToolResult(tool=name, system=system, ok=False, error=exc.to_dict())

    return run


def write_result(tool: str, system: System, result: WriteResult) -> ToolResult:
    """A write's outcome as a tool result the agent's card can show."""
    facts = [Fact(label="办理结果", value=result.message, source=system, ref=f"{result.operation}.message")]
    return ToolResult(tool=tool, system=system, ok=True, facts=facts, data=result.model_dump(mode="json"))
