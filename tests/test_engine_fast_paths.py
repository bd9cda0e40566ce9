"""The CPU engine's fast paths keep its answers (real bundled model, greedy): float32 decoding equals a plain
`model.generate`; oneDNN-prepacked bf16 weights answer exactly as torch's own bf16 linears; a loaded adapter that no
row uses leaves the base path (LoRA layers off) and its answers untouched, and unloading it gives the plain model
back; the decode loop applies the thread governor's count in its own thread."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
import torch
from conftest import MODELS_CACHE

from sage_studio_lab.engine.server import packed
from sage_studio_lab.engine.server.adapters import load_adapter, unload_adapter
from sage_studio_lab.engine.server.scheduler import SamplingParams, Scheduler, Sequence

pytestmark = pytest.mark.slow


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


def load_model(model_dir, dtype=torch.float32):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype).eval()


def make_lora(model_dir: Path, out: Path, **extra) -> Path:
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)
    cfg = LoraConfig(
        r=8, lora_alpha=32, target_modules=["q_proj", "v_proj"], init_lora_weights=False, **extra
    )
    get_peft_model(load_model(model_dir), cfg).save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def lora(model_dir, tmp_path_factory) -> Path:
    return make_lora(model_dir, tmp_path_factory.mktemp("lora") / "lora-a")


def prompt(tokenizer, text: str) -> list[int]:
    messages = [{"role": "user", "content": text}]
    return list(tokenizer.apply_chat_template(messages, add_generation_prompt=True)["input_ids"])


def run(sched: Scheduler, prompts: list[list[int]], adapters=None, max_tokens: int = 24) -> list[str]:
    """Submit together (one prefill batch), greedy; the texts."""
    adapters = adapters or [None] * len(prompts)

    async def go():
        loop = asyncio.get_running_loop()
        seqs = [
            Sequence(p, SamplingParams(max_tokens=max_tokens, temperature=0), loop, adapter=a)
            for p, a in zip(prompts, adapters, strict=True)
        ]
        with sched._wake:
            sched.pending.extend(seqs)
            sched._wake.notify()
        for seq in seqs:
            kind = None
            while kind not in ("done", "error"):
                kind, _ = await asyncio.wait_for(seq.queue.get(), 120)
        return seqs

    return [s.text for s in asyncio.run(go())]


@pytest.fixture
def started():
    made = []

    def start(*args, **kwargs) -> Scheduler:
        sched = Scheduler(*args, **kwargs)
        sched.start()
        made.append(sched)
        return sched

    yield start
    for sched in made:
        sched.shutdown()
        sched._thread.join(30)


def test_float32_greedy_decoding_equals_model_generate(model_dir, tokenizer, started):
    model = load_model(model_dir)
    ids = prompt(tokenizer, "What is the capital of France? Answer in one sentence.")
    with torch.inference_mode():
        out = model.generate(torch.tensor([ids]), max_new_tokens=24, do_sample=False)
    expected = tokenizer.decode(out[0, len(ids) :], skip_special_tokens=True)
    sched = started(model, tokenizer, {tokenizer.eos_token_id}, prepack=True)  # fp32: never packed
    assert not packed.is_packed(sched.model)
    assert run(sched, [ids]) == [expected]


def test_prepacked_bf16_weights_answer_as_torch_bf16_and_survive_adapters(
    model_dir, tokenizer, lora, started
):
    prompts = [prompt(tokenizer, "Tell me about rivers."), prompt(tokenizer, "Name three colours.")]
    plain = started(load_model(model_dir, torch.bfloat16), tokenizer, {tokenizer.eos_token_id})
    fast = started(load_model(model_dir, torch.bfloat16), tokenizer, {tokenizer.eos_token_id}, prepack=True)
    assert not packed.is_packed(plain.model) and packed.is_packed(fast.model)
    q_proj = fast.model.model.layers[0].self_attn.q_proj
    assert q_proj.weight.stride() == (0, 0)  # the dense copy is gone: the packed one is the weights
    # the LM head shares its weight with the embeddings, which still need it
    assert fast.model.lm_head.weight.data_ptr() == fast.model.model.embed_tokens.weight.data_ptr()
    assert run(fast, prompts) == run(plain, prompts)
    for sched in (plain, fast):
        load_adapter(sched, "lora-a", str(lora))
    assert run(fast, prompts, ["lora-a", None]) == run(plain, prompts, ["lora-a", None])
    for sched in (plain, fast):
        unload_adapter(sched, "lora-a")
    assert packed.is_packed(fast.model)
    assert run(fast, prompts) == run(plain, prompts)


def test_an_adapter_reading_base_weights_gets_them_dense(model_dir, tokenizer, tmp_path, started):
    dora = make_lora(model_dir, tmp_path / "dora", use_dora=True)
    ids = [prompt(tokenizer, "Write about bees.")]
    plain = started(load_model(model_dir, torch.bfloat16), tokenizer, {tokenizer.eos_token_id})
    fast = started(load_model(model_dir, torch.bfloat16), tokenizer, {tokenizer.eos_token_id}, prepack=True)
    for sched in (plain, fast):
        load_adapter(sched, "dora", str(dora))
    assert not packed.is_packed(fast.model)  # DoRA computes weight norms from the base weights
    # every row on the adapter: PEFT's own forward (its per-row routing refuses DoRA)
    assert run(fast, ids, ["dora"]) == run(plain, ids, ["dora"]) and set(fast.paths) == {"adapter"}
    unload_adapter(fast, "dora")
    assert packed.is_packed(fast.model)


def test_a_loaded_adapter_no_row_uses_leaves_the_base_path_and_its_answers(
    model_dir, tokenizer, lora, started
):
    prompts = [prompt(tokenizer, "Write about bees."), prompt(tokenizer, "What is 2 + 2?")]
    sched = started(load_model(model_dir), tokenizer, {tokenizer.eos_token_id})
    without = run(sched, prompts)
    assert set(sched.paths) == {"plain"}
    load_adapter(sched, "lora-a", str(lora))
    sched.paths.clear()
    assert run(sched, prompts) == without  # loaded, unused: the very same answers...
    assert set(sched.paths) == {"base"}  # ...from forwards with the LoRA layers off, never PEFT's routing
    adapted = run(sched, prompts, ["lora-a", None])
    assert sched.paths["routed"] > 0 and adapted[1] == without[1] and adapted[0] != without[0]
    sched.paths.clear()
    assert run(sched, prompts[:1], ["lora-a"]) == adapted[:1] and set(sched.paths) == {"adapter"}
    sched.paths.clear()
    assert run(sched, prompts) == without and set(sched.paths) == {"base"}  # and back again
    unload_adapter(sched, "lora-a")
    sched.paths.clear()
    assert run(sched, prompts) == without and set(sched.paths) == {"plain"}


def test_the_decode_loop_runs_the_governors_thread_count(model_dir, tokenizer, started):
    from sage_studio_lab.cpu import ThreadGovernor

    applied = []

    def apply(n: int) -> None:
        applied.append((threading.current_thread().name, n))
        torch.set_num_threads(n)

    governor = ThreadGovernor(apply, fixed=1)
    sched = started(load_model(model_dir), tokenizer, {tokenizer.eos_token_id}, governor=governor)
    run(sched, [prompt(tokenizer, "Hi")], max_tokens=2)
    assert applied == [("decode-loop", 1)]  # torch keeps the OpenMP count per thread: set where it computes
