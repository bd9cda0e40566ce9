"""A token budget that trims: a turn's prompt is counted with the answering model's own tokenizer and, when it would
not leave the answer its room in the model's context, trimmed by priority — the oldest history first, then memory
hits (least relevant first), then RAG passages (last ranked first), then attached notebook context (last attached
first) — never the system prompt or the user's message. What was dropped is recorded with the turn.

Counting uses the `tokenizers` library on the model folder's `tokenizer.json` (no torch, no transformers); a model
without one (a cloud model) is estimated at ≈ 4 characters per token, and the budget says so.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import InvalidInput

log = logging.getLogger(__name__)

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD = 4  # role markers and separators a chat template adds per message


def estimate_tokens(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


@functools.lru_cache(maxsize=8)
def _tokenizer_file_counter(path: str) -> Callable[[str], int]:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(path)
    return lambda text: len(tok.encode(text, add_special_tokens=False).ids) if text else 0


def token_counter(model: str | None) -> tuple[Callable[[str], int], bool]:
    """(count, exact): the model's own tokenizer when its folder has `tokenizer.json`, else the estimate."""
    from ..models import BUNDLED_MODEL_ID, bundled_cache_dir, resolve_model

    try:
        # the bundled model only once it is on disk: counting must never start its 30 s conversion
        folder = (
            bundled_cache_dir() if model in (None, "", "bundled", BUNDLED_MODEL_ID) else resolve_model(model)
        )
        candidates = [folder / "tokenizer.json"]
        if (folder / "adapter_config.json").exists():  # a fine-tuned adapter: its base model's tokenizer
            import json

            base = json.loads((folder / "adapter_config.json").read_text()).get("base_model_name_or_path")
            if base:
                candidates.append(resolve_model(base) / "tokenizer.json")
        for path in candidates:
            if path.exists():
                return _tokenizer_file_counter(str(path)), True
    except Exception as exc:  # an unknown or cloud model: estimate
        log.debug("no tokenizer for %r: %s", model, exc)
    return estimate_tokens, False


@dataclass
class Parts:
    """What a prompt is made of, each list in the order it is shown (history: oldest first)."""

    system: str
    user: str
    history: list[dict] = field(default_factory=list)
    memory: list[dict] = field(default_factory=list)  # {"text", "score"}
    rag: list[dict] = field(default_factory=list)  # {"source", "text"}, best first
    context: list[dict] = field(default_factory=list)  # {"name", "kind", "text"} attached from a notebook


def split(parts: Parts, count: Callable[[str], int]) -> dict[str, int]:
    return {
        "system": count(parts.system) + MESSAGE_OVERHEAD,
        "history": sum(count(m["content"]) + MESSAGE_OVERHEAD for m in parts.history),
        "memory": sum(count(h["text"]) for h in parts.memory),
        "rag": sum(count(d["text"]) for d in parts.rag),
        "context": sum(count(c["text"]) for c in parts.context),
        "user": count(parts.user) + MESSAGE_OVERHEAD,
    }


def fit(
    parts: Parts, context_length: int | None, answer_room: int, count: Callable[[str], int]
) -> tuple[Parts, dict]:
    """Trim `parts` until prompt + `answer_room` fits `context_length`; returns (kept, report) where the report has
    the split before and after, what was dropped and the answer room. Nothing is trimmed when the context length is
    unknown. InvalidInput when the system prompt, the user's message and the answer room alone do not fit."""
    before = split(parts, count)
    report = {"before": before, "answer_room": answer_room, "context_length": context_length, "dropped": {}}
    if not context_length:
        report["after"] = before
        return parts, report
    room = context_length - answer_room
    floor = before["system"] + before["user"]
    if floor > room:
        raise InvalidInput(
            f"the message and system prompt need {floor} tokens but the model's context of {context_length} "
            f"leaves {room} after {answer_room} tokens of answer room: shorten the message or lower max_tokens"
        )
    kept = Parts(
        parts.system,
        parts.user,
        list(parts.history),
        sorted(parts.memory, key=lambda h: -float(h.get("score") or 0)),
        list(parts.rag),
        list(parts.context),
    )
    total = sum(before.values())
    dropped: dict[str, list] = {}
    # (what, pop one, its cost): oldest history, least relevant memory, last passage, last attachment
    order = (
        ("history", lambda: kept.history.pop(0), lambda m: count(m["content"]) + MESSAGE_OVERHEAD),
        ("memory", lambda: kept.memory.pop(), lambda h: count(h["text"])),
        ("rag", lambda: kept.rag.pop(), lambda d: count(d["text"])),
        ("context", lambda: kept.context.pop(), lambda c: count(c["text"])),
    )
    for name, pop, cost in order:
        while total > room and getattr(kept, name):
            item = pop()
            total -= cost(item)
            dropped.setdefault(name, []).append(_label(name, item))
    report["dropped"] = dropped
    report["after"] = split(kept, count)
    return kept, report


def _label(kind: str, item: dict) -> str:
    """How a dropped item is named in the record (short: the budget is shown under the answer)."""
    if kind == "history":
        return f"{item['role']}: {item['content'][:60]}"
    if kind == "context":
        return str(item.get("name"))
    return (item.get("source") + ": " if item.get("source") else "") + item["text"][:60]
