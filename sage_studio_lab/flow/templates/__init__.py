"""Flow templates shipped as `*.sage-flow.json` files (here and in other areas' packages)."""

from __future__ import annotations

import importlib.resources
import json

from ...errors import NotFound

# Packages whose `*.sage-flow.json` files are templates (the chat area ships "Chat (Studio pipeline)").
TEMPLATE_PACKAGES = (
    "sage_studio_lab.flow.templates",
    "sage_studio_lab.chat",
    "sage_studio_lab.chat.templates",
)
SUFFIX = ".sage-flow.json"


def _files():
    for pkg in TEMPLATE_PACKAGES:
        try:
            root = importlib.resources.files(pkg)
        except ModuleNotFoundError:
            continue
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(SUFFIX):
                yield entry.name[: -len(SUFFIX)], entry


def list_templates() -> list[dict]:
    out = []
    for key, entry in _files():
        data = json.loads(entry.read_text(encoding="utf-8"))
        out.append(
            {
                "id": key,
                "name": data.get("name", key),
                "description": data.get("description", ""),
                "flow": data,
            }
        )
    return out


def template_path(key: str):
    for k, entry in _files():
        if k == key:
            return entry
    raise NotFound(f"no template {key!r}: choose one of {', '.join(k for k, _ in _files())}")


def read_template(key: str) -> tuple[str, str | None]:
    """A template's flow JSON and the folder its relative paths (sample documents) resolve in.
    `Flow.template(key)` builds the flow: templates are data, this module stays below flow.py."""
    entry = template_path(key)
    try:
        base_dir = str(importlib.resources.as_file(entry).__enter__().parent)
    except Exception:  # noqa: BLE001 - a template without a folder on disk still loads
        base_dir = None
    return entry.read_text(encoding="utf-8"), base_dir
