"""Token → text streaming rules of the scheduler (stop strings, partial characters, limits), with the real tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MODELS_CACHE

from sage_studio_lab.engine.scheduler import SamplingParams, Scheduler, Sequence


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    path = Path(MODELS_CACHE) / "SmolLM2-135M-Instruct"
    if not (path / "tokenizer.json").exists():
        from sage_studio_lab import models

        path = models.bundled_model_dir()
    return AutoTokenizer.from_pretrained(path)


def feed(tokenizer, text: str, **params):
    sched = Scheduler(model=None, tokenizer=tokenizer, eos_ids={tokenizer.eos_token_id})
    seq = Sequence(prompt_ids=[1], params=SamplingParams(**{"max_tokens": 100, **params}), loop=None)
    events = []
    seq.emit = events.append
    for token in tokenizer(text, add_special_tokens=False)["input_ids"]:
        if seq.finish_reason:
            break
        sched._accept(seq, token)
    return seq, events


def streamed(events):
    return "".join(value for kind, value in events if kind == "text")


def test_stop_string_cuts_and_is_never_streamed(tokenizer):
    seq, events = feed(tokenizer, "The capital of France is Paris. It is big.", stop=["Paris."])
    assert seq.finish_reason == "stop" and events[-1] == ("done", "stop")
    assert streamed(events) == seq.text == "The capital of France is "
    assert all("Pari" not in value for kind, value in events if kind == "text")


def test_text_streams_incrementally_and_multibyte_characters_arrive_whole(tokenizer):
    text = "Héllo wörld 🙂 ok"
    seq, events = feed(tokenizer, text)
    assert streamed(events) == text
    assert all("\ufffd" not in value for kind, value in events if kind == "text")
    assert len([e for e in events if e[0] == "text"]) > 3


def test_max_tokens_ends_with_length(tokenizer):
    seq, events = feed(tokenizer, "one two three four five six seven", max_tokens=3)
    assert seq.finish_reason == "length" and len(seq.generated) == 3 and events[-1] == ("done", "length")


def test_eos_ends_with_stop_and_adds_no_text(tokenizer):
    sched = Scheduler(model=None, tokenizer=tokenizer, eos_ids={tokenizer.eos_token_id})
    seq = Sequence(prompt_ids=[1], params=SamplingParams(max_tokens=10), loop=None)
    events = []
    seq.emit = events.append
    sched._accept(seq, tokenizer("Hi", add_special_tokens=False)["input_ids"][0])
    sched._accept(seq, tokenizer.eos_token_id)
    assert seq.finish_reason == "stop" and streamed(events) == "Hi"
