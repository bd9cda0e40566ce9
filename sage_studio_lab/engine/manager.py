"""`EngineManager`: start, stop, observe one inference engine per user (our CPU engine or vLLM).

State lives in the `engines` table and in files under `<user dir>/engines/` (log, exit record), so the Jupyter
server, a notebook kernel and the CLI all see the same engine, and a restarted server re-attaches to it.
The engine runs detached (own session) under a small supervisor that records its exit code. Processes are
identified by pid *and* create time (psutil), so a recycled pid is never signalled.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from pathlib import Path

import psutil

from .. import gpu, models, paths
from ..errors import Conflict, InvalidInput, ModelNotFound, NotFound, Unavailable
from ..settings import get_settings
from ..store import Store, dumps, get_store, loads, now
from .backends import build_command, choose_backend

PREFERRED_PORT = 8001
HOST = "127.0.0.1"
ACTIVE = ("loading", "running", "stopping")
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


def _verified(pid: int | None, create_time: float | None) -> psutil.Process | None:
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


def _base_url(row: dict) -> str | None:
    return f"http://{row['host']}:{row['port']}" if row["status"] == "running" else None


def _check_model(name: str, backend: str) -> str:
    """Fail fast with a clear message, without loading the model in this (server/kernel) process."""
    if name in (models.BUNDLED_MODEL_ID, "bundled"):
        if not models.bundled_available():
            raise ModelNotFound(f"the bundled model is not installed: {models.INSTALL_HINT}")
        return models.BUNDLED_MODEL_ID
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise ModelNotFound(f"{name} has no config.json: point at a Hugging Face model folder")
        return str(path.resolve())
    if any(name == m.id for m in models.list_models()):
        return name
    if backend == "vllm":  # vLLM can fetch a hub id itself
        return name
    raise ModelNotFound(
        f"model {name!r} not found: use a catalog id "
        f"({', '.join(m.id for m in models.list_models()) or 'none'}) or a local model folder"
    )


class EngineManager:
    def __init__(self, store: Store | None = None, user: str | None = None):
        self.store = store or get_store(user)

    # -- files -------------------------------------------------------------------------------------
    @property
    def engines_dir(self) -> Path:
        path = self.store.path.parent / "engines"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _exit_file(self, engine_id: str) -> Path:
        return self.engines_dir / f"{engine_id}.exit.json"

    def _lock(self):
        """One start/stop at a time across processes (server, kernels, CLI) for this user."""
        return paths.file_lock(self.engines_dir / ".lock")

    # -- rows --------------------------------------------------------------------------------------
    def _latest(self) -> dict | None:
        return self.store.query_one("SELECT * FROM engines ORDER BY started_at DESC LIMIT 1")

    def _update(self, engine_id: str, **fields) -> None:
        if "options" in fields:
            fields["options"] = dumps(fields["options"])
        sets = ", ".join(f"{k}=?" for k in fields)
        self.store.execute(f"UPDATE engines SET {sets} WHERE id=?", (*fields.values(), engine_id))

    def history(self, limit: int = 20) -> list[dict]:
        rows = self.store.query("SELECT * FROM engines ORDER BY started_at DESC LIMIT ?", (limit,))
        for row in rows:
            row["argv"] = loads(row["argv"], [])
            row["options"] = loads(row["options"], {})
        return rows

    # -- processes -----------------------------------------------------------------------------------
    @staticmethod
    def _reap(engine_id: str) -> None:
        with _children_lock:
            proc = _children.get(engine_id)
            if proc is not None and proc.poll() is not None:
                _children.pop(engine_id, None)

    def _engine_process(self, row: dict, supervisor: psutil.Process | None) -> psutil.Process | None:
        """The engine itself (the supervisor's child), remembered in options so it can be verified later."""
        options = loads(row["options"], {})
        proc = _verified(options.get("engine_pid"), options.get("engine_create_time"))
        if proc is None and supervisor is not None:
            try:
                kids = supervisor.children()
            except psutil.NoSuchProcess:
                kids = []
            if kids:
                proc = kids[0]
                options.update(engine_pid=proc.pid, engine_create_time=proc.create_time())
                self._update(row["id"], options=options)
                row["options"] = dumps(options)
        return proc

    def _exit_code(self, engine_id: str) -> int | None:
        try:
            return json.loads(self._exit_file(engine_id).read_text())["exit_code"]
        except (OSError, ValueError, KeyError):
            return None

    def _health(self, row: dict, timeout: float = 1.0) -> int | None:
        import httpx

        try:
            return httpx.get(f"http://{row['host']}:{row['port']}/health", timeout=timeout).status_code
        except httpx.HTTPError:
            return None

    def _refresh(self, row: dict | None) -> dict | None:
        """Reconcile the stored status with reality (process alive? healthy?)."""
        if row is None or row["status"] not in ACTIVE:
            return row
        self._reap(row["id"])
        supervisor = _verified(row["pid"], row["pid_create_time"])
        engine = self._engine_process(row, supervisor)
        if supervisor is None or engine is None and self._exit_file(row["id"]).exists():
            if engine is not None:  # supervisor gone but engine alive: still serving
                return row
            code = self._exit_code(row["id"])
            stopping = row["status"] == "stopping"
            status = "stopped" if stopping or code == 0 else "failed"
            error = (
                None
                if status == "stopped"
                else (f"engine exited with code {code}" if code is not None else "engine process is gone")
            )
            self._update(row["id"], status=status, exit_code=code, error=error, stopped_at=now())
            return self.store.query_one("SELECT * FROM engines WHERE id=?", (row["id"],))
        if row["status"] == "loading" and self._health(row) == 200:
            self._update(row["id"], status="running")
            row["status"] = "running"
        return row

    # -- public API ----------------------------------------------------------------------------------
    def endpoint(self) -> dict:
        """How to reach the engine: {"status", "id", "model", "base_url"} (base_url only while running).
        A store read and a process check (~0.1 ms): what the chat gateway and flows re-read, without `status()`'s
        panel extras (memory, GPU, log tail, a /v1/models call: ~20 ms)."""
        row = self._refresh(self._latest())
        if row is None:
            return {"status": "stopped", "id": None, "model": None, "base_url": None}
        return {"status": row["status"], "id": row["id"], "model": row["model"], "base_url": _base_url(row)}

    def status(self) -> dict:
        row = self._refresh(self._latest())
        if row is None:
            return {
                "status": "stopped",
                "id": None,
                "backend": None,
                "model": None,
                "base_url": None,
                "port": None,
                "pid": None,
                "uptime_s": None,
                "adapters": [],
                "rss_bytes": None,
                "gpu_memory": None,
                "exit_code": None,
                "error": None,
                "log_tail": "",
                "progress": None,
            }
        options = loads(row["options"], {})
        active = row["status"] in ACTIVE
        engine = self._engine_process(row, _verified(row["pid"], row["pid_create_time"])) if active else None
        rss = gpu_mem = None
        if engine is not None:
            try:
                family = [engine, *engine.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in family)
                if gpu.gpu_available():
                    gpu_mem = sum(gpu.process_gpu_memory(p.pid) or 0 for p in family)
            except psutil.Error:
                pass
        log_tail = tail(row["log_path"], 30)
        adapters = sorted(options.get("adapters", {}))
        if row["status"] == "running":
            served = self._served_adapters(row)
            adapters = served if served is not None else adapters
        last_line = next((ln for ln in reversed(log_tail.splitlines()) if ln.strip()), None)
        return {
            "status": row["status"],
            "id": row["id"],
            "backend": row["backend"],
            "model": row["model"],
            "host": row["host"],
            "port": row["port"],
            "base_url": _base_url(row),
            "pid": engine.pid if engine else None,
            "supervisor_pid": row["pid"],
            "started_at": row["started_at"],
            "stopped_at": row["stopped_at"],
            "uptime_s": round(now() - row["started_at"], 1) if active else None,
            "adapters": adapters,
            "rss_bytes": rss,
            "gpu_memory": gpu_mem,
            "exit_code": row["exit_code"],
            "error": row["error"],
            "log_tail": log_tail,
            "progress": last_line if row["status"] == "loading" else None,
            "argv": loads(row["argv"], []),
            "log_path": row["log_path"],
            "options": {k: v for k, v in options.items() if k not in ("engine_pid", "engine_create_time")},
        }

    def base_url(self) -> str | None:
        return self.endpoint()["base_url"]

    def start(
        self,
        model: str | None = None,
        backend: str = "auto",
        port: int | None = None,
        gpu_memory_utilization: float = 0.9,
        quantization: str | None = None,
        wait: bool = True,
        timeout: float = 180,
        host: str = HOST,
        adapters: dict | None = None,
        _retries: int = 2,
    ) -> dict:
        port_given = port is not None and _retries == 2
        name = model or get_settings().default_model or models.BUNDLED_MODEL_ID
        chosen = choose_backend(backend)
        if port is not None and not 1 <= int(port) <= 65535:
            raise InvalidInput("port must be between 1 and 65535")
        with self._lock():
            current = self.status()
            if current["status"] in ("loading", "running"):
                if current["model"] == _check_model(name, chosen) and current["backend"] == chosen:
                    return self.wait_ready(timeout) if wait else current
                raise Conflict(
                    f"an engine is already {current['status']} ({current['backend']}, {current['model']}): "
                    "stop it first or use restart",
                    engine=current["id"],
                )
            served = _check_model(name, chosen)
            port = int(port) if port else pick_port(host=host)
            if not port_is_free(port, host):
                raise Conflict(f"port {port} is already in use: choose another port or leave it empty")
            argv, extra_env = build_command(chosen, served, port, host, gpu_memory_utilization, quantization)
            engine_id = uuid.uuid4().hex[:12]
            log_path = self.engines_dir / f"{engine_id}.log"
            # The CPU engine computes on the cores Jupyter needs: it yields to them (vLLM computes on a GPU).
            nice = min(max(int(get_settings().engine_nice), 0), 19) if chosen == "cpu" else 0
            command = [
                sys.executable,
                "-m",
                "sage_studio_lab.engine.supervise",
                str(self._exit_file(engine_id)),
                str(log_path),
                *(["--nice", str(nice)] if nice else []),
                "--",
                *argv,
            ]
            env = {**os.environ, **extra_env, "PYTHONUNBUFFERED": "1"}
            with open(log_path, "ab") as log:
                log.write(f"[sage-studio] starting {chosen} engine: {' '.join(argv)}\n".encode())
                log.flush()
                proc = subprocess.Popen(
                    command,
                    start_new_session=True,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    close_fds=True,
                )
            with _children_lock:
                _children[engine_id] = proc
            options = {
                "gpu_memory_utilization": gpu_memory_utilization,
                "quantization": quantization,
                "requested_model": name,
                "adapters": dict(adapters or {}),
                "nice": nice,
            }
            self.store.execute(
                "INSERT INTO engines(id, backend, model, host, port, pid, pid_create_time, argv, status, log_path,"
                " options, started_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    engine_id,
                    chosen,
                    served,
                    host,
                    port,
                    proc.pid,
                    psutil.Process(proc.pid).create_time(),
                    dumps(argv),
                    "loading",
                    str(log_path),
                    dumps(options),
                    now(),
                ),
            )
        if not wait:
            return self.status()
        try:
            status = self.wait_ready(timeout)
        except Unavailable:
            # An auto-chosen port can be taken by someone else before the engine binds it: retry elsewhere.
            if port_given or "address already in use" not in self.logs(20) or _retries <= 0:
                raise
            return self.start(
                model,
                backend,
                pick_port(preferred=0, host=host),
                gpu_memory_utilization,
                quantization,
                wait,
                timeout,
                host,
                adapters,
                _retries=_retries - 1,
            )
        for adapter, path in (adapters or {}).items():
            self.load_adapter(adapter, path)
        return self.status() if adapters else status

    def wait_ready(self, timeout: float = 180) -> dict:
        """Block until the engine answers /health with 200; a clear error with the log tail otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if status["status"] == "running":
                return status
            if status["status"] in ("failed", "stopped"):
                raise Unavailable(
                    f"the engine did not start ({status['error'] or status['status']}); "
                    f"last log lines:\n{tail(status['log_path'], 20)}",
                    engine=status["id"],
                )
            if time.monotonic() > deadline:
                self.stop()
                raise Unavailable(
                    f"the engine was not ready within {timeout:.0f} s and was stopped; "
                    f"last log lines:\n{tail(status['log_path'], 20)}",
                    engine=status["id"],
                )
            time.sleep(0.25)

    def stop(self, grace: float = 10.0) -> dict:
        with self._lock():
            row = self._refresh(self._latest())
            if row is None or row["status"] not in ACTIVE:
                return self.status()
            self._update(row["id"], status="stopping")
            row["status"] = "stopping"
            supervisor = _verified(row["pid"], row["pid_create_time"])
            engine = self._engine_process(row, supervisor)
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
            self._reap(row["id"])
            self._update(row["id"], status="stopped", stopped_at=now(), exit_code=self._exit_code(row["id"]))
        return self.status()

    def restart(self, timeout: float = 180) -> dict:
        row = self._latest()
        if row is None:
            raise NotFound("no engine was started yet: use start")
        options = loads(row["options"], {})
        self.stop()
        return self.start(
            model=options.get("requested_model") or row["model"],
            backend=row["backend"],
            port=row["port"] if port_is_free(row["port"], row["host"]) else None,
            gpu_memory_utilization=options.get("gpu_memory_utilization", 0.9),
            quantization=options.get("quantization"),
            timeout=timeout,
            host=row["host"],
            adapters=options.get("adapters") or None,
        )

    def logs(self, lines: int = 200) -> str:
        row = self._latest()
        return tail(row["log_path"], lines) if row else ""

    # -- adapters ------------------------------------------------------------------------------------
    def _served_adapters(self, row: dict) -> list[str] | None:
        import httpx

        try:
            data = httpx.get(f"http://{row['host']}:{row['port']}/v1/models", timeout=2).json()["data"]
        except (httpx.HTTPError, ValueError, KeyError):
            return None
        return sorted(m["id"] for m in data if m.get("parent"))

    def _post(self, path: str, body: dict) -> dict:
        import httpx

        row = self._refresh(self._latest())
        if row is None or row["status"] != "running":
            raise Unavailable("no engine is running: start one first")
        try:
            resp = httpx.post(f"http://{row['host']}:{row['port']}{path}", json=body, timeout=120)
        except httpx.HTTPError as exc:
            raise Unavailable(f"the engine did not answer: {exc}") from exc
        if resp.status_code >= 400:
            try:
                message = resp.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = resp.text
            error = NotFound if resp.status_code == 404 else InvalidInput
            raise error(message)
        return {"row": row, "text": resp.text}

    def load_adapter(self, name: str, path: str) -> dict:
        if not name or not name.strip():
            raise InvalidInput("adapter name must not be empty")
        folder = Path(path).expanduser()
        if not (folder / "adapter_config.json").exists():
            raise InvalidInput(f"{path} is not a LoRA adapter folder (no adapter_config.json)")
        t0 = time.perf_counter()
        result = self._post("/v1/load_lora_adapter", {"lora_name": name, "lora_path": str(folder.resolve())})
        row = result["row"]
        options = loads(
            self.store.query_one("SELECT options FROM engines WHERE id=?", (row["id"],))["options"], {}
        )
        options.setdefault("adapters", {})[name] = str(folder.resolve())
        self._update(row["id"], options=options)
        return {
            "name": name,
            "path": str(folder.resolve()),
            "load_time_s": round(time.perf_counter() - t0, 3),
            "message": result["text"],
        }

    def unload_adapter(self, name: str) -> dict:
        result = self._post("/v1/unload_lora_adapter", {"lora_name": name})
        row = result["row"]
        options = loads(
            self.store.query_one("SELECT options FROM engines WHERE id=?", (row["id"],))["options"], {}
        )
        options.setdefault("adapters", {}).pop(name, None)
        self._update(row["id"], options=options)
        return {"name": name, "unloaded": True, "message": result["text"]}
