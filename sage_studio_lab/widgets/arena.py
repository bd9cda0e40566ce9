"""`Arena`: the side-by-side arena in a notebook — one prompt, two models streamed in two columns, the pick.

The view is the Lab's ArenaView over the widget transport (`improve.arena` streams both answers). From Python,
`duel()` and `pick()` are the same operations, so a comparison is reproducible as a cell."""

from __future__ import annotations

import traitlets

from .base import StudioWidget, asset


class Arena(StudioWidget):
    _esm = asset("arena", "js")
    _css = asset("arena", "css")
    view = traitlets.Unicode("arena").tag(sync=True)
    model_a = traitlets.Unicode("").tag(sync=True)  # the pickers' first choice ("" = the first model served)
    model_b = traitlets.Unicode("").tag(sync=True)
    max_tokens = traitlets.Int(128).tag(sync=True)
    last_duel = traitlets.Dict().tag(sync=True)  # the latest duel run from Python

    def __init__(
        self, model_a: str | None = None, model_b: str | None = None, max_tokens: int = 128, **kwargs
    ):
        """`model_a` / `model_b`: a model or adapter the engine serves (`chat.models`), e.g. the base model and a
        fine-tune task's id; the view's pickers start on them."""
        super().__init__(model_a=model_a or "", model_b=model_b or "", max_tokens=max_tokens, **kwargs)

    def duel(self, prompt: str, blind: bool = False, **options) -> dict:
        """Answer `prompt` with both models at once (one batched run on the CPU engine); returns the duel
        (`id`, `a`, `b` with each answer's text, tokens and speed). `options`: max_tokens, temperature (default 0.7,
        as a new chat; 0 = greedy), source."""
        if not self.model_a or not self.model_b:
            raise ValueError("the arena needs two models: Arena(model_a=..., model_b=...)")
        options.setdefault("max_tokens", self.max_tokens)
        self.last_duel = self.call(
            "improve.arena", prompt=prompt, model_a=self.model_a, model_b=self.model_b, blind=blind, **options
        )
        return self.last_duel

    def pick(self, winner: str, duel_id: str | None = None) -> dict:
        """Record the better answer of a duel (`"a"`, `"b"` or `"tie"`; default: the last one run from Python); the
        pick feeds the preference export and reveals a blind duel's models."""
        duel_id = duel_id or self.last_duel.get("id")
        if not duel_id:
            raise ValueError("no duel to pick from: run arena.duel(prompt) first, or pass duel_id")
        return self.call("improve.pick", duel_id=duel_id, winner=winner)
