"""Prometheus metrics at `/metrics`."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from copilot.api.deps import MetricsDep

router = APIRouter(tags=["health"])


@router.get("/metrics")
def metrics(m: MetricsDep) -> Response:
    """Turns, card latencies, failed reads by system, actions, feedback, open calls and streams."""
    return Response(generate_latest(m.registry), media_type=CONTENT_TYPE_LATEST)
