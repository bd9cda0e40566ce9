"""Continuous batching over a transformers causal LM, on CPU.

One decode thread steps every active sequence together: a single batched forward per step with a shared,
left-padded KV cache (`DynamicCache`) and per-row attention masks and positions. New requests are prefilled
(as one left-padded batch) between steps and their caches are merged into the running batch; finished or
cancelled rows are dropped with `index_select`. Rows may use different LoRA adapters in the same forward
(PEFT mixed-adapter batches, `adapter_names=`); a batch where no row uses one runs with the LoRA layers switched
off, at the plain model's speed, and one where every row uses the same one runs PEFT's plain forward. Tokens go
to per-request asyncio queues (tokens.py makes the text). With a `PrefixCache`, a prompt's cached leading blocks
seed its row and only the rest is prefilled; prompts (and finished prompt + answer) are stored for later turns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field

import torch

from . import packed
from .tokens import TokenOutput

log = logging.getLogger("sage_studio_lab.engine")
BASE_ADAPTER = "__base__"  # PEFT's name for "no adapter" in a mixed batch


@dataclass
class SamplingParams:
    max_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    # Repetition guards (penalties.py): 1.0 / 0.0 leave a row on the unpenalised path
    repetition_penalty: float = 1.0
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0


@dataclass
class Sequence:
    prompt_ids: list[int]
    params: SamplingParams
    loop: asyncio.AbstractEventLoop
    adapter: str | None = None
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)
    generated: list[int] = field(default_factory=list)
    text: str = ""
    sent: int = 0  # characters of `text` already emitted
    cancelled: bool = False
    finish_reason: str | None = None
    arrived: float = field(default_factory=time.perf_counter)
    first_token_at: float | None = None
    cached_tokens: int = 0  # prompt tokens served from the prefix cache
    generator: torch.Generator | None = None
    decoded: str = ""  # text of generated[:read_offset] (incremental detokenisation, tokens.py)
    prefix_offset: int = 0
    read_offset: int = 0
    penalty_state: object | None = None  # tokens seen so far, kept by penalties.py (penalised rows only)

    def emit(self, event: tuple) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, event)


class Scheduler(TokenOutput):
    def __init__(
        self,
        model,
        tokenizer,
        eos_ids: set[int],
        max_batch: int = 32,
        metrics=None,
        prefix_cache=None,
        governor=None,
        prepack: bool = False,
    ):
        self.model = model
        self.prepack = prepack  # bf16 linears on oneDNN-prepacked weights (packed.py) whenever PEFT allows
        # `cpu.ThreadGovernor`: torch threads from the free cores, set in the decode thread (torch keeps them
        # per thread)
        self.governor = governor
        self.prefix_cache = prefix_cache
        self.tokenizer = tokenizer
        self.eos_ids = eos_ids
        self.max_batch = max_batch
        self.metrics = metrics
        # Held for one step; adapter loads take it between steps (`between_steps`).
        self.lock = threading.RLock()
        self._waiting_for_step = 0  # threads waiting in `between_steps`; the decode loop lets them in first
        self._wake = threading.Condition()
        self.pending: deque[Sequence] = deque()
        self.active: list[Sequence] = []
        self._admitting: list[Sequence] = []
        self.adapters: dict[str, str] = {}  # name -> path
        # Forwards by path: plain (no adapter loaded), base (LoRA layers off), adapter (one for all rows), routed
        self.paths: Counter[str] = Counter()
        self._lora_on: bool | None = None  # are the LoRA layers switched on (None: unknown, after a load)
        self._active: str | None = None  # PEFT's active adapter, as we last set it
        self._cache = None
        self._mask: torch.Tensor | None = None  # [B, T] 1 = real token
        self._next: torch.Tensor | None = None  # [B] last sampled token, not yet in the cache
        self._pos: torch.Tensor | None = None  # [B] position of that token
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="decode-loop", daemon=True)
        if model is not None:
            _contiguous_head_input(model)
            if prepack:
                packed.pack(model)

    # -- requests ------------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def shutdown(self) -> None:
        self._stopped = True
        with self._wake:
            self._wake.notify_all()

    def submit(self, seq: Sequence) -> None:
        if seq.params.temperature > 0:
            seq.generator = torch.Generator().manual_seed(
                seq.params.seed if seq.params.seed is not None else random.getrandbits(63)
            )
        with self._wake:
            self.pending.append(seq)
            self._wake.notify()
        self._gauges()

    @contextlib.contextmanager
    def between_steps(self):
        """Hold the model between two decode steps (adapter load/unload). Python locks are not fair: the decode
        loop would re-take the lock right after each step and starve the caller, so it waits for us instead."""
        with self._wake:
            self._waiting_for_step += 1
        try:
            with self.lock:
                yield
        finally:
            with self._wake:
                self._waiting_for_step -= 1
                self._wake.notify_all()

    def cancel(self, seq: Sequence) -> None:
        seq.cancelled = True

    @property
    def running(self) -> int:
        return len(self.active)

    @property
    def waiting(self) -> int:
        return len(self.pending)

    def _gauges(self) -> None:
        if self.metrics:
            self.metrics.set_queue(self.running, self.waiting)

    # -- the decode loop -------------------------------------------------------------------------------
    def _run(self) -> None:
        torch.set_grad_enabled(False)
        while not self._stopped:
            if self.governor is not None:
                self.governor.update()
            with self._wake:
                while not self._stopped and (
                    self._waiting_for_step or (not self.pending and not self.active)
                ):
                    self._wake.wait(0.05 if self._waiting_for_step else None)
            if self._stopped:
                break
            try:
                with self.lock, torch.inference_mode():
                    self._drop_finished()
                    self._admit()
                    self._drop_finished()
                # A prefill can take a while: a loader that waited through it goes before the decode step.
                if self._waiting_for_step:
                    continue
                with self.lock, torch.inference_mode():
                    if self.active:
                        self._decode_step()
                    self._drop_finished()
            except Exception as exc:  # a failed step must not kill the server: fail those requests
                log.exception("decode step failed")
                for seq in [*self._admitting, *self.active, *self.pending]:
                    seq.emit(("error", f"generation failed: {exc}"))
                self.active, self._admitting, self._cache = [], [], None
                self.pending.clear()
            self._gauges()

    def adapters_changed(self) -> None:
        """After a load or unload (under `between_steps`): new LoRA layers start switched on."""
        self._lora_on = self._active = None

    def _lora_layers(self, on: bool, adapter: str | None = None) -> None:
        # PEFT visits every module for these: only when the kind of batch changes
        if adapter is not None and self._active != adapter:
            self.model.set_adapter(adapter)
            self._active = adapter
        if self._lora_on is not on:
            (self.model.enable_adapter_layers if on else self.model.disable_adapter_layers)()
            self._lora_on = on

    def _forward(self, input_ids, mask, positions, cache, seqs):
        kwargs = {}
        used = {s.adapter for s in seqs}
        if not self.adapters:
            path = "plain"
        elif used == {None}:  # adapters loaded, none used: the base weights alone, at the plain model's cost
            self._lora_layers(False)
            path = "base"
        elif len(used) == 1:  # every row on one adapter: PEFT's plain forward with it active
            self._lora_layers(True, next(iter(used)))
            path = "adapter"
        else:  # PEFT's per-row routing: each LoRA layer splits the batch (forward hooks set on every call)
            self._lora_layers(True)
            kwargs["adapter_names"] = [s.adapter or BASE_ADAPTER for s in seqs]
            path = "routed"
        self.paths[path] += 1
        if self.metrics:
            self.metrics.forward(path)
        out = self.model(
            input_ids=input_ids,
            attention_mask=mask,
            position_ids=positions,
            past_key_values=cache,
            use_cache=True,
            logits_to_keep=1,
            **kwargs,
        )
        return out.logits[:, -1, :].float(), out.past_key_values

    def _admit(self) -> None:
        room = self.max_batch - len(self.active)
        new: list[Sequence] = []
        while self.pending and len(new) < room:
            seq = self.pending.popleft()
            if seq.adapter and seq.adapter not in self.adapters:
                seq.emit(("error", f"adapter '{seq.adapter}' is not loaded"))
            elif not seq.cancelled:
                new.append(seq)
        if not new:
            return
        self._admitting = new  # out of `pending`, not yet `active`: a failing prefill must still answer them
        ids, mask, cache, width = self._prefill_inputs(new)
        positions = (mask.cumsum(-1) - 1).clamp(min=0)[:, -width:]
        logits, cache = self._forward(ids, mask, positions, cache, new)
        tokens = self._sample(logits, new)
        next_pos = mask.sum(-1)
        if self.prefix_cache is not None:
            self._remember(cache, mask, [(i, seq, seq.prompt_ids) for i, seq in enumerate(new)])
        if self._cache is None:
            self._cache, self._mask, self._next, self._pos = cache, mask, tokens, next_pos
        else:
            self._merge(cache, mask, tokens, next_pos)
        self.active += new
        self._admitting = []
        for seq, token in zip(new, tokens.tolist(), strict=True):
            if self.metrics:
                self.metrics.prompt_tokens(len(seq.prompt_ids))
                self.metrics.prefix_cache(len(seq.prompt_ids), seq.cached_tokens)
            self._accept(seq, token)

    def _prefill_inputs(self, new: list[Sequence]):
        """Input ids, attention mask, cache and input width of a prefill. Each row's cached prefix (left-padded
        to the longest) seeds the cache; the rest of its prompt (left-padded too) is the input, so a row reads
        [pad | cached prefix | pad | rest of the prompt] and the mask marks its real tokens."""
        from transformers import DynamicCache

        pc = self.prefix_cache
        hits = [pc.lookup(s.adapter, s.prompt_ids) if pc is not None else (0, None) for s in new]
        for seq, (n, _) in zip(new, hits, strict=True):
            seq.cached_tokens = n
        cached = max(n for n, _ in hits)
        rests = [s.prompt_ids[n:] for s, (n, _) in zip(new, hits, strict=True)]
        width = max(len(r) for r in rests)
        pad = self.tokenizer.pad_token_id or 0
        ids = torch.tensor([[pad] * (width - len(r)) + r for r in rests])
        mask = torch.tensor(
            [
                [0] * (cached - n) + [1] * n + [0] * (width - len(r)) + [1] * len(r)
                for (n, _), r in zip(hits, rests, strict=True)
            ]
        )
        cache = DynamicCache()
        if cached:
            like = next(layers for n, layers in hits if n)  # one row's KV: shapes and dtype per layer
            for i, (k0, _) in enumerate(like):
                empty = k0.new_zeros(1, k0.shape[1], 0, k0.shape[3])
                rows = [layers[i] if n else (empty, empty) for n, layers in hits]
                cache.update(
                    torch.cat([_left_pad(k, cached) for k, _ in rows]),
                    torch.cat([_left_pad(v, cached) for _, v in rows]),
                    i,
                )
        return ids, mask, cache, width

    def _remember(self, cache, mask: torch.Tensor, rows: list[tuple[int, Sequence, list[int]]]) -> None:
        """Store each (row, seq, token ids) — whole blocks — in the prefix cache, gathered from the row's real
        (unmasked) cache positions."""
        block = self.prefix_cache.block
        for row, seq, ids in rows:
            length = len(ids) - len(ids) % block
            if length <= seq.cached_tokens or self.prefix_cache.covered(seq.adapter, ids[:length]):
                continue
            where = mask[row].nonzero().squeeze(-1)[:length]
            layers = [
                (layer.keys[row : row + 1, :, where], layer.values[row : row + 1, :, where])
                for layer in cache.layers
            ]
            self.prefix_cache.store(seq.adapter, ids[:length], layers)

    def _merge(self, cache, mask, tokens, positions) -> None:
        """Append new rows to the running batch, left-padding whichever side is shorter."""
        old_len, new_len = self._mask.shape[1], mask.shape[1]
        width = max(old_len, new_len)

        def pad(t, n):  # left-pad dim -2 (cache: [B, H, T, D]) or dim 1 (mask: [B, T]) by n
            if n == 0:
                return t
            if t.dim() == 2:
                return torch.cat([t.new_zeros(t.shape[0], n), t], dim=1)
            return torch.cat([t.new_zeros(t.shape[0], t.shape[1], n, t.shape[3]), t], dim=2)

        for old, new in zip(self._cache.layers, cache.layers, strict=True):
            old.keys = torch.cat([pad(old.keys, width - old_len), pad(new.keys, width - new_len)], dim=0)
            old.values = torch.cat(
                [pad(old.values, width - old_len), pad(new.values, width - new_len)], dim=0
            )
        self._mask = torch.cat([pad(self._mask, width - old_len), pad(mask, width - new_len)], dim=0)
        self._next = torch.cat([self._next, tokens])
        self._pos = torch.cat([self._pos, positions])

    def _decode_step(self) -> None:
        if self.metrics:
            self.metrics.iteration(len(self.active))
        self._mask = torch.cat([self._mask, self._mask.new_ones(self._mask.shape[0], 1)], dim=1)
        logits, self._cache = self._forward(
            self._next[:, None], self._mask, self._pos[:, None], self._cache, self.active
        )
        self._pos = self._pos + 1
        self._next = self._sample(logits, self.active)
        for seq, token in zip(self.active, self._next.tolist(), strict=True):
            if seq.finish_reason is None and not seq.cancelled:
                self._accept(seq, token)

    def _drop_finished(self) -> None:
        keep = [i for i, s in enumerate(self.active) if s.finish_reason is None and not s.cancelled]
        if len(keep) == len(self.active):
            return
        # A finished answer is the start of the next turn's prompt: keep prompt + answer (all but the last token,
        # which was sampled but never fed) in the prefix cache.
        if self.prefix_cache is not None:
            finished = [
                (i, s, s.prompt_ids + s.generated[:-1]) for i, s in enumerate(self.active) if not s.cancelled
            ]
            self._remember(self._cache, self._mask, [r for r in finished if r[1].finish_reason is not None])
        if not keep:
            self.active, self._cache, self._mask, self._next, self._pos = [], None, None, None, None
            return
        index = torch.tensor(keep)
        mask = self._mask.index_select(0, index)
        first = int((mask.sum(0) > 0).nonzero()[0])  # drop columns that are padding in every remaining row
        for layer in self._cache.layers:
            layer.keys = layer.keys.index_select(0, index)[:, :, first:]
            layer.values = layer.values.index_select(0, index)[:, :, first:]
        self._mask = mask[:, first:]
        self._next = self._next.index_select(0, index)
        self._pos = self._pos.index_select(0, index)
        self.active = [self.active[i] for i in keep]


def _left_pad(t: torch.Tensor, width: int) -> torch.Tensor:
    """Left-pad a [1, heads, T, dim] KV tensor with zeros to `width` positions (masked out by the caller)."""
    if t.shape[2] == width:
        return t
    return torch.cat([t.new_zeros(1, t.shape[1], width - t.shape[2], t.shape[3]), t], dim=2)


def _contiguous_head_input(model) -> None:
    """Give the LM head a contiguous input. With `logits_to_keep=1` a prefill hands it `hidden[:, -1:, :]`, a strided
    view; torch's linear on a strided 3-D input with a weight that does not require grad (PEFT freezes the base
    model when an adapter loads) takes a batched-matmul path that copies the whole weight for every row: ~280 ms
    instead of ~5 ms per prefill for SmolLM2's 49k x 576 head."""
    head = model.get_output_embeddings()
    if head is not None:
        head.register_forward_pre_hook(lambda _module, args: (args[0].contiguous(), *args[1:]))
