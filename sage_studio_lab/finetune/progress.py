"""A task's progress as one summary: status, progress fraction, latest step/loss/eval loss/ETA and the loss
history, read from its row and its append-only `events.jsonl` (any process can read both)."""

from __future__ import annotations

from pathlib import Path


def read_events(task: dict, offset: int = 0) -> tuple[list[dict], int]:
    """Complete events of the task's events.jsonl after byte `offset` (a line being written waits)."""
    from ..finetune.events import read_events as read

    return read(Path(task["output_dir"]) / "events.jsonl", offset)


def summarize(task: dict, events: list[dict]) -> dict:
    """The task row plus its latest progress, in the shape of `finetune.get`."""
    history = [e for e in events if e.get("loss") is not None or e.get("eval_loss") is not None]
    last = next((e for e in reversed(events) if e.get("type") == "progress"), None) or next(
        (e for e in reversed(events) if e.get("step") is not None), {}
    )
    total = last.get("total_steps") or last.get("max_steps") or 0
    progress = last.get("progress")
    if progress is None and total:
        progress = min(1.0, (last.get("step") or 0) / total)
    if task["status"] == "completed":
        progress = 1.0
    return {
        **{
            k: task[k]
            for k in (
                "id",
                "name",
                "base_model",
                "dataset_id",
                "status",
                "error",
                "output_dir",
                "adapter_path",
                "merged_path",
                "warnings",
                "created_at",
                "updated_at",
            )
            if k in task
        },
        "config": task.get("config", {}),
        "progress": progress or 0.0,
        "step": last.get("step"),
        "total_steps": total or None,
        "epoch": last.get("epoch"),
        "loss": next((e["loss"] for e in reversed(history) if e.get("loss") is not None), None),
        "eval_loss": next(
            (e["eval_loss"] for e in reversed(history) if e.get("eval_loss") is not None), None
        ),
        "eta_s": last.get("eta_s"),
        "tokens_per_s": last.get("tokens_per_s"),
        "history": [{k: e.get(k) for k in ("step", "loss", "eval_loss", "lr", "epoch")} for e in history],
    }
