"""Rating and correcting answers (issue #20, step 1) through the real Jupyter server, the widget dispatch and
`%sage_studio rate`: the rating is stored, read back by another process, exported and imported with the session;
an ideal answer is a preferred sibling that leaves the active branch alone; bad ids are clear 404/400s."""

from __future__ import annotations

import json
import subprocess
import sys

import tornado.httpclient

from sage_studio_lab import api
from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.store import reset_stores
from sage_studio_lab.widgets.testing import frontend_call, recording_comms


async def call(jp_fetch, method, *parts, body=None, expect=None):
    kwargs = {"method": method}
    if body is not None or method == "POST":
        kwargs["body"] = json.dumps(body if body is not None else {})
    try:
        resp = await jp_fetch("sage-studio", *parts, **kwargs)
    except tornado.httpclient.HTTPClientError as err:
        assert expect is not None and err.code == expect, (err.code, err.response.body)
        return json.loads(err.response.body)
    assert expect is None or resp.code == expect, resp.code
    return json.loads(resp.body) if resp.body else None


def chat() -> tuple[str, dict, dict]:
    """A session with one turn: (session id, user message, answer)."""
    store = SessionStore()
    sid = store.create("rated", {"system_prompt": "Be brief."})["id"]
    user = store.add_message(sid, "user", "What is 2+2?")
    answer = store.add_message(sid, "assistant", "5", metadata={"model": "SmolLM2-135M-Instruct"})
    return sid, user, answer


READ_RATING = """
import json, sys
from sage_studio_lab.chat.sessions import SessionStore
print(json.dumps(SessionStore().message(sys.argv[1])["metadata"].get("rating")))
"""


async def test_rating_round_trip_over_rest_survives_a_restart(jp_fetch, studio_home):
    sid, _, answer = chat()
    path = ("api", "chat", "sessions", sid, "messages", answer["id"], "rating")
    rated = await call(jp_fetch, "POST", *path, body={"rating": "down", "comment": "  wrong sum "})
    assert rated["id"] == answer["id"]
    assert (
        rated["metadata"]["rating"]["value"] == "down"
        and rated["metadata"]["rating"]["comment"] == "wrong sum"
    )
    assert rated["metadata"]["model"] == "SmolLM2-135M-Instruct"  # the answer's own metadata is kept

    session = await call(jp_fetch, "GET", "api", "chat", "sessions", sid)
    assert session["messages"][-1]["metadata"]["rating"]["value"] == "down"

    # another process (a kernel, a restarted server) reads it from the store file
    reset_stores()
    out = subprocess.run(
        [sys.executable, "-c", READ_RATING, answer["id"]], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout)["value"] == "down"

    up = await call(jp_fetch, "POST", *path, body={"rating": "up"})
    assert up["metadata"]["rating"] == {"value": "up", "comment": None, "at": up["metadata"]["rating"]["at"]}
    cleared = await call(jp_fetch, "POST", *path, body={"rating": None})
    assert "rating" not in cleared["metadata"]


async def test_ideal_answer_is_a_preferred_sibling_and_keeps_the_active_branch(jp_fetch):
    sid, user, answer = chat()
    base = ("api", "chat", "sessions", sid, "messages", answer["id"])
    out = await call(jp_fetch, "POST", *base, "ideal", body={"content": "4"}, expect=201)
    ideal, original = out["ideal"], out["original"]
    assert ideal["parent_id"] == user["id"] == original["parent_id"] and ideal["role"] == "assistant"
    assert ideal["metadata"]["preferred"] is True and ideal["metadata"]["ideal_for"] == answer["id"]
    assert original["metadata"]["rejected_by"] == ideal["id"]

    session = await call(jp_fetch, "GET", "api", "chat", "sessions", sid)
    assert session["active_leaf_id"] == answer["id"]  # the chat still shows what it showed
    assert session["messages"][-1]["sibling_ids"] == [answer["id"], ideal["id"]]

    again = await call(
        jp_fetch, "POST", *base, "ideal", body={"content": "Four.", "activate": True}, expect=201
    )
    session = await call(jp_fetch, "GET", "api", "chat", "sessions", sid)
    assert session["active_leaf_id"] == again["ideal"]["id"]
    assert SessionStore().message(answer["id"])["metadata"]["rejected_by"] == again["ideal"]["id"]


async def test_export_import_keeps_ratings_and_corrections(jp_fetch):
    sid, _, answer = chat()
    await call(
        jp_fetch,
        "POST",
        "api",
        "chat",
        "sessions",
        sid,
        "messages",
        answer["id"],
        "rating",
        body={"rating": "down"},
    )
    ideal = (
        await call(
            jp_fetch,
            "POST",
            "api",
            "chat",
            "sessions",
            sid,
            "messages",
            answer["id"],
            "ideal",
            body={"content": "4"},
        )
    )["ideal"]
    exported = await call(jp_fetch, "GET", "api", "chat", "sessions", sid, "export")
    by_id = {m["id"]: m for m in exported["messages"]}
    assert by_id[answer["id"]]["metadata"]["rating"]["value"] == "down"
    assert by_id[ideal["id"]]["metadata"]["preferred"] is True

    imported = await call(jp_fetch, "POST", "api", "chat", "sessions", "import", body=exported, expect=201)
    rows = {m["content"]: m for m in SessionStore().export(imported["id"])["messages"]}
    assert rows["5"]["id"] != answer["id"]  # new ids ...
    assert rows["5"]["metadata"]["rating"]["value"] == "down"
    # ... and the links between the answer and its correction point at the imported messages
    assert rows["5"]["metadata"]["rejected_by"] == rows["4"]["id"]
    assert (
        rows["4"]["metadata"]["ideal_for"] == rows["5"]["id"] and rows["4"]["metadata"]["preferred"] is True
    )


async def test_bad_ids_and_bad_ratings_are_clear_errors(jp_fetch):
    sid, user, answer = chat()
    other = SessionStore().create("other")["id"]
    cases = [
        (
            ("api", "chat", "sessions", "nope", "messages", answer["id"], "rating"),
            {"rating": "up"},
            404,
            "nope",
        ),
        (("api", "chat", "sessions", sid, "messages", "missing", "rating"), {"rating": "up"}, 404, "missing"),
        (
            ("api", "chat", "sessions", other, "messages", answer["id"], "rating"),
            {"rating": "up"},
            404,
            other,
        ),
        (
            ("api", "chat", "sessions", sid, "messages", user["id"], "rating"),
            {"rating": "up"},
            400,
            "user message",
        ),
        (
            ("api", "chat", "sessions", sid, "messages", answer["id"], "rating"),
            {"rating": "meh"},
            400,
            "rating",
        ),
        (("api", "chat", "sessions", sid, "messages", answer["id"], "rating"), {}, 400, "rating"),
        (
            ("api", "chat", "sessions", sid, "messages", answer["id"], "ideal"),
            {"content": ""},
            400,
            "content",
        ),
        (
            ("api", "chat", "sessions", sid, "messages", answer["id"], "ideal"),
            {"content": "  "},
            400,
            "empty",
        ),
        (
            ("api", "chat", "sessions", sid, "messages", user["id"], "ideal"),
            {"content": "x"},
            400,
            "user message",
        ),
    ]
    for path, body, status, words in cases:
        err = await call(jp_fetch, "POST", *path, body=body, expect=status)
        assert words in err["message"], (path, body, err)
    assert SessionStore().message(answer["id"])["metadata"] == {"model": "SmolLM2-135M-Instruct"}
    assert len(SessionStore().export(sid)["messages"]) == 2  # no ideal answer was stored


def test_widget_and_invoke_reach_the_same_operations():
    from sage_studio_lab.widgets.memory_panel import MemoryPanel

    sid, _, answer = chat()
    rated = api.invoke("chat.rate", {"session_id": sid, "message_id": answer["id"], "rating": "up"})
    assert rated["metadata"]["rating"]["value"] == "up"
    with recording_comms():
        reply, _ = frontend_call(
            MemoryPanel(),
            "chat.ideal_answer",
            {"session_id": sid, "message_id": answer["id"], "content": "4"},
        )
        bad, _ = frontend_call(
            MemoryPanel(), "chat.rate", {"session_id": sid, "message_id": "x", "rating": "up"}
        )
    assert reply["value"]["ideal"]["metadata"]["preferred"] is True, reply
    assert bad["error"]["status"] == 404 and "'x'" in bad["error"]["message"]
