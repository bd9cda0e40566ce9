"""Runtime settings of the core, declared once and validated wherever they come from.

`Settings` declares each setting: name, type (allowed values, bounds), default, help and — where kernels and
the CLI may set it — its environment variable. The faces derive from it: the server's `c.SageStudio.*`
traits (`config_traits()`, server/app.py), the `SAGE_*` environment of kernels and the CLI
(`Settings.from_env()`), and the defaults of the `%sage_studio` magics (`config_trait()`).
"""

from __future__ import annotations

import os
import typing
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, ValidationError


def _setting(default: Any, help: str, env: str | None = None, **bounds) -> Any:
    return Field(default, description=help, json_schema_extra={"env": env} if env else None, **bounds)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    default_model: str = _setting(
        "SmolLM2-135M-Instruct", "Model the engine starts with by default.", env="SAGE_STUDIO_LLM_MODEL"
    )
    engine_kind: Literal["auto", "cpu", "vllm"] = _setting(
        "auto",
        "Engine backend: auto (vLLM when a GPU and vllm exist), cpu or vllm.",
        env="SAGE_STUDIO_ENGINE_KIND",
    )
    engine_nice: int = _setting(
        0,
        "CPU priority the CPU engine gives up (Unix niceness, 0-19). 0, as the kernels: a niced engine gets a "
        "third of a core a kernel also wants (2 cores, one kept busy, other work running: 3 tok/s at 5 vs "
        "12-25 at 0); the engine leaves cores to Jupyter by running fewer threads instead (engine_threads). "
        "Higher: the server, kernels and the chat relay go first.",
        env="SAGE_STUDIO_ENGINE_NICE",
        ge=0,
        le=19,
    )
    engine_threads: int = _setting(
        0,
        "torch threads of the CPU engine. 0 (auto): the cores other processes leave free, re-checked twice a "
        "second (1 on a 2-core laptop whose other core a kernel keeps busy: a thread sharing a busy core stalls "
        "every decode step); N: always N.",
        env="SAGE_STUDIO_ENGINE_THREADS",
        ge=0,
        le=1024,
    )
    cloud_base_url_env: str = _setting(
        "SAGE_CHAT_BASE_URL", "Env var holding the cloud OpenAI-compatible base URL."
    )
    cloud_api_key_env: str = _setting(
        "SAGE_CHAT_API_KEY", "Env var holding the cloud API key (never returned by any route)."
    )
    cloud_model_env: str = _setting("SAGE_CHAT_MODEL", "Env var holding the cloud model name.")
    default_source: Literal["auto", "local", "cloud"] = _setting(
        "auto",
        "Where chat turns go when they name no source: local engine, cloud endpoint, or auto (local first, "
        "cloud when the local engine is down).",
        env="SAGE_CHAT_SOURCE",
    )
    chat_max_tokens: int = _setting(
        512,
        "Most tokens a chat turn generates when its session sets no max_tokens (without a bound, vLLM and cloud "
        "endpoints generate up to the model's whole context).",
        env="SAGE_CHAT_MAX_TOKENS",
        ge=1,
        le=32_768,
    )
    chat_repetition_penalty: float = _setting(
        1.1,
        "Repetition penalty a chat turn sends when its session sets none (vLLM's `repetition_penalty`: tokens "
        "already in the prompt or answer get less likely; 1.0 = off). A small model answering greedily can "
        "otherwise loop on one line until max_tokens.",
        env="SAGE_CHAT_REPETITION_PENALTY",
        ge=1.0,
        le=2.0,
    )
    chat_turn_runs: int = _setting(
        200,
        "How many chat turns are kept as flow runs (the newest), to open on the canvas with each step's inputs and "
        "outputs (intent, memory hits, documents, the final prompt); 0 records none.",
        env="SAGE_CHAT_TURN_RUNS",
        ge=0,
        le=100_000,
    )
    intent_classifier: Literal["keyword", "llm"] = _setting(
        "keyword",
        "How the chat pipeline's IntentRouter classifies a message: keyword rules, or a short LLM call "
        "(falls back to the keyword result on error). Sessions may override it.",
        env="SAGE_INTENT_CLASSIFIER",
    )
    memory_backend: Literal["short_term", "vector", "kv"] = _setting(
        "short_term", "Default memory backend: short_term, vector or kv.", env="SAGE_MEMORY_BACKEND"
    )
    memory_window: int = _setting(
        8, "Dialogs kept by the short_term memory.", env="SAGE_MEMORY_WINDOW", ge=0, le=1000
    )
    memory_top_k: int = _setting(
        4, "Memories recalled per turn by vector / kv memory.", env="SAGE_MEMORY_TOP_K", ge=1, le=100
    )
    max_upload_mb: int = _setting(200, "Largest dataset upload accepted, in MiB.", ge=1)
    max_concurrent_trainings: int = _setting(
        1,
        "Fine-tune tasks that may train at once; others queue.",
        env="SAGE_STUDIO_MAX_TRAININGS",  # also how a launcher hands its limit to the trainers it starts
        ge=1,
    )
    files_root: str = _setting(
        "",
        "The folder flows may read and write files in (file source / file sink) and where the relative paths "
        "of a flow without a file resolve. Empty: the Jupyter server's root_dir in the server; elsewhere "
        "(kernels, Python) trusted flows are not confined and untrusted ones use the current directory.",
        env="SAGE_STUDIO_FILES_ROOT",
    )

    @classmethod
    def env_vars(cls) -> dict[str, str]:
        """Setting name → its environment variable, for the settings that have one."""
        return {
            name: info.json_schema_extra["env"]
            for name, info in cls.model_fields.items()
            if isinstance(info.json_schema_extra, dict)
        }

    @classmethod
    def from_env(cls) -> Settings:
        """Settings for a process without traitlets config (kernel, CLI): `SAGE_*` variables override the
        defaults; a bad value raises `SettingsError` naming the variable and what it accepts."""
        raw = {name: os.environ[var] for name, var in cls.env_vars().items() if var in os.environ}
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = [_env_problem(cls, e, raw) for e in exc.errors()]
            raise SettingsError("; ".join(problems)) from None

    def cloud(self) -> dict:
        """The cloud endpoint from the environment. The key is for outgoing requests only: never serialise it."""
        return {
            "base_url": os.environ.get(self.cloud_base_url_env) or None,
            "api_key": os.environ.get(self.cloud_api_key_env) or None,
            "model": os.environ.get(self.cloud_model_env) or None,
        }


class SettingsError(ValueError):
    """A setting's value is not one it accepts (the message names the variable and how to fix it)."""


def _choices(annotation) -> tuple | None:
    return typing.get_args(annotation) if typing.get_origin(annotation) is Literal else None


def _bounds(info) -> tuple[int | None, int | None]:
    lo = next((m.ge for m in info.metadata if isinstance(m, annotated_types.Ge)), None)
    hi = next((m.le for m in info.metadata if isinstance(m, annotated_types.Le)), None)
    return lo, hi


def _env_problem(cls: type[Settings], error: dict, raw: dict) -> str:
    name = str(error["loc"][0])
    info, var = cls.model_fields[name], cls.env_vars()[name]
    lo, hi = _bounds(info)
    if error["type"] == "literal_error":
        wanted = f"one of {', '.join(_choices(info.annotation))}"
    elif error["type"] in ("int_parsing", "int_from_float"):
        wanted = "a whole number"
    elif error["type"] in ("greater_than_equal", "less_than_equal"):
        wanted = (
            f"at least {lo}" if hi is None else f"at most {hi}" if lo is None else f"between {lo} and {hi}"
        )
    else:
        wanted = f"valid ({error['msg']})"
    return f"{var} must be {wanted}, not {raw[name]!r}: fix or unset it"


# -- traitlets (the server's `c.SageStudio.*` and the magics' config) are derived, never declared again --------
def config_trait(name: str, help: str | None = None):
    """The configurable trait of setting `name`: its type, allowed values, bounds, default and help."""
    import traitlets  # the faces' config system: imported only by the faces that ask for traits

    info = Settings.model_fields[name]
    if help is None:
        env = Settings.env_vars().get(name)
        help = (info.description or "") + (f" (Kernels and the CLI read ${env}.)" if env else "")
    choices, (lo, hi) = _choices(info.annotation), _bounds(info)
    if choices:
        trait = traitlets.Enum(list(choices), info.default, help=help)
    elif info.annotation is bool:
        trait = traitlets.Bool(info.default, help=help)
    elif info.annotation is int:
        trait = traitlets.Integer(info.default, min=lo, max=hi, help=help)
    elif info.annotation is float:
        trait = traitlets.Float(info.default, min=lo, max=hi, help=help)
    else:
        trait = traitlets.Unicode(info.default, help=help)
    return trait.tag(config=True)


def config_traits() -> dict:
    """Every setting as a configurable trait, by name (the body of a traitlets `Configurable`)."""
    return {name: config_trait(name) for name in Settings.model_fields}


_current: Settings | None = None


def get_settings() -> Settings:
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def set_settings(settings: Settings) -> None:
    global _current
    _current = settings
