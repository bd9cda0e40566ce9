"""The chat view's knowledge, source-state and feedback methods over the widget transport answer exactly as the REST
routes do (same core functions), so the one ChatView works in a notebook as in the Lab panel. No engine needed."""

from __future__ import annotations

import json

import pytest

from sage_studio_lab.widgets.testing import frontend_call, recording_comms


@pytest.fixture
def chat():
    from sage_studio_lab.widgets.chat import Chat

    with recording_comms():
        yield Chat(title="knowledge test")


def ok(result: dict):
    assert result["ok"] is True, result
    return result["value"]


def test_knowledge_add_list_delete_over_the_widget(chat):
    added = ok(
        frontend_call(chat, "knowledge.add", {"name": "facts.md", "text": "# Facts\n\nZorbl is blue.\n"})[0]
    )
    assert added["name"] == "facts.md" and added["chunks"] == 2 and added["size"] > 0
    listed = ok(frontend_call(chat, "knowledge.list")[0])
    assert [d["name"] for d in listed["documents"]] == ["facts.md"]
    assert ok(frontend_call(chat, "knowledge.delete", {"name": "facts.md"})[0]) is None  # as REST: 204
    assert ok(frontend_call(chat, "knowledge.list")[0]) == {"documents": []}


async def test_knowledge_list_matches_the_rest_route(chat, jp_fetch):
    ok(frontend_call(chat, "knowledge.add", {"name": "a.txt", "text": "alpha\n\nbeta"})[0])
    rest = json.loads((await jp_fetch("sage-studio", "api", "chat", "knowledge")).body)
    assert ok(frontend_call(chat, "knowledge.list")[0]) == rest


@pytest.mark.parametrize(
    "args, status, says",
    [
        ({"name": "../evil.md", "text": "x"}, 400, "plain file name"),
        ({"name": "run.sh", "text": "x"}, 400, ".md"),
        ({"name": "empty.md", "text": "  "}, 400, "empty"),
    ],
)
def test_bad_knowledge_upload_is_a_400_and_writes_nothing(chat, args, status, says):
    result, _ = frontend_call(chat, "knowledge.add", args)
    assert result["ok"] is False and result["error"]["status"] == status
    assert says in result["error"]["message"]
    assert ok(frontend_call(chat, "knowledge.list")[0]) == {"documents": []}


def test_deleting_a_missing_document_is_a_404(chat):
    result, _ = frontend_call(chat, "knowledge.delete", {"name": "nope.md"})
    assert result["ok"] is False and result["error"]["status"] == 404


async def test_chat_sources_has_the_rest_shape(chat, jp_fetch, monkeypatch):
    for name in ("SAGE_CHAT_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "SAGE_CHAT_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    value = ok(frontend_call(chat, "chat.sources")[0])
    rest = json.loads((await jp_fetch("sage-studio", "api", "chat", "sources")).body)
    assert value == rest
    assert value["local"]["available"] is False and value["local"]["status"] == "stopped"
    assert value["cloud"]["configured"] is False and value["cloud"]["reachable"] is None
    assert value["default"] in ("auto", "local", "cloud")


def test_a_rating_or_an_ideal_answer_from_the_view_refreshes_the_widgets_messages(chat):
    from sage_studio_lab.widgets.chat_methods import service

    sessions = service().sessions
    sessions.add_message(chat.session_id, "user", "Name a colour.")
    answer = sessions.add_message(chat.session_id, "assistant", "Blue is a colour.")
    chat.refresh()
    args = {"session_id": chat.session_id, "message_id": answer["id"]}
    ok(frontend_call(chat, "chat.rate", args | {"rating": "down", "comment": "too short"})[0])
    assert chat.messages[-1]["metadata"]["rating"]["value"] == "down"  # no chat.refresh() needed
    ok(frontend_call(chat, "chat.ideal_answer", args | {"content": "Red, blue and green are colours."})[0])
    assert chat.messages[-1]["metadata"]["rejected_by"]
