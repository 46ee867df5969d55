"""The answer of `DELETE /v1/visitors/{visitor_id}`, for the OpenAPI document."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class VisitorDeletion(BaseModel):
    """What was erased: zeros for a visitor with nothing (the answer never tells which)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"deleted": True, "sessions": 3, "events": 41}]}
    )

    deleted: Literal[True] = Field(description="Always true: the visitor has no data left.")
    sessions: int = Field(ge=0, description="Sessions deleted.")
    events: int = Field(ge=0, description="Events deleted (nudge events included).")
