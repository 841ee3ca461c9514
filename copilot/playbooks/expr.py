"""The small, safe expression language of playbooks: conditions, arguments and reply templates.

Expressions are Python-like (``line.onu.online == False and rx < -27``) and evaluated by simpleeval with no
builtins but a few helpers, over read results wrapped so that fields read as attributes. A read that failed
(its system down) makes every condition that touches it *unknown* rather than true or false: reading a field,
iterating, taking its truth or comparing it.

Helpers besides ``len any all min max abs round sum str int float``: ``has(items, field, value)``,
``count(items, field, value)``, ``first(items, default)``, ``sort_by(items, field, descending)``,
``unique(items)``, ``days(start, end)`` (whole days between ISO dates), ``num(x)`` (23.50 -> "23.5") and
``cn_date(iso, year=True, time=False)`` ("2026年11月8日", "11月8日09:30").
"""

from __future__ import annotations

import ast
import functools
import re
import threading
from datetime import date
from typing import Any

from simpleeval import AttributeDoesNotExist, EvalWithCompoundTypes, SimpleEval

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
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
        raise Unknown("truth of a failed read")

    def __eq__(self, other: object) -> bool:
        raise Unknown("comparison with a failed read")

    def __ne__(self, other: object) -> bool:
        raise Unknown("comparison with a failed read")

    __hash__ = object.__hash__


def wrap(value: Any) -> Any:
    """Wrap dicts and lists for attribute access; leave scalars."""
    return View(value) if isinstance(value, dict | list) else value


def _has(items: Any, field: str, value: Any) -> bool:
    return any((getattr(x, field) == value) for x in items)


def _count(items: Any, field: str | None = None, value: Any = None) -> int:
    return sum(1 for x in items if field is None or getattr(x, field) == value)


def _first(items: Any, default: Any = None) -> Any:
    """The first item, or `default` when there is none."""
    return next(iter(items), default)


def _sort_by(items: Any, field: str, descending: bool = False) -> list[Any]:
    """Items ordered by one field (items missing it go last)."""
    present = [x for x in items if getattr(x, field) is not None]
    missing = [x for x in items if getattr(x, field) is None]
    return sorted(present, key=lambda x: getattr(x, field), reverse=descending) + missing


def _unique(items: Any) -> list[Any]:
    """Items without repeats, in first-seen order."""
    return list(dict.fromkeys(items))


def _days(start: Any, end: Any) -> int:
    """Whole days from one ISO date or time to another (only the dates count)."""
    return (date.fromisoformat(str(end)[:10]) - date.fromisoformat(str(start)[:10])).days


def cn_date(value: Any, year: bool = True, time: bool = False) -> str:
    """An ISO date or time as said aloud: 2026年11月8日, 11月8日 without the year, 11月8日09:30 with the time."""
    text = str(value)
    day = date.fromisoformat(text[:10])
    said = (f"{day.year}年" if year else "") + f"{day.month}月{day.day}日"
    return said + (text[11:16] if time and len(text) >= 16 else "")


def number(value: Any) -> str:
    """A number as a reply says it: at most 2 decimals, no trailing zeros (23.50 -> 23.5, 30.0 -> 30)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    return f"{value:.2f}".rstrip("0").rstrip(".")


FUNCTIONS = {"len": len, "any": any, "all": all, "min": min, "max": max, "abs": abs, "round": round,
             "sum": sum, "has": _has, "count": _count, "first": _first, "sort_by": _sort_by, "unique": _unique,
             "days": _days, "cn_date": cn_date, "num": number, "str": str, "int": int, "float": float}


_LOCAL = threading.local()


@functools.lru_cache(maxsize=8192)
def _parsed(expression: str) -> Any:
    """The expression's syntax tree (playbooks repeat the same few hundred expressions on every call)."""
    return SimpleEval.parse(expression)


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
    evaluator = getattr(_LOCAL, "evaluator", None)
    if evaluator is None:  # one evaluator per thread, its names swapped per call: building one costs more
        evaluator = _LOCAL.evaluator = EvalWithCompoundTypes(names={}, functions=dict(FUNCTIONS))
    evaluator.names = names
    try:
        return evaluator.eval(expression, _parsed(expression))
    except Unknown:
        raise
    except (AttributeError, AttributeDoesNotExist, TypeError, KeyError, IndexError, ValueError,
            ZeroDivisionError) as exc:  # e.g. a field of a record the reads did not find (None)
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
            return number(value)
        return "" if value is None else str(value)

    return _FOLDED.sub("", PLACEHOLDER.sub(fill, template)).strip()
