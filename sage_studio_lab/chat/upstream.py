"""Where a chat request goes: the local engine, a cloud OpenAI-compatible endpoint, or `auto` (local
first, cloud when the local engine is down). Keys stay in this module: nothing here is ever serialised.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, replace

from ..errors import StudioError, Unavailable
from ..settings import get_settings
from . import default_model

log = logging.getLogger(__name__)

# The engine's address (`EngineManager.endpoint()`: a store read and a process check) is cached, so the gateway's
# hot path needs no worker thread; a connection error invalidates it at once and the caller re-resolves (a
# restarted engine on another port is found on the next try).
LOCAL_CACHE_S = 30.0
DEFAULT_MODEL_NAMES = {None, "", "default", "auto", "local", "cloud"}
ENGINE_URL_ENV = "SAGE_STUDIO_ENGINE_URL"  # an engine Studio does not manage (e.g. run elsewhere)
ENGINE_KEY_ENV = "SAGE_STUDIO_ENGINE_API_KEY"  # its key, when it was started with one (vLLM's --api-key)


class UpstreamError(StudioError):
    """The model server answered with an error (or not at all); `status` is what the gateway returns."""

    status = 502

    def __init__(
        self, message: str, status: int = 502, code: str = "upstream_error", source: str | None = None
    ):
        super().__init__(message, code=code, source=source)
        self.status = status
        self.code = code
        self.source = source


@dataclass(frozen=True)
class Upstream:
    source: str  # "local" | "cloud"
    base_url: str  # ends with /v1
    model: str | None
    api_key: str | None = None

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def model_for(self, requested: str | None) -> str:
        """The model name to send: the request's (e.g. a fine-tuned adapter) unless it is a placeholder."""
        if self.source == "cloud":
            return self.model or (requested if requested not in DEFAULT_MODEL_NAMES else "") or "default"
        return requested if requested not in DEFAULT_MODEL_NAMES else (self.model or "default")

    def __repr__(self) -> str:  # never show the key
        return f"Upstream(source={self.source!r}, base_url={self.base_url!r}, model={self.model!r})"


_local_cache: dict = {"at": 0.0, "value": None, "home": None}
_local_lock = threading.Lock()


def _v1(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


def local_upstream(fresh: bool = False, chat_default: bool = True) -> Upstream | None:
    """The running local engine, or None when none runs. Only a found engine is cached: "none" is re-checked
    on every call (a store read, no HTTP), so an engine started a moment ago is used at once. Pure: it names
    the chat default adapter (`chat_default=False`: the engine's base model) but never loads it — routing a
    turn does that (`serve_chat_default`)."""
    env = os.environ.get(ENGINE_URL_ENV)
    home = (os.environ.get("SAGE_STUDIO_HOME"), env)
    with _local_lock:
        cached = _local_cache["value"]
        if (
            cached is not None
            and not fresh
            and _local_cache["home"] == home
            and time.monotonic() - _local_cache["at"] < LOCAL_CACHE_S
        ):
            return cached if env or not chat_default else _routed(cached)
    if env:
        value = _external()
        if not value.model:
            value = replace(value, model=_served_model(value))
    else:
        from ..engine import EngineManager

        manager = EngineManager()
        endpoint = manager.endpoint()
        url, key = endpoint["base_url"], manager.api_key(endpoint.get("id"))
        value = Upstream("local", _v1(url), endpoint["model"], key) if url else None
    with _local_lock:
        _local_cache.update(at=time.monotonic(), value=value, home=home)
    return _routed(value) if value and not env and chat_default else value


def _routed(up: Upstream) -> Upstream:
    """`up` answering as the chat default adapter chosen by "use in chat" (read from the store on every call,
    so a hot-swap from any process takes effect at once)."""
    current = _current_chat_model() or {}
    return replace(up, model=current["model"]) if default_model.is_adapter(current) else up


# (engine address, adapter) pairs this process loaded or found loaded: the hot path skips the engine check.
_loaded_defaults: set = set()


def serve_chat_default(base: Upstream) -> Upstream:
    """The explicit step before a turn goes to the local engine `base`: load the chat default adapter into it
    when this process has not seen it there, and route to it. A missing/broken adapter must not take chat
    down: the turn is answered by the base model."""
    try:
        current = default_model.current_chat_model()
        if not default_model.is_adapter(current):
            return base
        key = (base.base_url, current["model"])
        if key not in _loaded_defaults:
            default_model.ensure_loaded()
            _loaded_defaults.add(key)
        return replace(base, model=current["model"])
    except Exception as exc:  # noqa: BLE001 - any failure degrades to the base model, with a warning
        log.warning("chat default adapter unavailable, using the base model: %s", exc)
        return base


def _external() -> Upstream:
    """The engine Studio does not manage (`SAGE_STUDIO_ENGINE_URL`), with its key when it has one."""
    url = _v1(os.environ[ENGINE_URL_ENV])
    return Upstream(
        "local", url, os.environ.get("SAGE_STUDIO_ENGINE_MODEL"), os.environ.get(ENGINE_KEY_ENV) or None
    )


def _served_model(target: Upstream) -> str | None:
    """The first model an engine serves (its base model; adapters are listed after it)."""
    entries, _ = _probe_models(target)
    base = [m for m in entries or [] if not m.get("parent")] or entries or []
    return base[0].get("id") if base else None


def forget_local() -> None:
    with _local_lock:
        _local_cache.update(at=0.0, value=None)
        _context_cache.clear()


def cloud_upstream() -> Upstream | None:
    cloud = get_settings().cloud()
    if not cloud.get("base_url"):
        return None
    return Upstream("cloud", _v1(cloud["base_url"]), cloud.get("model"), cloud.get("api_key"))


def cached_candidates(source: str | None) -> list[Upstream] | None:
    """`candidates(source)` when it needs no blocking I/O (the local engine's address is cached and its chat
    default adapter already loaded), else None: the gateway then resolves in a worker thread. This keeps a
    thread hop and an engine status probe off the hot path of every streamed request."""
    source = source or get_settings().default_source or "auto"
    if source == "cloud":
        cloud = cloud_upstream()
        return [cloud] if cloud is not None else None
    if source not in ("local", "auto"):
        return None
    env = os.environ.get(ENGINE_URL_ENV)
    with _local_lock:
        cached = _local_cache["value"]
        fresh = (
            cached is not None
            and _local_cache["home"] == (os.environ.get("SAGE_STUDIO_HOME"), env)
            and time.monotonic() - _local_cache["at"] < LOCAL_CACHE_S
        )
    if not fresh:
        return None
    if env:  # an engine Studio does not manage: no chat-default adapter routing (as in local_upstream)
        current = {}
    else:
        current = _current_chat_model()
        if current is None:
            return None
    if default_model.is_adapter(current):
        if (cached.base_url, current["model"]) not in _loaded_defaults:
            return None  # the adapter may still need loading: slow path
        cached = replace(cached, model=current["model"])
    if source == "local":
        return [cached]
    cloud = cloud_upstream()
    return [cached, cloud] if cloud is not None else [cached]


def _current_chat_model() -> dict | None:
    try:
        return default_model.current_chat_model()  # one indexed SQLite read on this thread's connection
    except Exception:  # noqa: BLE001 - let the slow path report it
        return None


def candidates(source: str | None) -> list[Upstream]:
    """Upstreams to try in order for a turn to `source` (default: `c.SageStudio.default_source`); a clear error
    when none is configured / running. Routing a turn is the step that loads the chat default adapter."""
    s = get_settings()
    source = source or s.default_source or "auto"
    if source == "local":
        local = _local_for_turn()
        if local is None:
            raise Unavailable(
                "the local engine is not running: start it (Engine panel, `sage-studio engine start` "
                "or EngineManager().start()) or use source 'cloud'",
                code="engine_not_running",
            )
        return [local]
    if source == "cloud":
        cloud = cloud_upstream()
        if cloud is None:
            raise Unavailable(
                f"no cloud endpoint configured: set {s.cloud_base_url_env} (and {s.cloud_api_key_env}, "
                f"{s.cloud_model_env})",
                code="cloud_not_configured",
            )
        return [cloud]
    if source != "auto":
        raise UpstreamError(
            f"unknown source {source!r}: use local, cloud or auto", status=400, code="invalid_source"
        )
    found = [u for u in (_local_for_turn(), cloud_upstream()) if u is not None]
    if not found:
        raise Unavailable(
            f"no model is available: the local engine is not running and no cloud endpoint is set "
            f"({s.cloud_base_url_env})",
            code="no_upstream",
        )
    return found


def _local_for_turn() -> Upstream | None:
    base = local_upstream(chat_default=False)
    if base is None or os.environ.get(ENGINE_URL_ENV):  # an engine Studio does not manage: no adapter routing
        return base
    return serve_chat_default(base)


# -- what the chat panel shows: the model's context length, and the state of each source ---------------------
PROBE_TIMEOUT_S = 2.0
CONTEXT_CACHE_S = 300.0  # a served model's context length does not change while it is served
CONTEXT_MISS_CACHE_S = 10.0  # "unknown" (engine down, no such field) is looked at again soon
_context_cache: dict = {}


def _probe_models(target: Upstream) -> tuple[list | None, str | None]:
    """`GET <base>/models` with a short timeout: (entries, None) or (None, a short reason without URL/key)."""
    import httpx

    try:
        resp = httpx.get(target.base_url + "/models", headers=target.headers(), timeout=PROBE_TIMEOUT_S)
    except httpx.HTTPError as exc:  # the exception text may carry the URL: name the kind only
        return None, f"connection failed ({exc.__class__.__name__})"
    if resp.status_code >= 400:
        return None, f"HTTP {resp.status_code}"
    try:
        data = resp.json().get("data")
    except (ValueError, AttributeError):
        return None, "not an OpenAI-compatible /models answer"
    return (data if isinstance(data, list) else []), None


def model_context_length(target: Upstream) -> int | None:
    """`max_model_len` of the model `target` serves (our engine and vLLM list it in /v1/models); cached per
    upstream and model, so showing it costs no HTTP call per request."""
    hit, value = cached_context_length(target)
    if hit:
        return value
    entries, _ = _probe_models(target)
    value = None
    if entries:
        match = [m for m in entries if m.get("id") == target.model] or [
            m for m in entries if not m.get("parent")
        ]
        raw = (match or entries)[0].get("max_model_len")
        value = raw if isinstance(raw, int) and raw > 0 else None
    ttl = CONTEXT_CACHE_S if value is not None else CONTEXT_MISS_CACHE_S
    with _local_lock:
        _context_cache[(target.base_url, target.model)] = (time.monotonic() + ttl, value)
    return value


def cached_context_length(target: Upstream) -> tuple[bool, int | None]:
    """(found, value) from the cache of `model_context_length`, without any I/O."""
    with _local_lock:
        hit = _context_cache.get((target.base_url, target.model))
    return (True, hit[1]) if hit is not None and time.monotonic() < hit[0] else (False, None)


def context_length(source: str | None = None) -> int | None:
    """Context length of the model that would answer a turn for `source` now; None when none is up."""
    source = source or get_settings().default_source or "auto"
    local = local_upstream(chat_default=False) if source in ("local", "auto") else None
    target = local or (cloud_upstream() if source in ("cloud", "auto") else None)
    return model_context_length(target) if target is not None else None


def _host_of(url: str) -> str | None:
    """Host (and port) of a URL: never its credentials, path or query."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    return f"{host}:{port}" if host and port else host


def _local_status() -> dict:
    env = os.environ.get(ENGINE_URL_ENV)
    if env:  # an engine Studio does not manage: it is "running" when it answers
        target = _external()
        entries, _ = _probe_models(target)
        base = [m for m in entries or [] if not m.get("parent")] or entries or []
        status = "running" if entries is not None else "unreachable"
        model = target.model or (base[0].get("id") if base else None)
    else:
        from ..engine import EngineManager

        endpoint = EngineManager().endpoint()
        status = endpoint["status"]
        model = endpoint["model"]
    try:
        current = default_model.current_chat_model()
        chat_model, chat_kind = current.get("model") or None, current.get("kind")
    except Exception as exc:  # the sources view must answer even when the catalog cannot be read
        log.warning("current chat model unavailable: %s", exc)
        chat_model, chat_kind = None, None
    return {
        "available": status == "running",
        "status": status,
        "model": model if status in ("running", "loading") else None,
        "chat_model": chat_model,
        "chat_model_kind": chat_kind,
    }


def _cloud_status() -> dict:
    s = get_settings()
    cloud = cloud_upstream()
    out = {
        "configured": cloud is not None,
        "model": cloud.model if cloud else None,
        "host": _host_of(cloud.base_url) if cloud else None,
        "reachable": None,
        "error": None,
        "base_url_env": s.cloud_base_url_env,
        "api_key_env": s.cloud_api_key_env,
        "model_env": s.cloud_model_env,
        "key_set": bool(cloud and cloud.api_key),
    }
    if cloud is not None:
        entries, error = _probe_models(cloud)
        out.update(reachable=entries is not None, error=error)
    return out


def sources_status() -> dict:
    """Where chat can go now: the default source, the local engine, the cloud endpoint (no key, no URL:
    the cloud's host only). Probes the cloud's /models with a ~2 s timeout when it is configured."""
    return {
        "default": get_settings().default_source or "auto",
        "local": _local_status(),
        "cloud": _cloud_status(),
    }
