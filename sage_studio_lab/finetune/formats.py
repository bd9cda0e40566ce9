"""Dataset formats: alpaca, sharegpt and OpenAI `messages`, in .json or .jsonl, normalised to chat messages.

Every record becomes `{"messages": [{"role", "content"}, ...]}`. Problems are reported per record with the
line number of a .jsonl file (or the index in a .json array) so a user can fix the exact spot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

FORMATS = ("alpaca", "sharegpt", "openai")
SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "system": "system",
    "model": "assistant",
    "bot": "assistant",
}
OPENAI_ROLES = {"system", "user", "assistant"}
MAX_REPORTED_ERRORS = 50


class RecordError(ValueError):
    pass


def detect_format(record: dict) -> str:
    if "messages" in record:
        return "openai"
    if "conversations" in record:
        return "sharegpt"
    if "instruction" in record or "output" in record:
        return "alpaca"
    raise RecordError(
        "unknown format: expected 'messages' (openai), 'conversations' (sharegpt) "
        "or 'instruction'/'output' (alpaca)"
    )


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise RecordError(f"'{what}' must be a string")
    return value


def from_alpaca(rec: dict) -> list[dict]:
    for key in ("instruction", "output"):
        if key not in rec:
            raise RecordError(f"missing '{key}'")
    instruction = _text(rec["instruction"], "instruction")
    output = _text(rec["output"], "output")
    extra = _text(rec.get("input") or "", "input")
    if not instruction.strip() or not output.strip():
        raise RecordError("'instruction' and 'output' must not be empty")
    messages = []
    if rec.get("system"):
        messages.append({"role": "system", "content": _text(rec["system"], "system")})
    for i, pair in enumerate(rec.get("history") or []):
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            raise RecordError(f"'history[{i}]' must be a [user, assistant] pair")
        messages += [
            {"role": "user", "content": _text(pair[0], f"history[{i}][0]")},
            {"role": "assistant", "content": _text(pair[1], f"history[{i}][1]")},
        ]
    user = f"{instruction}\n\n{extra}" if extra.strip() else instruction
    return messages + [{"role": "user", "content": user}, {"role": "assistant", "content": output}]


def from_sharegpt(rec: dict) -> list[dict]:
    turns = rec["conversations"]
    if not isinstance(turns, list) or not turns:
        raise RecordError("'conversations' must be a non-empty list")
    messages = []
    if rec.get("system"):
        messages.append({"role": "system", "content": _text(rec["system"], "system")})
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict) or "from" not in turn or "value" not in turn:
            raise RecordError(f"'conversations[{i}]' needs 'from' and 'value'")
        role = SHAREGPT_ROLES.get(turn["from"])
        if role is None:
            raise RecordError(f"'conversations[{i}].from' is {turn['from']!r}: use human/gpt/system")
        messages.append({"role": role, "content": _text(turn["value"], f"conversations[{i}].value")})
    return messages


def from_openai(rec: dict) -> list[dict]:
    turns = rec["messages"]
    if not isinstance(turns, list) or not turns:
        raise RecordError("'messages' must be a non-empty list")
    messages = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict) or "role" not in turn or "content" not in turn:
            raise RecordError(f"'messages[{i}]' needs 'role' and 'content'")
        if turn["role"] not in OPENAI_ROLES:
            raise RecordError(f"'messages[{i}].role' is {turn['role']!r}: use system/user/assistant")
        messages.append({"role": turn["role"], "content": _text(turn["content"], f"messages[{i}].content")})
    return messages


CONVERTERS = {"alpaca": from_alpaca, "sharegpt": from_sharegpt, "openai": from_openai}


def normalise(rec, fmt: str | None = None) -> tuple[str, list[dict]]:
    if not isinstance(rec, dict):
        raise RecordError("each record must be a JSON object")
    fmt = fmt or detect_format(rec)
    messages = CONVERTERS[fmt](rec)
    if not any(m["role"] == "assistant" for m in messages):
        raise RecordError("no assistant turn to learn from")
    if messages[-1]["role"] != "assistant":
        raise RecordError("the last turn must be the assistant's")
    return fmt, messages


def iter_raw(path: Path) -> Iterator[tuple[str, object]]:
    """(where, record-or-exception) for each record: 'line N' in .jsonl, 'record N' in a .json array."""
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield "file", RecordError(f"not valid JSON: {exc}")
            return
        if isinstance(data, dict) and isinstance(data.get("data"), list):
            data = data["data"]
        if not isinstance(data, list):
            yield "file", RecordError("a .json dataset must be an array of records")
            return
        for i, rec in enumerate(data, start=1):
            yield f"record {i}", rec
        return
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                yield f"line {n}", json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield f"line {n}", RecordError(f"not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})")


def parse_file(path: Path, fmt: str | None = None) -> tuple[str | None, list[list[dict]], list[str]]:
    """(format, conversations, errors). The format is fixed by the first valid record unless given."""
    if path.suffix.lower() not in (".json", ".jsonl"):
        return None, [], [f"file: unsupported extension {path.suffix!r}: use .json or .jsonl"]
    conversations, errors = [], []
    for where, rec in iter_raw(path):
        try:
            if isinstance(rec, Exception):
                raise rec
            got, messages = normalise(rec, fmt)
            fmt = fmt or got
            conversations.append(messages)
        except RecordError as exc:
            errors.append(f"{where}: {exc}")
        except KeyError as exc:
            errors.append(f"{where}: missing {exc}")
    if not conversations and not errors:
        errors.append("file: no records")
    return fmt, conversations, errors
