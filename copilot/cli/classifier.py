"""`hotline classifier`: how the no-LLM intent classifier does on the labelled development lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from copilot.settings import get_settings
from copilot.understand.acknowledgements import load_acknowledgements
from copilot.understand.calls import DEV_CALLS, INTENT_UTTERANCES, DevCallsError, load_dev_calls, score_calls
from copilot.understand.classifier import (
    DATA_DIR,
    IntentClassifier,
    UtteranceFileError,
    load_or_train,
    load_utterances,
    score,
)

app = typer.Typer(help="The intent and emotion classifier (deterministic mode).", no_args_is_help=True)
T = TypeVar("T")


def _loaded(read: Callable[[], T], train: Path) -> tuple[T, IntentClassifier]:
    """What `read` reads, and the classifier trained on `train` (cached); a bad file ends the command."""
    from knowledge.embedding import create_embedder

    settings = get_settings()
    try:
        data = read()
        return data, load_or_train(create_embedder(), settings.models_dir or settings.data_dir / "models",
                                   train=train)
    except (DevCallsError, UtteranceFileError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


def _as_json(report: dict[str, Any], as_json: bool) -> bool:
    """Print the report as JSON when asked; whether it was."""
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    return as_json


@app.command("dev")
def dev(
    train: Annotated[Path, typer.Option(help="Labelled lines to train on")] = DATA_DIR / "train.jsonl",
    lines: Annotated[Path, typer.Option("--dev", help="Labelled lines to score")] = DATA_DIR / "dev.jsonl",
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
) -> None:
    """Train on `--train` (or load the cached model) and score intents and emotion on `--dev`."""
    held_out, clf = _loaded(lambda: load_utterances(lines), train)
    report = {"train": str(train), "dev": str(lines), **score(clf, held_out)}
    if _as_json(report, as_json):
        return
    typer.echo(f"{report['lines']} 条：主意图准确率 {report['intent_accuracy']:.1%}，"
               f"命中任一意图 {report['intent_any_accuracy']:.1%}，情绪 {report['emotion_accuracy']:.1%}")
    for intent, row in report["per_intent"].items():
        typer.echo(f"  {intent:24s} {row['lines']:4d} 条  {row['accuracy']:.1%}")
    for c in report["confusions"]:
        typer.echo(f"  误判 {c['labelled']} → {c['predicted']}: {c['lines']} 条")


@app.command("calls")
def calls(
    train: Annotated[Path, typer.Option(help="Labelled lines to train on")] = DATA_DIR / "train.jsonl",
    path: Annotated[Path, typer.Option("--calls", help="Development calls to replay")] = DEV_CALLS,
    last: Annotated[int, typer.Option(min=1, max=50, help="Read the caller's last N turns (the copilot reads "
                                                           f"{INTENT_UTTERANCES})")] = INTENT_UTTERANCES,
    every_turn: Annotated[bool, typer.Option("--every-turn", help="Also read the turns that only acknowledge "
                                                                  "(好的谢谢), which the copilot does not")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
) -> None:
    """Replay development calls turn by turn as the copilot reads them; score the call's main intent."""
    dev_calls, clf = _loaded(lambda: load_dev_calls(path), train)
    skipped = None if every_turn else load_acknowledgements()
    report = {"train": str(train), "calls_file": str(path), **score_calls(clf, dev_calls, last, skipped)}
    if _as_json(report, as_json):
        return
    typer.echo(f"{report['calls']} 通：通话结束时主意图准确率 {report['end_accuracy']:.1%}，"
               f"逐句（可判定之后）{report['turn_accuracy']:.1%}")
    for pattern, row in report["by_pattern"].items():
        typer.echo(f"  {pattern:12s} {row['calls']:4d} 通  {row['end_accuracy']:.1%}")
