"""Runtime settings of the core, independent of Jupyter.

The server extension fills them from traitlets (`c.SageStudio.*`); a notebook kernel builds them from the
environment (the server exports its data dir so kernels it starts share the same store).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass
class Settings:
    default_model: str = "SmolLM2-135M-Instruct"
    engine_kind: str = "auto"  # auto | cpu | vllm
    engine_nice: int = 5  # the CPU engine's niceness (0-19): Jupyter, kernels and the chat relay go first
    cloud_base_url_env: str = "SAGE_CHAT_BASE_URL"
    cloud_api_key_env: str = "SAGE_CHAT_API_KEY"
    cloud_model_env: str = "SAGE_CHAT_MODEL"
    default_source: str = "auto"  # local | cloud | auto: where a chat turn goes when it names no source
    intent_classifier: str = "keyword"  # keyword | llm: how the chat pipeline's IntentRouter decides
    memory_backend: str = "short_term"  # short_term | vector | kv
    memory_window: int = 8
    memory_top_k: int = 4
    embedding_model: str = "all-MiniLM-L6-v2"
    max_upload_mb: int = 200
    max_concurrent_trainings: int = 1
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        """Settings for a process without traitlets config (kernel, CLI): SAGE_* variables override defaults."""
        s = cls()
        s.default_model = os.environ.get("SAGE_STUDIO_LLM_MODEL", s.default_model)
        s.engine_kind = os.environ.get("SAGE_STUDIO_ENGINE_KIND", s.engine_kind)
        s.engine_nice = _env_int("SAGE_STUDIO_ENGINE_NICE", s.engine_nice)
        s.memory_backend = os.environ.get("SAGE_MEMORY_BACKEND", s.memory_backend)
        s.default_source = os.environ.get("SAGE_CHAT_SOURCE", s.default_source)
        s.intent_classifier = os.environ.get("SAGE_INTENT_CLASSIFIER", s.intent_classifier)
        s.memory_window = _env_int("SAGE_MEMORY_WINDOW", s.memory_window)
        s.memory_top_k = _env_int("SAGE_MEMORY_TOP_K", s.memory_top_k)
        return s

    def cloud(self) -> dict:
        """The cloud endpoint from the environment. The key is for outgoing requests only: never serialise it."""
        return {
            "base_url": os.environ.get(self.cloud_base_url_env) or None,
            "api_key": os.environ.get(self.cloud_api_key_env) or None,
            "model": os.environ.get(self.cloud_model_env) or None,
        }


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}: fix or unset it") from None


_current: Settings | None = None


def get_settings() -> Settings:
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def set_settings(settings: Settings) -> None:
    global _current
    _current = settings
