"""Browser tests: the real app (uvicorn in a thread) driven by Debian's Chromium through Playwright, headless.

Never downloads a browser: Chromium comes from the system (`make browser` installs `chromium` and CJK fonts).
Assertions wait with Playwright's `expect` (no sleeps, no timed assertions).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from copilot.api.app import create_app
from copilot.settings import Settings
from tests.conftest import ServerThread
from tests.copilot.api.conftest import settings  # noqa: F401  (fixture, reused)

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 30_000  # generous: two shared cores, and a turn runs the whole graph
VIEWPORT = {"width": 420, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, for one test module (its event loop is gone before other tests run)."""
    if not CHROMIUM.is_file() or not shutil.which(str(CHROMIUM)):
        pytest.skip("Chromium not installed: run `make browser` (apt-get install chromium fonts-noto-cjk)")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def trained(models_dir: Path) -> Path:
    """Train the intent classifier once, so that a server starts well within its deadline."""
    from copilot.understand.classifier import load_or_train
    from knowledge.embedding import create_embedder

    load_or_train(create_embedder(threads=1), models_dir)
    return models_dir


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh 420x900 page allowed to use the clipboard; browser errors fail the test."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"errors in the page: {errors}"


class Served:
    """A running app: its URL, the app itself (for its event hub) and an HTTP client for the telephony side."""

    def __init__(self, server: ServerThread, app: Any) -> None:
        self.url = server.url
        self.app = app
        self.http = httpx.Client(base_url=server.url, timeout=60)


def serve(app_settings: Settings) -> Iterator[Served]:
    """Start the app on loopback and stop it after the test."""
    app = create_app(app_settings)
    with ServerThread(app) as server:
        served = Served(server, app)
        try:
            yield served
        finally:
            served.http.close()


@pytest.fixture
def server(settings: Settings, trained: Path) -> Iterator[Served]:  # noqa: F811
    """The app over the test world and the small knowledge base."""
    yield from serve(settings)


def own_settings(sim_path: Path, kb: Path, tmp_path: Path, **extra: Any) -> Settings:
    """Settings like the `settings` fixture's, with changes."""
    return Settings(sim_db=sim_path, kb_dir=kb, data_dir=tmp_path / "data", **extra)
