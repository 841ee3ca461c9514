"""Run a playbook for a simulator line that shows a situation."""

from __future__ import annotations

from copilot.playbooks.engine import Diagnosis, PlaybookEngine
from copilot.playbooks.schema import load_playbooks
from knowledge.vocabulary import load_vocabulary
from tests.conftest import AS_OF, profile
from tools.backends import build_backends
from tools.base.faults import FaultConfig
from tools.base.values import System
from tools.sim.db import SimDatabase


def diagnose(db: SimDatabase, intent: str, situation: str,
             faults: dict[System, FaultConfig] | None = None) -> Diagnosis:
    engine = PlaybookEngine(build_backends(sim_db=db, faults=faults).tools(lambda: AS_OF), load_vocabulary())
    books = load_playbooks(load_vocabulary(), set(engine.read_tools))
    return engine.run(books[intent], {"msisdn": profile(db, situation)}, AS_OF)
