"""Routing reads the engine state freshly enough: an engine started a moment ago is used at once."""

from __future__ import annotations

from sage_studio_lab.chat import upstream
from sage_studio_lab.engine import EngineManager


def test_engine_started_after_a_miss_is_used_at_once(monkeypatch):
    states = iter(
        [
            {"status": "stopped", "base_url": None, "model": None},
            {"status": "running", "base_url": "http://127.0.0.1:8123", "model": "SmolLM2-135M-Instruct"},
        ]
    )
    monkeypatch.setattr(EngineManager, "endpoint", lambda self: next(states))
    monkeypatch.delenv(upstream.ENGINE_URL_ENV, raising=False)
    monkeypatch.setitem(upstream._local_cache, "value", None)
    assert upstream.local_upstream() is None  # no engine yet ...
    found = upstream.local_upstream()  # ... started right after: no stale "none" for 30 s
    assert found is not None and found.base_url == "http://127.0.0.1:8123/v1"
    assert found.model == "SmolLM2-135M-Instruct"
    # a found engine is cached (no third status read: the iterator would raise StopIteration)
    assert upstream.local_upstream().base_url == found.base_url


def test_hot_path_needs_a_warm_cache_and_follows_a_hot_swap_at_once(monkeypatch, studio_home):
    """`cached_candidates` (no thread hop, no engine probe) answers only from a fresh cache, and still reads the
    chat default from the store on every call, so "use in chat" from any process takes effect at once."""
    from sage_studio_lab.chat import default_model

    monkeypatch.delenv(upstream.ENGINE_URL_ENV, raising=False)
    monkeypatch.delenv("SAGE_CHAT_BASE_URL", raising=False)
    monkeypatch.setitem(upstream._local_cache, "value", None)
    monkeypatch.setattr(
        EngineManager,
        "endpoint",
        lambda self: {"status": "running", "base_url": "http://127.0.0.1:8124", "model": "base-m"},
    )
    assert upstream.cached_candidates("local") is None  # cold: the caller takes the slow path
    assert upstream.cached_candidates("bogus") is None  # the slow path owns the error message
    slow = upstream.candidates("local")
    assert [u.model for u in upstream.cached_candidates("local")] == [u.model for u in slow] == ["base-m"]
    assert [u.source for u in upstream.cached_candidates("auto")] == ["local"]

    default_model.set_current_chat_model({"model": "my-adapter", "kind": "adapter", "path": "/x"})
    assert upstream.cached_candidates("local") is None  # adapter not known to be loaded: slow path loads it
    monkeypatch.setattr(upstream, "_loaded_defaults", {("http://127.0.0.1:8124/v1", "my-adapter")})
    assert upstream.cached_candidates("local")[0].model == "my-adapter"
    default_model.set_current_chat_model({"model": None, "kind": "base", "path": None})
    assert upstream.cached_candidates("local")[0].model == "base-m"


def test_resolving_the_engine_never_loads_an_adapter_routing_a_turn_does(monkeypatch, studio_home):
    """`local_upstream()` (the gateway's re-resolve, `v1/models`, context lengths) only reads; the explicit
    step that loads the chat default adapter is routing a turn (`candidates`), once per engine and adapter."""
    from sage_studio_lab.chat import default_model

    monkeypatch.delenv(upstream.ENGINE_URL_ENV, raising=False)
    monkeypatch.setitem(upstream._local_cache, "value", None)
    monkeypatch.setattr(upstream, "_loaded_defaults", set())
    monkeypatch.setattr(
        EngineManager,
        "endpoint",
        lambda self: {"status": "running", "base_url": "http://127.0.0.1:8125", "model": "base-m"},
    )
    loads = []
    monkeypatch.setattr(default_model, "ensure_loaded", lambda: loads.append(1))
    default_model.set_current_chat_model({"model": "my-adapter", "kind": "adapter", "path": "/x"})

    assert upstream.local_upstream(fresh=True).model == "my-adapter"
    assert upstream.local_upstream(chat_default=False).model == "base-m"
    assert loads == []
    assert [u.model for u in upstream.candidates("local")] == ["my-adapter"]
    assert [u.model for u in upstream.candidates("local")] == ["my-adapter"]
    assert loads == [1]

    def broken():
        raise RuntimeError("adapter folder gone")

    monkeypatch.setattr(default_model, "ensure_loaded", broken)
    monkeypatch.setattr(upstream, "_loaded_defaults", set())
    assert [u.model for u in upstream.candidates("local")] == ["base-m"]  # chat still answers
