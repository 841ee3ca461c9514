"""`hotline vocab`: check the shared vocabulary file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from knowledge.vocabulary import VocabularyError, load_vocabulary

app = typer.Typer(help="The shared vocabulary of intents and actions.", no_args_is_help=True)


@app.command("check")
def check(
    path: Annotated[Path | None, typer.Argument(help="Vocabulary YAML; the packaged one by default")] = None,
) -> None:
    """Validate a vocabulary file and print its counts."""
    try:
        vocab = load_vocabulary(path)
    except VocabularyError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"ok: {len(vocab.intents)} intents, {len(vocab.actions)} actions")
