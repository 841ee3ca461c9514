"""Phrase banks and the small composition language the knowledge points and scripts are written in.

A bank is a YAML file under ``data/``. A text is a *fragment*:

* a string, formatted with the context (``{fee}元``);
* a list of fragments, joined;
* ``{one: [f1, f2, ...]}``: one of them, picked by the seeded RNG;
* ``{if: "a&!b", then: f, else: g}``: a branch on flags of the context (``!`` negates, ``&`` joins);
* ``{p: 0.4, t: f}``: ``f`` with that probability.

The RNG is drawn from whatever branch is taken, so the same RNG and flags give the same sentence shapes even
when the numbers change (a new version of a point differs only in its numbers).
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def bank(name: str) -> dict[str, Any]:
    """A phrase bank: ``data/<name>.yaml``, parsed once."""
    with (DATA_DIR / f"{name}.yaml").open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_Loader)
    if not isinstance(data, dict):
        raise ValueError(f"{name}.yaml: 顶层应为映射")
    return data


def holds(cond: object, ctx: dict[str, Any]) -> bool:
    """Whether every flag of ``cond`` (``a&!b``; a list means all) holds in ``ctx``."""
    if cond is None:
        return True
    if isinstance(cond, list):
        return all(holds(c, ctx) for c in cond)
    for part in str(cond).split("&"):
        part = part.strip()
        negate = part.startswith("!")
        key = part.lstrip("!")
        if key not in ctx:
            raise KeyError(f"未知条件 {key!r}")
        if bool(ctx[key]) == negate:
            return False
    return True


def compose(frag: object, ctx: dict[str, Any], r: random.Random) -> str:
    """Render a fragment."""
    if frag is None:
        return ""
    if isinstance(frag, str):
        return frag.format_map(ctx) if "{" in frag else frag
    if isinstance(frag, (int, float)):
        return str(frag)
    if isinstance(frag, list):
        return "".join(compose(f, ctx, r) for f in frag)
    if isinstance(frag, dict):
        if "one" in frag:
            return compose(r.choice(frag["one"]), ctx, r)
        if "if" in frag:
            return compose(frag.get("then") if holds(frag["if"], ctx) else frag.get("else"), ctx, r)
        if "p" in frag:
            keep = r.random() < float(frag["p"])
            return compose(frag["t"], ctx, r) if keep else ""
    raise ValueError(f"无法识别的片段: {frag!r}")


def pick(options: list[Any], r: random.Random) -> Any:
    """One alternative (a bank's category maps to a list of them)."""
    return options[0] if len(options) == 1 else r.choice(options)
