"""Pieces of the HTTP contract shared by every system's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header
from pydantic import BaseModel, Field

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=200)]


class ActorBody(BaseModel):
    """Who asks for a write."""

    actor: str = Field(min_length=1, max_length=64, description="Agent id")
