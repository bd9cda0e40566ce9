"""IntentRouter's classifier: keyword rules, or the LLM with a keyword fallback (no engine needed here;
the real-engine turn is in test_chat_engine_features.py)."""

from __future__ import annotations

import json
import socket

import pytest

from sage_studio_lab.aio import run_sync
from sage_studio_lab.chat import pipeline as p
from sage_studio_lab.chat import upstream
from sage_studio_lab.chat.models import SessionSettings
from sage_studio_lab.memory.config import MemoryConfig
from sage_studio_lab.settings import Settings, get_settings


@pytest.mark.parametrize(
    "answer, label",
    [
        ("recall", "recall"),
        ("Knowledge.", "knowledge"),
        ("Label: CODE", "code"),
        ("The answer is chat, not code", "chat"),  # the first label wins
        ("  knowledge\nrecall", "knowledge"),
        ("recollection", None),  # a whole word only
        ("I cannot help with that", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_intent(answer, label):
    assert p.parse_intent(answer) == label


def turn(text: str, **settings) -> p.Turn:
    return p.Turn(
        session_id="s",
        text=text,
        user_message_id="m",
        parent_id=None,
        settings=SessionSettings(**settings),
        memory_config=MemoryConfig(),
    )


def route(t: p.Turn) -> p.Turn:
    """The router step is async (its LLM call awaits on the loop); run it from this sync test."""
    return run_sync(p.intent_router(t))


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when the block ends: nothing listens there


def test_keyword_is_the_default():
    t = route(turn("What does the manual say about fuses?"))
    assert (t.intent, t.intent_match, t.intent_method) == ("knowledge", "manual", "keyword")
    assert route(turn("hello there")).intent == "chat"


def test_llm_classifier_errors_fall_back_to_keywords(monkeypatch):
    monkeypatch.setenv(upstream.ENGINE_URL_ENV, f"http://127.0.0.1:{dead_port()}")
    monkeypatch.delenv("SAGE_CHAT_BASE_URL", raising=False)
    upstream.forget_local()
    t = route(turn("Fix this python traceback", intent_classifier="llm", source="local"))
    assert (t.intent, t.intent_method) == ("code", "llm-fallback")
    # The studio-wide setting turns it on; a session's "keyword" turns it off again.
    monkeypatch.setattr(get_settings(), "intent_classifier", "llm")
    assert route(turn("hi", source="local")).intent_method == "llm-fallback"
    assert route(turn("hi", source="local", intent_classifier="keyword")).intent_method == ("keyword")


def test_llm_label_wins_over_keywords(monkeypatch):
    # Mock of the cloud API's answer (no cloud here): checks how the label is asked for and used.
    import sage_studio_lab.chat.llm as llm

    asked = {}

    async def fake_complete_short(messages, source, model, max_tokens, timeout_s):
        asked.update(messages=messages, source=source, max_tokens=max_tokens)
        return " Recall."

    async def unsure(*a, **k):
        return "I am not sure"

    monkeypatch.setattr(llm, "complete_short", fake_complete_short)
    t = route(turn("Fix this python traceback", intent_classifier="llm", source="cloud"))
    assert (t.intent, t.intent_match, t.intent_method) == ("recall", None, "llm")
    assert asked["source"] == "cloud" and asked["max_tokens"] <= 8
    assert all(label in asked["messages"][0]["content"] for label in p.INTENT_LABELS)
    monkeypatch.setattr(llm, "complete_short", unsure)
    t = route(turn("Fix this python traceback", intent_classifier="llm"))
    assert (t.intent, t.intent_method) == ("code", "llm-fallback")


@pytest.fixture
def jp_server_config():
    return {
        "ServerApp": {"jpserver_extensions": {"sage_studio_lab": True}},
        "SageStudio": {"intent_classifier": "llm", "default_source": "cloud"},
    }


async def test_traitlets_config_reaches_the_core(jp_fetch):
    await jp_fetch("sage-studio", "api", "health")
    s = get_settings()
    assert (s.intent_classifier, s.default_source) == ("llm", "cloud")
    resp = await jp_fetch("sage-studio", "api", "chat", "sources")
    assert json.loads(resp.body)["default"] == "cloud"


def test_settings_from_env(monkeypatch):
    monkeypatch.setenv("SAGE_INTENT_CLASSIFIER", "llm")
    monkeypatch.setenv("SAGE_CHAT_SOURCE", "cloud")
    s = Settings.from_env()
    assert (s.intent_classifier, s.default_source) == ("llm", "cloud")


def test_session_setting_is_validated():
    with pytest.raises(ValueError):
        SessionSettings(intent_classifier="magic")
