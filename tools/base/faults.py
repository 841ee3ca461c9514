"""Fault injection for the simulator: added latency, error rate and timeouts, set by config."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from pydantic import BaseModel, Field

from tools.base.errors import SystemTimeout, SystemUnavailable


class FaultConfig(BaseModel):
    """Faults one simulated system injects into every call."""

    latency_ms: float = Field(default=0.0, ge=0, description="Delay added to every call")
    error_rate: float = Field(default=0.0, ge=0, le=1, description="Share of calls that fail as unavailable")
    timeout_rate: float = Field(default=0.0, ge=0, le=1, description="Share of calls that time out")
    hang_s: float = Field(
        default=0.0,
        ge=0,
        description="On a timeout, hang this long before failing (0: fail at once); "
        "the HTTP server hangs so that the client's own timeout fires",
    )


class FaultInjector:
    """Applies a `FaultConfig` before each call, with its own seeded RNG."""

    def __init__(
        self,
        system: str,
        config: FaultConfig | None = None,
        *,
        seed: int = 0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.system = system
        self.config = config or FaultConfig()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._sleep = sleep

    def apply(self, operation: str) -> None:
        """Delay, fail or time out per the config.

        Raises:
            SystemUnavailable: On an injected error.
            SystemTimeout: On an injected timeout.
        """
        cfg = self.config
        if cfg.latency_ms:
            self._sleep(cfg.latency_ms / 1000.0)
        if not (cfg.error_rate or cfg.timeout_rate):
            return
        with self._lock:
            draw = self._rng.random()
        if draw < cfg.timeout_rate:
            if cfg.hang_s:
                self._sleep(cfg.hang_s)
            raise SystemTimeout(self.system, f"{operation} 超时（模拟故障）")
        if draw < cfg.timeout_rate + cfg.error_rate:
            raise SystemUnavailable(self.system, f"{operation} 系统繁忙（模拟故障）")
