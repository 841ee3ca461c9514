"""Turn settings into the back-office clients and the clock the copilot runs on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from copilot.settings import Settings
from tools.backends import Backends, build_backends
from tools.base.values import System
from tools.sim.db import SimDatabase

CST = timezone(timedelta(hours=8))


def wall_clock() -> datetime:
    """Now in China Standard Time, naive (as every record stores it)."""
    return datetime.now(CST).replace(tzinfo=None, microsecond=0)


def product_clock(settings: Settings) -> Callable[[], datetime]:
    """The clock the product judges "now" by: the simulator's own time in an all-simulated demo, else the wall."""
    if not settings.http_endpoints() and settings.sim_clock == "data" and settings.sim_db_path.is_file():
        return SimDatabase(settings.sim_db_path).as_of
    return wall_clock


def open_backends(settings: Settings) -> tuple[Backends, Callable[[], datetime]]:
    """The clients the settings ask for, and the clock to judge "now" by.

    Returns:
        The backends and the clock: the simulator's own time when every system is simulated and
        ``sim_clock`` is ``data``; the wall clock otherwise.

    Raises:
        FileNotFoundError: A system needs the simulator and its database does not exist.
    """
    http = settings.http_endpoints()
    needs_sim = any(s not in http for s in System)
    db = SimDatabase(settings.sim_db_path) if needs_sim else None
    backends = build_backends(sim_db=db, http=http, faults=settings.sim_faults)
    clock: Callable[[], datetime] = wall_clock
    if db is not None and not http and settings.sim_clock == "data":
        clock = db.as_of
    return backends, clock
