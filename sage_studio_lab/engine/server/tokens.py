"""Sampled ids → tokens → streamed text: the scheduler's `TokenOutput` base (sampling, incremental detokenisation,
stop strings, finish).

Detokenisation is incremental, as in vLLM: each token decodes a short window (the ids since the last complete
character, behind the last one emitted), not the whole answer again, so a token costs the same at position 500
as at position 5. Window boundaries are character boundaries: the window only moves on when its text does not end
in a partial character (U+FFFD), so `decoded + tail` is exactly what decoding every id would give.
"""

from __future__ import annotations

import time

import torch


class TokenOutput:
    """Needs `self.tokenizer`, `self.eos_ids` and `self.metrics` (None or an `EngineMetrics`)."""

    def _sample(self, logits: torch.Tensor, seqs) -> torch.Tensor:
        tokens = logits.argmax(-1)  # temperature 0 -> greedy, deterministic
        for i, seq in enumerate(seqs):
            p = seq.params
            if p.temperature <= 0:
                continue
            probs = torch.softmax(logits[i] / p.temperature, dim=-1)
            if p.top_p < 1.0:
                sorted_probs, order = probs.sort(descending=True)
                cut = sorted_probs.cumsum(-1) - sorted_probs > p.top_p  # keep the smallest set reaching top_p
                sorted_probs[cut] = 0
                probs = torch.zeros_like(probs).scatter(0, order, sorted_probs)
            tokens[i] = torch.multinomial(probs, 1, generator=seq.generator)[0]
        return tokens

    def _decode(self, seq) -> str:
        """The text of every generated id (a trailing partial character reads U+FFFD), from a short window."""
        ids, decode = seq.generated, self.tokenizer.decode
        head = decode(ids[seq.prefix_offset : seq.read_offset], skip_special_tokens=True)
        window = decode(ids[seq.prefix_offset :], skip_special_tokens=True)
        tail = window[len(head) :]
        if tail and not tail.endswith("\ufffd"):  # whole characters: the next window starts after them
            seq.decoded += tail
            seq.prefix_offset, seq.read_offset = seq.read_offset, len(ids)
            return seq.decoded
        return seq.decoded + tail

    def _accept(self, seq, token: int) -> None:
        now = time.perf_counter()
        if seq.first_token_at is None:
            seq.first_token_at = now
            if self.metrics:
                self.metrics.ttft(now - seq.arrived)
        seq.generated.append(token)
        if self.metrics:
            self.metrics.generation_tokens(1)
        if token in self.eos_ids:
            self._finish(seq, "stop", seq.text)
            return
        text = self._decode(seq)
        for stop in seq.params.stop:
            at = text.find(stop, max(0, seq.sent - len(stop)))
            if at != -1:
                self._finish(seq, "stop", text[:at])
                return
        seq.text = text
        if len(seq.generated) >= seq.params.max_tokens:
            self._finish(seq, "length", text)
            return
        # Hold back a trailing partial character and any suffix that might still become a stop string.
        safe = len(text.rstrip("\ufffd"))
        for stop in seq.params.stop:
            for k in range(min(len(stop) - 1, safe), 0, -1):
                if text[:safe].endswith(stop[:k]):
                    safe = min(safe, len(text[:safe]) - k)
                    break
        if safe > seq.sent:
            seq.emit(("text", text[seq.sent : safe]))
            seq.sent = safe

    def _finish(self, seq, reason: str, text: str) -> None:
        seq.finish_reason = reason
        seq.text = text.rstrip("\ufffd")
        if len(seq.text) > seq.sent:
            seq.emit(("text", seq.text[seq.sent :]))
            seq.sent = len(seq.text)
        seq.emit(("done", reason))
