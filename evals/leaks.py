"""Personal-data leaks: every gold PII substring searched for in every file of a run directory.

A leak is a gold ``pii`` value of some case (a phone, ID-card or bank-card number the caller said) found unmasked
anywhere under the run directory: results.jsonl, logs, run.json, reports, SQLite checkpoints or audit logs. Each
value is searched as written and, when it holds at least `MIN_DIGITS` digits, as its digits alone inside any run of
digits (so ``138 1234 5678``, ``138-1234-5678``, ``138.1234.5678`` and ``13812345678`` are one number). A file's
raw bytes are searched (UTF-8, and JSON unicode escapes for non-ASCII values; gzip files decompressed); an SQLite
file's text and blob columns are also decoded and searched (UTF-16 databases, values split over overflow pages,
WAL content). The only place a PII value may legitimately appear is the ``gold.pii`` list that the harness copies
into each result: that list is removed before JSON files are searched. Leaks are reported with the value masked,
never as written.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

MIN_DIGITS = 7
MAX_FILE_BYTES = 512 * 1024 * 1024
_SEPARATORS = [" ", "-", ".", "/", "~", ",", "，", "、", "—", "～", "－", "．", "／", "·"]
_DIGIT_RUN = re.compile(rb"\d(?:(?:" + b"|".join(re.escape(c.encode()) for c in _SEPARATORS) + rb")?\d)+")
"""Digits with at most one separator between two (138.0791.2345, 6222/0215/…, 138，0791，2345)."""
_SQLITE_MAGIC = b"SQLite format 3\x00"


def mask(value: str) -> str:
    """A value as reports may show it: ``139******01`` (11+ characters), ``7****1`` (6-10), ``张**`` (shorter)."""
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 5) + value[-2:]
    if len(value) >= 6:
        return value[0] + "*" * (len(value) - 2) + value[-1]
    return value[:1] + "*" * (len(value) - 1)


class _Needles:
    """The values to look for, by case: literal byte strings, and digit strings matched within digit runs."""

    def __init__(self, pii: dict[str, list[str]]) -> None:
        self.literals: list[tuple[bytes, str, str, str]] = []  # (needle, case, value, form)
        self.digits: dict[bytes, list[tuple[str, str]]] = {}  # digits -> [(case, value)]
        for case, values in pii.items():
            for value in values:
                if not value.strip():
                    continue
                digits = re.sub(r"\D", "", value)
                if len(digits) >= MIN_DIGITS:
                    self.digits.setdefault(digits.encode(), []).append((case, value))
                if digits != value or len(digits) < MIN_DIGITS:
                    for needle in {value.encode(), json.dumps(value)[1:-1].encode()}:
                        self.literals.append((needle, case, value, "原文"))
        self.lengths = sorted({len(d) for d in self.digits})

    def __bool__(self) -> bool:
        return bool(self.literals or self.digits)

    def find(self, data: bytes) -> Iterator[tuple[str, str, str]]:
        """(case, value, form) for every needle in `data` (each at most once)."""
        for needle, case, value, form in self.literals:
            if needle in data:
                yield case, value, form
        found: set[bytes] = set()
        for run in _DIGIT_RUN.finditer(data):
            digits = re.sub(rb"\D", b"", run.group(0))
            for length in self.lengths:
                for start in range(len(digits) - length + 1):
                    piece = digits[start:start + length]
                    if piece in self.digits and piece not in found:
                        found.add(piece)
                        for case, value in self.digits[piece]:
                            yield case, value, "数字"


def _without_gold_pii(node: Any) -> Any:
    """A parsed JSON value with every ``gold.pii`` list emptied (the one sanctioned copy of the labels)."""
    if isinstance(node, dict):
        out = {k: _without_gold_pii(v) for k, v in node.items()}
        if isinstance(out.get("gold"), dict) and "pii" in out["gold"]:
            out["gold"] = {**out["gold"], "pii": []}
        return out
    if isinstance(node, list):
        return [_without_gold_pii(v) for v in node]
    return node


def _json_views(data: bytes, lines: bool) -> bytes:
    """The JSON content with gold.pii removed, as UTF-8 and as ASCII-escaped text; unparsable parts kept raw."""
    chunks = data.splitlines() if lines else [data]
    out: list[bytes] = []
    for chunk in chunks:
        try:
            node = _without_gold_pii(json.loads(chunk))
        except (ValueError, UnicodeDecodeError):
            out.append(chunk)
            continue
        out.append(json.dumps(node, ensure_ascii=False).encode())
        out.append(json.dumps(node).encode())
    return b"\n".join(out)


def _sqlite_values(path: Path) -> Iterator[tuple[str, bytes]]:
    """(table.column, value as UTF-8 bytes) for every text or blob value of an SQLite file (read from a copy)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy2(path, copy)
        for suffix in ("-wal", "-journal"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                shutil.copy2(side, copy.with_name(copy.name + suffix))
        try:
            db = sqlite3.connect(copy)
        except sqlite3.Error:
            return
        try:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                quoted = table.replace('"', '""')
                cursor = db.execute(f'SELECT * FROM "{quoted}"')
                columns = [d[0] for d in cursor.description]
                for row in cursor:
                    for column, value in zip(columns, row, strict=True):
                        if isinstance(value, str):
                            yield f"{table}.{column}", value.encode()
                        elif isinstance(value, bytes):
                            yield f"{table}.{column}", value
                            yield f"{table}.{column}", value.decode("utf-8", errors="ignore").encode()
        except sqlite3.Error:
            return
        finally:
            db.close()


def _views(path: Path, data: bytes) -> Iterator[tuple[str, bytes]]:
    """(where, bytes) to search in one file."""
    if path.suffix == ".gz":
        with contextlib.suppress(OSError, EOFError):
            data = gzip.decompress(data)
    name = path.name.removesuffix(".gz")
    if name.endswith(".jsonl"):
        yield "文件内容", _json_views(data, lines=True)
    elif name.endswith(".json"):
        yield "文件内容", _json_views(data, lines=False)
    else:
        yield "文件内容", data
    if data.startswith(_SQLITE_MAGIC):
        yield from ((f"SQLite {where}", value) for where, value in _sqlite_values(path))


def _files(run_dir: Path, skip: Iterable[Path]) -> Iterator[Path]:
    skipped = {p.resolve() for p in skip}
    for path in sorted(run_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.resolve() not in skipped:
            yield path


def find_leaks(run_dir: Path, pii: dict[str, list[str]], skip: Iterable[Path] = ()) -> list[dict[str, Any]]:
    """Every gold PII value found under `run_dir`.

    Args:
        run_dir: The run directory.
        pii: Gold PII values by case id.
        skip: Files not to search (reports about to be rewritten).

    Returns:
        One entry per (case, value, file, form): ``{case, file, where, form, pii}``; ``pii`` is masked and
        ``file`` relative to `run_dir`. Files too large to read are reported with ``where`` = 未检查.
    """
    needles = _Needles(pii)
    leaks: list[dict[str, Any]] = []
    if not needles:
        return leaks
    for path in _files(Path(run_dir), skip):
        rel = path.relative_to(run_dir).as_posix()
        if path.stat().st_size > MAX_FILE_BYTES:
            leaks.append({"case": None, "file": rel, "where": "未检查（文件过大）", "form": "", "pii": ""})
            continue
        seen: set[tuple[str, str, str]] = set()
        for where, data in _views(path, path.read_bytes()):
            for case, value, form in needles.find(data):
                if (case, value, form) not in seen:
                    seen.add((case, value, form))
                    leaks.append({"case": case, "file": rel, "where": where, "form": form, "pii": mask(value)})
    return leaks
