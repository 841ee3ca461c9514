"""The five back-office clients as one bundle, each either the simulator or HTTP, and their tools."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from langchain_core.tools import BaseTool
from pydantic import BaseModel, Field

from tools.aaa.client import AaaClient
from tools.aaa.http_client import HttpAaaClient
from tools.aaa.sim import SimAaaClient
from tools.aaa.tools import AaaToolkit
from tools.base.faults import FaultConfig, FaultInjector
from tools.base.http import CircuitBreaker, HttpTransport
from tools.base.toolkit import Toolkit, ToolType
from tools.base.values import System
from tools.boss.client import BossClient
from tools.boss.http_client import HttpBossClient
from tools.boss.sim import SimBossClient
from tools.boss.tools import BossToolkit
from tools.coverage.client import CoverageClient
from tools.coverage.http_client import HttpCoverageClient
from tools.coverage.sim import SimCoverageClient
from tools.coverage.tools import CoverageToolkit
from tools.pon.client import PonClient
from tools.pon.http_client import HttpPonClient
from tools.pon.sim import SimPonClient
from tools.pon.tools import PonToolkit
from tools.sim.db import SimDatabase
from tools.ticketing.client import TicketingClient
from tools.ticketing.http_client import HttpTicketingClient
from tools.ticketing.sim import SimTicketingClient
from tools.ticketing.tools import TicketingToolkit


class HttpEndpoint(BaseModel):
    """How to reach one real back-office system."""

    base_url: str = Field(description="Base URL of the system's API")
    auth_header: str = Field(default="Authorization", description="Header carrying the credential")
    auth_value: str | None = Field(default=None, description="Credential, e.g. 'Bearer <token>'")
    timeout_s: float = Field(default=2.0, gt=0, description="Per-request timeout")
    retries: int = Field(default=2, ge=0, le=5, description="Retries of transient failures")
    backoff_s: float = Field(default=0.05, ge=0, description="First backoff; doubles each retry")
    breaker_threshold: int = Field(default=5, ge=1, description="Failures in a row that open the circuit")
    breaker_reset_s: float = Field(default=30.0, gt=0, description="How long the circuit stays open")

    def transport(self, system: System) -> HttpTransport:
        """An HTTP transport for `system`."""
        return HttpTransport(
            system.value, self.base_url,
            auth_header=(self.auth_header, self.auth_value) if self.auth_value else None,
            timeout_s=self.timeout_s, retries=self.retries, backoff_s=self.backoff_s,
            breaker=CircuitBreaker(self.breaker_threshold, self.breaker_reset_s),
        )


@dataclass
class Backends:
    """One client per system, and which implementation each one is."""

    boss: BossClient
    aaa: AaaClient
    pon: PonClient
    coverage: CoverageClient
    ticketing: TicketingClient
    kinds: dict[System, str] = field(default_factory=dict)

    def toolkits(self, clock: Callable[[], datetime]) -> list[Toolkit]:
        """The toolkits over these clients."""
        return [
            BossToolkit(self.boss, clock),
            AaaToolkit(self.aaa),
            PonToolkit(self.pon),
            CoverageToolkit(self.coverage),
            TicketingToolkit(self.ticketing),
        ]

    def tools(self, clock: Callable[[], datetime], tool_type: ToolType | None = None) -> list[BaseTool]:
        """Every tool of every system, optionally only READ or WRITE ones."""
        return [t for kit in self.toolkits(clock) for t in kit.tools(tool_type)]


def build_backends(
    *,
    sim_db: SimDatabase | None,
    http: dict[System, HttpEndpoint] | None = None,
    faults: dict[System, FaultConfig] | None = None,
    fault_seed: int = 0,
) -> Backends:
    """Build the bundle: systems named in `http` go over HTTP, the others use the simulator.

    Args:
        sim_db: The simulator database; required unless every system is in `http`.
        http: Endpoints of the systems that are real.
        faults: Faults the simulated systems inject.
        fault_seed: Seed of the fault injectors' RNGs.

    Returns:
        The bundle.

    Raises:
        ValueError: When a system needs the simulator and no database was given.
    """
    http = http or {}
    faults = faults or {}
    missing = [s.value for s in System if s not in http]
    if missing and sim_db is None:
        raise ValueError(f"没有模拟后台数据库，无法为 {', '.join(missing)} 提供模拟实现")

    def inj(system: System) -> FaultInjector:
        return FaultInjector(system.value, faults.get(system), seed=fault_seed + list(System).index(system))

    db = sim_db
    kinds = {s: ("http" if s in http else "sim") for s in System}
    return Backends(
        boss=HttpBossClient(http[System.BOSS].transport(System.BOSS)) if System.BOSS in http
        else SimBossClient(db, inj(System.BOSS)),  # type: ignore[arg-type]
        aaa=HttpAaaClient(http[System.AAA].transport(System.AAA)) if System.AAA in http
        else SimAaaClient(db, inj(System.AAA)),  # type: ignore[arg-type]
        pon=HttpPonClient(http[System.PON].transport(System.PON)) if System.PON in http
        else SimPonClient(db, inj(System.PON)),  # type: ignore[arg-type]
        coverage=HttpCoverageClient(http[System.COVERAGE].transport(System.COVERAGE)) if System.COVERAGE in http
        else SimCoverageClient(db, inj(System.COVERAGE)),  # type: ignore[arg-type]
        ticketing=HttpTicketingClient(http[System.TICKETING].transport(System.TICKETING))
        if System.TICKETING in http else SimTicketingClient(db, inj(System.TICKETING)),  # type: ignore[arg-type]
        kinds=kinds,
    )
