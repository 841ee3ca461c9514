"""The evaluator's and the knowledge manager's notebooks run headless on a real run, so they never rot."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def execute(name: str, run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run every cell of a notebook on `run_dir`; return all the text it printed or displayed."""
    monkeypatch.setenv("HOTLINE_EVAL_RUN", str(run_dir))
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS.parent)}}).execute()
    text = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
            text.append(output.get("text", ""))
            text.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(text)


def test_evaluator_notebook_slices_failures(smoke_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = execute("evaluator.ipynb", smoke_run, monkeypatch)
    assert "data_fee_dispute" in out and "失败率" in out
    assert "情绪" in out and "噪声" in out


def test_knowledge_gaps_notebook_finds_gaps(smoke_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = execute("knowledge_gaps.ipynb", smoke_run, monkeypatch)
    assert "有金标知识但前5未命中" in out and "在用知识点" in out and "覆盖率" in out
