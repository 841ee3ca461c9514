"""The `hotline` command line."""

from __future__ import annotations

import typer

from copilot.cli import bench, kb, sim, vocab
from copilot.cli.serve import serve, version

app = typer.Typer(
    help="热线坐席助手 Hotline Copilot: agent-assist for 10086-style hotlines.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(sim.app, name="sim")
app.add_typer(vocab.app, name="vocab")
app.add_typer(kb.app, name="kb")
app.add_typer(bench.app, name="bench")
app.command()(serve)
app.command()(version)


def main() -> None:
    """Entry point of the `hotline` console script."""
    app()
