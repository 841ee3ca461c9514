"""Save a screenshot of the agent's sidebar mid-call (for the README), from the real app on the demo data.

Starts the app on loopback over the demo data (``make data``), replays the first steps of a sample call in
Debian's Chromium (headless, 420x900) and saves the page as it stands::

    .venv/bin/python scripts/screenshot.py                       # -> docs/sidebar.png
    .venv/bin/python scripts/screenshot.py --call broadband_onu --steps 4 --out /tmp/sidebar.png

The demo data is only read: checkpoints and the audit trail of the screenshot's call go to a temporary folder.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="demo data folder (make data)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "sidebar.png", help="PNG to write")
    parser.add_argument("--call", default="fee_dispute", help="sample call id (copilot/data/demo_calls.yaml)")
    parser.add_argument("--steps", type=int, default=5, help="how many of its steps to replay (mid-call)")
    parser.add_argument("--scale", type=float, default=2.0, help="device pixel ratio of the image")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the app and the call")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Start the app, run the call to mid-call, save the screenshot; returns the exit status."""
    args = parse_args(argv)
    import uvicorn
    from playwright.sync_api import expect, sync_playwright

    from copilot.api.app import create_app
    from copilot.settings import Settings

    data = args.data.resolve()
    if not (data / "sim.sqlite").is_file() or not (data / "kb" / "index" / "CURRENT").is_file():
        print(f"没有演示数据：{data}（先运行 make data）", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="hotline-shot-") as tmp:
        settings = Settings(data_dir=Path(tmp), sim_db=data / "sim.sqlite", kb_dir=data / "kb",
                            models_dir=data / "models")
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + args.timeout
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                print("应用没有启动", file=sys.stderr)
                return 1
            time.sleep(0.1)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
                page = browser.new_page(viewport={"width": 420, "height": 900}, device_scale_factor=args.scale,
                                        locale="zh-CN")
                expect.set_options(timeout=args.timeout * 1000)
                page.goto(f"http://127.0.0.1:{port}/?demo={args.call}&pace=0&steps={args.steps}")
                expect(page.locator("body[data-demo=done]")).to_have_count(1)
                expect(page.locator("#reply")).to_be_visible()
                page.evaluate("document.activeElement && document.activeElement.blur()")
                page.wait_for_load_state("networkidle")
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out), animations="disabled")
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    print(f"已保存 {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
