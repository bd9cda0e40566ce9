"""OS-level helpers of the engine's client side: ports, process identity that survives pid reuse, the detached
supervisor (spawn, reap, terminate) and log tails. No store, no HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path

import psutil

PREFERRED_PORT = 8001
HOST = "127.0.0.1"
# Supervisors this process started, kept so they can be reaped (no zombies) and their exit seen at once.
_children: dict[str, subprocess.Popen] = {}
_children_lock = threading.Lock()


def port_is_free(port: int, host: str = HOST) -> bool:
    """Is nobody listening on `port`? SO_REUSEADDR as the engines' servers (uvicorn, vLLM) bind, so a port
    whose previous engine just stopped (connections in TIME_WAIT) counts as free and a restart keeps it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def pick_port(preferred: int = PREFERRED_PORT, host: str = HOST) -> int:
    if preferred and port_is_free(preferred, host):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def tail(path: Path | str | None, lines: int = 200) -> str:
    if not path or not Path(path).exists():
        return ""
    with open(path, errors="replace") as fh:
        return "".join(deque(fh, maxlen=max(1, lines)))


def verified(pid: int | None, create_time: float | None) -> psutil.Process | None:
    """The process `pid` if it is still the one we started (same create time) and not a zombie."""
    if not pid or create_time is None:
        return None
    try:
        proc = psutil.Process(pid)
        if abs(proc.create_time() - create_time) > 0.5 or proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def spawn_supervised(
    engine_id: str, argv: list[str], exit_file: Path, log_path: Path, env: dict, nice: int, banner: str
) -> subprocess.Popen:
    """Start `argv` under `python -m sage_studio_lab.engine.supervise`, detached (own session, argv list, never
    a shell) with its output appended to `log_path`; the supervisor writes the exit code to `exit_file`."""
    command = [
        sys.executable,
        "-m",
        "sage_studio_lab.engine.supervise",
        str(exit_file),
        str(log_path),
        *(["--nice", str(nice)] if nice else []),
        "--",
        *argv,
    ]
    with open(log_path, "ab") as log:
        log.write(f"[sage-studio] {banner}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            command,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
            close_fds=True,
        )
    with _children_lock:
        _children[engine_id] = proc
    return proc


def reap(engine_id: str) -> None:
    with _children_lock:
        proc = _children.get(engine_id)
        if proc is not None and proc.poll() is not None:
            _children.pop(engine_id, None)


def terminate(supervisor: psutil.Process | None, engine: psutil.Process | None, grace: float) -> None:
    """SIGTERM, then SIGKILL to whatever of the family outlives `grace` seconds."""
    family = [p for p in (supervisor, engine) if p is not None]
    try:
        family += engine.children(recursive=True) if engine else []
    except psutil.Error:
        pass
    # The supervisor forwards SIGTERM to the engine; signal the engine directly if the supervisor is gone.
    target = supervisor or engine
    if target is not None:
        try:
            target.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(family, timeout=grace)
    for proc in alive:  # psutil refuses to signal a pid that was recycled
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)
