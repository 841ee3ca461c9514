"""What a run evaluated: the copilot's version and data files, and the knowledge index actually served.

Recorded in ``run.json`` so that two runs can be told apart (a playbook edited, a bulletin ingested into the
world) and a run is never resumed on a changed copilot, which would mix old and new results.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_DIRS = ("copilot/data", "copilot/playbooks/data", "knowledge/data")
"""What knowledge managers edit and the copilot reads: playbooks, statements, vocabulary, lexicon, prompts ..."""


def data_sha256(root: Path = ROOT) -> str:
    """One hash over every data file the copilot reads (paths and contents, in path order)."""
    digest = hashlib.sha256()
    for folder in DATA_DIRS:
        for path in sorted(p for p in (root / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def git_commit(root: Path = ROOT) -> str | None:
    """The checkout's commit, with ``+changes`` when files differ from it; None outside a git checkout."""
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+changes" if dirty else head


def product() -> dict[str, Any]:
    """The copilot evaluated: its package version, the checkout's commit, and its data files' hash."""
    from copilot import __version__

    return {"version": __version__, "git": git_commit(), "data_sha256": data_sha256()}


def served_kb_version(index_dir: Path) -> str | None:
    """The version the world's index serves now (an ingest into the world moves it past the built one)."""
    pointer = index_dir / "CURRENT"
    return pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None
