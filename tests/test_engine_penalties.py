"""The engine's repetition guards and `continue_final_message` (real bundled model and tokenizer, in process):
penalties as vLLM/HF define them, a request without them untouched, greedy decoding with `repetition_penalty`
equal to HF's `generate`, a looping prompt repeating less with the guard, the model's generation_config default,
and a chat template rendered open on the last assistant message."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from test_engine_fast_paths import load_model, model_dir, prompt, run, started, tokenizer  # noqa: F401

from sage_studio_lab import openai_wire as wire
from sage_studio_lab.engine.server.penalties import apply_penalties
from sage_studio_lab.engine.server.scheduler import SamplingParams, Sequence
from sage_studio_lab.engine.server.serving import OpenAIServing, render_chat
from sage_studio_lab.openai_wire import ApiError
from sage_studio_lab.settings import Settings

LOOPING = (
    "Write a poem about the sea."  # greedy, the bundled model repeats "Abe a sea of dreams" over and over
)


def seq(prompt_ids, generated=(), **params) -> Sequence:
    s = Sequence(prompt_ids=list(prompt_ids), params=SamplingParams(max_tokens=8, **params), loop=None)
    s.generated = list(generated)
    return s


def repeated_trigrams(text: str) -> float:
    words = text.split()
    grams = [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def test_a_step_without_penalties_returns_the_logits_untouched():
    logits = torch.randn(3, 10)
    before = logits.clone()
    out = apply_penalties(logits, [seq([1, 2]), seq([3], [4, 4]), seq([5], temperature=0)])
    assert out is logits and torch.equal(out, before)


def test_penalties_follow_vllm_definitions_per_row():
    logits = torch.tensor([[2.0, -2.0, 1.0, 0.5, 3.0]] * 3)
    rows = [
        seq([0], [1, 3, 3], repetition_penalty=2.0),  # prompt + output tokens: 0, 1, 3
        seq([0], [1, 3, 3], frequency_penalty=0.5, presence_penalty=0.25),  # output only: 1 once, 3 twice
        seq([0], [1, 3, 3]),  # no penalty: its row is left as it was
    ]
    out = apply_penalties(logits.clone(), rows)
    assert out[0].tolist() == [1.0, -4.0, 1.0, 0.25, 3.0]
    assert out[1].tolist() == pytest.approx([2.0, -2.0 - 0.5 - 0.25, 1.0, 0.5 - 1.0 - 0.25, 3.0])
    assert torch.equal(out[2], logits[2])


def test_greedy_repetition_penalty_equals_hf_generate_and_repeats_less(model_dir, tokenizer, started):  # noqa: F811
    model = load_model(model_dir)
    ids = prompt(tokenizer, LOOPING)
    with torch.inference_mode():
        out = model.generate(torch.tensor([ids]), max_new_tokens=60, do_sample=False, repetition_penalty=1.3)
    expected = tokenizer.decode(out[0, len(ids) :], skip_special_tokens=True)
    sched = started(model, tokenizer, {tokenizer.eos_token_id})
    plain = run(sched, [ids], max_tokens=100)[0]
    guarded = _run_with(sched, ids, repetition_penalty=1.3, max_tokens=60)
    assert guarded == expected
    longer = _run_with(sched, ids, repetition_penalty=1.3, max_tokens=100)
    assert repeated_trigrams(plain) > 0.3, plain  # the loop this guard is for
    assert repeated_trigrams(longer) < repeated_trigrams(plain) / 2, longer
    # Studio's chat default (c.SageStudio.chat_repetition_penalty) is enough for this loop
    default = Settings().chat_repetition_penalty
    assert repeated_trigrams(_run_with(sched, ids, repetition_penalty=default, max_tokens=100)) < 0.1
    # A penalised row beside an unpenalised one in the same batch: each keeps its own answer.
    both = _run_batch(sched, [(ids, {}), (ids, {"repetition_penalty": 1.3})], max_tokens=100)
    assert both == [plain, longer]


def _run_with(sched, ids, max_tokens, **params) -> str:
    return _run_batch(sched, [(ids, params)], max_tokens)[0]


def _run_batch(sched, rows, max_tokens) -> list[str]:
    import asyncio

    async def go():
        loop = asyncio.get_running_loop()
        seqs = [
            Sequence(ids, SamplingParams(max_tokens=max_tokens, temperature=0, **params), loop)
            for ids, params in rows
        ]
        with sched._wake:
            sched.pending.extend(seqs)
            sched._wake.notify()
        for s in seqs:
            kind = None
            while kind not in ("done", "error"):
                kind, _ = await asyncio.wait_for(s.queue.get(), 120)
        return [s.text for s in seqs]

    return asyncio.run(go())


def serving_with(penalty):
    config = SimpleNamespace(repetition_penalty=penalty)
    state = SimpleNamespace(
        max_model_len=2048, scheduler=SimpleNamespace(model=SimpleNamespace(generation_config=config))
    )
    return OpenAIServing(state)


def test_the_models_generation_config_is_the_default_penalty():
    body = {"messages": [{"role": "user", "content": "hi"}]}
    assert serving_with(1.15).sampling(wire.ChatCompletionRequest(**body), 10).repetition_penalty == 1.15
    asked = wire.ChatCompletionRequest(**body, repetition_penalty=1.05, frequency_penalty=0.3)
    params = serving_with(1.15).sampling(asked, 10)
    assert (params.repetition_penalty, params.frequency_penalty, params.presence_penalty) == (1.05, 0.3, 0.0)
    assert serving_with(None).sampling(wire.ChatCompletionRequest(**body), 10).repetition_penalty == 1.0


def test_continue_final_message_leaves_the_assistant_message_open(tokenizer):  # noqa: F811
    messages = [
        {"role": "user", "content": "Count to ten."},
        {"role": "assistant", "content": "One, two, three"},
    ]
    text = render_chat(tokenizer, messages, add_generation_prompt=False, continue_final=True)
    assert text.endswith("<|im_start|>assistant\nOne, two, three")
    closed = render_chat(tokenizer, messages[:1], add_generation_prompt=True, continue_final=False)
    assert closed.endswith("<|im_start|>assistant\n")
    with pytest.raises(ApiError) as both:
        render_chat(tokenizer, messages, add_generation_prompt=True, continue_final=True)
    assert both.value.status == 400 and "continue_final_message" in str(both.value.body())
    with pytest.raises(ApiError) as not_assistant:
        render_chat(tokenizer, messages[:1], add_generation_prompt=False, continue_final=True)
    assert not_assistant.value.status == 400


def test_the_wire_refuses_out_of_range_penalties():
    body = {"messages": [{"role": "user", "content": "hi"}]}
    for bad in ({"repetition_penalty": 0}, {"frequency_penalty": 3}, {"presence_penalty": -2.5}):
        with pytest.raises(ValueError):
            wire.ChatCompletionRequest(**body, **bad)
