"""Risk cues (escalation, media threat, injection attempt, fraud, elderly caller) from a data file."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "risks.yaml"


class RiskLexicon(BaseModel):
    """Risk id -> words that raise it."""

    version: int = Field(ge=1)
    risks: dict[str, list[str]] = Field(description="Risk id -> cue words")

    def detect(self, text: str) -> list[str]:
        """Risk ids whose cues appear in `text`."""
        return [risk for risk, cues in self.risks.items() if any(c in text for c in cues)]


def load_risks(path: Path | None = None) -> RiskLexicon:
    """Load the risk lexicon."""
    return RiskLexicon.model_validate(yaml.safe_load((path or DEFAULT_PATH).read_text(encoding="utf-8")))
