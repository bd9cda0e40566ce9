"""The dataset builder (issue #20, step 2): rated and corrected answers → a versioned `messages` dataset listed with
the uploaded ones (filters, deduplication, seeded split, sources), a preview rendered with the bundled model's chat
template and its tokenizer (no torch), and preference pairs in TRL's conversational shape. Messages are inserted
directly: no generation needed."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tornado.httpclient

from sage_studio_lab import api
from sage_studio_lab.chat import ratings
from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.errors import InvalidInput, NotFound
from sage_studio_lab.finetune import dataset_builder, datasets
from sage_studio_lab.finetune.feedback import preference_rows
from sage_studio_lab.store import get_store

OLD = datetime(2020, 1, 1, tzinfo=UTC).timestamp()


def turn(store, sid, question, answer, model="model-a", rating=None):
    store.add_message(sid, "user", question)
    msg = store.add_message(sid, "assistant", answer, metadata={"model": model, "source": "local"})
    if rating:
        ratings.rate(sid, msg["id"], rating)
    return msg


@pytest.fixture
def chats():
    """s1: a 👍 answer, then a 👎 answer with its ideal answer; s2 and s3: the same 👍 turn (a duplicate);
    s4: model-b, written in 2020; s5: a 👎 answer without a correction; s6: nothing rated."""
    store = SessionStore()
    ids = {
        f"s{i}": store.create(f"chat {i}", {"system_prompt": "Be brief."} if i == 1 else {})["id"]
        for i in range(1, 7)
    }
    turn(store, ids["s1"], "What is 2+2?", "4", rating="up")
    wrong = turn(store, ids["s1"], "And 3+3?", "7", rating="down")
    ideal = ratings.ideal_answer(ids["s1"], wrong["id"], "6")["ideal"]
    turn(store, ids["s2"], "Capital of Italy?", "Rome", rating="up")
    turn(store, ids["s3"], "Capital of Italy?", "Rome", rating="up")
    turn(store, ids["s4"], "Capital of France?", "Paris", model="model-b", rating="up")
    get_store().execute("UPDATE messages SET created_at=? WHERE session_id=?", (OLD, ids["s4"]))
    turn(store, ids["s5"], "Colour of the sky?", "Green", rating="down")
    turn(store, ids["s6"], "Unrated?", "Yes")
    return ids | {"wrong": wrong["id"], "ideal": ideal["id"]}


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_selection_filters_dedupe_and_context(chats):
    examples, report = dataset_builder.select(dataset_builder.Filters())
    assert report == {"selected": 4, "duplicates": 1, "skipped": {}}
    by_answer = {e.messages[-1]["content"]: e for e in examples}
    assert set(by_answer) == {"4", "6", "Rome", "Paris"}
    # the corrected turn: the system prompt, the branch up to the question, then the ideal answer
    assert by_answer["6"].messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": "And 3+3?"},
        {"role": "assistant", "content": "6"},
    ]
    assert by_answer["6"].kind == "corrected" and by_answer["6"].model == "model-a"  # the model it corrected

    def answers(**filters):
        return sorted(
            e.messages[-1]["content"] for e in dataset_builder.select(dataset_builder.Filters(**filters))[0]
        )

    assert answers(session_ids=[chats["s4"]]) == ["Paris"]
    assert answers(models=["model-b"]) == ["Paris"]
    assert answers(since=datetime(2024, 1, 1)) == ["4", "6", "Rome"]
    assert answers(until="2021-01-01T00:00:00Z") == ["Paris"]
    assert answers(ratings=["corrected"]) == ["6"]
    # 👎 answers are trained on their correction; one without a correction is skipped and counted
    examples, report = dataset_builder.select(dataset_builder.Filters(ratings=["down"]))
    assert [e.messages[-1]["content"] for e in examples] == ["6"] and examples[0].rated_id == chats["wrong"]
    assert report["skipped"] == {"rated down without an ideal answer": 1}
    with pytest.raises(NotFound, match="nope"):
        dataset_builder.select(dataset_builder.Filters(session_ids=["nope"]))


def test_earlier_answers_the_user_corrected_appear_as_their_corrections(chats):
    """Training learns every assistant turn of a row: a later row must not teach the answer the user rejected."""
    store = SessionStore()
    later = turn(
        store, chats["s1"], "And 4+4?", "8", rating="up"
    )  # asked after the 👎 "7" (corrected to "6")
    examples, _ = dataset_builder.select(dataset_builder.Filters(session_ids=[chats["s1"]], ratings=["up"]))
    row = next(e.messages for e in examples if e.answer_id == later["id"])
    assert [m["content"] for m in row if m["role"] == "assistant"] == ["4", "6", "8"]


def test_build_splits_versions_and_lists_with_the_uploaded_datasets(chats):
    args = {"name": "feedback", "eval_ratio": 0.5, "seed": 7}
    first = api.invoke("improve.build_dataset", args)
    assert (first["kind"], first["name"], first["version"]) == ("sft", "feedback", 1)
    assert (
        first["counts"]["train"] == 2 and first["counts"]["eval"] == 2 and first["counts"]["duplicates"] == 1
    )
    assert first["sessions"] == sorted([chats["s1"], chats["s2"], chats["s4"]]) and first["available"]

    record = datasets.get_dataset(first["dataset_id"])
    assert record["name"] == "feedback v1" and record["rows"] == 2 and record["format"] == "openai"
    assert record["stats"]["build"]["sessions"] == first["sessions"] and record["stats"]["eval_rows"] == 2
    folder = Path(record["path"]).parent
    assert datasets.validate_file(Path(record["path"]))["ok"]  # the upload's own validation accepts it
    assert datasets.validate_file(folder / dataset_builder.EVAL_FILE)["ok"]
    train = rows_of(folder / "data.jsonl")
    held_out = rows_of(folder / dataset_builder.EVAL_FILE)
    assert (
        len(train) == 2
        and len(held_out) == 2
        and not {json.dumps(r) for r in train} & {json.dumps(r) for r in held_out}
    )
    sources = rows_of(folder / dataset_builder.SOURCES_FILE)
    assert [s["split"] for s in sources] == ["train", "train", "eval", "eval"]
    assert {s["session_id"] for s in sources} == set(first["sessions"])

    second = api.invoke("improve.build_dataset", args)
    assert second["version"] == 2 and second["dataset_id"] != first["dataset_id"]
    # the same seed gives the same split
    assert rows_of(Path(datasets.get_dataset(second["dataset_id"])["path"])) == train
    other = api.invoke("improve.build_dataset", {"name": "capitals", "session_ids": [chats["s2"]]})
    assert other["version"] == 1 and other["counts"]["train"] == 1 and other["counts"]["eval"] == 0

    listed = {d["id"]: d for d in api.invoke("finetune.datasets")["datasets"]}
    assert {first["dataset_id"], second["dataset_id"], other["dataset_id"]} <= set(listed)
    assert listed[second["dataset_id"]]["name"] == "feedback v2"
    builds = api.invoke("improve.datasets")["builds"]
    assert [(b["name"], b["version"]) for b in builds] == [("capitals", 1), ("feedback", 2), ("feedback", 1)]

    # a deleted dataset stays listed as a build, unavailable, and its version is not reused
    api.invoke("finetune.delete_dataset", {"dataset_id": first["dataset_id"]})
    assert not next(b for b in api.invoke("improve.datasets")["builds"] if b["id"] == first["id"])[
        "available"
    ]
    assert api.invoke("improve.build_dataset", args)["version"] == 3


def test_nothing_to_build_is_a_clear_400_and_stores_nothing(chats):
    with pytest.raises(InvalidInput, match="no rated or corrected answers match"):
        api.invoke("improve.build_dataset", {"session_ids": [chats["s6"]]})
    with pytest.raises(InvalidInput, match="ratings"):
        api.invoke("improve.build_dataset", {"ratings": ["meh"]})
    assert get_store().query("SELECT * FROM datasets") == []
    assert get_store().query("SELECT * FROM dataset_builds") == []


async def test_rest_build_preview_and_preferences(jp_fetch, chats):
    async def post(*path, body, expect=200):
        try:
            resp = await jp_fetch("sage-studio", *path, method="POST", body=json.dumps(body))
        except tornado.httpclient.HTTPClientError as err:
            assert err.code == expect, err.response.body
            return json.loads(err.response.body)
        assert resp.code == expect
        return json.loads(resp.body)

    preview = await post("api", "improve", "datasets", "preview", body={"rows": 2})
    assert preview["selected"] == 4 and preview["duplicates"] == 1 and len(preview["rows"]) == 2
    first = preview["rows"][0]
    # SmolLM2's ChatML template (it adds its default system prompt when the row has none)
    question, answer = first["messages"][-2]["content"], first["messages"][-1]["content"]
    assert (
        f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n{answer}<|im_end|>"
        in first["rendered"]
    )
    assert first["tokens"] > len(first["messages"]) and preview["total_tokens"] >= sum(
        r["tokens"] for r in preview["rows"]
    )
    assert get_store().query("SELECT * FROM datasets") == []  # a preview writes nothing

    built = await post("api", "improve", "datasets", body={"name": "rest", "eval_ratio": 0}, expect=201)
    assert built["version"] == 1 and built["counts"]["train"] == 4
    listed = json.loads((await jp_fetch("sage-studio", "api", "improve", "datasets")).body)["builds"]
    assert [b["id"] for b in listed] == [built["id"]]
    detail = json.loads(
        (await jp_fetch("sage-studio", "api", "finetune", "datasets", built["dataset_id"])).body
    )
    assert detail["rows"] == 4 and detail["token_stats"]["count"] == 4  # the fine-tune form can use it

    prefs = await post("api", "improve", "preferences", body={})
    assert prefs["count"] == 1 and prefs["sessions"] == [chats["s1"]]
    assert prefs["rows"] == [
        {
            "prompt": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "What is 2+2?"},
                {"role": "assistant", "content": "4"},
                {"role": "user", "content": "And 3+3?"},
            ],
            "chosen": [{"role": "assistant", "content": "6"}],
            "rejected": [{"role": "assistant", "content": "7"}],
        }
    ]
    err = await post("api", "improve", "datasets", body={"session_ids": ["nope"]}, expect=404)
    assert "nope" in err["message"]


def test_preference_export_saves_versions_and_takes_arena_triples(chats):
    saved = api.invoke("improve.preference_export", {"name": "dpo", "save": True})
    again = api.invoke("improve.preference_export", {"name": "dpo", "save": True})
    assert (saved["build"]["kind"], saved["build"]["version"], again["build"]["version"]) == (
        "preference",
        1,
        2,
    )
    assert rows_of(Path(saved["build"]["path"])) == saved["rows"] and saved["build"]["sessions"] == [
        chats["s1"]
    ]
    assert api.invoke("improve.preference_export", {"models": ["model-b"]})["count"] == 0
    with pytest.raises(InvalidInput, match="nothing to save"):
        api.invoke("improve.preference_export", {"models": ["model-b"], "save": True})

    # arena picks later: (prompt, chosen, rejected) triples give the same shape
    rows = preference_rows(
        [([{"role": "user", "content": "Hi"}], "Hello!", {"role": "assistant", "content": "Go away"})]
    )
    assert rows == [
        {
            "prompt": [{"role": "user", "content": "Hi"}],
            "chosen": [{"role": "assistant", "content": "Hello!"}],
            "rejected": [{"role": "assistant", "content": "Go away"}],
        }
    ]
    with pytest.raises(InvalidInput, match="end with a user message"):
        preference_rows([([{"role": "assistant", "content": "x"}], "a", "b")])

    # TRL renders a conversational pair as prompt + chosen with the model's template: the bundled one does
    from sage_studio_lab.finetune.encoding import render, tokenizer_for

    tok = tokenizer_for(None)
    row = saved["rows"][0]
    assert render(tok, row["prompt"] + row["chosen"]).rstrip().endswith("6<|im_end|>")


PREVIEW_WITHOUT_TORCH = """
import json, sys
from sage_studio_lab.chat import ratings
from sage_studio_lab.chat.sessions import SessionStore
from sage_studio_lab.finetune import dataset_builder
store = SessionStore()
sid = store.create("t")["id"]
store.add_message(sid, "user", "Hi")
ratings.rate(sid, store.add_message(sid, "assistant", "Hello")["id"], "up")
out = dataset_builder.preview(dataset_builder.Filters(), rows=1)
print(json.dumps({"tokens": out["rows"][0]["tokens"], "torch": "torch" in sys.modules}))
"""


def test_preview_loads_the_tokenizer_only(studio_home):
    out = subprocess.run(
        [sys.executable, "-c", PREVIEW_WITHOUT_TORCH], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["tokens"] > 0 and result["torch"] is False
