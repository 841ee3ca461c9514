"""Reading the YAML data files a knowledge manager edits (acknowledgements, aftercare ...) into their models."""

from __future__ import annotations

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
