"""Repetition guards on the logits, as vLLM and HF define them, for the rows of a step that ask for one.

- `repetition_penalty` (vLLM / HF, multiplicative): the logit of every token already in the prompt or the output
  is divided by it when positive and multiplied by it when negative (> 1 discourages repeats).
- `frequency_penalty` / `presence_penalty` (OpenAI, additive, output tokens only): minus `frequency x count` and
  minus `presence` once a token has appeared.

Sparse and vectorised: each penalised sequence keeps the set of tokens it has seen and its output counts, brought
up to date with the tokens generated since the last step; the step gathers the logits of those few hundred ids per
row, rewrites them and scatters them back (one gather + one scatter over [rows, seen], not over the 49k
vocabulary). A step with no penalised row returns the logits untouched: no tensor is made.
"""

from __future__ import annotations

from collections import Counter

import torch


def penalised(params) -> bool:
    return (
        params.repetition_penalty != 1.0 or params.frequency_penalty != 0.0 or params.presence_penalty != 0.0
    )


class _Seen:
    """A sequence's tokens so far: prompt + output ids seen, output counts, how many outputs are counted."""

    def __init__(self, prompt_ids: list[int]):
        self.ids = set(prompt_ids)
        self.counts: Counter[int] = Counter()
        self.upto = 0

    def update(self, generated: list[int]) -> None:
        new = generated[self.upto :]
        self.ids.update(new)
        self.counts.update(new)
        self.upto = len(generated)


def _seen(seq) -> _Seen:
    if seq.penalty_state is None:
        seq.penalty_state = _Seen(seq.prompt_ids)
    seq.penalty_state.update(seq.generated)
    return seq.penalty_state


def _padded(rows: list[list[int]], fill: int = 0) -> torch.Tensor:
    width = max(1, max(len(r) for r in rows))
    return torch.tensor([r + [fill] * (width - len(r)) for r in rows], dtype=torch.long)


def apply_penalties(logits: torch.Tensor, seqs) -> torch.Tensor:
    """`logits` [B, V] of the step's rows (float); penalised rows are rewritten in place."""
    rows = [i for i, seq in enumerate(seqs) if penalised(seq.params)]
    if not rows:
        return logits
    vocab = logits.shape[-1]
    picked = [seqs[i] for i in rows]
    states = [_seen(s) for s in picked]
    index = torch.tensor(rows, dtype=torch.long)
    sub = logits.index_select(0, index)

    rep = [s.params.repetition_penalty for s in picked]
    if any(r != 1.0 for r in rep):
        # Pads repeat a row's first id: scattering the same rewritten value twice is harmless.
        seen = [sorted(t for t in st.ids if 0 <= t < vocab) or [0] for st in states]
        ids = _padded(seen)
        for j, r in enumerate(seen):
            ids[j, len(r) :] = r[0]
        penalty = sub.new_tensor(rep).unsqueeze(1)
        values = sub.gather(1, ids)
        rewritten = torch.where(values > 0, values / penalty, values * penalty)
        if any(r == 1.0 for r in rep):  # rows without it keep their values
            rewritten = torch.where(penalty == 1.0, values, rewritten)
        sub.scatter_(1, ids, rewritten)

    if any(s.params.frequency_penalty or s.params.presence_penalty for s in picked):
        outs = [[t for t in st.counts if 0 <= t < vocab] for st in states]
        deltas = [
            [-(s.params.frequency_penalty * st.counts[t] + s.params.presence_penalty) for t in out]
            for s, st, out in zip(picked, states, outs, strict=True)
        ]
        ids = _padded(outs)  # pads add 0 to token 0
        sub.scatter_add_(1, ids, _padded_values(deltas, sub.dtype))
    logits.index_copy_(0, index, sub)
    return logits


def _padded_values(rows: list[list[float]], dtype) -> torch.Tensor:
    width = max(1, max(len(r) for r in rows))
    return torch.tensor([r + [0.0] * (width - len(r)) for r in rows], dtype=dtype)
