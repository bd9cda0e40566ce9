"""Append-only progress events (`events.jsonl`): one JSON object per line, flushed as written, so any face
(handler, widget, CLI) can tail the file while the trainer writes it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path


class EventWriter:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = self.path.open("a", encoding="utf-8")

    def write(self, type_: str, **fields) -> dict:
        event = {"type": type_, "time": time.time(), **fields}
        self._fh.write(json.dumps(event, default=float) + "\n")
        self._fh.flush()  # readable by other processes as soon as the line is written
        return event

    def close(self) -> None:
        self._fh.close()


def read_events(path: Path, offset: int = 0) -> tuple[list[dict], int]:
    """Complete events after byte `offset`, and the offset after the last complete line (partial lines wait)."""
    path = Path(path)
    if not path.exists():
        return [], offset
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset
    events = []
    for line in data[: end + 1].splitlines():
        if line.strip():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return events, offset + end + 1


def read_lines(path: Path, offset: int = 0) -> tuple[list[str], int]:
    """Complete text lines after byte `offset` (for following a log), and the new offset."""
    path = Path(path)
    if not path.exists():
        return [], offset
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read(1 << 20)
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset
    return data[: end + 1].decode("utf-8", errors="replace").splitlines(), offset + end + 1


def last_event(path: Path, type_: str | None = None, window: int = 65536) -> dict | None:
    """The newest event (of one type) from the file's tail, without reading the whole file."""
    path = Path(path)
    if not path.exists():
        return None
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - window))
        lines = fh.read().splitlines()
    for line in reversed(lines):
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if type_ is None or event.get("type") == type_:
            return event
    return None


def tail_lines(path: Path, lines: int = 50, window: int = 262144) -> list[str]:
    path = Path(path)
    if not path.exists():
        return []
    size = os.path.getsize(path)
    with path.open("rb") as fh:
        fh.seek(max(0, size - window))
        text = fh.read().decode("utf-8", errors="replace")
    return text.splitlines()[-lines:] if lines > 0 else []
