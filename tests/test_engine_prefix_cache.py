"""Automatic prefix caching: the cache's own rules (whole blocks, namespaces, verified hits, LRU by bytes), and the
scheduler on the real bundled model — a cached prefill answers exactly as a full one (float32), later turns reuse
earlier prompt + answer, adapters never share KV with the base model."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import torch
from conftest import MODELS_CACHE

from sage_studio_lab.engine.server.prefix_cache import PrefixCache
from sage_studio_lab.engine.server.scheduler import SamplingParams, Scheduler, Sequence

LAYERS, HEADS, DIM = 2, 3, 4


def kv(n: int, fill: float = 1.0):
    """Per-layer (keys, values) for n positions; position i holds the value fill * (i + 1)."""
    values = torch.arange(1, n + 1, dtype=torch.float32).view(1, 1, n, 1).expand(1, HEADS, n, DIM) * fill
    return [(values.clone(), -values.clone()) for _ in range(LAYERS)]


def entry_bytes(n: int) -> int:
    return LAYERS * 2 * HEADS * n * DIM * 4


def test_a_hit_is_whole_blocks_and_leaves_a_token_to_compute():
    cache = PrefixCache(max_bytes=2**20, block=4)
    ids = list(range(100, 110))  # 10 tokens: 2 whole blocks stored
    cache.store(None, ids, kv(10))
    assert cache.entries == 1 and cache.bytes == entry_bytes(8)
    n, layers = cache.lookup(None, ids + [7, 7])
    assert n == 8 and layers[0][0].shape == (1, HEADS, 8, DIM)
    assert torch.equal(layers[1][0][0, 0, :, 0], torch.arange(1.0, 9.0))  # the stored positions, in order
    assert cache.lookup(None, ids[:8])[0] == 4  # all 8 cached, but the last token must be computed
    assert cache.lookup(None, ids[:4] + [1, 2, 3, 4, 5])[0] == 4  # diverges in block 2
    assert cache.lookup(None, [5, *ids])[0] == 0  # a prefix, not a substring


def test_namespaces_do_not_share_and_drop_forgets_one():
    cache = PrefixCache(max_bytes=2**20, block=4)
    ids = list(range(9))
    cache.store(None, ids, kv(9))
    cache.store("lora-a", ids, kv(9, fill=2.0))
    assert cache.lookup("lora-b", ids)[0] == 0
    assert cache.lookup("lora-a", ids)[1][0][0][0, 0, 0, 0] == 2.0
    cache.drop("lora-a")
    assert cache.lookup("lora-a", ids)[0] == 0 and cache.lookup(None, ids)[0] == 8
    assert cache.entries == 1 and cache.bytes == entry_bytes(8)


def test_a_hash_collision_never_serves_another_prompts_kv(monkeypatch):
    cache = PrefixCache(max_bytes=2**20, block=4)
    monkeypatch.setattr(cache, "_hashes", lambda ns, ids: list(range(len(ids) // 4)))  # every prompt collides
    cache.store(None, [1, 2, 3, 4, 5], kv(5))
    assert cache.lookup(None, [9, 9, 9, 9, 9])[0] == 0
    assert cache.lookup(None, [1, 2, 3, 4, 5])[0] == 4


def test_least_recently_used_entries_go_first_within_the_byte_budget():
    cache = PrefixCache(max_bytes=entry_bytes(8) * 2, block=4)
    a, b, c = ([k] * 9 for k in (1, 2, 3))
    cache.store(None, a, kv(9))
    cache.store(None, b, kv(9))
    assert cache.lookup(None, a)[0] == 8  # a is now the most recent
    cache.store(None, c, kv(9))
    assert cache.lookup(None, b)[0] == 0 and cache.lookup(None, a)[0] == 8 and cache.lookup(None, c)[0] == 8
    assert cache.bytes == entry_bytes(8) * 2
    cache.store(None, [4] * 100, kv(100))  # larger than the whole budget: not kept, nothing evicted
    assert cache.entries == 2


def test_storing_a_prefix_already_held_adds_nothing():
    cache = PrefixCache(max_bytes=2**20, block=4)
    cache.store(None, list(range(12)), kv(12))
    cache.store(None, list(range(8)), kv(8))
    assert cache.entries == 1


# -- the scheduler on the real model -------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_dir() -> Path:
    path = Path(MODELS_CACHE) / "SmolLM2-135M-Instruct"
    if not (path / "config.json").exists():
        from sage_studio_lab import models

        path = models.bundled_model_dir()
    return path


@pytest.fixture(scope="module")
def tokenizer(model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model_dir)


def load_model(model_dir):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()


def prompt(tokenizer, *turns: str) -> list[int]:
    roles = ["user", "assistant"]
    messages = [{"role": roles[i % 2], "content": text} for i, text in enumerate(turns)]
    return list(tokenizer.apply_chat_template(messages, add_generation_prompt=True)["input_ids"])


def run(sched: Scheduler, prompts: list[list[int]], adapter: str | None = None, max_tokens: int = 24):
    """Submit the prompts together (one prefill batch), greedy; returns the finished sequences."""

    async def go():
        loop = asyncio.get_running_loop()
        seqs = [
            Sequence(p, SamplingParams(max_tokens=max_tokens, temperature=0), loop, adapter=adapter)
            for p in prompts
        ]
        with sched._wake:  # queued together so they are admitted in the same step
            sched.pending.extend(seqs)
            sched._wake.notify()
        for seq in seqs:  # drain each stream to its end
            kind = None
            while kind not in ("done", "error"):
                kind, _ = await asyncio.wait_for(seq.queue.get(), 120)
        return seqs

    return asyncio.run(go())


@pytest.fixture(scope="module")
def schedulers(model_dir, tokenizer):
    """The same float32 model served twice: with and without a prefix cache."""
    made = {}
    for name, cache in (("cached", PrefixCache(64 * 2**20)), ("plain", None)):
        sched = Scheduler(load_model(model_dir), tokenizer, {tokenizer.eos_token_id}, prefix_cache=cache)
        sched.start()
        made[name] = sched
    yield made
    for sched in made.values():
        sched.shutdown()
        sched._thread.join(30)


def texts(seqs):
    return [s.text for s in seqs]


def test_cached_prefills_answer_exactly_as_full_ones(schedulers, tokenizer):
    cached, plain = schedulers["cached"], schedulers["plain"]
    rivers = prompt(tokenizer, "Tell me about rivers.")
    first = run(cached, [rivers])
    assert first[0].cached_tokens == 0
    again = run(cached, [rivers, prompt(tokenizer, "What is the capital of France?")])
    # the same prompt: every whole block but the last token; another question: the shared system prompt's blocks
    assert again[0].cached_tokens == (len(rivers) - 1) // 16 * 16 and again[1].cached_tokens >= 16
    reference = run(plain, [rivers, prompt(tokenizer, "What is the capital of France?")])
    assert texts(again) == texts(reference) and texts(first) == texts(reference[:1])


def test_a_later_turn_reuses_the_earlier_prompt_and_its_answer(schedulers, tokenizer):
    cached, plain = schedulers["cached"], schedulers["plain"]
    (turn1,) = run(cached, [prompt(tokenizer, "Name three fruits.")], max_tokens=40)
    turn2 = prompt(tokenizer, "Name three fruits.", turn1.text, "Which one is the sweetest?")
    (answer,) = run(cached, [turn2])
    assert answer.cached_tokens > len(turn1.prompt_ids)  # past the first prompt: into the stored answer
    assert texts([answer]) == texts(run(plain, [turn2]))


@pytest.fixture(scope="module")
def lora(model_dir, tmp_path_factory) -> Path:
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)
    cfg = LoraConfig(r=8, lora_alpha=32, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    out = tmp_path_factory.mktemp("lora") / "lora-a"
    get_peft_model(load_model(model_dir), cfg).save_pretrained(out)
    return out


def test_adapters_never_reuse_base_kv_and_unloading_forgets_theirs(model_dir, tokenizer, lora):
    from sage_studio_lab.engine.server.adapters import load_adapter, unload_adapter

    cache = PrefixCache(64 * 2**20)
    sched = Scheduler(load_model(model_dir), tokenizer, {tokenizer.eos_token_id}, prefix_cache=cache)
    sched.start()
    try:
        bees = prompt(tokenizer, "Write about bees.")
        run(sched, [bees])
        load_adapter(sched, "lora-a", str(lora))
        (adapted,) = run(sched, [bees], adapter="lora-a")
        assert adapted.cached_tokens == 0  # the base model's KV is not the adapter's
        (again,) = run(sched, [bees], adapter="lora-a")
        assert again.cached_tokens > 0 and again.text == adapted.text
        (base,) = run(sched, [bees])
        assert base.text != adapted.text and base.cached_tokens > 0
        unload_adapter(sched, "lora-a")
        assert all(entry.namespace != "lora-a" for entry in cache._entries.values())
    finally:
        sched.shutdown()
        sched._thread.join(30)


def test_the_lm_head_gets_a_contiguous_input_once_peft_froze_the_model(model_dir, tokenizer, lora):
    """torch's linear on a strided 3-D input with a weight that needs no grad copies the whole weight per row
    (~280 ms per prefill on this head); PEFT freezes the base model, so the scheduler hands the head a contiguous
    input."""
    from sage_studio_lab.engine.server.adapters import load_adapter

    sched = Scheduler(load_model(model_dir), tokenizer, {tokenizer.eos_token_id})
    sched.start()
    try:
        load_adapter(sched, "lora-a", str(lora))
        assert not sched.model.get_output_embeddings().weight.requires_grad
        seen = []
        sched.model.get_output_embeddings().register_forward_pre_hook(
            lambda _m, args: seen.append(args[0].is_contiguous())
        )
        run(
            sched,
            [prompt(tokenizer, "Hi"), prompt(tokenizer, "A longer question about the sea?")],
            max_tokens=2,
        )
        assert seen and all(seen)
    finally:
        sched.shutdown()
        sched._thread.join(30)


@pytest.mark.parametrize(("flags", "on"), [([], True), (["--no-enable-prefix-caching"], False)])
def test_the_engine_caches_prefixes_unless_told_not_to(flags, on, monkeypatch):
    from sage_studio_lab.engine import serve
    from sage_studio_lab.engine.server.state import EngineState

    monkeypatch.setenv("SAGE_STUDIO_MODELS_CACHE", MODELS_CACHE)
    state = EngineState.from_args(serve.parse_args(["--prefix-cache-mb", "32", "--dtype", "float32", *flags]))
    state.load()
    try:
        cache = state.scheduler.prefix_cache
        assert (cache is not None) == on
        if on:
            assert cache.max_bytes == 32 * 2**20
    finally:
        state.scheduler.shutdown()
        state.scheduler._thread.join(30)
