"""How a suggested reply is said at this point of the call: one greeting, and an apology to an angry caller.

The playbooks write each reply as if it opened the conversation ("您好，帮您查到…"). An agent greets once, so after
the caller's first turn the greeting is dropped; and an angry caller hears an apology before the facts, unless
the reply already holds one (the emotion card tells the agent to apologise; the reply to read aloud now does).
The words are data (``copilot/data/register.yaml``) that a knowledge manager may edit; an emergency script is
never changed (`copilot.graph` does not pass one here).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from copilot.datafile import load_data_file

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "register.yaml"


class RegisterError(ValueError):
    """The register file is unreadable or invalid; the message names the file and the entry."""


def _no_blank(words: tuple[str, ...]) -> tuple[str, ...]:
    blank = [w for w in words if not w.strip()]
    if blank:
        raise ValueError(f"不能有空词: {blank}")
    return words


class Register(BaseModel):
    """The greetings dropped mid-call, the openers for an angry caller, and the words that already apologise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(default=1, ge=1, description="Version")
    greetings: tuple[str, ...] = Field(default=(), description="Dropped from a reply's start after the first turn")
    angry_openers: tuple[str, ...] = Field(default=(), description="Said first to an angry caller, in turn")
    before_opener: tuple[str, ...] = Field(default=(), description="Dropped from a reply's start when an opener "
                                                                   "goes first (好的，: not 非常理解您的心情，好的，)")
    apologies: tuple[str, ...] = Field(default=(), description="Words that already apologise: no opener then")

    @field_validator("greetings", "angry_openers", "before_opener", "apologies")
    @classmethod
    def _words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        return _no_blank(words)

    def adapt(self, reply: str, turn: int, emotion: str | None) -> str:
        """The reply as said on the caller's `turn` (1 for the first), to a caller showing `emotion`.

        Args:
            reply: The suggested reply (never an emergency script's wording).
            turn: How many times the caller has spoken so far.
            emotion: The caller's emotion on this turn (``calm``, ``anxious``, ``angry``), None when unread.

        Returns:
            The reply without its greeting after the first turn, and with an apology first for an angry caller
            when it holds none.
        """
        said = reply
        greeting = next((g for g in sorted(self.greetings, key=len, reverse=True) if said.startswith(g)), None)
        if greeting and (turn > 1 or emotion == "angry"):
            said = said[len(greeting):].lstrip("，,！! ")
        if emotion == "angry" and self.angry_openers and not any(w in said for w in self.apologies):
            said = next((said[len(w):] for w in self.before_opener if said.startswith(w)), said)
            said = self.angry_openers[(max(turn, 1) - 1) % len(self.angry_openers)] + said
        return said if said else reply


def load_register(path: Path | None = None) -> Register:
    """The register file (`copilot/data/register.yaml` by default).

    Raises:
        RegisterError: Naming the file and each entry that is wrong (an unknown key, a blank word).
    """
    return load_data_file(path or DEFAULT_PATH, Register, RegisterError)
