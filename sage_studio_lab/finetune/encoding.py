"""Chat-template rendering and tokenisation with the loss masked to the assistant's tokens.

The conversation is rendered once with the model's own chat template; the character spans of each assistant
reply are found by rendering the prefix before it (with the generation prompt) and the prefix including it,
then tokens outside those spans get label -100. This works for any template that renders prefixes
consistently (all HF chat templates we ship do), and needs no per-model markers.
"""

from __future__ import annotations

import functools
from pathlib import Path

IGNORE = -100


@functools.lru_cache(maxsize=4)
def load_tokenizer(model_dir: str):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def tokenizer_for(model: str | None):
    from ..models import resolve_model

    return load_tokenizer(str(Path(resolve_model(model))))


def render(tok, messages: list[dict], add_generation_prompt: bool = False) -> str:
    if getattr(tok, "chat_template", None):
        return tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    # Base models without a template: a plain, readable transcript.
    text = "".join(f"{m['role']}: {m['content']}\n" for m in messages)
    return text + ("assistant: " if add_generation_prompt else "")


def assistant_spans(tok, messages: list[dict]) -> tuple[str, list[tuple[int, int]]]:
    text = render(tok, messages)
    spans = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        start = len(render(tok, messages[:i], add_generation_prompt=True))
        end = len(render(tok, messages[: i + 1]))
        spans.append((start, end))
    return text, spans


def encode(tok, messages: list[dict], max_length: int) -> dict:
    """input_ids / attention_mask / labels, truncated to max_length; labels only on assistant tokens."""
    text, spans = assistant_spans(tok, messages)
    enc = tok(
        text, add_special_tokens=False, return_offsets_mapping=True, truncation=True, max_length=max_length
    )
    labels = []
    for tid, (a, b) in zip(enc["input_ids"], enc["offset_mapping"], strict=True):
        inside = any(a >= s and b <= e and b > a for s, e in spans)
        labels.append(tid if inside else IGNORE)
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": labels}


def token_length(tok, messages: list[dict]) -> int:
    return len(tok(render(tok, messages), add_special_tokens=False)["input_ids"])
