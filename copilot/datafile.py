"""The YAML data files a knowledge manager edits (acknowledgements, aftercare, statements ...) and their patterns."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def load_data_file(path: Path, model: type[M], error: type[ValueError]) -> M:
    """The file at `path`, validated as `model`.

    Raises:
        error: Naming the file, and each entry that is wrong and why; the file is missing, not UTF-8, not YAML
            or not a mapping.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path}: 无法读取: {exc}") from None
    if not isinstance(raw, dict):
        raise error(f"{path}: 文件须为映射（{', '.join(model.model_fields)}）")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise error(f"{path}: {problems}") from None


def checked_pattern(pattern: str, what: str = "模式") -> str:
    """`pattern` when it is a regular expression a data file may hold: it compiles and cannot match nothing.

    Raises:
        ValueError: Naming the pattern and why (for a pydantic validator to report with the entry's place).
    """
    if not pattern.strip():
        raise ValueError(f"{what}不能为空")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{what} {pattern!r} 不是合法的正则表达式: {exc}") from None
    if compiled.match(""):
        raise ValueError(f"{what} {pattern!r} 能匹配空串（每句话都会命中）")
    return pattern


def placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders of a reply template a data file holds.

    Raises:
        ValueError: The braces are malformed (a literal brace must be written doubled).
    """
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValueError(f"占位符写法有误（字面的花括号写成 {{{{ }}}}）: {exc}") from None
