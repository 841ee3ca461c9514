"""Deployment settings: values that cannot work together are refused with the names of what clashes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from copilot.settings import Settings


def test_a_turn_timeout_shorter_than_a_turns_own_budgets_is_refused_with_workers() -> None:
    with pytest.raises(ValidationError, match=r"turn_timeout_s \(20\).*22"):
        Settings(turn_workers=2, turn_timeout_s=20)  # 2 x 8 s of model answers + 2 s x 3 backend tries
    assert Settings(turn_workers=2).turn_timeout_s == 30
    assert Settings(turn_workers=2, turn_timeout_s=5, llm_timeout_s=1, backend_timeout_s=0.5,
                    backend_retries=1).turn_timeout_s == 5


def test_without_workers_the_turn_timeout_is_not_used_and_not_checked() -> None:
    assert Settings(turn_workers=0, turn_timeout_s=5, llm_timeout_s=30).llm_timeout_s == 30
