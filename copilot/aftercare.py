"""After an action: what the copilot suggests once a write it offered has been carried out on the call.

A confirmed write (a refund through the elastic package, GPRS opened, the ONU rebooted, a ticket filed) changes
what the systems say, and the next turn diagnoses afresh (`copilot.graph`: ``slots.written``). Read as if
nothing had been done, that fresh diagnosis contradicts the call: "该月已办理过弹性计费包" becomes "这笔费用不能办理
弹性计费包", and a line the reboot brought back becomes "请重启路由器" to a caller who has just said 有网了. So while
the call's need is the one the write was done for:

* the reply tells the caller what was done, as the system reported it, and asks what else (`Aftercare.settled`);
* unless the caller says it is still not right ("还是上不了": `Aftercare.still_failing`): then what was done, and
  what the fresh diagnosis suggests next (`Aftercare.unsettled`), without the actions already done;
* a settled call is not offered another write or ticket (a dispute ticket "不符合弹性计费包条件" after the refund).

The wrap-up (`copilot.wrapup`) likewise reports what the write rested on (``basis``: the findings and the
disposition shown when the agent confirmed it), not what the systems say after it. The words and the replies
are data (``copilot/data/aftercare.yaml``) that a knowledge manager may edit.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from copilot.datafile import load_data_file, placeholders
from copilot.playbooks.expr import cn_date, number
from copilot.understand.acknowledgements import plain, unpunctuated
from knowledge.vocabulary import Vocabulary

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "aftercare.yaml"
_GREETING = re.compile(r"^您好[，,]?")
_WHEN = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::\d{2})?)?(?!\d)")
_MONTH = re.compile(r"(?<![\d-])(\d{4})-(\d{2})(?![\d-])")
_AMOUNT = re.compile(r"(\d+\.\d+)(?=\s*元)")
_SPACED = re.compile(r"(?<=[\u4e00-\u9fff（），。、：；])\s+|\s+(?=[\u4e00-\u9fff（），。、：；])")


def aloud(text: str) -> str:
    """A system's message as an agent reads it out: 10月 not 2026-10, 300元 not 300.00元, 11月27日10:00 not an ISO time.

    The reply's sources keep the system's own words.
    """
    said = _WHEN.sub(lambda m: cn_date(m.group(1), False) + (m.group(2) or ""), text)
    said = _MONTH.sub(lambda m: f"{int(m.group(2))}月", said)
    said = _AMOUNT.sub(lambda m: number(float(m.group(1))), said)
    return _SPACED.sub("", said)


class AftercareError(ValueError):
    """The aftercare file is unreadable or invalid; the message names the file and the entry."""


class Aftercare(BaseModel):
    """The words and replies for the turns after a write done on the call."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(default=1, ge=1, description="Version")
    still_failing: tuple[str, ...] = Field(default=(), description="What a caller says when it is still not right")
    settled: str = Field(default="好的，刚才已经为您{done}。请问还有其他可以帮您的吗？",
                         description="The reply while the call's need is the one acted on; {done}: what was done")
    unsettled: str = Field(default="刚才已经为您{done}。{reply}",
                           description="The reply when the caller says it is still not right; {reply}: the fresh "
                                       "diagnosis's suggestion")
    works_again: tuple[str, ...] = Field(default=(), description="What a caller says when it works again")
    no_next_step: str = Field(default="如果还是不行，我帮您登记，由专人尽快跟进处理。",
                              description="Said after what was done when the caller says it is still not right and "
                                          "the fresh diagnosis has no next step (its reply only says it is checking)")
    caller_words: dict[str, str] = Field(default_factory=dict,
                                         description="A system's words about the caller, as said to them (用户 -> 您)")

    @field_validator("still_failing", "works_again")
    @classmethod
    def _phrases(cls, phrases: tuple[str, ...]) -> tuple[str, ...]:
        bad = unpunctuated(phrases)
        if bad:
            raise ValueError(f"说法不能为空或含标点、空格: {bad}")
        return phrases

    @field_validator("settled", "unsettled")
    @classmethod
    def _template(cls, template: str, info: Any) -> str:
        used = placeholders(template)
        wanted = {"done"} | ({"reply"} if info.field_name == "unsettled" else set())
        if used != wanted:
            raise ValueError(f"须用且只用占位符 {', '.join('{' + w + '}' for w in sorted(wanted))}，"
                             f"现为 {', '.join('{' + u + '}' for u in sorted(used)) or '无'}")
        return template

    def still_not_right(self, said: str) -> bool:
        """Whether the caller's words say that what was done has not fixed it."""
        heard = plain(said)
        return any(plain(p) in heard for p in self.still_failing)

    def working_again(self, said: str) -> bool:
        """Whether the caller's words say it works again (not that it is still not right, nor ask "好了吗？")."""
        heard = plain(said)
        asked = "吗" in said or "?" in said or "？" in said
        return not asked and not self.still_not_right(said) and any(plain(p) in heard for p in self.works_again)

    def follow_up(self, suggestion: dict[str, Any], intent: str | None, results: dict[str, dict[str, Any]],
                  said: str, vocabulary: Vocabulary, holding: str | None = None) -> dict[str, Any]:
        """The suggestion (`copilot.compose.compose_reply`'s) after the writes done for `intent` on the call.

        Args:
            suggestion: The reply, its sources and actions from the fresh diagnosis.
            intent: The call's intent now.
            results: The call's action results (`copilot.graph`'s ``act``).
            said: The caller's latest words.
            vocabulary: Which actions change records (writes and tickets).
            holding: The playbook's holding reply ("正在为您查询…请您稍等"): a fresh diagnosis that gives only it has
                no next step, and `no_next_step` is said instead.

        Returns:
            The suggestion (without urging a ticket filed on the call) when no write was done for `intent`; else
            the reply that says what was done.
        """
        # a ticket filed on this call is not urged a minute later (the fresh diagnosis finds it open), whatever
        # the need is by now ("投诉你们的装维师傅" after the repair ticket)
        filed = {t for r in results.values() if changed_a_system(r)
                 and (t := ((r.get("data") or {}).get("details") or {}).get("ticket_id"))}
        suggestion = {**suggestion, "actions": [a for a in suggestion["actions"]
                                                if (a.get("params") or {}).get("ticket_id") not in filed]}
        done = [r for r in results.values() if changed_a_system(r) and r.get("intent") == intent and intent]
        if not done:
            return suggestion
        what = "；".join(self._done(r, self.working_again(said)) for r in done)
        cited = [f"{r['tool']}: {r['message']}" for r in done if r.get("tool")]
        done_ids = {r.get("action") for r in done}
        if self.still_not_right(said):
            rest = _GREETING.sub("", suggestion["reply"])
            if holding and rest == _GREETING.sub("", holding):
                rest = self.no_next_step
            tickets = all((known := vocabulary.action_by_id.get(str(r.get("action")))) is not None
                          and known.kind == "ticket" for r in done)
            said_again = tickets and "工单" in rest  # the fresh diagnosis speaks of the ticket just filed itself
            actions = [a for a in suggestion["actions"] if a["action"] not in done_ids]
            return {**suggestion, "reply": rest if said_again else self.unsettled.format(done=what, reply=rest),
                    "actions": actions, "reply_sources": list(dict.fromkeys([*cited, *suggestion["reply_sources"]]))}
        # it works again: nothing more to do; else the guidance stays (what to try), not a second write
        actions = [] if self.working_again(said) else [
            a for a in suggestion["actions"] if a["action"] not in done_ids and not
            (a["action"] in vocabulary.action_by_id and vocabulary.action_by_id[a["action"]].needs_confirmation)]
        return {**suggestion, "reply": self.settled.format(done=what), "actions": actions, "reply_sources": cited}

    def _done(self, result: dict[str, Any], works_again: bool = False) -> str:
        """One write as said to the caller: its label and the system's own words, about them as 您.

        A first clause that only says the label again ("开通数据功能" + "数据功能已开通，…") is left out, and so are
        the instructions for getting it back ("请您稍后重试上网") once the caller says it works again.
        """
        told = aloud(str((result.get("data") or {}).get("message") or "").rstrip("。"))
        for said_of, said_to in self.caller_words.items():
            told = told.replace(said_of, said_to)
        label = result.get("label") or result.get("action") or ""
        clauses = [c for c in re.split(r"[，；]", told) if c]
        if clauses and label[2:] and label[2:] in clauses[0] and len(clauses[0]) <= len(label) + 2:
            clauses = clauses[1:]
        if works_again:
            clauses = [c for c in clauses if not c.startswith(("请您", "请"))]
        told = "，".join(clauses)
        return f"{label}，{told}" if told else label


def changed_a_system(result: dict[str, Any]) -> bool:
    """Whether an action's result (`copilot.graph`'s ``act``) is a write that went through (a ticket, a refund).

    Only a write tool's result carries its ``data``; a guidance action is recorded without.
    """
    return bool(result.get("ok")) and "data" in result


def basis_of(diagnosis: dict[str, Any] | None) -> dict[str, Any]:
    """What a write rests on: the findings shown and the disposition when the agent confirmed it."""
    d = diagnosis or {}
    return {"findings": [f["text"] for f in d.get("findings", [])], "disposition": d.get("disposition")}


def load_aftercare(path: Path | None = None) -> Aftercare:
    """Load the aftercare file (the packaged ``copilot/data/aftercare.yaml`` when `path` is None).

    Raises:
        AftercareError: The file is missing, not YAML, or an entry is invalid (named).
    """
    return load_data_file(path or DEFAULT_PATH, Aftercare, AftercareError)
