"""Widgets and magics on the real core: a real CPU engine (bundled model), the real chat pipeline and store.

One engine serves the whole module (one data home for the module), so the model loads once.
"""

from __future__ import annotations

import threading

import pytest
from IPython.utils.capture import capture_output

from sage_studio_lab import settings as settings_mod
from sage_studio_lab.errors import NotFound
from sage_studio_lab.store import reset_stores
from sage_studio_lab.widgets.testing import frontend_call, recording_comms

pytestmark = pytest.mark.slow
SHORT = {"max_tokens": 24, "temperature": 0.0}


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory):
    return tmp_path_factory.mktemp("widgets-home")


@pytest.fixture(autouse=True)
def studio_home(shared_home, monkeypatch):
    """Overrides conftest's per-test home: these tests share one home (and one engine)."""
    from tests.conftest import MODELS_CACHE

    monkeypatch.setenv("SAGE_STUDIO_HOME", str(shared_home))
    monkeypatch.setenv("SAGE_STUDIO_MODELS_CACHE", MODELS_CACHE)
    reset_stores()
    settings_mod._current = None
    yield shared_home
    reset_stores()


@pytest.fixture(scope="module")
def engine(shared_home):
    from tests.conftest import MODELS_CACHE

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAGE_STUDIO_HOME", str(shared_home))
        mp.setenv("SAGE_STUDIO_MODELS_CACHE", MODELS_CACHE)
        reset_stores()
        from sage_studio_lab.engine import EngineManager
        from sage_studio_lab.widgets.engine_panel import EnginePanel

        with recording_comms():
            panel = EnginePanel()
            record = panel.start(backend="cpu")
        assert record["status"] == "running"
        try:
            yield record
        finally:
            reset_stores()
            EngineManager().stop()
            reset_stores()


@pytest.fixture(autouse=True)
def comms():
    with recording_comms() as made:
        yield made


def short_session() -> str:
    from sage_studio_lab.chat.service import ChatService

    return ChatService().sessions.create(title="widget test", settings=SHORT)["id"]


def test_engine_panel_reports_the_running_engine(engine):
    from sage_studio_lab.widgets.engine_panel import EnginePanel

    panel = EnginePanel()
    assert panel.engine["status"] == "running" and panel.engine["port"] == engine["port"]
    assert panel.gpu["available"] in (True, False)
    result, _ = frontend_call(panel, "engine.status")
    assert result["value"]["id"] == engine["id"]
    result, _ = frontend_call(panel, "engine.logs", {"lines": 20})
    assert result["value"]["lines"] == 20 and "ready:" in result["value"]["text"]
    result, _ = frontend_call(panel, "engine.models")
    assert any(m["id"] == "SmolLM2-135M-Instruct" for m in result["value"]["models"])
    result, _ = frontend_call(panel, "chat.sources")
    local = result["value"]["local"]
    assert local["available"] is True and local["status"] == "running" and local["model"]


def test_chat_send_from_python_streams_and_is_shared(engine):
    from sage_studio_lab.chat.service import ChatService
    from sage_studio_lab.widgets.chat import Chat

    chat = Chat(session=short_session(), source="local")
    tokens: list[str] = []
    answer = chat.send("What is the capital of France?", on_token=tokens.append)
    assert answer and "".join(tokens) == answer
    assert [m["role"] for m in chat.messages] == ["user", "assistant"]
    assert chat.messages[-1]["content"] == answer and chat.status == "ready"
    # The same history through the core (what the Lab panel reads) and through a second widget.
    stored = ChatService().sessions.get(chat.session_id)["messages"]
    assert [m["content"] for m in stored] == ["What is the capital of France?", answer]
    assert [m["content"] for m in Chat(session=chat.session_id).messages] == [m["content"] for m in stored]
    assert any(
        s.get("streaming") for s in chat.comm.states()
    )  # partial answer pushed to the view while streaming


def test_chat_send_from_the_view_streams_events(engine):
    from sage_studio_lab.widgets.chat import Chat

    chat = Chat(session=short_session())
    result, events = frontend_call(
        chat, "chat.send", {"session_id": chat.session_id, "content": "Say hello."}
    )
    assert result["ok"], result
    kinds = [e["type"] for e in events]
    assert kinds.count("token") >= 1 and kinds[-2:] == ["meta", "done"]
    text = "".join(e["text"] for e in events if e["type"] == "token")
    assert result["value"]["content"] == text and result["value"]["role"] == "assistant"
    assert events[-2]["metadata"]["source"] == "local"
    assert len(chat.messages) == 2  # the trait follows turns sent from the view too
    first_user = chat.messages[0]
    # Edit-and-branch as the view does it: a new turn under the first message's parent.
    result, _ = frontend_call(
        chat, "chat.send", {"session_id": chat.session_id, "content": "Say bye.", "parent_id": None}
    )
    assert result["ok"], result
    assert [m["content"] for m in chat.messages][0] == "Say bye." and len(chat.messages) == 2
    result, _ = frontend_call(
        chat, "sessions.switch", {"session_id": chat.session_id, "message_id": first_user["id"]}
    )
    assert result["value"]["messages"][0]["content"] == "Say hello."


def test_chat_cancel_from_the_view(engine):
    from sage_studio_lab.chat.service import ChatService
    from sage_studio_lab.widgets.chat import Chat

    sid = ChatService().sessions.create(settings={"max_tokens": 400})["id"]
    chat = Chat(session=sid)
    first_token = threading.Event()
    chat.comm.receive(
        {
            "method": "custom",
            "content": {
                "type": "stream",
                "id": "s1",
                "method": "chat.send",
                "args": {"session_id": sid, "content": "Write a very long story about a cat."},
            },
        }
    )
    chat.comm.wait_for(
        lambda ms: any(m.get("type") == "event" and m["event"]["type"] == "token" for m, _ in ms), 120
    )
    first_token.set()
    chat.comm.receive({"method": "custom", "content": {"type": "cancel", "id": "s1"}})
    result = chat.comm.wait_for(lambda ms: next((m for m, _ in ms if m.get("type") == "result"), None), 60)
    assert result["ok"] and result["value"]["cancelled"] is True
    assert result["value"]["message"]["metadata"]["cancelled"] is True


def test_chat_stop_from_the_view_keeps_the_partial_answer(engine):
    """The chat view's Stop over the widget: `chat.stop` for the session (answered on the kernel thread while the
    turn streams in its own thread) stops generating, and the stream still ends with the stored partial answer,
    which is what the view keeps on screen with its "stopped" marker."""
    from sage_studio_lab.chat.service import ChatService
    from sage_studio_lab.widgets.chat import Chat

    sid = ChatService().sessions.create(settings={"max_tokens": 400, "temperature": 0.0})["id"]
    chat = Chat(session=sid)
    chat.comm.receive(
        {
            "method": "custom",
            "content": {
                "type": "stream",
                "id": "s2",
                "method": "chat.send",
                "args": {"session_id": sid, "content": "Write a very long story about a cat."},
            },
        }
    )
    chat.comm.wait_for(
        lambda ms: sum(m.get("type") == "event" and m["event"]["type"] == "token" for m, _ in ms) >= 3, 120
    )
    stopped, _ = frontend_call(chat, "chat.stop", {"session_id": sid})
    assert stopped["ok"] and len(stopped["value"]["stopped"]) == 1, stopped
    result = chat.comm.wait_for(
        lambda ms: next((m for m, _ in ms if m.get("type") == "result" and m["id"] == "s2"), None), 60
    )
    assert result["ok"], result
    message = result["value"]
    assert message["role"] == "assistant" and message["metadata"]["cancelled"] is True
    assert message["metadata"]["partial"] is True and message["metadata"]["tokens"] < 400
    streamed = "".join(
        m["event"]["text"]
        for m, _ in chat.comm.custom()
        if m.get("type") == "event" and m.get("id") == "s2" and m["event"]["type"] == "token"
    )
    assert message["content"] == streamed and streamed.strip()
    assert ChatService().sessions.get(sid)["messages"][-1]["id"] == message["id"]


def test_bad_chat_input_changes_nothing(engine):
    from sage_studio_lab.widgets.chat import Chat

    chat = Chat(session=short_session())
    result, _ = frontend_call(chat, "chat.send", {"session_id": chat.session_id, "content": "  "})
    assert (
        result["ok"] is False and result["error"]["status"] == 400 and "empty" in result["error"]["message"]
    )
    result, _ = frontend_call(
        chat, "chat.send", {"session_id": chat.session_id, "content": "hi", "source": "moon"}
    )
    assert result["error"]["status"] == 400
    result, _ = frontend_call(chat, "sessions.get", {"session_id": "no-such-session"})
    assert result["error"]["status"] == 404
    assert chat.refresh() == []
    with pytest.raises(ValueError, match="source"):
        Chat(source="moon")
    with pytest.raises(NotFound):
        Chat(session="no-such-session")


def test_sessions_methods_round_trip(engine):
    from sage_studio_lab.widgets.chat import Chat

    chat = Chat()
    result, _ = frontend_call(chat, "sessions.update", {"session_id": chat.session_id, "title": "Renamed"})
    assert result["value"]["title"] == "Renamed"
    result, _ = frontend_call(chat, "sessions.list", {"q": "Renamed"})
    assert [s["id"] for s in result["value"]["sessions"]] == [chat.session_id]
    result, _ = frontend_call(chat, "sessions.export", {"session_id": chat.session_id, "format": "markdown"})
    assert result["value"].startswith("# Renamed")  # the Markdown text itself, as over REST
    result, _ = frontend_call(
        chat, "sessions.update", {"session_id": chat.session_id, "settings": {"temperature": 9}}
    )
    assert result["error"]["status"] == 400
    result, _ = frontend_call(chat, "sessions.delete", {"session_id": chat.session_id})
    assert result["ok"] and result["value"] is None  # as over REST: 204
    assert frontend_call(chat, "sessions.get", {"session_id": chat.session_id})[0]["error"]["status"] == 404


def test_memory_panel_sees_the_chat(engine):
    from sage_studio_lab.widgets.chat import Chat
    from sage_studio_lab.widgets.memory_panel import MemoryPanel

    chat = Chat(session=short_session())
    chat.send("My name is Ada.")
    panel = MemoryPanel(session=chat.session_id)
    assert panel.stats[0]["dialogs"] == 1 and panel.stats[0]["backend"] == panel.config["backend"]
    assert len(panel.memories) == 1 and "Ada" in panel.memories[0]["text"]
    result, _ = frontend_call(panel, "memory.stats", {})
    assert chat.session_id in [s["session_id"] for s in result["value"]["sessions"]]
    assert panel.clear() == 1 and panel.memories == []


def test_cell_magic_streams_markdown(engine, ipython):

    ip = ipython
    magics = ip.magics_manager.registry["SageStudioMagics"]
    magics.chat_session = short_session()
    ip.display_formatter.formatters["text/markdown"].enabled = True  # as in a notebook kernel
    with capture_output() as cap:
        ip.run_cell_magic("sage_studio", "chat --source local", "What is the capital of France?")
    assert magics.last_answer
    markdown = [o.data.get("text/markdown") for o in cap.outputs if "text/markdown" in o.data]
    assert sum(o.update for o in cap.outputs) >= 2  # one display, updated as tokens arrive
    assert markdown and magics.last_answer in markdown[-1]
    with capture_output() as cap:
        ip.run_line_magic("sage_studio", "engine status")
    assert "running" in cap.stdout and "cpu" in cap.stdout
    widget = ip.run_line_magic("sage_studio", f"chat --session {magics.chat_session}")
    assert widget.session_id == magics.chat_session and len(widget.messages) == 2


def test_gpu_watch_keeps_the_panel_trait_current(studio_home):
    from sage_studio_lab.gpu import gpu_info
    from sage_studio_lab.widgets.engine_panel import EnginePanel

    panel = EnginePanel()
    panel.gpu = {"stale": True}
    seen = []

    def on_event(event):
        seen.append(event)
        panel.cancel_all()  # one push is enough

    panel.call("gpu.watch", on_event=on_event, interval_s=0.5)
    snapshot = {k: v for k, v in panel.gpu.items() if k != "time"}  # `gpu.info` stamps its time
    assert seen and snapshot == gpu_info()  # no GPU here: {"available": false, ...}, pushed into the trait


def test_chat_attaches_kernel_variables_and_the_last_error(engine, ipython):
    """Notebook context (#21): `%%sage_studio chat --context` and `Chat.send(context=...)` attach variables and
    the last exception; they are kept on the message and counted in the turn's token budget."""
    import sys

    import numpy as np
    from IPython.core.error import UsageError

    from sage_studio_lab.chat.service import ChatService
    from sage_studio_lab.widgets.chat import Chat

    ip = ipython
    magics = ip.magics_manager.registry["SageStudioMagics"]
    magics.chat_session = short_session()
    ip.user_ns["scores"] = np.array([0.5, 0.25, 0.125])
    ip.run_cell("scores.mean() / 0 if False else 1 / 0")  # sets the kernel's last exception
    with capture_output():
        ip.run_cell_magic("sage_studio", "chat --source local --context scores,err", "Why does it fail?")
    user, answer = ChatService().sessions.get(magics.chat_session)["messages"][-2:]
    attached = user["metadata"]["context"]
    assert [a["kind"] for a in attached] == ["variable", "error"]
    assert "shape (3,) dtype float64" in attached[0]["text"] and "ZeroDivisionError" in attached[1]["text"]
    budget = answer["metadata"]["token_budget"]
    assert budget["context"] > 10 and budget["estimated"] is False  # the bundled model's own tokenizer
    with pytest.raises(UsageError, match="no variable 'nope'"):
        ip.run_cell_magic("sage_studio", "chat --source local --context nope", "Hi")

    chat = Chat(session=short_session(), source="local")
    sys.modules["__main__"].temperatures = [21.5, 19.0]
    try:
        chat.send("Which is warmer?", context=["temperatures"])
    finally:
        del sys.modules["__main__"].temperatures
    assert chat.messages[0]["metadata"]["context"][0]["name"] == "temperatures"
