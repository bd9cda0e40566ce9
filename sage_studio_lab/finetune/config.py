"""The typed task configuration, written to `<task>/config.json` and read by the trainer (no generated code)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..request_json import Name, PathName

MAX_STEPS = 100_000_000


class LoraOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rank: int = Field(8, ge=1, le=1024)
    alpha: int = Field(16, ge=1, le=4096)
    dropout: float = Field(0.05, ge=0.0, lt=1.0)
    target_modules: list[str] | Literal["all-linear"] = Field(default_factory=lambda: ["q_proj", "v_proj"])
    use_dora: bool = False

    @field_validator("target_modules")
    @classmethod
    def _non_empty(cls, v):
        if isinstance(v, list) and not v:
            raise ValueError("give at least one module name, or 'all-linear'")
        return v


class TaskConfig(BaseModel):
    """Everything one training run needs. Defaults are small enough for a CPU."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    name: str | None = Field(None, max_length=120)
    model: PathName = "SmolLM2-135M-Instruct"
    dataset_id: Name
    method: Literal["lora"] = "lora"
    lora: LoraOptions = Field(default_factory=LoraOptions)
    epochs: float = Field(1.0, gt=0, le=100)
    max_steps: int = Field(
        -1, ge=-1, le=MAX_STEPS, description="-1: run the epochs; otherwise stop after this many steps"
    )
    batch_size: int = Field(4, ge=1, le=512)
    gradient_accumulation: int = Field(1, ge=1, le=512)
    learning_rate: float = Field(2e-4, gt=0, lt=1)
    scheduler: Literal["linear", "cosine", "constant", "constant_with_warmup"] = "linear"
    warmup_ratio: float = Field(0.0, ge=0, lt=1)
    max_length: int = Field(512, ge=16, le=32768)
    eval_ratio: float = Field(0.1, ge=0, lt=1)
    seed: int = Field(42, ge=0, le=2**32 - 1)  # numpy's seeds (transformers' set_seed) are 32-bit
    save_steps: int = Field(50, ge=1, le=MAX_STEPS)
    eval_steps: int = Field(50, ge=1, le=MAX_STEPS)
    quantization: Literal["none", "4bit", "8bit"] = "none"
    evaluate: bool | None = Field(
        None,
        description="score base vs adapter on the held-out split when training ends (evaluation.json); "
        "default: only when eval_ratio > 0",
    )
    threads: int | None = Field(
        None,
        ge=1,
        le=512,
        description="CPU threads (default: torch's choice, or "
        "$SAGE_STUDIO_TRAIN_THREADS); 1 is far faster on a busy shared CPU",
    )
