"""What the engine is doing: its row in the `engines` table reconciled with its processes (how any process
re-attaches to an engine another one started), and the views of it: `endpoint()`, `status()`, `logs()`."""

from __future__ import annotations

import json
from pathlib import Path

import psutil

from .. import gpu, paths
from ..store import Store, dumps, get_store, loads, now
from . import keys
from .adapter_labels import adapter_labels
from .processes import reap, tail, verified
from .stages import STARTING, engine_stage, failure_reason, stage_list, stage_path

ACTIVE = ("loading", "running", "stopping")


def _base_url(row: dict) -> str | None:
    return f"http://{row['host']}:{row['port']}" if row["status"] == "running" else None


class EngineRecords:
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

    def api_key(self, engine_id: str | None = None) -> str | None:
        """The key the engine (`engine_id`, default the latest) requires on its /v1 routes (`keys.py`), for a
        client of it, e.g. `OpenAI(base_url=…, api_key=EngineManager().api_key())`. Never put it in an answer."""
        if engine_id is None:
            row = self._latest()
            engine_id = row["id"] if row else None
        return keys.read(self.engines_dir, engine_id)

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

    # -- reconciling a row with its processes -------------------------------------------------------
    def _engine_process(self, row: dict, supervisor: psutil.Process | None) -> psutil.Process | None:
        """The engine itself (the supervisor's child), remembered in options so it can be verified later."""
        options = loads(row["options"], {})
        proc = verified(options.get("engine_pid"), options.get("engine_create_time"))
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
        reap(row["id"])
        supervisor = verified(row["pid"], row["pid_create_time"])
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
            if error and row["status"] == "loading":  # a failed start says at which stage, and why
                error += failure_reason(self._stage(row), tail(row["log_path"], 20))
            self._update(row["id"], status=status, exit_code=code, error=error, stopped_at=now())
            keys.remove(self.engines_dir, row["id"])  # the engine is gone: so is any use of its key
            return self.store.query_one("SELECT * FROM engines WHERE id=?", (row["id"],))
        if row["status"] == "loading" and self._health(row) == 200:
            self._update(row["id"], status="running")
            row["status"] = "running"
        return row

    def _served_adapters(self, row: dict) -> list[str] | None:
        import httpx

        try:
            url, headers = (
                f"http://{row['host']}:{row['port']}/v1/models",
                keys.auth_headers(self.api_key(row["id"])),
            )
            data = httpx.get(url, headers=headers, timeout=2).json()["data"]
        except (httpx.HTTPError, ValueError, KeyError):
            return None
        return sorted(m["id"] for m in data if m.get("parent"))

    def _stage(self, row: dict) -> dict | None:
        log = tail(row["log_path"], 400) if row["backend"] == "vllm" else ""
        return engine_stage(row["backend"], stage_path(self.engines_dir, row["id"]), log)

    def _loading_view(self, row: dict) -> dict:
        """`stage`, `progress` (0..1 or None), `stage_detail`, `stages` and `elapsed_s` while loading; the
        stage list of a failed start (which one failed); nothing of it otherwise."""
        loading, failed = row["status"] == "loading", row["status"] == "failed"
        info = self._stage(row) if loading or failed else None
        if loading and info is None:  # the engine has not written its first stage yet
            info = {"stage": STARTING, "done": [], "skipped": []}
        if failed and (info is None or info.get("stage") == "running"):
            info = None  # it failed after it was up: no stage to blame
        return {
            "stage": info["stage"] if info else None,
            "progress": info.get("progress") if info and loading else None,
            "stage_detail": info.get("detail") if info and loading else None,
            "stages": stage_list(row["backend"], info, failed=failed) if info else [],
            "elapsed_s": round(now() - row["started_at"], 1) if loading else None,
        }

    # -- views -------------------------------------------------------------------------------------
    def endpoint(self) -> dict:
        """How to reach the engine: {"status", "id", "model", "base_url"} (base_url only while running).
        A store read and a process check (~0.1 ms): what the chat gateway and flows re-read, without `status()`'s
        panel extras (memory, GPU, log tail, a /v1/models call: ~20 ms)."""
        row = self._refresh(self._latest())
        if row is None:
            return {"status": "stopped", "id": None, "model": None, "base_url": None}
        return {"status": row["status"], "id": row["id"], "model": row["model"], "base_url": _base_url(row)}

    def base_url(self) -> str | None:
        return self.endpoint()["base_url"]

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
                "stage": None,
                "stage_detail": None,
                "stages": [],
                "elapsed_s": None,
                "adapter_labels": [],
            }
        options = loads(row["options"], {})
        active = row["status"] in ACTIVE
        engine = self._engine_process(row, verified(row["pid"], row["pid_create_time"])) if active else None
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
            "adapter_labels": adapter_labels(self.store, adapters),
            "rss_bytes": rss,
            "gpu_memory": gpu_mem,
            "exit_code": row["exit_code"],
            "error": row["error"],
            "log_tail": log_tail,
            **self._loading_view(row),
            "argv": loads(row["argv"], []),
            "log_path": row["log_path"],
            "options": {k: v for k, v in options.items() if k not in ("engine_pid", "engine_create_time")},
        }

    def logs(self, lines: int = 200) -> str:
        row = self._latest()
        return tail(row["log_path"], lines) if row else ""
