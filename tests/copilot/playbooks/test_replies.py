"""Every playbook's reply on every kind of line: a write the agent has not confirmed is offered, never promised."""

from __future__ import annotations

import re

import pytest

from knowledge.vocabulary import load_vocabulary
from tests.conftest import profile
from tests.copilot.playbooks.conftest import diagnose_line
from tools.sim.db import SimDatabase

PROMISE = re.compile(r"我(?:这边)?(?:现在|马上|这就)就?[为帮给]您(?!催办|查|核实|转)")
"""'我现在为您重新开通', '我马上帮您报修': said before the agent confirms, the caller hears it as done."""


@pytest.mark.parametrize("intent", [i.id for i in load_vocabulary().intents])
def test_a_write_awaiting_the_agents_confirmation_is_offered_not_promised(sim_db: SimDatabase, intent: str) -> None:
    writes = {a.id for a in load_vocabulary().actions if a.needs_confirmation}
    situations = [r["situation"] for r in sim_db.query("SELECT DISTINCT situation FROM sim_profiles")]
    for situation in situations:
        d = diagnose_line(sim_db, intent, profile(sim_db, situation))
        if writes & {a.action for a in d.actions}:
            assert not PROMISE.search(d.reply), (situation, d.reply)
