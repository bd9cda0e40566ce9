"""Trainer processes: launch queued tasks (`schedule`), notice trainers that died, stop one on cancel.

A trainer is detached (`start_new_session`) and survives whoever launched it; its liveness is checked by pid
AND create_time, so a recycled pid is never mistaken for it. There is no daemon and reads never schedule:
`schedule()` runs on task events only — a task created, cancelled, resumed or deleted (tasks.py); a trainer
ending (it schedules as it exits; its launcher, when still alive, also sees it end, even by kill -9); and
the Jupyter server's supervision (`supervise`: re-attach at start, then a look every few seconds).
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from .. import paths
from ..settings import get_settings
from ..store import get_store, now
from .events import tail_lines
from .task_store import latest_checkpoint, row, set_status, task_dir, tasks_root

LAUNCH_GRACE_S = 60  # a 'running' row without a pid yet is a launch in progress, not a dead trainer
SUPERVISE_INTERVAL_S = 3.0
_children: dict[int, subprocess.Popen] = {}  # trainers this process started (waited for: never zombies)


def max_concurrent() -> int:
    return get_settings().max_concurrent_trainings


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
    for task in get_store().query("SELECT * FROM finetune_tasks WHERE status='running'"):
        if task["pid"] is None and now() - task["updated_at"] < LAUNCH_GRACE_S:
            continue
        if pid_alive(task["pid"], task["pid_create_time"]):
            continue
        note = _failure_note(Path(task["output_dir"]))
        set_status(task["id"], "failed", note=note.splitlines()[0], expect=("running",), error=note)


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
    with _SchedulerLock():
        reap()
        store = get_store()
        running = store.query_one("SELECT COUNT(*) AS n FROM finetune_tasks WHERE status='running'")["n"]
        for queued in store.query(
            "SELECT id FROM finetune_tasks WHERE status='queued' ORDER BY created_at, rowid"
        ):
            if running >= max_concurrent():
                break
            if _launch(queued["id"]):
                started.append(queued["id"])
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
        SAGE_STUDIO_MAX_TRAININGS=str(max_concurrent()),  # the trainer schedules with the same limit
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
    _on_end(proc.wait, f"sage-studio-trainer-{proc.pid}", lambda: _children.pop(proc.pid, None))
    return True


def _where() -> tuple:
    return os.environ.get("SAGE_STUDIO_HOME"), paths.current_user_name()


def _on_end(wait, name: str, then=None) -> None:
    """When `wait()` returns (a trainer ended, however it ended), schedule: its slot goes to the next task.
    Skipped if this process has moved to another data dir or user since (tests do)."""
    where = _where()

    def run():
        wait()
        if then:
            then()
        if _where() == where:
            schedule()

    threading.Thread(target=run, name=name, daemon=True).start()


def supervise(stop: threading.Event, interval: float = SUPERVISE_INTERVAL_S) -> None:
    """The Jupyter server's duty (in a thread): at start, re-attach — reap trainers that died while no server
    ran and start queued tasks — then look again every `interval` s while tasks are queued or running, so a
    trainer nobody here launched (CLI, a kernel gone since) that dies still frees its slot."""
    where = _where()
    while not stop.is_set() and _where() == where:
        active = get_store().query_one(
            "SELECT COUNT(*) AS n FROM finetune_tasks WHERE status IN ('queued', 'running')"
        )["n"]
        if active:
            schedule()
        stop.wait(interval)


def stop_trainer(task: dict, grace_s: float) -> int | None:
    """SIGTERM (the trainer stops after its step and saves a checkpoint), SIGKILL after `grace_s`.
    Returns the stopped trainer's pid (None: no pid was recorded)."""
    deadline = time.time() + LAUNCH_GRACE_S
    while task["pid"] is None and time.time() < deadline:  # launch in progress: wait for its pid
        time.sleep(0.1)
        task = row(task["id"])
    pid, created = task["pid"], task["pid_create_time"]
    if not pid_alive(pid, created):
        return pid
    (Path(task["output_dir"]) / "cancel.requested").touch()
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + grace_s
    while time.time() < deadline and pid_alive(pid, created):
        time.sleep(0.1)
    if pid_alive(pid, created):
        os.kill(pid, signal.SIGKILL)
        deadline = time.time() + 5
        while time.time() < deadline and pid_alive(pid, created):
            time.sleep(0.05)
    return pid
