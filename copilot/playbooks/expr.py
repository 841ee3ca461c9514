"""The small, safe expression language of playbooks: conditions, arguments and reply templates.

Expressions are Python-like (``line.onu.online == False and rx < -27``) and evaluated by simpleeval with no
builtins but a few helpers, over read results wrapped so that fields read as attributes. A read that failed
(its system down) makes every condition that touches it *unknown* rather than true or false.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from simpleeval import EvalWithCompoundTypes

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
_FOLDED = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")  # YAML folding puts spaces into Chinese text
MISSING = "（未查到）"


class Unknown(Exception):
    """A value needed by an expression is not available (its read failed or returned nothing)."""


class View:
    """Attribute access over JSON-like data; missing fields read as None."""

    __slots__ = ("_data",)

    def __init__(self, data: Any) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if isinstance(self._data, dict):
            return wrap(self._data.get(name))
        raise Unknown(name)

    def __getitem__(self, key: Any) -> Any:
        try:
            return wrap(self._data[key])
        except (IndexError, KeyError, TypeError):
            raise Unknown(str(key)) from None

    def __len__(self) -> int:
        return len(self._data) if isinstance(self._data, list | dict) else 0

    def __iter__(self) -> Any:
        return iter(wrap(x) for x in (self._data if isinstance(self._data, list) else []))

    def __bool__(self) -> bool:
        return bool(self._data)

    def __repr__(self) -> str:
        return f"View({self._data!r})"


class Ok(View):
    """The result of a read that succeeded: ``.ok`` is True, fields read as attributes."""

    def __getattr__(self, name: str) -> Any:
        if name == "ok":
            return True
        return super().__getattr__(name)


class Failed(View):
    """The result of a read whose system failed: touching it makes the expression unknown."""

    def __getattr__(self, name: str) -> Any:
        if name == "ok":
            return False
        raise Unknown(name)

    def __getitem__(self, key: Any) -> Any:
        raise Unknown(str(key))

    def __len__(self) -> int:
        raise Unknown("len of a failed read")

    def __iter__(self) -> Any:
        raise Unknown("items of a failed read")

    def __bool__(self) -> bool:
        return False


def wrap(value: Any) -> Any:
    """Wrap dicts and lists for attribute access; leave scalars."""
    return View(value) if isinstance(value, dict | list) else value


def _has(items: Any, field: str, value: Any) -> bool:
    return any((getattr(x, field) == value) for x in items)


def _count(items: Any, field: str | None = None, value: Any = None) -> int:
    return sum(1 for x in items if field is None or getattr(x, field) == value)


FUNCTIONS = {"len": len, "any": any, "all": all, "min": min, "max": max, "abs": abs, "round": round,
             "has": _has, "count": _count, "str": str, "int": int, "float": float}


def check_syntax(expression: str) -> str | None:
    """None when `expression` parses, else the reason."""
    try:
        ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        return f"表达式语法错误: {expression!r} ({exc.msg})"
    return None


def evaluate(expression: str, names: dict[str, Any]) -> Any:
    """Evaluate an expression.

    Raises:
        Unknown: A value it needs is unavailable.
    """
    evaluator = EvalWithCompoundTypes(names=names, functions=FUNCTIONS)
    try:
        return evaluator.eval(expression)
    except Unknown:
        raise
    except (AttributeError, TypeError, KeyError, IndexError, ZeroDivisionError) as exc:
        raise Unknown(f"{expression}: {exc}") from None


def condition(expression: str, names: dict[str, Any]) -> bool | None:
    """True, False, or None when unknown."""
    try:
        return bool(evaluate(expression, names))
    except Unknown:
        return None


def render(template: str, names: dict[str, Any], strict: bool = True) -> str:
    """Fill ``{expression}`` placeholders; spaces that YAML folding put between Chinese characters go.

    Args:
        template: The text with placeholders.
        names: What expressions can see.
        strict: Raise on an unavailable value; otherwise write 「（未查到）」 in its place.

    Raises:
        Unknown: A placeholder's value is unavailable (strict only).
    """

    def fill(m: re.Match[str]) -> str:
        try:
            value = evaluate(m.group(1), names)
        except Unknown:
            if strict:
                raise
            return MISSING
        if isinstance(value, float):
            return f"{value:.2f}".rstrip("0").rstrip(".")
        return "" if value is None else str(value)

    return _FOLDED.sub("", _PLACEHOLDER.sub(fill, template)).strip()
