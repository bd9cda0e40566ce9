"""Memory configuration: settings (`c.SageStudio.memory_*` / `SAGE_MEMORY_*`) overridden per session."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models import EMBEDDING_MODEL_ID
from ..settings import get_settings

BACKENDS = ("short_term", "vector", "kv")


class MemoryConfig(BaseModel):
    """`backend` picks long-term recall; the short-term window of recent dialogs always applies."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["short_term", "vector", "kv"] = "short_term"
    window: int = Field(8, ge=0, le=1000, description="recent dialogs kept verbatim in the prompt")
    top_k: int = Field(4, ge=1, le=100, description="memories recalled per turn by vector / kv")
    # Bounded on input only (the patch below): a value stored before the bound still loads.
    min_score: float = Field(0.0, description="vector hits below this cosine similarity are dropped")
    embedding_model: str = EMBEDDING_MODEL_ID


class MemoryConfigPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: Literal["short_term", "vector", "kv"] | None = None
    window: int | None = Field(None, ge=0, le=1000)
    top_k: int | None = Field(None, ge=1, le=100)
    min_score: float | None = Field(None, ge=-1.0, le=1.0)


def default_config() -> MemoryConfig:
    s = get_settings()
    return MemoryConfig(
        backend=s.memory_backend,
        window=s.memory_window,
        top_k=s.memory_top_k,
    )


def merged_config(overrides: dict | None) -> MemoryConfig:
    base = default_config().model_dump()
    base.update({k: v for k, v in (overrides or {}).items() if v is not None and k in base})
    return MemoryConfig.model_validate(base)
