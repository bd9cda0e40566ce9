"""The dataset builder's `dedupe` switch (the panel's "drop duplicate rows"): on by default, identical rows appear
once and are counted as duplicates; off, every rated answer is a row (a 👎 answer and its correction still make one
row: that is one answer, not a duplicate)."""

from __future__ import annotations

from sage_studio_lab import api
from sage_studio_lab.chat import ratings
from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.finetune import dataset_builder


def _chats() -> None:
    store = SessionStore()
    for i in range(2):  # the same 👍 turn in two chats
        sid = store.create(f"chat {i}", {})["id"]
        store.add_message(sid, "user", "Capital of Italy?")
        answer = store.add_message(sid, "assistant", "Rome", metadata={"model": "m"})
        ratings.rate(sid, answer["id"], "up")
    sid = store.create("corrected", {})["id"]
    store.add_message(sid, "user", "And 3+3?")
    wrong = store.add_message(sid, "assistant", "7", metadata={"model": "m"})
    ratings.rate(sid, wrong["id"], "down")
    ratings.ideal_answer(sid, wrong["id"], "6")


def test_dedupe_switch():
    _chats()
    both = ["up", "down", "corrected"]
    examples, report = dataset_builder.select(dataset_builder.Filters(ratings=both))
    assert (report["selected"], report["duplicates"]) == (2, 1)
    examples, report = dataset_builder.select(dataset_builder.Filters(ratings=both, dedupe=False))
    assert (report["selected"], report["duplicates"]) == (3, 0)
    assert sorted(e.messages[-1]["content"] for e in examples) == ["6", "Rome", "Rome"]


def test_dedupe_through_the_operations():
    _chats()
    preview = api.invoke("improve.preview_dataset", {"dedupe": False, "rows": 0})
    assert (preview["selected"], preview["duplicates"]) == (3, 0)  # both Romes and the 6
    build = api.invoke("improve.build_dataset", {"dedupe": False, "eval_ratio": 0, "name": "all"})
    assert build["counts"]["train"] == 3 and build["filters"]["dedupe"] is False
