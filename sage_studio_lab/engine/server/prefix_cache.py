"""Automatic prefix caching, as in vLLM: the KV of token prefixes, in whole 16-token blocks, reused by later prompts.

Chat prompts repeat themselves: the same system prompt on every request, and each turn re-sends the whole
conversation. A prompt whose leading blocks were seen before (in an earlier prompt, or in an earlier prompt plus its
answer) is prefilled from the cached KV and only its remaining tokens are computed. Blocks are identified by a hash
chain over (namespace, tokens so far) — the namespace is the adapter, whose LoRA changes the KV — and a hit is
confirmed against the stored token ids, so a hash collision can never serve another prompt's KV. Entries are evicted
least recently used beyond a byte budget.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import torch

BLOCK = 16  # vLLM's default block size


@dataclass
class _Entry:
    namespace: str | None
    ids: tuple[int, ...]  # whole blocks only
    layers: list[tuple[torch.Tensor, torch.Tensor]]  # per layer: keys, values [1, heads, len(ids), dim]
    hashes: list[int]
    nbytes: int


class PrefixCache:
    def __init__(self, max_bytes: int, block: int = BLOCK):
        self.max_bytes = max_bytes
        self.block = block
        self.bytes = 0
        self._entries: OrderedDict[int, _Entry] = OrderedDict()  # key: hash of the last block; LRU order
        self._index: dict[int, int] = {}  # hash of a block chain -> key of an entry holding that prefix

    def _hashes(self, namespace: str | None, ids: list[int] | tuple[int, ...]) -> list[int]:
        h, out, b = hash(("prefix", namespace)), [], self.block
        for start in range(0, len(ids) - len(ids) % b, b):
            h = hash((h, tuple(ids[start : start + b])))
            out.append(h)
        return out

    def lookup(self, namespace: str | None, ids: list[int]) -> tuple[int, list | None]:
        """The longest cached prefix of `ids` that leaves at least one token to compute (the next token's logits
        need one): (its length, per-layer (keys, values) views), or (0, None)."""
        usable = (len(ids) - 1) // self.block * self.block
        hashes = self._hashes(namespace, ids[:usable])
        for n in range(len(hashes), 0, -1):
            key = self._index.get(hashes[n - 1])
            if key is None:
                continue
            entry, length = self._entries[key], n * self.block
            if entry.namespace != namespace or entry.ids[:length] != tuple(ids[:length]):
                continue  # a hash collision: never serve another prefix's KV
            self._entries.move_to_end(key)
            return length, [(k[:, :, :length], v[:, :, :length]) for k, v in entry.layers]
        return 0, None

    def covered(self, namespace: str | None, ids: list[int]) -> bool:
        """Are all whole blocks of `ids` already cached?"""
        hashes = self._hashes(namespace, ids)
        return not hashes or hashes[-1] in self._index

    def store(self, namespace: str | None, ids: list[int], layers) -> None:
        """Keep the KV of `ids`' whole blocks. `layers`: per layer (keys, values) [1, heads, >= len, dim] whose first
        positions are `ids`; copied, so the caller's batch tensors can be freed."""
        length = len(ids) - len(ids) % self.block
        if length == 0 or self.covered(namespace, ids[:length]):
            return
        kept = [(k[:, :, :length].clone(), v[:, :, :length].clone()) for k, v in layers]
        nbytes = sum(t.numel() * t.element_size() for kv in kept for t in kv)
        if nbytes > self.max_bytes:
            return
        while self._entries and self.bytes + nbytes > self.max_bytes:
            self._evict(next(iter(self._entries)))
        hashes = self._hashes(namespace, ids[:length])
        key = hashes[-1]
        if key in self._entries:  # same prefix, its index pointer lost to an evicted longer entry: replace it
            self._evict(key)
        self._entries[key] = _Entry(namespace, tuple(ids[:length]), kept, hashes, nbytes)
        self.bytes += nbytes
        for h in hashes:  # the newest entry holding a prefix answers for it
            self._index[h] = key

    def drop(self, namespace: str | None) -> None:
        """Forget everything computed under `namespace` (an adapter that was unloaded)."""
        for key in [k for k, e in self._entries.items() if e.namespace == namespace]:
            self._evict(key)

    def _evict(self, key: int) -> None:
        entry = self._entries.pop(key)
        self.bytes -= entry.nbytes
        for h in entry.hashes:
            if self._index.get(h) == key:
                del self._index[h]

    @property
    def entries(self) -> int:
        return len(self._entries)
