"""Evaluation runs of fine-tune tasks, seen from outside the evaluator: start one (a detached
`python -m sage_studio_lab.finetune.evaluate` process, like a trainer), its state from the task's `evaluation`
events (and the evaluator's pid + create time, so a killed one reads as failed), the stored result, and several
tasks' results and loss histories side by side. Imports no torch: the Jupyter server calls it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .. import paths
from ..errors import Conflict, NotFound
from .events import EventWriter, read_events
from .progress import summarize
from .task_store import describe, row
from .trainers import pid_alive

RESULT = "evaluation.json"  # written by evaluate.py
TERMINAL = ("completed", "failed", "cancelled")
_children: dict[int, subprocess.Popen] = {}


def _folder(task_id: str) -> Path:
    return Path(row(task_id)["output_dir"])


def _evaluation_events(folder: Path) -> list[dict]:
    events, _ = read_events(folder / "events.jsonl")
    return [e for e in events if e.get("type") == "evaluation"]


def state(task_id: str) -> dict:
    """`state`: none | running | completed | failed | cancelled, with the running phase and done/total."""
    folder = _folder(task_id)
    events = _evaluation_events(folder)
    if not events:
        return {"task_id": task_id, "state": "none"}
    last = events[-1]
    started = next((e for e in reversed(events) if e.get("status") == "started"), {})
    out = {
        "task_id": task_id,
        "state": last["status"] if last["status"] in TERMINAL else "running",
        "phase": last.get("phase"),
        "done": last.get("done"),
        "total": last.get("total"),
        "error": last.get("error"),
        "at": last.get("time"),
    }
    if out["state"] == "running" and not pid_alive(started.get("pid"), started.get("create_time")):
        # killed (-9, OOM) before it could say so: what the process left is the truth
        out |= {"state": "failed", "error": "the evaluator exited before the end: nothing stored"}
    return out


def result(task_id: str) -> dict:
    path = _folder(task_id) / RESULT
    if not path.exists():
        raise NotFound(f"task {task_id!r} is not evaluated yet")
    return json.loads(path.read_text())


def evaluator_argv(folder: Path, max_examples: int, max_new_tokens: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sage_studio_lab.finetune.evaluate",
        str(folder),
        str(max_examples),
        str(max_new_tokens),
    ]


def start(task_id: str, max_examples: int, max_new_tokens: int) -> dict:
    """Launch the evaluator for a task with an adapter, unless one runs; returns the state (running)."""
    task = row(task_id)
    folder = Path(task["output_dir"])
    if not (folder / "adapter" / "adapter_config.json").exists():
        raise Conflict(f"task {task_id!r} has no adapter to evaluate (status: {task['status']})")
    with paths.file_lock(folder / ".evaluation.lock"):  # two clicks start one evaluator
        if state(task_id)["state"] == "running":
            raise Conflict(f"task {task_id!r} is being evaluated already")
        env = dict(
            os.environ,
            SAGE_STUDIO_HOME=str(paths.data_home()),
            SAGE_STUDIO_USER=paths.current_user_name(),
            PYTHONUNBUFFERED="1",
        )
        env.setdefault("HF_HUB_OFFLINE", "1")
        env.setdefault("TOKENIZERS_PARALLELISM", "false")
        threads = task_config(folder).get("threads") or os.environ.get("SAGE_STUDIO_TRAIN_THREADS")
        if threads:
            env.update(OMP_NUM_THREADS=str(threads), SAGE_STUDIO_TRAIN_THREADS=str(threads))
        with open(folder / "evaluate.log", "ab") as log:
            proc = subprocess.Popen(
                evaluator_argv(folder, max_examples, max_new_tokens),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=folder,
                start_new_session=True,
            )
        # 'started' is written here too (the evaluator writes it again with its create time): the state reads
        # running from now on, and a second click is refused.
        import psutil

        try:
            created = psutil.Process(proc.pid).create_time()
        except psutil.Error:
            created = None
        writer = EventWriter(folder / "events.jsonl")
        writer.write("evaluation", status="started", pid=proc.pid, create_time=created)
        writer.close()
    _children[proc.pid] = proc
    threading.Thread(
        target=_watch, args=(proc, folder), name=f"sage-studio-eval-{proc.pid}", daemon=True
    ).start()
    return state(task_id)


def _watch(proc: subprocess.Popen, folder: Path) -> None:
    """Reap the evaluator; if it died without its last word (kill -9), record a failed event for it."""
    code = proc.wait()
    _children.pop(proc.pid, None)
    events = _evaluation_events(folder) if folder.exists() else []
    mine = [i for i, e in enumerate(events) if e.get("status") == "started" and e.get("pid") == proc.pid]
    after = events[mine[-1] :] if mine else []
    if any(e.get("status") == "started" and e.get("pid") != proc.pid for e in after):
        return  # a newer evaluation started meanwhile (this one stopped first): its events are the state now
    if after and after[-1].get("status") not in TERMINAL:
        writer = EventWriter(folder / "events.jsonl")
        writer.write(
            "evaluation", status="failed", error=f"the evaluator exited (code {code}): nothing stored"
        )
        writer.close()


def stop(task_id: str) -> None:
    """SIGTERM the running evaluator (it stops between batches and stores nothing); 409 when none runs.
    An evaluation the trainer runs after training stops too (the trainer's SIGTERM means "stop")."""
    events = _evaluation_events(_folder(task_id))
    started = next((e for e in reversed(events) if e.get("status") == "started"), None)
    if state(task_id)["state"] != "running" or not started:
        raise Conflict(f"task {task_id!r} has no evaluation running")
    if pid_alive(started.get("pid"), started.get("create_time")):
        os.kill(started["pid"], signal.SIGTERM)


def task_config(folder: Path) -> dict:
    try:
        return json.loads((folder / "config.json").read_text())["config"]
    except (OSError, ValueError, KeyError):
        return {}


def compare(task_ids: list[str]) -> list[dict]:
    """Each task's name, status, evaluation metrics (no sample table; null when not evaluated) and loss history."""
    out = []
    for task_id in task_ids:
        task = describe(row(task_id))
        folder = Path(task["output_dir"])
        events, _ = read_events(folder / "events.jsonl")
        evaluation = None
        if (folder / RESULT).exists():
            stored = json.loads((folder / RESULT).read_text())
            evaluation = {
                k: stored.get(k) for k in ("base", "adapter", "split", "throughput", "evaluated_at")
            }
        out.append(
            {
                "task_id": task_id,
                "name": task["name"],
                "status": task["status"],
                "evaluation": evaluation,
                "history": summarize(task, events)["history"],
            }
        )
    return out
