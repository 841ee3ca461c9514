"""Seeded, deterministic generator of the back-office simulator database.

``generate_database(out, subscribers=..., seed=..., as_of=...)`` writes one SQLite file
(schema: ``tools/sim/schema.sql``) that stands in for BOSS, AAA/Radius, PON, coverage and
ticketing, with every staged situation listed in ``sim_profiles``.
"""

from tools.sim.generator.build import generate_database

__all__ = ["generate_database"]
