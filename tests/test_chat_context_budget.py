"""Notebook context for chat (chat/context.py) and the token budget that trims (chat/budget.py), with the bundled
model's own tokenizer."""

from __future__ import annotations

import pytest

from sage_studio_lab.chat import budget, context
from sage_studio_lab.errors import InvalidInput


def test_dataframe_becomes_its_schema_and_first_rows():
    import pandas as pd

    df = pd.DataFrame({"city": ["Paris", "Rome", "Oslo"] * 40, "temp": range(120)})
    a = context.describe_value("df", df)
    assert a["kind"] == "variable" and "120 rows × 2 columns" in a["text"]
    assert "temp: int64" in a["text"] and "Paris" in a["text"] and "Oslo" in a["text"]
    assert a["text"].count("\n") < 20  # the head, not 120 rows


def test_array_object_exception_and_cell_become_bounded_text():
    import numpy as np

    arr = context.describe_value("x", np.arange(1000, dtype=np.float32).reshape(10, 100))
    assert "shape (10, 100) dtype float32" in arr["text"] and "(990 more)" in arr["text"]
    big = context.describe_value("s", "y" * 100_000)
    assert len(big["text"]) < context.MAX_CHARS + 100
    try:
        {}["missing"]
    except KeyError as exc:
        err = context.describe_exception(exc)
    assert err["kind"] == "error" and "KeyError: 'missing'" in err["text"] and "Traceback" in err["text"]
    ns = {"arr": arr, "In": ["", "import numpy as np", "arr.sum()"]}
    got = context.from_namespace(["arr", "err", "In[2]"], ns, last_error=ValueError("bad value"))
    assert [g["kind"] for g in got] == ["variable", "error", "cell"] and "arr.sum()" in got[2]["text"]
    assert "ValueError: bad value" in got[1]["text"]
    kept = context.from_namespace(
        ["problem"], {"problem": KeyError("col")}
    )  # an exception kept in a variable
    assert kept[0]["kind"] == "error" and "KeyError: 'col'" in kept[0]["text"]


def test_bad_context_names_say_what_is_missing():
    with pytest.raises(InvalidInput, match="no variable 'nope'"):
        context.from_namespace(["nope"], {})
    with pytest.raises(InvalidInput, match="nothing has failed"):
        context.from_namespace(["err"], {})
    with pytest.raises(InvalidInput, match="ran 1 cells"):
        context.from_namespace(["In[7]"], {"In": ["", "1+1"]})
    with pytest.raises(InvalidInput, match="an attachment is"):
        context.checked([{"kind": "file", "text": "x"}])


def test_counts_with_the_models_own_tokenizer():
    count, exact = budget.token_counter(None)  # the bundled model
    assert exact
    text = "Tokenizers split words like internationalisation into pieces."
    assert count(text) != budget.estimate_tokens(text) or count(text) > 0
    cloud_count, cloud_exact = budget.token_counter("gpt-nonexistent-cloud-model")
    assert not cloud_exact and cloud_count("abcd" * 10) == 10


def _parts():
    history = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"old message {i} " * 20}
        for i in range(10)
    ]
    return budget.Parts(
        system="You are helpful.",
        user="What does my DataFrame say?",
        history=history,
        memory=[{"text": "fact A " * 30, "score": 0.9}, {"text": "fact B " * 30, "score": 0.1}],
        rag=[
            {"source": "doc1", "text": "passage one " * 30},
            {"source": "doc2", "text": "passage two " * 30},
        ],
        context=[{"kind": "variable", "name": "df", "text": "df: DataFrame " * 30}],
    )


def test_trims_history_first_then_memory_then_rag_never_the_user_or_system():
    count, _ = budget.token_counter(None)
    parts = _parts()
    total = sum(budget.split(parts, count).values())
    # Room for everything but ~half the history.
    kept, report = budget.fit(parts, context_length=total + 100 - 200, answer_room=100, count=count)
    assert 0 < len(kept.history) < 10 and kept.memory and kept.rag and kept.context
    assert kept.history == parts.history[-len(kept.history) :]  # the newest kept
    assert list(report["dropped"]) == ["history"]
    assert sum(report["after"].values()) + 100 <= total + 100 - 200
    # Tight: all history, then the least relevant memory, then passages go; context last.
    floor = report["before"]["system"] + report["before"]["user"] + report["before"]["context"]
    kept, report = budget.fit(parts, context_length=floor + 100 + 5, answer_room=100, count=count)
    assert kept.history == [] and kept.memory == [] and kept.rag == [] and kept.context
    assert [d.split(":")[0] for d in report["dropped"]["memory"]] == [
        "fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B fact B"[
            :6
        ].strip()
    ] or len(report["dropped"]["memory"]) == 2
    assert kept.system == parts.system and kept.user == parts.user
    # Unknown context length: nothing is trimmed.
    kept, report = budget.fit(parts, None, 100, count)
    assert kept is parts and report["dropped"] == {}


def test_a_message_that_cannot_fit_is_a_clear_error():
    count, _ = budget.token_counter(None)
    with pytest.raises(InvalidInput, match="shorten the message or lower max_tokens"):
        budget.fit(budget.Parts("sys", "word " * 500), context_length=200, answer_room=100, count=count)
