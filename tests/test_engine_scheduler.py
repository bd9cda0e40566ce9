"""Token → text streaming rules of the scheduler (stop strings, partial characters, limits), with the real tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MODELS_CACHE

from sage_studio_lab.engine.server.scheduler import SamplingParams, Scheduler, Sequence


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


def test_each_token_decodes_a_short_window_and_the_text_is_the_full_decode(tokenizer, monkeypatch):
    """Incremental detokenisation (as vLLM): the cost of a token does not grow with the answer, and the text is
    exactly what decoding every id at once gives, multi-byte characters included."""
    text = " ".join(["Ünïcödé façade 🙂🚀 naïve — 東京タワー", "def f(x):\n    return x ** 2  # ok"] * 12)
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    decode, windows = tokenizer.decode, []

    def counting(token_ids, **kw):
        windows.append(len(token_ids))
        return decode(token_ids, **kw)

    monkeypatch.setattr(tokenizer, "decode", counting)
    seq, events = feed(tokenizer, text, max_tokens=len(ids) + 1)
    assert len(ids) > 200 and max(windows) <= 8
    assert streamed(events) == seq.text == decode(ids, skip_special_tokens=True)


def draws(logits: list[float], n: int, **params) -> list[int]:
    import torch

    sched = Scheduler(model=None, tokenizer=None, eos_ids=set())
    seq = Sequence(prompt_ids=[1], params=SamplingParams(max_tokens=1, **params), loop=None)
    seq.generator = torch.Generator().manual_seed(0)
    rows = torch.tensor([logits] * 2)  # a greedy row beside it keeps its argmax
    greedy = Sequence(prompt_ids=[1], params=SamplingParams(max_tokens=1, temperature=0), loop=None)
    out = []
    for _ in range(n):
        tokens = sched._sample(rows, [greedy, seq]).tolist()
        assert tokens[0] == max(range(len(logits)), key=logits.__getitem__)
        out.append(tokens[1])
    return out


def test_sampling_draws_tokens_with_their_probabilities_and_top_p_keeps_the_nucleus():
    import math
    from collections import Counter

    logits = [2.0, 1.0, 0.5, 0.0, -1.0]
    weights = [math.exp(x / 0.8) for x in logits]
    expected = [w / sum(weights) for w in weights]
    seen = Counter(draws(logits, 6000, temperature=0.8))
    assert all(abs(seen[i] / 6000 - p) < 0.025 for i, p in enumerate(expected)), (seen, expected)
    # top_p 0.7: the most likely tokens until 0.7 is reached (the first two here), renormalised
    assert expected[0] < 0.7 < expected[0] + expected[1]
    seen = Counter(draws(logits, 3000, temperature=0.8, top_p=0.7))
    assert set(seen) == {0, 1}
    assert abs(seen[0] / 3000 - expected[0] / (expected[0] + expected[1])) < 0.03
    assert draws(logits, 20, temperature=0.8, seed=0) == draws(logits, 20, temperature=0.8, seed=0)


def test_the_nucleus_widens_its_top_k_when_the_set_is_larger():
    import torch

    from sage_studio_lab.engine.server.tokens import nucleus

    probs = torch.softmax(torch.linspace(1, 0, 50), dim=0)
    values, ids = nucleus(probs, 0.9, k=4)
    ranked = probs.sort(descending=True)
    keep = (ranked.values.cumsum(0) - ranked.values) <= 0.9
    assert ids.tolist() == ranked.indices[keep].tolist() and len(ids) > 4
    assert torch.equal(values, ranked.values[keep])


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


def test_adapter_loads_get_the_model_at_the_next_step_not_after_many(tokenizer):
    """`between_steps` (adapter load/unload) must not be starved by the decode loop re-taking its lock: while a
    long generation runs, the caller gets in after at most about one more step, and no step runs while it holds."""
    import asyncio
    import threading

    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tokenizer.name_or_path, dtype=torch.float32).eval()
    sched = Scheduler(model, tokenizer, eos_ids=set())  # no EOS: it decodes until max_tokens
    sched.start()
    loop = asyncio.new_event_loop()
    seq = Sequence(
        prompt_ids=tokenizer("Count from one to one hundred:")["input_ids"],
        params=SamplingParams(max_tokens=400, temperature=0),
        loop=loop,
    )
    seq.emit = lambda event: None
    try:
        sched.submit(seq)
        while len(seq.generated) < 3:
            threading.Event().wait(0.01)
        for _ in range(5):
            asked = len(seq.generated)
            with sched.between_steps():
                entered = len(seq.generated)
                threading.Event().wait(0.1)
                assert len(seq.generated) == entered  # the model is ours: no step runs meanwhile
            assert entered - asked <= 2, f"waited {entered - asked} decode steps for the model"
            for _ in range(1000):  # decoding resumes after each hold
                if len(seq.generated) > entered:
                    break
                threading.Event().wait(0.01)
            assert len(seq.generated) > entered and seq.finish_reason is None
    finally:
        seq.cancelled = True
        sched.shutdown()
        sched._thread.join(30)  # a decode thread still running at interpreter exit aborts the process
        loop.close()
