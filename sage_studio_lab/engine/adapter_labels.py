"""What people call the engine's adapters: a fine-tuned adapter is served under its task id
(`ft-20261206-075716-aacc59`) but named after its task (`password-lora`), as chat's model list names it
(`models.finetuned_models`). Read from the store's `finetune_tasks` table, so the engine imports no fine-tuning
code; an adapter loaded by hand under another name keeps that name as its label."""

from __future__ import annotations

import sqlite3

from ..store import Store


def adapter_labels(store: Store, served: list[str]) -> list[dict]:
    """[{"id": served name, "label": task name or the id, "task_id": or None}] in the order of `served`."""
    names: dict[str, str] = {}
    if served:
        marks = ",".join("?" * len(served))
        try:
            rows = store.query(f"SELECT id, name FROM finetune_tasks WHERE id IN ({marks})", tuple(served))
        except sqlite3.Error:  # no fine-tuning table (yet): every adapter is called by its id
            rows = []
        names = {row["id"]: row["name"] for row in rows if row["name"]}
    return [{"id": a, "label": names.get(a, a), "task_id": a if a in names else None} for a in served]
