"""The side-by-side arena: one prompt answered by two models at once, then the user's pick.

Both answers are requested concurrently from the same upstream: the CPU engine's scheduler runs concurrent
requests in the same decode steps (different LoRA adapters in one forward), so a duel costs about one answer's
time, not two; vLLM batches the two requests the same way. Each duel is stored (`arena_duels`), and a picked
duel is a preference pair (prompt, chosen, rejected) for the preference export (finetune/feedback.py).

Blind mode: the server decides at random which model answers as "A"; the names stay hidden (in the duel's
answer and in the list of duels) until the pick, whose answer reveals them.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable

from .. import store
from ..errors import Conflict, InvalidInput, NotFound
from . import llm
from .cancel import Cancellation

SIDES = ("a", "b")
WINNERS = ("a", "b", "tie")
# Both answer as a new chat would (the Lab's `defaultTemperature`): the engine's own default, 1.0 as in vLLM, makes a
# small model ramble.
DEFAULT_TEMPERATURE = 0.7


def _side(completion: llm.Completion, model: str, blind: bool) -> dict:
    return {
        "text": completion.text,
        "model": None if blind else model,
        "tokens": completion.completion_tokens
        if completion.completion_tokens is not None
        else completion.tokens,
        "ttft_s": completion.ttft_s,
        "tok_s": completion.tok_s,
        "latency_s": completion.latency_s,
        "finish_reason": completion.finish_reason,
    }


async def duel(
    prompt: str,
    model_a: str,
    model_b: str,
    source: str = "local",
    max_tokens: int | None = None,
    temperature: float | None = None,
    on_event: Callable[[dict], None] | None = None,
    blind: bool = False,
    cancel: Cancellation | None = None,
    user: str | None = None,
) -> dict:
    """Answer `prompt` with both models concurrently, emitting `{type: token, side, text}` as pieces arrive and
    `{type: done, id, blind, a, b, elapsed_s}` at the end; the duel is stored (unless cancelled) and returned.
    A set `cancel` closes both upstream streams; a failure of one side stops the other and is raised."""
    if not prompt or not prompt.strip():
        raise InvalidInput("the prompt is empty: write what both models should answer")
    if blind and random.random() < 0.5:  # blind: which model plays "A" is not the order they were given in
        model_a, model_b = model_b, model_a
    cancel = cancel or Cancellation(uuid.uuid4().hex)
    emit = on_event or (lambda event: None)
    messages = [{"role": "user", "content": prompt}]
    sampling = {
        "max_tokens": max_tokens,
        "temperature": DEFAULT_TEMPERATURE if temperature is None else temperature,
    }
    loop = asyncio.get_running_loop()
    t0 = loop.time()

    async def answer(side: str, model: str) -> llm.Completion:
        try:
            return await llm.stream_chat(
                messages,
                source=source,
                model=model,
                sampling=sampling,
                on_token=lambda text: emit({"type": "token", "side": side, "text": text}),
                cancel=cancel,
            )
        except BaseException:
            cancel.cancel()  # one side failed: the other stops generating too
            raise

    results = await asyncio.gather(answer("a", model_a), answer("b", model_b), return_exceptions=True)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    a, b = results
    out = {
        "type": "done",
        "id": None,
        "prompt": prompt,
        "blind": blind,
        "cancelled": a.cancelled or b.cancelled,
        "a": _side(a, model_a, blind),
        "b": _side(b, model_b, blind),
        "elapsed_s": round(loop.time() - t0, 4),
    }
    if not out["cancelled"]:
        out["id"] = _store(prompt, model_a, model_b, a.text, b.text, blind, user)
    emit(out)
    return out


def _store(prompt, model_a, model_b, answer_a, answer_b, blind, user) -> str:
    duel_id = "duel-" + uuid.uuid4().hex[:16]
    store.get_store(user).execute(
        "INSERT INTO arena_duels(id, prompt, model_a, model_b, answer_a, answer_b, blind, winner, created_at)"
        " VALUES (?,?,?,?,?,?,?,NULL,?)",
        (duel_id, prompt, model_a, model_b, answer_a, answer_b, int(blind), store.now()),
    )
    return duel_id


def _public(row: dict) -> dict:
    """A stored duel as the faces show it: a blind duel's models are hidden until it is picked."""
    hidden = bool(row["blind"]) and row["winner"] is None
    return {
        "id": row["id"],
        "prompt": row["prompt"],
        "model_a": None if hidden else row["model_a"],
        "model_b": None if hidden else row["model_b"],
        "answer_a": row["answer_a"],
        "answer_b": row["answer_b"],
        "blind": bool(row["blind"]),
        "winner": row["winner"],
        "created_at": row["created_at"],
    }


def pick(duel_id: str, winner: str, user: str | None = None) -> dict:
    """Record the user's pick ("a", "b" or "tie") once; returns the duel with both models revealed."""
    if winner not in WINNERS:
        raise InvalidInput(f"winner {winner!r} is unknown: use 'a', 'b' or 'tie'")
    db = store.get_store(user)
    with db.tx() as conn:
        row = conn.execute("SELECT winner FROM arena_duels WHERE id=?", (duel_id,)).fetchone()
        if row is None:
            raise NotFound(f"duel {duel_id!r} not found")
        if row[0] is not None:
            raise Conflict(f"duel {duel_id!r} was already picked ({row[0]})", winner=row[0])
        conn.execute("UPDATE arena_duels SET winner=? WHERE id=?", (winner, duel_id))
    return _public(db.query_one("SELECT * FROM arena_duels WHERE id=?", (duel_id,)))


def duels(limit: int = 20, user: str | None = None) -> list[dict]:
    """The most recent duels, newest first."""
    rows = store.get_store(user).query(
        "SELECT * FROM arena_duels ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
    )
    return [_public(r) for r in rows]


def preference_triples(
    since: float | None = None,
    until: float | None = None,
    models: list[str] | None = None,
    user: str | None = None,
) -> list[tuple[list[dict], str, str]]:
    """(prompt messages, chosen, rejected) of the duels picked "a" or "b", oldest first (ties and identical
    answers teach nothing). `models`: only duels whose rejected answer came from one of them."""
    clauses, params = ["winner IN ('a', 'b')", "answer_a != answer_b"], []
    for op, value in ((">=", since), ("<", until)):
        if value is not None:
            clauses.append(f"created_at {op} ?")
            params.append(value)
    rows = store.get_store(user).query(
        f"SELECT * FROM arena_duels WHERE {' AND '.join(clauses)} ORDER BY created_at, rowid", tuple(params)
    )
    triples = []
    for r in rows:
        win, lose = ("a", "b") if r["winner"] == "a" else ("b", "a")
        if models is not None and r[f"model_{lose}"] not in models:
            continue
        triples.append(([{"role": "user", "content": r["prompt"]}], r[f"answer_{win}"], r[f"answer_{lose}"]))
    return triples
