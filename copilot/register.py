"""How a suggested reply is said at this point of the call: one greeting, an apology to an angry caller.

The playbooks write each reply as if it opened the conversation ("您好，帮您查到…"). An agent greets once, so after
the caller's first turn the greeting is dropped; and a caller who is angry, or says they are old and cannot
manage it, hears an opener before the facts (an apology; "我一步一步跟您说"), unless the reply already holds such
words (the emotion and risk cards tell the agent to; the reply to read aloud now does it).
The words are data (``copilot/data/register.yaml``) that a knowledge manager may edit; an emergency script is
never changed (`copilot.graph` does not pass one here).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from copilot.datafile import load_data_file, placeholders

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "register.yaml"


class RegisterError(ValueError):
    """The register file is unreadable or invalid; the message names the file and the entry."""


def _no_blank(words: tuple[str, ...]) -> tuple[str, ...]:
    blank = [w for w in words if not w.strip()]
    if blank:
        raise ValueError(f"不能有空词: {blank}")
    return words


class Notice(BaseModel):
    """Said before the reply when the turn raises a risk the reply does not deal with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    say: str = Field(min_length=4, description="The words, said before the reply")
    unless: tuple[str, ...] = Field(default=(), description="Words of a reply that already deals with it")
    not_on: tuple[str, ...] = Field(default=(), description="Intents whose calls it does not concern (a number "
                                                            "reported for fraud, a top-up of another line)")

    @field_validator("unless")
    @classmethod
    def _words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        return _no_blank(words)


class Register(BaseModel):
    """The greetings dropped mid-call, the openers for an angry caller, and the words that already apologise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(default=1, ge=1, description="Version")
    greetings: tuple[str, ...] = Field(default=(), description="Dropped from a reply's start after the first turn")
    openers: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="An emotion or a risk id -> what is said first to such a caller, in turn; "
                                          "the first listed that the turn shows is used")
    before_opener: tuple[str, ...] = Field(default=(), description="Dropped from a reply's start when an opener "
                                                                   "goes first (好的，: not 非常理解您的心情，好的，)")
    soothing: tuple[str, ...] = Field(default=(), description="Words that already apologise or soothe: no opener")
    agreed: str = Field(default="好的，这就为您办理，请您稍等。", min_length=4,
                        description="Said when the caller agrees to what was offered (那行吧，给我办吧): the agent "
                                    "confirms the action on the card, the offer is not read again")
    script_again: str = Field(default=("刚才说的故障还在抢修中{eta}，恢复前不用报修；"
                                       "恢复后如果还不能用，请您再打10086。"), min_length=4,
                              description="Said instead of an outage script already read on the call ({eta}: the "
                                          "script's own '预计…' clause, after a comma, or nothing)")
    notices: dict[str, Notice] = Field(
        default_factory=dict, description="A risk id -> what is said before the reply when the turn raises it "
                                          "(the caller asks about someone else's number: why it is not looked up)")

    @field_validator("greetings", "before_opener", "soothing")
    @classmethod
    def _words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        return _no_blank(words)

    @field_validator("script_again")
    @classmethod
    def _eta_only(cls, template: str) -> str:
        used = placeholders(template)
        if used - {"eta"}:
            raise ValueError(f"只能用占位符 {{eta}}，现有 {', '.join('{' + u + '}' for u in sorted(used))}")
        return template

    @field_validator("openers")
    @classmethod
    def _openers(cls, openers: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        empty = [cue for cue, said in openers.items() if not said]
        if empty:
            raise ValueError(f"开场白不能为空列表: {empty}")
        for said in openers.values():
            _no_blank(said)
        return openers

    def unknown_cues(self, known: set[str]) -> list[str]:
        """The openers' keys that are neither an emotion nor a risk the copilot reads (a typo never fires)."""
        return sorted((set(self.openers) | set(self.notices)) - known)

    def adapt(self, reply: str, turn: int, shown: Collection[str] = (), intent: str | None = None) -> str:
        """The reply as said on the caller's `turn` (1 for the first), to a caller who shows `shown`.

        Args:
            reply: The suggested reply (never an emergency script's wording).
            turn: How many times the caller has asked something so far.
            shown: What the caller's turn shows: their emotion (``angry`` ...) and the turn's risks (``elderly``).
            intent: The call's intent (a notice is not said on the intents it lists as `not_on`).

        Returns:
            The reply without its greeting after the first turn; with a notice first when the turn raises a risk
            that has one and the reply does not deal with it; and with an opener first when the turn shows what
            one is for and the reply holds no soothing words.
        """
        cue = next((c for c in self.openers if c in shown), None)
        greeting = next((g for g in sorted(self.greetings, key=len, reverse=True) if reply.startswith(g)), None)
        said = reply[len(greeting):].lstrip("，,！! ") if greeting else reply
        notice = next((n.say for risk, n in self.notices.items()
                       if risk in shown and intent not in n.not_on and not any(w in said for w in n.unless)), None)
        if notice:
            said = notice + said
        if cue and not any(w in said for w in self.soothing):
            said = next((said[len(w):] for w in self.before_opener if said.startswith(w)), said)
            openers = self.openers[cue]
            said = openers[(max(turn, 1) - 1) % len(openers)] + said
        elif greeting and turn == 1 and not cue:
            said = greeting + said
        return said if said else reply


ETA = re.compile(r"预计[^，。；！,;!]+")
"""An outage script's own estimate of when service comes back ("预计恢复时间为11月25日19:20")."""


def script_again(register: Register, wording: str) -> str:
    """What is said of an outage script already read on the call: that it still holds, with its estimate."""
    eta = ETA.search(wording)
    return register.script_again.format(eta=f"，{eta.group(0)}" if eta else "")


def load_register(path: Path | None = None) -> Register:
    """The register file (`copilot/data/register.yaml` by default).

    Raises:
        RegisterError: Naming the file and each entry that is wrong (an unknown key, a blank word).
            The openers' cues are checked against the risks by `copilot.runtime`, which knows them.
    """
    return load_data_file(path or DEFAULT_PATH, Register, RegisterError)
