"""Chat sessions through the real Jupyter server: CRUD, search, export/import, branching, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import tornado.httpclient

from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.store import get_store


async def call(jp_fetch, method, *parts, body=None, params=None, expect=None):
    kwargs = {"method": method, "params": params or {}}
    if body is not None:
        kwargs["body"] = body if isinstance(body, str) else json.dumps(body)
    elif method in ("POST", "PUT", "PATCH"):
        kwargs["body"] = "{}"
    try:
        resp = await jp_fetch("sage-studio", *parts, **kwargs)
    except tornado.httpclient.HTTPClientError as err:
        if expect is None:
            raise
        assert err.code == expect, err.response.body
        return json.loads(err.response.body)
    assert expect is None or resp.code == expect
    return json.loads(resp.body) if resp.body else None


def counts():
    db = get_store()
    return (
        db.query_one("SELECT COUNT(*) n FROM sessions")["n"],
        db.query_one("SELECT COUNT(*) n FROM messages")["n"],
    )


async def test_session_crud_search_and_list_order(jp_fetch):
    a = await call(
        jp_fetch, "POST", "api", "chat", "sessions", body={"title": "Alpha", "settings": {"temperature": 0.3}}
    )
    b = await call(jp_fetch, "POST", "api", "chat", "sessions", body={})
    assert b["title"] == "New chat" and a["settings"] == {"temperature": 0.3}
    SessionStore().add_message(b["id"], "user", "Tell me about zebras please")
    listed = (await call(jp_fetch, "GET", "api", "chat", "sessions"))["sessions"]
    assert [s["id"] for s in listed] == [b["id"], a["id"]]  # newest activity first
    assert listed[0]["title"] == "Tell me about zebras please"  # titled from the first message
    assert listed[0]["last_message"] == "Tell me about zebras please" and listed[0]["message_count"] == 1

    renamed = await call(
        jp_fetch,
        "PATCH",
        "api",
        "chat",
        "sessions",
        a["id"],
        body={"title": "Renamed", "settings": {"system_prompt": "Be brief.", "max_tokens": 32}},
    )
    assert renamed["title"] == "Renamed"
    assert renamed["settings"] == {"temperature": 0.3, "system_prompt": "Be brief.", "max_tokens": 32}

    found = (await call(jp_fetch, "GET", "api", "chat", "sessions", params={"q": "ZEBRA"}))["sessions"]
    assert [s["id"] for s in found] == [b["id"]] and "zebras" in found[0]["matches"][0]["snippet"]
    found = (await call(jp_fetch, "GET", "api", "chat", "sessions", "search", params={"q": "renam"}))[
        "sessions"
    ]
    assert [s["id"] for s in found] == [a["id"]]

    cleared = await call(jp_fetch, "POST", "api", "chat", "sessions", b["id"], "clear")
    assert cleared["message_count"] == 0 and cleared["last_message"] is None
    await call(jp_fetch, "DELETE", "api", "chat", "sessions", a["id"])
    await call(jp_fetch, "GET", "api", "chat", "sessions", a["id"], expect=404)
    assert counts() == (1, 0)


async def test_branching_edit_regenerate_siblings(jp_fetch):
    store = SessionStore()
    sid = store.create("branches")["id"]
    u1 = store.add_message(sid, "user", "first question")
    a1 = store.add_message(sid, "assistant", "first answer")
    store.add_message(sid, "user", "follow-up")
    # Edit the first user message without generating: a sibling branch, the follow-up is not on it.
    edited = await call(
        jp_fetch,
        "POST",
        "api",
        "chat",
        "sessions",
        sid,
        "messages",
        u1["id"],
        "edit",
        body={"content": "first question, rephrased", "generate": False},
    )
    assert edited["parent_id"] == u1["parent_id"] and edited["metadata"]["edited_from"] == u1["id"]
    got = await call(jp_fetch, "GET", "api", "chat", "sessions", sid)
    assert [m["content"] for m in got["messages"]] == ["first question, rephrased"]
    assert (
        got["messages"][0]["sibling_ids"] == [u1["id"], edited["id"]]
        and got["messages"][0]["sibling_index"] == 1
    )
    # Navigate back to the original branch: its newest descendant becomes the active leaf.
    back = await call(
        jp_fetch, "POST", "api", "chat", "sessions", sid, "switch", body={"message_id": u1["id"]}
    )
    assert [m["content"] for m in back["messages"]] == ["first question", "first answer", "follow-up"]
    assert back["active_leaf_id"] == back["messages"][-1]["id"]
    # A regenerated answer is a sibling of the first answer.
    store.switch_branch(sid, a1["id"])
    a2 = store.add_message(sid, "assistant", "second answer", parent_id=u1["id"])
    got = store.get(sid)
    assert got["messages"][-1]["id"] == a2["id"] and got["messages"][-1]["sibling_ids"] == [
        a1["id"],
        a2["id"],
    ]
    # Editing an assistant message is refused, and changes nothing.
    before = counts()
    err = await call(
        jp_fetch,
        "POST",
        "api",
        "chat",
        "sessions",
        sid,
        "messages",
        a1["id"],
        "edit",
        body={"content": "x", "generate": False},
        expect=400,
    )
    assert "not a user message" in err["message"] and counts() == before


async def test_export_import_json_and_markdown(jp_fetch):
    store = SessionStore()
    sid = store.create("Exported", {"system_prompt": "Pirate voice."})["id"]
    u = store.add_message(sid, "user", "hello")
    store.add_message(sid, "assistant", "ahoy")
    store.edit_user_message(sid, u["id"], "hi")  # a second branch: JSON keeps the whole tree
    data = await call(jp_fetch, "GET", "api", "chat", "sessions", sid, "export")
    assert data["format"] == "json" and len(data["messages"]) == 3
    imported = await call(jp_fetch, "POST", "api", "chat", "sessions", "import", body=data, expect=201)
    assert imported["id"] != sid and imported["settings"] == {"system_prompt": "Pirate voice."}
    assert [m["content"] for m in imported["messages"]] == ["hi"]  # same active branch
    assert len(imported["messages"][0]["sibling_ids"]) == 2
    resp = await jp_fetch(
        "sage-studio", "api", "chat", "sessions", sid, "export", params={"format": "markdown"}
    )
    md = resp.body.decode()
    assert md.startswith("# Exported") and "## user\n\nhi" in md
    store.switch_branch(sid, u["id"])
    md = store.export(sid, "markdown")
    again = await call(
        jp_fetch,
        "POST",
        "api",
        "chat",
        "sessions",
        "import",
        body={"format": "markdown", "markdown": md},
        expect=201,
    )
    assert again["title"] == "Exported"
    assert [(m["role"], m["content"]) for m in again["messages"]] == [
        ("user", "hello"),
        ("assistant", "ahoy"),
    ]


@pytest.mark.parametrize(
    "parts,body",
    [
        (("api", "chat", "sessions"), "{not json"),
        (("api", "chat", "sessions"), {"title": "x", "settings": {"temperature": 9}}),
        (("api", "chat", "sessions"), {"unknown": 1}),
        (("api", "chat", "sessions", "import"), {"format": "json", "messages": []}),
        (("api", "chat", "sessions", "import"), {"messages": [{"role": "wizard", "content": "x"}]}),
        (("v1", "chat", "completions"), {"messages": []}),
        (
            ("v1", "chat", "completions"),
            {"messages": [{"role": "user", "content": "hi"}], "temperature": "hot"},
        ),
        (("v1", "chat", "stop"), {}),
    ],
)
async def test_malformed_bodies_are_400_and_store_nothing(jp_fetch, parts, body):
    before = counts()
    err = await call(jp_fetch, "POST", *parts, body=body, expect=400)
    assert err["message"]
    assert counts() == before


async def test_malformed_turns_store_nothing(jp_fetch):
    sid = SessionStore().create("t")["id"]
    before = counts()
    for body in ({"content": ""}, {"content": "hi", "source": "moon"}, {"text": "hi"}):
        await call(jp_fetch, "POST", "api", "chat", "sessions", sid, "messages", body=body, expect=400)
    await call(
        jp_fetch, "POST", "api", "chat", "sessions", "0" * 32, "messages", body={"content": "hi"}, expect=404
    )
    await call(
        jp_fetch,
        "POST",
        "v1",
        "chat",
        "completions",
        expect=404,
        body={"messages": [{"role": "user", "content": "hi"}], "session_id": "nope"},
    )
    await call(jp_fetch, "POST", "api", "chat", "sessions", sid, "regenerate", body={}, expect=400)
    assert counts() == before


async def test_unauthenticated_is_403(jp_fetch):
    for method, parts in [
        ("GET", ("api", "chat", "sessions")),
        ("GET", ("v1", "models")),
        ("POST", ("v1", "chat", "completions")),
        ("GET", ("api", "memory", "stats")),
    ]:
        with pytest.raises(tornado.httpclient.HTTPClientError) as err:
            await jp_fetch(
                "sage-studio",
                *parts,
                method=method,
                headers={"Authorization": ""},
                **({"body": "{}"} if method == "POST" else {}),
            )
        assert err.value.code == 403
    assert counts() == (0, 0)


WRITER = """
import sys
from sage_studio_lab.chat.sessions import SessionStore
s = SessionStore()
for i in range(int(sys.argv[2])):
    s.add_message(sys.argv[1], "user", f"{sys.argv[3]}-{i}", parent_id=None, make_active=False)
"""


@pytest.mark.slow
def test_two_processes_writing_one_session_lose_nothing(studio_home):
    sid = SessionStore().create("shared")["id"]
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, sid, "40", name]) for name in ("server", "kernel")
    ]
    for i in range(40):
        SessionStore().add_message(sid, "user", f"here-{i}", parent_id=None, make_active=False)
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    contents = {
        r["content"] for r in get_store().query("SELECT content FROM messages WHERE session_id=?", (sid,))
    }
    assert len(contents) == 120 and {f"kernel-{i}" for i in range(40)} <= contents


async def test_no_engine_and_no_cloud_is_a_clear_503(jp_fetch, monkeypatch):
    for var in ("SAGE_STUDIO_ENGINE_URL", "SAGE_CHAT_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    sid = SessionStore().create("t")["id"]
    body = {"messages": [{"role": "user", "content": "hi"}]}
    err = await call(jp_fetch, "POST", "v1", "chat", "completions", body=body, expect=503)
    assert err["error"]["code"] == "no_upstream" and "not running" in err["error"]["message"]
    err = await call(
        jp_fetch, "POST", "v1", "chat", "completions", body={**body, "source": "local"}, expect=503
    )
    assert "start it" in err["error"]["message"]
    # A session turn keeps the user's message (nothing typed is lost) and answers 503.
    await call(jp_fetch, "POST", "v1", "chat", "completions", body={**body, "session_id": sid}, expect=503)
    assert [m["content"] for m in SessionStore().get(sid)["messages"]] == ["hi"]
