"""Fine-tune tasks: create, queue, launch detached trainers, re-derive status, cancel, delete, resume, logs.

State lives in the store (row + transitions) and the task folder; nothing is kept only in memory, so any
process (Jupyter server, kernel, CLI, a finishing trainer) can run `schedule()` and sees the same queue.
A trainer is detached (`start_new_session`) and survives the server; its liveness is checked by pid AND
create_time, so a recycled pid is never mistaken for our trainer.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil

from .. import paths
from ..errors import Conflict, InvalidInput, NotFound
from ..settings import get_settings
from ..store import dumps, get_store, loads, now
from .config import TaskConfig
from .events import last_event, tail_lines

STATUSES = ("pending", "queued", "running", "completed", "failed", "cancelled")
ACTIVE = ("pending", "queued", "running")
ALLOWED = {
    "pending": {"queued", "cancelled", "failed"},
    "queued": {"running", "cancelled", "failed"},
    "running": {"completed", "failed", "cancelled"},
    "failed": {"queued"},  # resume
    "cancelled": {"queued"},  # resume
    "completed": set(),
}
LAUNCH_GRACE_S = 60  # a 'running' row without a pid yet is a launch in progress, not a dead trainer
CANCEL_GRACE_S = 15
_children: dict[
    int, subprocess.Popen
] = {}  # trainers this process started: polled so they never linger as zombies


def tasks_root() -> Path:
    return paths.area_dir("finetune")


def task_dir(task_id: str) -> Path:
    try:
        return paths.child_path(tasks_root(), task_id)
    except ValueError as exc:
        raise InvalidInput(f"task id: {exc}") from exc


def max_concurrent() -> int:
    env = os.environ.get("SAGE_STUDIO_MAX_TRAININGS")
    return max(1, int(env)) if env else max(1, get_settings().max_concurrent_trainings)


# -- rows & transitions ----------------------------------------------------------------------------------
def _row(task_id: str) -> dict:
    task_dir(task_id)
    row = get_store().query_one("SELECT * FROM finetune_tasks WHERE id=?", (task_id,))
    if row is None:
        raise NotFound(f"task {task_id!r} not found")
    return row


def set_status(
    task_id: str, status: str, note: str | None = None, expect: tuple[str, ...] | None = None, **fields
) -> bool:
    """Move a task to `status` if the transition is allowed (and it is in `expect`, when given); record it."""
    with get_store().tx() as conn:
        row = conn.execute("SELECT status FROM finetune_tasks WHERE id=?", (task_id,)).fetchone()
        if row is None:
            return False
        current = row[0]
        if (expect and current not in expect) or status not in ALLOWED[current]:
            return False
        sets = ", ".join(f"{k}=?" for k in ["status", "updated_at", *fields])
        conn.execute(
            f"UPDATE finetune_tasks SET {sets} WHERE id=?", (status, now(), *fields.values(), task_id)
        )
        conn.execute(
            "INSERT INTO finetune_transitions(task_id, status, at, note) VALUES (?,?,?,?)",
            (task_id, status, now(), note),
        )
    return True


def transitions(task_id: str) -> list[dict]:
    return get_store().query(
        "SELECT status, at, note FROM finetune_transitions WHERE task_id=? ORDER BY id", (task_id,)
    )


# -- liveness ----------------------------------------------------------------------------------------------
def pid_alive(pid: int | None, create_time: float | None) -> bool:
    if not pid:
        return False
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        _children.pop(pid, None)
        return False
    try:
        proc = psutil.Process(pid)
        if create_time is not None and abs(proc.create_time() - create_time) > 1.0:
            return False  # the pid was recycled by another process
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _failure_note(folder: Path) -> str:
    tail = "\n".join(tail_lines(folder / "train.log", 20))
    ckpt = latest_checkpoint(folder)
    kept = f"; checkpoint kept: {ckpt.name}" if ckpt else ""
    return f"trainer exited unexpectedly{kept}\n{tail}".strip()


def reap() -> None:
    """Running rows whose trainer is gone (kill -9, OOM, reboot) become failed, with the log tail."""
    for row in get_store().query("SELECT * FROM finetune_tasks WHERE status='running'"):
        if row["pid"] is None and now() - row["updated_at"] < LAUNCH_GRACE_S:
            continue
        if pid_alive(row["pid"], row["pid_create_time"]):
            continue
        note = _failure_note(Path(row["output_dir"]))
        set_status(row["id"], "failed", note=note.splitlines()[0], expect=("running",), error=note)


# -- scheduling ----------------------------------------------------------------------------------------------
class _SchedulerLock:
    """One scheduler at a time across processes (server, kernels, CLI, exiting trainers)."""

    def __enter__(self):
        self._fh = open(tasks_root() / ".scheduler.lock", "w")
        fcntl.flock(self._fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()


def schedule() -> list[str]:
    """Reap dead trainers, then start queued tasks (oldest first) while slots are free. Returns started ids."""
    started = []
    for pid, child in list(
        _children.items()
    ):  # collect our finished trainers (no zombies in a long-lived server)
        if child.poll() is not None:
            _children.pop(pid, None)
    with _SchedulerLock():
        reap()
        store = get_store()
        running = store.query_one("SELECT COUNT(*) AS n FROM finetune_tasks WHERE status='running'")["n"]
        for row in store.query(
            "SELECT id FROM finetune_tasks WHERE status='queued' ORDER BY created_at, rowid"
        ):
            if running >= max_concurrent():
                break
            if _launch(row["id"]):
                started.append(row["id"])
                running += 1
    return started


def trainer_argv(folder: Path) -> list[str]:
    return [sys.executable, "-m", "sage_studio_lab.finetune.train", str(folder)]


def _launch(task_id: str) -> bool:
    folder = task_dir(task_id)
    if not set_status(
        task_id, "running", note="trainer starting", expect=("queued",), pid=None, pid_create_time=None
    ):
        return False
    env = dict(
        os.environ,
        SAGE_STUDIO_HOME=str(paths.data_home()),
        SAGE_STUDIO_USER=paths.current_user_name(),
        SAGE_STUDIO_MAX_TRAININGS=str(max_concurrent()),
        PYTHONUNBUFFERED="1",
    )
    threads = json.loads((folder / "config.json").read_text())["config"].get("threads") or os.environ.get(
        "SAGE_STUDIO_TRAIN_THREADS"
    )
    if threads:  # OpenMP reads these at import: set them before the trainer imports torch
        env.update(
            OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads), SAGE_STUDIO_TRAIN_THREADS=str(threads)
        )
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        with open(folder / "train.log", "ab") as log:
            proc = subprocess.Popen(
                trainer_argv(folder),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=folder,
                start_new_session=True,
            )
    except OSError as exc:
        set_status(task_id, "failed", note=f"could not start the trainer: {exc}", error=str(exc))
        return False
    _children[proc.pid] = proc
    try:
        created = psutil.Process(proc.pid).create_time()
    except psutil.Error:
        created = None
    with get_store().tx() as conn:
        conn.execute(
            "UPDATE finetune_tasks SET pid=?, pid_create_time=? WHERE id=?", (proc.pid, created, task_id)
        )
    return True


# -- public API ------------------------------------------------------------------------------------------------
def create_task(config: TaskConfig) -> dict:
    """Validate, write config.json and the dataset snapshot, queue, and schedule. Nothing is stored on error."""
    from ..models import resolve_model
    from .advice import advise
    from .datasets import get_dataset

    dataset = get_dataset(config.dataset_id)
    model_dir = resolve_model(config.model)  # ModelNotFound (404) before anything is written
    if config.quantization != "none":
        from .advice import quantization_available

        ok, why = quantization_available()
        if not ok:
            raise InvalidInput(f"quantization {config.quantization!r} is not available here: {why}")
    warnings = advise(config, Path(model_dir), dataset["rows"])
    task_id = "ft-" + time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    folder = task_dir(task_id)
    tmp = folder.with_name(f".{task_id}.tmp")
    tmp.mkdir(parents=True)
    spec = {
        "task_id": task_id,
        "config": config.model_dump(),
        "model_path": str(model_dir),
        "warnings": warnings,
    }
    (tmp / "config.json").write_text(json.dumps(spec, indent=2))
    shutil.copyfile(
        dataset["path"], tmp / "dataset.jsonl"
    )  # the task keeps its data if the dataset is deleted
    tmp.rename(folder)
    name = config.name or f"{Path(str(config.model)).name} on {dataset['name']}"
    try:
        with get_store().tx() as conn:
            t = now()
            conn.execute(
                "INSERT INTO finetune_tasks(id, name, base_model, dataset_id, config, status, output_dir, created_at,"
                " updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    task_id,
                    name,
                    config.model,
                    config.dataset_id,
                    dumps(spec["config"]),
                    "pending",
                    str(folder),
                    t,
                    t,
                ),
            )
            conn.execute(
                "INSERT INTO finetune_transitions(task_id, status, at, note) VALUES (?,?,?,?)",
                (task_id, "pending", t, "created"),
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    set_status(task_id, "queued", note="waiting for a training slot")
    schedule()
    return get_task(task_id) | {"warnings": warnings}


def _describe(row: dict) -> dict:
    folder = Path(row["output_dir"])
    spec = loads((folder / "config.json").read_text()) if (folder / "config.json").exists() else {}
    progress = last_event(folder / "events.jsonl", "progress")
    evaluation = last_event(folder / "events.jsonl", "eval")
    ckpt = latest_checkpoint(folder)
    return {
        "id": row["id"],
        "name": row["name"],
        "status": row["status"],
        "base_model": row["base_model"],
        "dataset_id": row["dataset_id"],
        "config": loads(row["config"], {}),
        "pid": row["pid"],
        "error": row["error"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "output_dir": str(folder),
        "progress": progress,
        "eval": evaluation,
        "adapter_path": str(folder / "adapter")
        if (folder / "adapter" / "adapter_config.json").exists()
        else None,
        "merged_path": str(folder / "merged") if (folder / "merged" / "config.json").exists() else None,
        "last_checkpoint": ckpt.name if ckpt else None,
        "warnings": spec.get("warnings", []),
    }


describe = _describe  # a store row → the task dict every face shows (public for finetune.watch)


def get_task(task_id: str, refresh: bool = True) -> dict:
    if refresh:
        schedule()
    row = _row(task_id)
    return _describe(row) | {"transitions": transitions(task_id)}


def list_tasks(refresh: bool = True) -> list[dict]:
    if refresh:
        schedule()
    return [_describe(r) for r in get_store().query("SELECT * FROM finetune_tasks ORDER BY created_at DESC")]


def cancel_task(task_id: str, grace_s: float = CANCEL_GRACE_S) -> dict:
    """Queued → cancelled at once; running → SIGTERM (the trainer saves a checkpoint and stops), then SIGKILL."""
    row = _row(task_id)
    if row["status"] in ("pending", "queued"):
        set_status(task_id, "cancelled", note="cancelled before start", expect=("pending", "queued"))
    elif row["status"] == "running":
        _stop_trainer(row, grace_s)
        # The trainer records 'cancelled' itself on a graceful stop; a killed one is recorded here.
        set_status(task_id, "cancelled", note="cancelled by user", expect=("running",))
    else:
        raise Conflict(
            f"task {task_id!r} is {row['status']}: only pending, queued or running tasks can be cancelled"
        )
    schedule()
    return get_task(task_id, refresh=False)


def _stop_trainer(row: dict, grace_s: float) -> None:
    deadline = time.time() + LAUNCH_GRACE_S
    while row["pid"] is None and time.time() < deadline:  # launch in progress: wait for its pid
        time.sleep(0.1)
        row = _row(row["id"])
    pid, created = row["pid"], row["pid_create_time"]
    if not pid_alive(pid, created):
        return
    (Path(row["output_dir"]) / "cancel.requested").touch()
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + grace_s
    while time.time() < deadline and pid_alive(pid, created):
        time.sleep(0.1)
    if pid_alive(pid, created):
        os.kill(pid, signal.SIGKILL)
        deadline = time.time() + 5
        while time.time() < deadline and pid_alive(pid, created):
            time.sleep(0.05)


def delete_task(task_id: str) -> None:
    schedule()  # a trainer that died is reaped first, so its task can be deleted
    row = _row(task_id)
    if row["status"] == "running":
        raise Conflict(f"task {task_id!r} is running: cancel it before deleting")
    get_store().execute("DELETE FROM finetune_tasks WHERE id=?", (task_id,))
    shutil.rmtree(Path(row["output_dir"]), ignore_errors=True)


def resume_task(task_id: str) -> dict:
    """Queue a failed or cancelled task again; the trainer continues from its last checkpoint."""
    row = _row(task_id)
    if row["status"] not in ("failed", "cancelled"):
        raise Conflict(f"task {task_id!r} is {row['status']}: only failed or cancelled tasks can be resumed")
    (Path(row["output_dir"]) / "cancel.requested").unlink(missing_ok=True)
    ckpt = latest_checkpoint(Path(row["output_dir"]))
    set_status(
        task_id,
        "queued",
        note=f"resume from {ckpt.name}" if ckpt else "restart from scratch",
        error=None,
        exit_code=None,
    )
    schedule()
    return get_task(task_id, refresh=False)


def latest_checkpoint(folder: Path) -> Path | None:
    root = Path(folder) / "checkpoints"
    if not root.is_dir():
        return None
    ckpts = [p for p in root.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()]
    return max(ckpts, key=lambda p: int(p.name.split("-")[-1])) if ckpts else None


def logs(task_id: str, lines: int = 200) -> list[str]:
    return tail_lines(task_dir(_row(task_id)["id"]) / "train.log", lines)


def events_path(task_id: str) -> Path:
    return Path(_row(task_id)["output_dir"]) / "events.jsonl"


def adapter_zip(task_id: str) -> Path:
    """The adapter folder as a zip (built once, next to it)."""
    folder = Path(_row(task_id)["output_dir"])
    adapter = folder / "adapter"
    if not (adapter / "adapter_config.json").exists():
        raise NotFound(f"task {task_id!r} has no adapter yet (status: {_row(task_id)['status']})")
    target = folder / "adapter.zip"
    if not target.exists() or target.stat().st_mtime < (adapter / "adapter_config.json").stat().st_mtime:
        tmp = shutil.make_archive(str(folder / ".adapter-zip"), "zip", root_dir=adapter)
        os.replace(tmp, target)
    return target


def merge_task(task_id: str, timeout_s: float = 1800) -> dict:
    """Merge the adapter into its base model as a standalone HF folder `merged/` (in a subprocess, so the
    caller's memory is not taken by a second copy of the model)."""
    row = _row(task_id)
    folder = Path(row["output_dir"])
    if not (folder / "adapter" / "adapter_config.json").exists():
        raise Conflict(f"task {task_id!r} has no adapter to merge (status: {row['status']})")
    proc = subprocess.run(
        [sys.executable, "-m", "sage_studio_lab.finetune.merge", str(folder)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    if proc.returncode != 0:
        raise InvalidInput(f"merge failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}")
    return get_task(task_id, refresh=False)
