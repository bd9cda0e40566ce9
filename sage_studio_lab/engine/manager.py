"""`EngineManager`: start, stop, observe one inference engine per user (our CPU engine or vLLM).

State lives in the `engines` table and in files under `<user dir>/engines/` (log, exit record), so the Jupyter
server, a notebook kernel and the CLI all see the same engine, and a restarted server re-attaches to it.
The engine runs detached (own session) under a small supervisor that records its exit code. Processes are
identified by pid *and* create time (psutil), so a recycled pid is never signalled.

The class is assembled by responsibility: records.py (rows, re-attach, status/endpoint/logs), lora.py (adapter
load/unload), this module (start/stop/restart); processes.py holds the OS-level helpers.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import psutil

from .. import models
from ..errors import Conflict, InvalidInput, ModelNotFound, NotFound, Unavailable
from ..settings import get_settings
from ..store import dumps, loads, now
from . import keys
from .backends import build_command, choose_backend
from .lora import EngineAdapters
from .processes import HOST, pick_port, port_is_free, reap, spawn_supervised, tail, terminate, verified
from .records import ACTIVE
from .stages import stage_path

__all__ = ["EngineManager", "port_is_free"]  # port_is_free: finetune/hotswap.py imports it from here


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


class EngineManager(EngineAdapters):
    """One engine per user: start/stop/restart here; status/endpoint/logs and adapters from the bases."""

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
            engine_id = uuid.uuid4().hex[:12]
            stages = str(stage_path(self.engines_dir, engine_id))
            argv, extra_env = build_command(
                chosen, served, port, host, gpu_memory_utilization, quantization, stage_file=stages
            )
            log_path = self.engines_dir / f"{engine_id}.log"
            # The key goes through the environment: the argv is stored, logged and visible to every user in `ps`.
            extra_env = {**extra_env, keys.ENV: keys.create(self.engines_dir, engine_id)}
            # The CPU engine computes on the cores Jupyter needs: it yields to them (vLLM computes on a GPU).
            nice = min(max(int(get_settings().engine_nice), 0), 19) if chosen == "cpu" else 0
            banner = f"starting {chosen} engine: {' '.join(argv)}"
            proc = spawn_supervised(
                engine_id, argv, self._exit_file(engine_id), log_path, extra_env, nice, banner
            )
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
            if adapters:  # nobody waits for the engine: a thread loads its adapters once it is up
                threading.Thread(
                    target=self._load_when_ready, args=(dict(adapters), timeout), daemon=True
                ).start()
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

    def _load_when_ready(self, adapters: dict, timeout: float) -> None:
        try:
            self.wait_ready(timeout)
            for adapter, path in adapters.items():
                self.load_adapter(adapter, path)
        except Exception as exc:  # noqa: BLE001 - a background thread: the engine log says what went wrong
            with open(self._latest()["log_path"], "a") as log:
                log.write(f"[sage-studio] adapters not reloaded after the restart: {exc}\n")

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
                    f"the engine was not ready within {timeout:.0f} s (still {status['stage'] or 'loading'}) "
                    "and was stopped; "
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
            supervisor = verified(row["pid"], row["pid_create_time"])
            terminate(supervisor, self._engine_process(row, supervisor), grace)
            reap(row["id"])
            self._update(row["id"], status="stopped", stopped_at=now(), exit_code=self._exit_code(row["id"]))
            keys.remove(self.engines_dir, row["id"])
        return self.status()

    def restart(self, timeout: float = 180, wait: bool = True) -> dict:
        """Stop, then start with the same model, backend, options and adapters (and the port, when free).
        `wait=False` answers once it is loading; the adapters are loaded when it is up."""
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
            wait=wait,
            timeout=timeout,
            host=row["host"],
            adapters=options.get("adapters") or None,
        )
