"""What goes into the graph for one utterance, and what the harness records of what came out.

`utterance_of` builds the utterance exactly as ``POST /v1/calls/{id}/utterances`` does (whitespace collapsed,
personal data masked by copilot/pii.py, another number than the caller's flagged), so an in-process replay
feeds the graph what the API would. `suggestion_of` turns the sidebar's snapshot (the graph's output state,
which is also the API's response body) into a `Suggestion`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from copilot.api.routers.calls import MAX_UTTERANCE
from copilot.pii import mask_in_call, other_line_asked_about
from evals.records import Suggestion
from evals.scenario import Turn


class UtteranceRejected(ValueError):
    """The API would refuse this utterance (empty, or too long)."""


def utterance_of(turn: Turn, msisdn: str, number_turns: int = 0) -> tuple[dict[str, Any], int]:
    """The utterance as the API stores it and passes it to the graph, and the call's count for the next one.

    Args:
        turn: The scenario's turn.
        msisdn: The calling line.
        number_turns: What the previous utterance of the call returned (`copilot.pii.mask_in_call`).

    Raises:
        UtteranceRejected: The API would answer 422 (empty after trimming, or over its length limit).
    """
    if len(turn.text) > MAX_UTTERANCE:
        raise UtteranceRejected(f"话语超过 {MAX_UTTERANCE} 字，API 会拒绝")
    raw = " ".join(turn.text.split())
    if not raw:
        raise UtteranceRejected("话语内容为空，API 会拒绝")
    text, number_turns = mask_in_call(raw, number_turns)
    utterance: dict[str, Any] = {"speaker": turn.speaker, "text": text}
    if turn.asr_confidence is not None:
        utterance["asr_confidence"] = turn.asr_confidence
    if turn.speaker == "caller" and other_line_asked_about(raw, msisdn):
        utterance["other_number"] = True
    return utterance, number_turns


DocText = Callable[[str], str | None]
"""The full text of a knowledge point (its body) or script (its wording) by id; None when unknown."""


def suggestion_of(snapshot: dict[str, Any], doc_text: DocText) -> Suggestion:
    """What the sidebar showed, in the form metrics read."""
    diagnosis = snapshot.get("diagnosis") or {}
    reads = [{"tool": r.get("tool"), "system": r.get("system"), "ok": bool(r.get("ok")), "error": r.get("error"),
              "facts": list(r.get("facts") or [])} for r in diagnosis.get("reads", [])]
    findings = diagnosis.get("findings", [])
    knowledge = snapshot.get("knowledge") or []
    scripts = snapshot.get("scripts") or []
    texts = [f"{k.get('title', '')}\n{doc_text(k['id']) or k.get('snippet', '')}" for k in knowledge]
    texts += [f"{s.get('title', '')}\n{s.get('wording', '')}" for s in scripts]
    return Suggestion(
        intents=[(str(i), float(c)) for i, c in snapshot.get("intents") or []],
        emotion=snapshot.get("emotion") or "calm",
        risks=list(snapshot.get("risks") or []),
        reads=reads,
        findings=[f["rule"] for f in findings],
        finding_texts=[f.get("text", "") for f in findings],
        actions=[a["action"] for a in snapshot.get("actions") or []],
        forbidden=list(diagnosis.get("forbidden") or []),
        disposition=diagnosis.get("disposition"),
        knowledge=[k["id"] for k in knowledge],
        scripts=[s["id"] for s in scripts],
        reply=snapshot.get("reply"),
        reply_sources=list(snapshot.get("reply_sources") or []),
        facts=[*(fact for r in reads for fact in r["facts"]), *diagnosis.get("figures", [])],
        knowledge_text=texts,
        reply_origin=snapshot.get("reply_origin", "rules"),
    )
