"""Memory backends on the real bundled embedder / FAISS / BM25, and the memory REST routes."""

from __future__ import annotations

import json

import pytest
import tornado.httpclient

from sage_studio_lab import settings as settings_mod
from sage_studio_lab.aio import run_sync
from sage_studio_lab.chat import pipeline as p
from sage_studio_lab.chat.models import SessionSettings
from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.errors import InvalidInput
from sage_studio_lab.memory.service import MemoryService

FACTS = [
    ("My cat is called Whiskers.", "What a lovely name."),
    ("I am training for a marathon in Berlin.", "Good luck with the race!"),
    ("The weather is sunny today.", "Enjoy the sun."),
]


def fill(memory: MemoryService, sid: str) -> list[int]:
    return [memory.remember(sid, u, a, {"user_message_id": f"u{i}"}) for i, (u, a) in enumerate(FACTS)]


def test_settings_and_env_choose_the_default_backend(monkeypatch):
    monkeypatch.setenv("SAGE_MEMORY_BACKEND", "kv")
    monkeypatch.setenv("SAGE_MEMORY_WINDOW", "3")
    settings_mod._current = None
    config = MemoryService().get_config("any")
    assert (config.backend, config.window) == ("kv", 3)
    config = MemoryService().set_config("s1", {"backend": "vector", "top_k": 2})
    assert (config.backend, config.window, config.top_k) == ("vector", 3, 2)
    with pytest.raises(InvalidInput, match="backend"):
        MemoryService().set_config("s1", {"backend": "telepathy"})
    assert MemoryService().get_config("s1").backend == "vector"


def test_kv_backend_recalls_by_keywords_and_skips_the_window():
    memory = MemoryService()
    sid = SessionStore().create()["id"]
    fill(memory, sid)
    config = memory.set_config(sid, {"backend": "kv"})
    hits = memory.recall(sid, "how is the marathon training going", config)
    assert hits[0]["text"].startswith("User: I am training for a marathon") and hits[0]["score"] > 0
    assert memory.recall(sid, "marathon", config, exclude_message_ids={"u1"}) == []
    assert memory.recall(sid, "marathon", memory.set_config(sid, {"backend": "short_term"})) == []


@pytest.mark.slow
def test_vector_backend_recall_persistence_delete_and_stats(studio_home):
    memory = MemoryService()
    sid = SessionStore().create()["id"]
    config = memory.set_config(sid, {"backend": "vector", "top_k": 2, "window": 4})
    ids = fill(memory, sid)
    hits = memory.recall(sid, "What is the name of my pet?", config)
    assert hits[0]["id"] == ids[0] and hits[0]["score"] > hits[1]["score"]
    stats = memory.stats(sid)
    assert stats["vector_count"] == 3 and stats["index_size_bytes"] > 0 and stats["usage_percent"] == 75.0
    # The FAISS file lost: rebuilt from the database on the next recall, nothing is lost.
    files = list((studio_home / "users").rglob("*.faiss"))
    assert len(files) == 1
    files[0].unlink()
    assert memory.recall(sid, "pet name", config)[0]["id"] == ids[0]
    assert memory.stats(sid)["vector_count"] == 3
    memory.delete(sid, ids[0])
    assert all(h["id"] != ids[0] for h in memory.recall(sid, "pet name", config))
    assert [m["id"] for m in memory.list(sid)] == [ids[2], ids[1]]
    assert memory.clear(sid) == 2 and memory.stats(sid)["vector_count"] == 0


def test_window_keeps_last_n_dialogs_and_budget_split():
    store, memory = SessionStore(), MemoryService()
    sid = store.create("w", {"system_prompt": "Be nice."})["id"]
    for i in range(4):
        store.add_message(sid, "user", f"question {i}")
        store.add_message(sid, "assistant", f"answer {i}")
    user = store.add_message(sid, "user", "question 4")
    turn = p.Turn(
        session_id=sid,
        text=user["content"],
        user_message_id=user["id"],
        parent_id=user["parent_id"],
        settings=SessionSettings(system_prompt="Be nice."),
        memory_config=memory.set_config(sid, {"window": 2}),
    )
    run_sync(p.intent_router(turn))
    p.memory_loader(turn, store.path(sid, user["parent_id"]), memory)
    p.knowledge_rag(turn)
    p.prompt_builder(turn)
    assert [m["content"] for m in turn.history] == ["question 2", "answer 2", "question 3", "answer 3"]
    assert (
        turn.messages[0] == {"role": "system", "content": "Be nice."}
        and turn.messages[-1]["content"] == "question 4"
    )
    assert turn.token_budget["history"] > 0 and turn.token_budget["memory"] == 0 and not turn.rag_used


def test_knowledge_intent_runs_rag_over_user_documents():
    from sage_studio_lab.chat.knowledge import knowledge_dir

    (knowledge_dir() / "handbook.md").write_text("Holidays: staff get 30 days.\n\nParking: level -2 only.")
    turn = p.Turn(
        session_id="s",
        text="According to the handbook documentation, where is parking?",
        user_message_id="u",
        parent_id=None,
        settings=SessionSettings(),
        memory_config=MemoryService().get_config(),
    )
    run_sync(p.intent_router(turn))
    assert turn.intent == "knowledge"
    p.knowledge_rag(turn)
    assert turn.rag_used and turn.documents[0]["text"] == "Parking: level -2 only."
    p.prompt_builder(turn)
    assert "level -2" in turn.messages[0]["content"] and turn.token_budget["rag"] > 0


async def test_memory_routes(jp_fetch):
    sid = SessionStore().create()["id"]
    memory = MemoryService()
    memory.set_config(sid, {"backend": "kv"})
    ids = fill(memory, sid)

    async def call(method, *parts, body=None, params=None):
        kw = {"method": method, "params": params or {}}
        if body is not None:
            kw["body"] = json.dumps(body)
        resp = await jp_fetch("sage-studio", "api", "memory", *parts, **kw)
        return json.loads(resp.body) if resp.body else None

    assert (await call("GET", "config"))["config"]["backend"] == "short_term"
    got = await call("PUT", "config", body={"session_id": sid, "window": 3})
    assert got["config"] == {**got["config"], "backend": "kv", "window": 3}
    (stats,) = (await call("GET", "stats", params={"session_id": sid}))["sessions"]
    assert stats["dialogs"] == 3 and stats["max_dialogs"] == 3 and stats["usage_percent"] == 100.0
    everyone = (await call("GET", "stats"))["sessions"]  # no session: every session that has memories
    assert [(s["session_id"], s["title"], s["dialogs"]) for s in everyone] == [(sid, stats["title"], 3)]
    listed = (await call("GET", "sessions", sid, "memories"))["memories"]
    assert [m["id"] for m in listed] == ids[::-1]
    await call("DELETE", "sessions", sid, "memories", str(ids[0]))
    assert (await call("DELETE", "sessions", sid, "memories"))["deleted"] == 2
    for method, parts, body, code in [
        ("PUT", ("config",), {"session_id": sid, "backend": "x"}, 400),
        ("PUT", ("config",), {"session_id": "missing", "window": 1}, 404),
        ("GET", ("stats",), {"session_id": "no such session"}, 400),
        ("GET", ("stats",), {"session_id": "missing"}, 404),
        ("DELETE", ("sessions", sid, "memories", "999"), None, 404),
        ("POST", ("sessions", "cleanup"), {}, 400),
    ]:
        query = method == "GET"
        with pytest.raises(tornado.httpclient.HTTPClientError) as err:
            await call(method, *parts, body=None if query else body, params=body if query else None)
        assert err.value.code == code
    assert (await call("GET", "config", params={"session_id": sid}))["config"]["window"] == 3


async def test_cleanup_deletes_only_old_sessions(jp_fetch):
    store = SessionStore()
    old, new = store.create("old")["id"], store.create("new")["id"]
    store.db.execute("UPDATE sessions SET updated_at = updated_at - 3600 WHERE id=?", (old,))
    MemoryService().remember(old, "a", "b")
    resp = await jp_fetch(
        "sage-studio",
        "api",
        "memory",
        "sessions",
        "cleanup",
        method="POST",
        body="{}",
        params={"max_age_minutes": "30"},
    )
    assert json.loads(resp.body)["deleted"] == [old]
    assert [s["id"] for s in store.list()] == [new] and MemoryService().list(old) == []
