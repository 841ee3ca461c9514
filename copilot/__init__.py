"""Hotline Copilot: the LangGraph agent, the FastAPI app and the agent's web UI."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hotline-copilot")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
