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
    monkeypatch.setattr(EngineManager, "status", lambda self: next(states))
    monkeypatch.delenv(upstream.ENGINE_URL_ENV, raising=False)
    monkeypatch.setitem(upstream._local_cache, "value", None)
    assert upstream.local_upstream() is None  # no engine yet ...
    found = upstream.local_upstream()  # ... started right after: no stale "none" for 30 s
    assert found is not None and found.base_url == "http://127.0.0.1:8123/v1"
    assert found.model == "SmolLM2-135M-Instruct"
    # a found engine is cached (no third status read: the iterator would raise StopIteration)
    assert upstream.local_upstream().base_url == found.base_url
