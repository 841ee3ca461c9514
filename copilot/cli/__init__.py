"""The `hotline` command line."""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

from copilot.cli import bench, classifier, kb, sim, vocab
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
app.add_typer(classifier.app, name="classifier")
app.command()(serve)
app.command()(version)


def add_plugins(cli: typer.Typer) -> None:
    """Add the sub-commands other installed packages declare under the ``hotline.cli`` entry-point group.

    This is how ``hotline eval`` (the evaluation harness in ``evals/``) joins the command line without the
    product importing it.
    """
    for ep in entry_points(group="hotline.cli"):
        cli.add_typer(ep.load(), name=ep.name)


def main() -> None:
    """Entry point of the `hotline` console script."""
    add_plugins(app)
    app()
