"""The engine key, as vLLM's `--api-key`: every engine Studio starts gets a random secret that its `/v1/*` routes
require as `Authorization: Bearer <key>`, so other users of a shared machine cannot use (or hot-swap adapters
into) someone's engine on its localhost port.

The key lives in `<user dir>/engines/<id>.key` (mode 0600, like the rest of the user's engine files) and reaches
the engine through the environment (`VLLM_API_KEY`, which vLLM reads and so does our engine): never its argv, which
`ps` shows every user. It is never in the store, a status/endpoint dict, a route's answer or a log.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from ..paths import child_path

ENV = "VLLM_API_KEY"  # how an engine receives its key (vLLM's variable; `engine/server/` reads it too)


def key_file(engines_dir: Path, engine_id: str) -> Path:
    return child_path(engines_dir, f"{engine_id}.key")


def create(engines_dir: Path, engine_id: str) -> str:
    """A new key for engine `engine_id`, written readable by this user only from the first byte."""
    key = secrets.token_urlsafe(32)
    fd = os.open(key_file(engines_dir, engine_id), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT: set it
        fh.write(key)
    return key


def read(engines_dir: Path, engine_id: str | None) -> str | None:
    """The key of engine `engine_id`; None for an engine started without one (or before keys existed)."""
    if not engine_id:
        return None
    try:
        return key_file(engines_dir, engine_id).read_text().strip() or None
    except OSError:
        return None


def remove(engines_dir: Path, engine_id: str) -> None:
    with contextlib.suppress(OSError):
        key_file(engines_dir, engine_id).unlink()


def auth_headers(key: str | None) -> dict:
    """The request headers that carry `key` (none for an engine without a key)."""
    return {"Authorization": f"Bearer {key}"} if key else {}
