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


def load_template(key: str):
    from ..flow import Flow

    entry = template_path(key)
    flow = Flow.from_dict(entry.read_text(encoding="utf-8"))
    try:  # relative paths in a template (sample documents) resolve next to it
        flow.base_dir = str(importlib.resources.as_file(entry).__enter__().parent)
    except Exception:
        pass
    return flow
